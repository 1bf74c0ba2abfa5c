"""The baseline judge: an offline, deterministic comparison from surface features.

It exists for demos, tests and benchmarks, where a judge is needed that costs nothing and
answers the same way every time. It is NOT a substitute for human judgement: it cannot read
an argument, only count. Each essay gets a feature score:

- length: log(1 + words) — longer essays develop more, with diminishing returns;
- vocabulary richness: Guiraud's index, distinct words / sqrt(words), which, unlike the
  plain type-token ratio, does not punish length;
- sentence length: distance from about 17 words a sentence (fragments and run-ons both lose);
- spelling: the share of words that look misspelt in the essay's language: unknown to its
  word-frequency list (wordfreq), or one swap, dropped or extra letter away from a word at
  least 100 times as frequent (the web text behind the lists holds "becuase" too), weighted
  heavily;
- vocabulary level: the mean rarity (Zipf frequency) of the words, slightly rewarded.

Each essay is read in its own language (English or Swedish, by service_kit.language),
so a batch mixing the two compares each essay with its own language's norms rather than
calling Swedish misspelt English. P(A is better) = sigmoid(score_A - score_B); the winner is
the higher score (A on a tie) and the confidence the probability of the winner.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import lru_cache

from wordfreq import tokenize, zipf_frequency

from service_kit.language import detect_language
from services.cj_assessment.protocols import Verdict

_SENTENCE_END = re.compile(r"[.!?]+(?:\s|$)")
_IDEAL_SENTENCE_WORDS = 17.0


@dataclass(frozen=True)
class EssayFeatures:
    words: int
    guiraud: float
    mean_sentence_words: float
    misspelt_share: float
    mean_rarity: float  # 8 - mean Zipf frequency: higher is rarer vocabulary

    @property
    def score(self) -> float:
        if self.words == 0:
            return -10.0
        sentence_penalty = abs(self.mean_sentence_words - _IDEAL_SENTENCE_WORDS)
        return (
            math.log1p(self.words)
            + 0.3 * self.guiraud
            - 0.05 * sentence_penalty
            - 15.0 * self.misspelt_share
            + 0.3 * self.mean_rarity
        )


@lru_cache(maxsize=65536)
def _zipf(word: str, language: str) -> float:
    return float(zipf_frequency(word, language))


_ALPHABETS = {"en": "abcdefghijklmnopqrstuvwxyz", "sv": "abcdefghijklmnopqrstuvwxyzåäö"}
_COMMON = 4.0  # a word this frequent (Zipf) is taken as spelt as meant
_MUCH_MORE = 2.0  # 100 times as frequent


@lru_cache(maxsize=65536)
def _looks_misspelt(word: str, language: str) -> bool:
    frequency = _zipf(word, language)
    if frequency == 0:
        return True
    if frequency >= _COMMON or len(word) < 4:
        return False
    variants = {word[:i] + word[i + 1] + word[i] + word[i + 2 :] for i in range(len(word) - 1)}
    variants |= {word[:i] + word[i + 1 :] for i in range(len(word))}
    variants |= {
        word[:i] + c + word[i:] for i in range(len(word) + 1) for c in _ALPHABETS[language]
    }
    variants.discard(word)
    return any(_zipf(v, language) >= frequency + _MUCH_MORE for v in variants)


def _words(text: str) -> tuple[str, list[str], list[float]]:
    """The essay's language, its words and their Zipf frequencies in that language."""
    language = detect_language(text)
    words = [w for w in tokenize(text, language) if any(c.isalpha() for c in w)]
    return language, words, [_zipf(w, language) for w in words]


@lru_cache(maxsize=4096)  # an essay is compared many times
def features(text: str) -> EssayFeatures:
    language, words, frequencies = _words(text)
    if not words:
        return EssayFeatures(0, 0.0, 0.0, 0.0, 0.0)
    sentences = max(len(_SENTENCE_END.findall(text.strip())), 1)
    misspelt = sum(1 for w in words if _looks_misspelt(w, language))
    return EssayFeatures(
        words=len(words),
        guiraud=len(set(words)) / math.sqrt(len(words)),
        mean_sentence_words=len(words) / sentences,
        misspelt_share=misspelt / len(words),
        mean_rarity=8.0 - sum(frequencies) / len(frequencies),
    )


def judge_baseline(text_a: str, text_b: str) -> tuple[str, float]:
    """("a" | "b", confidence in [0.5, 1]) — the same answer for the same texts, always."""
    difference = features(text_a).score - features(text_b).score
    p_a = 0.5 * (1.0 + math.tanh(0.5 * difference))
    if difference >= 0:
        return "a", p_a
    return "b", 1.0 - p_a


class BaselineJudge:
    """judge_baseline behind the same face as the LLM judge (protocols.PairJudge)."""

    judge_id = "baseline"

    async def judge(self, instructions: str | None, text_a: str, text_b: str) -> Verdict:
        winner, confidence = judge_baseline(text_a, text_b)
        return Verdict(winner, confidence, None)
