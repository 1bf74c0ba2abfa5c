"""Checking a text now (``POST /v1/check``), and the one way every check runs, for a request
or a job: in a worker thread, since checking is CPU-bound and the event loop keeps
answering meanwhile, and measured."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass

from service_kit.language import resolve_language
from services.spell_checker import metrics
from services.spell_checker.config import TextLimit
from services.spell_checker.domain import check_length, unknown_language
from services.spell_checker.spelling import (
    CheckResult,
    SpellChecker,
    UnsupportedLanguage,
    checker_for,
)


def checker(language: str) -> SpellChecker:
    """The process's checker for the language, or the 422 that lists the supported ones."""
    try:
        return checker_for(language)
    except UnsupportedLanguage as exc:
        raise unknown_language(language, tuple(exc.supported)) from exc


async def check_in_thread(
    spell: SpellChecker,
    text: str,
    *,
    language: str,
    ignore: tuple[str, ...],
    check_names: bool,
    source: str,
) -> tuple[CheckResult, float]:
    """Check in a worker thread; the result and the seconds the engine took."""
    started = time.perf_counter()
    result = await asyncio.to_thread(spell.check, text, ignore=ignore, check_names=check_names)
    elapsed = time.perf_counter() - started
    label = metrics.language_label(language)
    metrics.CHECK_DURATION.labels(label, source).observe(elapsed)
    metrics.WORDS_CHECKED.labels(label, source).inc(result.word_count)
    return result, elapsed


@dataclass(frozen=True, slots=True)
class CheckTextCommand:
    text: str
    language: str  # a supported language, or "auto"
    ignore: tuple[str, ...] = ()
    check_names: bool = False


@dataclass(frozen=True, slots=True)
class CheckTextResult:
    language: str  # the one the text was checked in (detected when asked for "auto")
    check: CheckResult


class CheckText:
    """Check a text of at most MAX_TEXT_CHARS characters now, and answer the corrections."""

    def __init__(self, limit: TextLimit) -> None:
        self._limit = limit

    async def execute(self, command: CheckTextCommand) -> CheckTextResult:
        check_length(command.text, self._limit.max_chars)
        language = resolve_language(command.language, command.text)
        spell = checker(language)
        result, _ = await check_in_thread(
            spell,
            command.text,
            language=language,
            ignore=command.ignore,
            check_names=command.check_names,
            source="check",
        )
        return CheckTextResult(language, result)
