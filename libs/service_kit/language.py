"""Telling English from Swedish: spell_checker for batches whose language is "auto",
cj_assessment's baseline judge for reading each essay in its own language.

Function words settle it: a few sentences of either language are full of its most frequent
words (the, and, of … / och, att, det …) and nearly free of the other's. The lists are the
top of wordfreq's frequency lists, the same package the dictionaries come from, minus the
words both languages share (e.g. "i", "a" and names).
"""

from __future__ import annotations

import re
from functools import cache

import wordfreq

AUTO = "auto"
DETECTABLE = ("en", "sv")
_TOP_WORDS = 300
_WORD = re.compile(r"[^\W\d_]+(?:['\u2019][^\W\d_]+)?")


@cache
def _function_words() -> dict[str, frozenset[str]]:
    tops = {lang: set(wordfreq.top_n_list(lang, _TOP_WORDS)) for lang in DETECTABLE}
    shared = set.intersection(*tops.values())
    return {lang: frozenset(words - shared) for lang, words in tops.items()}


def detect_language(text: str, default: str = "en") -> str:
    """The more likely of English and Swedish; ``default`` when the text gives no evidence."""
    words = _function_words()
    scores = dict.fromkeys(DETECTABLE, 0)
    for match in _WORD.finditer(text[:20_000]):
        token = match.group().lower()
        for lang in DETECTABLE:
            if token in words[lang]:
                scores[lang] += 1
    best = max(DETECTABLE, key=lambda lang: scores[lang])
    return best if scores[best] > 0 else default


def resolve_language(language: str, text: str) -> str:
    """The language to check ``text`` in: as asked, or detected when asked for "auto"."""
    return detect_language(text) if language == AUTO else language
