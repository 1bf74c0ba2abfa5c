"""The spell checker as the service sees it: check a text, get corrections with offsets.

Which words are looked at is decided here (the tokenizer only finds them): numbers, URLs and
e-mail addresses are never words; words in `ignore`, acronyms, and capitalised unknown words in
the middle of a sentence (most likely names) are counted but left alone.
"""

from __future__ import annotations

import threading
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass

from services.spell_checker.spelling.dictionaries import Lexicon, load_lexicon
from services.spell_checker.spelling.engine import Corrector
from services.spell_checker.spelling.morphology import Morphology
from services.spell_checker.spelling.tokenizer import Shape, Word, apply_shape, word_parts, words

SUPPORTED_LANGUAGES: tuple[str, ...] = ("en", "sv")
MAX_CANDIDATES = 5
# A correction is written into the text only when its best candidate scores at least
# CONFIDENCE log10 units above the best rival and is at most REWRITE_COST edits (weighted, as
# the error model prices them) from what was typed; tuned on dev sets only
# (bench/spell/confidence.py, docs/benchmarks.md).
CONFIDENCE = 1.5
REWRITE_COST = 1.2
# Endings that make two candidates forms of one word rather than rivals (sentence,
# sentences; gilla, gillar; kvällen, kvällar): a runner-up that is the best candidate with
# one such ending swapped for another agrees with it.
_EN_ENDINGS = "s es ed d ing er ers est ly 's ies ied y e"
_SV_ENDINGS = (
    "s e a n t r en et er ar or na ns ts rs ade de te da ad at are ast aste erna arna "
    "orna ens ets ers ars ors nas ernas arnas ornas"
)
ENDINGS: dict[str, frozenset[str]] = {
    "en": frozenset(["", *_EN_ENDINGS.split(" ")]),
    "sv": frozenset(["", *_SV_ENDINGS.split(" ")]),
}


@dataclass(frozen=True)
class Correction:
    start: int  # code point offsets into the original text: text[start:end] == original
    end: int
    original: str
    suggestion: str  # with the original's case pattern (Teh -> The, TEH -> THE)
    candidates: tuple[str, ...]  # best first, the suggestion included
    # Written into corrected_text: the suggestion is clearly the intended word. Otherwise
    # the word is only flagged, with its candidates, and the text keeps what was written.
    applied: bool = True


@dataclass(frozen=True)
class Unknown:
    """A word that is not known and has no candidate within reach: reported, never rewritten."""

    start: int  # code point offsets into the original text: text[start:end] == original
    end: int
    original: str


@dataclass(frozen=True)
class Assessment:
    """What the engine makes of one unknown word."""

    candidates: tuple[str, ...]  # lowercase, best first; () when none is within reach
    # How far (log10 units) the best scores above the best candidate that is not a form of
    # it: infinite when there is no such rival.
    confidence: float
    cost: float  # the best candidate's weighted edit cost (0 when there is none)

    @property
    def sure(self) -> bool:
        """Clearly the intended word: safe to write into the text."""
        return (
            bool(self.candidates) and self.confidence >= CONFIDENCE and (self.cost <= REWRITE_COST)
        )


@dataclass(frozen=True)
class CheckResult:
    corrected_text: str
    corrections: tuple[Correction, ...]
    word_count: int
    error_count: int  # corrections: rewritten plus flagged with candidates
    unknown: tuple[Unknown, ...] = ()  # counted apart from error_count

    @property
    def unknown_count(self) -> int:
        return len(self.unknown)

    @property
    def corrected_count(self) -> int:
        """Corrections written into corrected_text."""
        return sum(1 for c in self.corrections if c.applied)

    @property
    def flagged_count(self) -> int:
        """Corrections flagged with candidates but left as written."""
        return sum(1 for c in self.corrections if not c.applied)

    @property
    def errors_per_100_words(self) -> float:
        if self.word_count == 0:
            return 0.0
        return round(100 * self.error_count / self.word_count, 2)


class UnsupportedLanguage(ValueError):
    def __init__(self, language: str) -> None:
        self.language = language
        self.supported = SUPPORTED_LANGUAGES
        super().__init__(
            f"unsupported language {language!r}; supported: {', '.join(SUPPORTED_LANGUAGES)}"
        )


class SpellChecker:
    def __init__(
        self, language: str, corrector: Corrector, morphology: Morphology | None = None
    ) -> None:
        self.language = language
        self._corrector = corrector
        self._morphology = morphology

    @property
    def lexicon(self) -> Lexicon:
        return self._corrector.lexicon

    def knows(self, word: str) -> bool:
        """Whether `word` (any case) is correct as it stands, ignoring its case."""
        return self._knows(word)

    def suggest(self, word: str, limit: int = 5) -> list[str]:
        """Corrections for one word, best first, in the word's case; [] when there is none."""
        shape = Word(0, len(word), word, True).shape
        found = self._corrector.suggest(_normalise(word), limit)
        return [apply_shape(shape, candidate) for candidate in found]

    def assess(self, word: str, limit: int = MAX_CANDIDATES) -> Assessment:
        """Candidates for an unknown word and how sure the best of them is."""
        scored = self._corrector.scored(_normalise(word), limit)
        if not scored:
            return Assessment((), 0.0, 0.0)
        best, top = scored[0]
        endings = ENDINGS.get(self.language, frozenset({""}))
        rivals = [score for other, score in scored[1:] if not _same_word(best, other, endings)]
        confidence = (top - rivals[0]) if rivals else float("inf")
        cost = self._corrector.cost_of(best, top)
        return Assessment(tuple(c for c, _ in scored), confidence, cost)

    def check(
        self, text: str, ignore: Collection[str] = (), check_names: bool = False
    ) -> CheckResult:
        found = words(text)
        ignored = {_normalise(word).casefold() for word in ignore}
        shouting = _shouting_words(found)
        corrections: list[Correction | Unknown | None] = []
        for index, word in enumerate(found):
            if _normalise(word.text).casefold() in ignored:
                continue
            shape = word.shape
            if shape is Shape.UPPER and index not in shouting:
                continue  # an acronym
            if shape is Shape.MIXED and not check_names:
                continue  # iPhone, McDonald: names and brands
            if self._knows(word.text):
                continue
            if shape is Shape.CAPITALISED and not word.sentence_start and not check_names:
                continue  # unknown in lowercase and capitalised mid-sentence: likely a name
            parts = word_parts(word)
            if len(parts) > 1:
                corrections.extend(self._correct(part) for part in parts)
            else:
                corrections.append(self._correct(word))
        made = tuple(c for c in corrections if isinstance(c, Correction))
        unknown = tuple(c for c in corrections if isinstance(c, Unknown))
        return CheckResult(_apply(text, made), made, len(found), len(made), unknown)

    def _knows(self, text: str) -> bool:
        word = _normalise(text)
        if self._known_form(word):
            return True
        if "-" in word or "‐" in word:
            parts = word.replace("‐", "-").split("-")
            # A one-letter part (e-post, x-ray) is a prefix, not a word to look up.
            return all(len(part) < 2 or self._known_form(part) for part in parts)
        return False

    def _known_form(self, word: str) -> bool:
        """Known by frequency, or a correct inflected, derived or compound form."""
        if self._corrector.knows(word):
            return True
        return self._morphology is not None and self._morphology.knows(word)

    def _correct(self, word: Word) -> Correction | Unknown | None:
        if len(word.text) < 2 or self._knows(word.text):
            return None
        assessment = self.assess(word.text, MAX_CANDIDATES)
        if not assessment.candidates:
            # Unknown and nothing within reach (beaurocracy): reported, not silently passed.
            return Unknown(word.start, word.end, word.text)
        candidates = tuple(apply_shape(word.shape, c) for c in assessment.candidates)
        return Correction(
            word.start, word.end, word.text, candidates[0], candidates, assessment.sure
        )


def _same_word(best: str, other: str, endings: frozenset[str]) -> bool:
    """Whether `other` is `best` with one regular ending swapped for another."""
    shared = 0
    for a, b in zip(best, other, strict=False):
        if a != b:
            break
        shared += 1
    return any(best[stem:] in endings and other[stem:] in endings for stem in range(shared, 2, -1))


def _normalise(word: str) -> str:
    return word.lower().replace("’", "'")


def _shouting_words(found: Sequence[Word]) -> set[int]:
    """Indexes of all-caps words inside an all-caps sentence: shouting, not acronyms."""
    shouting: set[int] = set()
    for sentence in _sentences(found):
        long_words = [i for i in sentence if len(found[i].text) > 1]
        upper = [i for i in long_words if found[i].shape is Shape.UPPER]
        if len(upper) >= 2 and len(upper) >= 0.6 * len(long_words):
            shouting.update(upper)
    if not shouting and found and all(found[i].shape is Shape.UPPER for i in range(len(found))):
        shouting.update(range(len(found)))  # a text of one all-caps word
    return shouting


def _sentences(found: Sequence[Word]) -> Iterable[list[int]]:
    sentence: list[int] = []
    for index, word in enumerate(found):
        if word.sentence_start and sentence:
            yield sentence
            sentence = []
        sentence.append(index)
    if sentence:
        yield sentence


def _apply(text: str, corrections: Sequence[Correction]) -> str:
    pieces: list[str] = []
    position = 0
    for correction in corrections:
        if not correction.applied:
            continue
        pieces.append(text[position : correction.start])
        pieces.append(correction.suggestion)
        position = correction.end
    pieces.append(text[position:])
    return "".join(pieces)


_checkers: dict[str, SpellChecker] = {}
_loading = threading.Lock()


def checker_for(language: str) -> SpellChecker:
    """The process-wide checker for `language`, built on first use (a few seconds)."""
    checker = _checkers.get(language)
    if checker is not None:
        return checker
    if language not in SUPPORTED_LANGUAGES:
        raise UnsupportedLanguage(language)
    with _loading:
        checker = _checkers.get(language)
        if checker is None:
            checker = SpellChecker(
                language, Corrector(load_lexicon(language)), Morphology(language)
            )
            _checkers[language] = checker
    return checker


def preload(languages: Iterable[str] = SUPPORTED_LANGUAGES) -> None:
    for language in languages:
        checker_for(language)
