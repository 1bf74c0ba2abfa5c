"""Split essay text into the words a spell checker should look at.

Offsets are Python string indices, which are Unicode code points, so `text[start:end]` is the
original word whatever precedes it (emoji and other characters outside the BMP included).
Numbers, URLs and e-mail addresses are recognised only so that they are skipped as a whole:
otherwise "example.com" would yield the "words" example and com, and "mp3" the word mp.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum

# A letter of any alphabet: a word character that is neither a digit nor the underscore.
_LETTER = r"[^\W\d_]"
# Apostrophes (straight and typographic) and hyphens join letters inside a word only.
_JOINER = r"['’\-‐]"
_WORD = rf"{_LETTER}+(?:{_JOINER}{_LETTER}+)*"
_TOP_LEVEL_DOMAINS = "com|org|net|edu|gov|io|se|nu|uk|eu|info|fi|no|dk|de|fr|ac"

_TOKEN = re.compile(
    rf"""
    (?P<url>(?:https?|ftp)://\S+|www\.\S+
        |(?:[\w-]+\.)+(?:{_TOP_LEVEL_DOMAINS})\b(?:/\S*)?)
    |(?P<email>[\w.+-]+@[\w-]+(?:\.[\w-]+)+)
    |(?P<number>\w*\d[\w.,:/-]*)
    |(?P<word>{_WORD})
    """,
    re.VERBOSE | re.IGNORECASE,
)
# What ends a sentence: the next word after one of these (past quotes and brackets) starts one.
_SENTENCE_END = re.compile(r"[.!?…]+[\"'”’»)\]]*\s+[\"'“‘«(\[]*$")
# A new line (a heading, a list item, a paragraph) opens a sentence too.
_LINE_START = re.compile(r"\n[ \t]*[\"'“‘«(\[\-*•–]*[ \t]*$")


class Shape(Enum):
    """The case pattern of a word, which a correction keeps."""

    LOWER = "lower"
    CAPITALISED = "capitalised"
    UPPER = "upper"
    MIXED = "mixed"


@dataclass(frozen=True)
class Word:
    start: int
    end: int
    text: str
    sentence_start: bool

    @property
    def shape(self) -> Shape:
        return shape_of(self.text)


def shape_of(word: str) -> Shape:
    letters = [c for c in word if c.isalpha()]
    if not letters or all(c.islower() for c in letters):
        return Shape.LOWER
    if len(letters) > 1 and all(c.isupper() for c in letters):
        return Shape.UPPER
    if letters[0].isupper() and all(c.islower() for c in letters[1:]):
        return Shape.CAPITALISED
    return Shape.MIXED


def apply_shape(shape: Shape, word: str) -> str:
    """Give a lowercase dictionary word the case pattern of the word it replaces."""
    if shape is Shape.UPPER:
        return word.upper()
    if shape is Shape.CAPITALISED:
        return word[:1].upper() + word[1:]
    return word


def words(text: str) -> list[Word]:
    """Every word of `text` in order, with whether it opens a sentence."""
    found: list[Word] = []
    previous_end: int | None = None
    for match in _TOKEN.finditer(text):
        if match.lastgroup == "word":
            start = match.start()
            gap = text[previous_end or 0 : start]
            sentence_start = previous_end is None or bool(
                _SENTENCE_END.search(gap) or _LINE_START.search(gap)
            )
            found.append(Word(start, match.end(), match.group(), sentence_start))
        # Skipped tokens still count as the previous token: "2 cats" does not open a sentence.
        previous_end = match.end()
    return found


def word_parts(word: Word) -> list[Word]:
    """The hyphen-separated parts of a word ("well-known" -> well, known), with their offsets."""
    parts: list[Word] = []
    offset = word.start
    for index, piece in enumerate(re.split(r"[-‐]", word.text)):
        parts.append(Word(offset, offset + len(piece), piece, word.sentence_start and index == 0))
        offset += len(piece) + 1
    return parts
