"""Whether a word is a correct form, by a real affix lexicon (hunspell .aff/.dic, read by spylls).

The frequency lexicon (dictionaries.py) knows the forms people type often; it does not know
every inflected, derived or compound form of the words it knows ("intermingles",
"knäckebröden", "omlokaliseringar"), and flagging those is worse than missing a typo. A hunspell
dictionary states the morphology: stems with affix flags, and for Swedish the compounding
rules. spylls applies them in pure Python, so a word the frequency lexicon does not know is
looked up here before it is flagged. Lookups are cached: unknown words repeat across essays.

Sources (installed from PyPI; see the service README for versions and licences):
- en: the SCOWL-based en_US dictionary bundled with spylls;
- sv: `hunspell-sv` (SFOL, built from SALDO/SAOL), installed into the environment's
  share/hunspell.
"""

from __future__ import annotations

import functools
import sysconfig
from importlib import resources
from pathlib import Path

from spylls.hunspell import Dictionary

# Distinct words remembered per language (least recently used go first).
CACHE_SIZE = 200_000


def dictionary_path(language: str) -> Path:
    """The .aff/.dic pair for `language`, without the suffix."""
    if language == "en":
        return Path(str(resources.files("spylls.hunspell.data") / "en" / "en_US"))
    if language == "sv":
        return Path(sysconfig.get_path("data")) / "share" / "hunspell" / "sv_SE"
    raise ValueError(f"no affix dictionary for {language!r}")


class Morphology:
    """Correct word forms of one language by its hunspell dictionary; thread-safe, cached."""

    def __init__(self, language: str) -> None:
        self.language = language
        self._dictionary = Dictionary.from_files(str(dictionary_path(language)))
        self._cached = functools.lru_cache(maxsize=CACHE_SIZE)(self._lookup)

    def knows(self, word: str) -> bool:
        """Whether lowercase `word` is a correct form (inflected, derived or compound)."""
        return self._cached(word)

    def _lookup(self, word: str) -> bool:
        if len(word) < 2 or len(word) > 60:
            return False
        try:
            return bool(self._dictionary.lookup(word))
        except (RecursionError, IndexError, KeyError, ValueError):
            return False  # a malformed token is not a word; never a crash
