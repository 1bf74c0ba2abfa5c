"""The affix dictionaries expanded into a cached file of hashes: the forms and compounds
spylls accepts, a fraction of its memory, and a cache that is built once and reused."""

from pathlib import Path

import numpy as np

from services.spell_checker.spelling import morphology
from services.spell_checker.spelling.affix_forms import BEGIN, END, WORD, form_hash
from services.spell_checker.spelling.morphology import Morphology, cached_forms


def test_inflected_derived_and_compound_forms_are_known() -> None:
    en, sv = Morphology("en"), Morphology("sv")
    for word in ("intermingles", "redistricts", "overgrew", "burnishes", "salable"):
        assert en.knows(word), word
    for word in ("knäckebröden", "skorpionens", "vidareutbildats", "omlokaliseringar"):
        assert sv.knows(word), word
    # compounds of parts in their roles (hunspell's COMPOUNDBEGIN/END flags)
    assert sv.knows("skolgårdsträd") and sv.knows("fotbollsplanerna")
    assert sv.roles("fotbolls") & BEGIN and sv.roles("plan") & END


def test_misspellings_are_not_forms() -> None:
    en, sv = Morphology("en"), Morphology("sv")
    for word in ("recieve", "teh", "sentense", "beaurocracy"):
        assert not en.knows(word), word
    for word in ("hunnd", "gilar", "kvälen", "xyzqvbröd", "bilbil"):
        assert not sv.knows(word), word


def test_the_cache_is_a_few_bytes_a_form_and_is_reused() -> None:
    built = cached_forms("en")
    assert built.exists()
    assert cached_forms("en") == built  # found, not built again
    en = Morphology("en")
    assert 100_000 < len(en) < 200_000 and en.nbytes < 10 * len(en)
    # named by the language and a digest of the dictionary and the expansion's format
    assert built.name.startswith("en-") and built.parent == morphology.cache_dir()


def test_a_cache_file_is_read_as_given(tmp_path: Path) -> None:
    path = tmp_path / "tiny.npz"
    keys = np.array(sorted([form_hash("ab"), form_hash("cd")]), dtype=np.int64)
    roles = np.array([WORD | BEGIN, WORD | END], dtype=np.uint8)
    if form_hash("ab") > form_hash("cd"):
        roles = roles[::-1].copy()
    np.savez(path, keys=keys, roles=roles, meta=np.array([1, 2, 3]))
    tiny = Morphology("xx", path)
    assert tiny.knows("ab") and tiny.knows("cd") and tiny.knows("abcd")
    assert not tiny.knows("cdab") and not tiny.knows("ef")


def test_a_read_only_cache_dir_falls_back_to_the_temporary_directory(
    tmp_path: Path, monkeypatch
) -> None:
    monkeypatch.setenv("SPELL_CHECKER_CACHE_DIR", "/proc/no-such-place")
    monkeypatch.setattr(morphology.tempfile, "tempdir", str(tmp_path))
    built = cached_forms("en")
    assert built.parent == tmp_path / "essay-spell" and built.exists()
    assert Morphology("en", built).knows("intermingles")
    assert [p.name for p in built.parent.iterdir()] == [built.name]  # no .part left behind
