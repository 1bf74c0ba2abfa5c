"""The spelling engine: find the words of a text, decide which are misspelt, and rank the
corrections, for English and Swedish. Pure Python and numpy; nothing here knows of HTTP,
jobs or the database.

- ``checking``: a text in, corrections with offsets out; the process-wide checkers
- ``tokenizer``: the words of a text and their case shape
- ``dictionaries``: which words exist and how frequent they are (wordfreq)
- ``morphology``: inflected, derived and compound forms (hunspell affix dictionaries)
- ``engine``: candidate generation and ranking for one language
- ``delete_index``, ``alignment``, ``keyboard``: the candidate index and the typo costs
"""

from services.spell_checker.spelling.checking import (
    SUPPORTED_LANGUAGES,
    CheckResult,
    Correction,
    SpellChecker,
    Unknown,
    UnsupportedLanguage,
    checker_for,
    preload,
)

__all__ = [
    "SUPPORTED_LANGUAGES",
    "CheckResult",
    "Correction",
    "SpellChecker",
    "Unknown",
    "UnsupportedLanguage",
    "checker_for",
    "preload",
]
