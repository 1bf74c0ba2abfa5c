"""Every word form a hunspell affix dictionary allows, expanded once and kept as hashes.

spylls reads a `.aff`/`.dic` pair into Python objects that take hundreds of MiB for the two
languages. A checker only needs to know whether a form exists, and which part of a compound it
may be, so the forms are expanded once (stems with their suffixes, up to two levels, and
prefixes where the affixes allow it) in a child process, and written as two numpy arrays: the
sorted 64-bit hashes of the forms, and per hash a byte of roles (a word on its own, the first,
a middle or the last part of a compound). The checker then holds ~9 bytes a form.

A hash collision can only make a non-word look known, at odds of about forms / 2**64.

    python -m services.spell_checker.spelling.affix_forms <.aff/.dic path without suffix> <out.npz>
"""

from __future__ import annotations

import hashlib
import sys
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

# Roles of a form, OR-ed per hash.
WORD = 1  # a word on its own
BEGIN = 2  # may open a compound
MIDDLE = 4  # may stand inside a compound
END = 8  # may close a compound
FORMAT = 1  # bump when the expansion changes: cached files of another format are rebuilt


def form_hash(form: str) -> int:
    """A stable 64-bit hash (the same in every process, unlike `hash`)."""
    digest = hashlib.blake2b(form.encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "little", signed=True)


@dataclass(frozen=True, slots=True)
class _Form:
    text: str
    flags: frozenset[str]
    prefixed: bool
    suffixed: bool
    permitted: bool  # every affix used carries the compound permit flag


def _suffixed(aff: object, form: _Form, depth: int) -> Iterator[_Form]:
    table = aff.SFX  # type: ignore[attr-defined]
    permit = aff.COMPOUNDPERMITFLAG  # type: ignore[attr-defined]
    for flag in form.flags:
        for suffix in table.get(flag, ()):
            if not suffix.cond_regexp.search(form.text):
                continue
            if suffix.strip and not form.text.endswith(suffix.strip):
                continue
            stem = form.text[: len(form.text) - len(suffix.strip)] if suffix.strip else form.text
            made = _Form(
                stem + suffix.add,
                frozenset(suffix.flags),
                form.prefixed,
                True,
                form.permitted and permit is not None and permit in suffix.flags,
            )
            yield made
            if depth < 2:
                yield from _suffixed(aff, made, depth + 1)


def _prefixed(aff: object, form: _Form, flags: frozenset[str], cross_only: bool) -> Iterator[_Form]:
    permit = aff.COMPOUNDPERMITFLAG  # type: ignore[attr-defined]
    for flag in flags:
        for prefix in aff.PFX.get(flag, ()):  # type: ignore[attr-defined]
            if cross_only and not prefix.crossproduct:
                continue
            if not prefix.cond_regexp.search(form.text):
                continue
            if prefix.strip and not form.text.startswith(prefix.strip):
                continue
            yield _Form(
                prefix.add + form.text[len(prefix.strip) :],
                form.flags | frozenset(prefix.flags),
                True,
                form.suffixed,
                form.permitted and permit is not None and permit in prefix.flags,
            )


def expand(aff: object, words: object) -> Iterator[tuple[str, int]]:
    """(form, roles) for every form of every stem; a form may come more than once."""
    need = aff.NEEDAFFIX  # type: ignore[attr-defined]
    forbidden = aff.FORBIDDENWORD  # type: ignore[attr-defined]
    only_in_compound = aff.ONLYINCOMPOUND  # type: ignore[attr-defined]
    begin, middle, end = (
        aff.COMPOUNDBEGIN,  # type: ignore[attr-defined]
        aff.COMPOUNDMIDDLE,  # type: ignore[attr-defined]
        aff.COMPOUNDEND,  # type: ignore[attr-defined]
    )
    anywhere = aff.COMPOUNDFLAG  # type: ignore[attr-defined]
    for word in words:  # type: ignore[attr-defined]
        flags = frozenset(word.flags)
        if forbidden is not None and forbidden in flags:
            continue
        stem = _Form(word.stem.lower(), flags, False, False, True)
        forms: list[tuple[_Form, frozenset[str]]] = []
        if need is None or need not in flags:
            forms.append((stem, flags))
        for suffixed in _suffixed(aff, stem, 1):
            every = flags | suffixed.flags
            if need is not None and need in suffixed.flags:
                # The suffix needs another affix after it: only its continuations are forms.
                pass
            else:
                forms.append((suffixed, every))
            if any(p.crossproduct for f in flags for p in aff.PFX.get(f, ())):  # type: ignore[attr-defined]
                for both in _prefixed(aff, suffixed, flags, cross_only=True):
                    forms.append((both, every | both.flags))
        for prefixed in _prefixed(aff, stem, flags, cross_only=False):
            forms.append((prefixed, prefixed.flags))
        for form, every in forms:
            roles = 0
            if only_in_compound is None or only_in_compound not in every:
                roles |= WORD
            loose = form.permitted
            if (begin in every or anywhere in every) and (not form.suffixed or loose):
                roles |= BEGIN
            if (middle in every or anywhere in every) and (
                (not form.suffixed and not form.prefixed) or loose
            ):
                roles |= MIDDLE
            if (end in every or anywhere in every) and (not form.prefixed or loose):
                roles |= END
            if roles:
                yield form.text, roles


def build(path: str, out: str) -> int:
    """Expand the dictionary at `path` (no suffix) into `out` (.npz); the number of forms."""
    from spylls.hunspell import Dictionary

    dictionary = Dictionary.from_files(path)
    roles: dict[int, int] = {}
    for form, role in expand(dictionary.aff, dictionary.dic.words):
        key = form_hash(form)
        roles[key] = roles.get(key, 0) | role
    keys = np.fromiter(roles.keys(), dtype=np.int64, count=len(roles))
    values = np.fromiter(roles.values(), dtype=np.uint8, count=len(roles))
    order = np.argsort(keys)
    compound = dictionary.aff
    meta = np.array([FORMAT, compound.COMPOUNDMIN, compound.COMPOUNDWORDMAX or 0], dtype=np.int64)
    with open(out, "wb") as file:
        np.savez(file, keys=keys[order], roles=values[order], meta=meta)
    return len(keys)


if __name__ == "__main__":
    print(build(sys.argv[1], sys.argv[2]))
