"""spell_checker's messages: the job essay_lifecycle asks for and the result it calls back."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from service_kit.fields import Int32, SafeText

MAX_IGNORED_WORDS = 1000


class JobIn(BaseModel):
    """essay_lifecycle -> spell_checker, ``POST /v1/jobs``: check one essay's text and call
    back ``callback_url`` with a ``SpellcheckResultIn``.

    A public route: unknown fields are ignored as they always were (essay_lifecycle spreads
    the batch's ``SpellcheckSettings`` into the body, whose only field is ``ignore``).
    """

    # essay_lifecycle passes the batch's spellcheck settings along; unknown ones are ignored
    model_config = ConfigDict(extra="ignore")

    essay_id: SafeText = Field(min_length=1, max_length=64)
    batch_id: SafeText = Field(min_length=1, max_length=64)
    content_id: SafeText = Field(min_length=1, max_length=64)
    language: SafeText = Field(min_length=1, max_length=16)
    callback_url: SafeText = Field(min_length=1, max_length=2048)
    ignore: list[SafeText] = Field(default_factory=list, max_length=MAX_IGNORED_WORDS)
    check_names: bool = False

    @field_validator("callback_url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("the callback URL must be an http:// or https:// URL")
        return value


class SpellcheckResultIn(BaseModel):
    """spell_checker -> essay_lifecycle,
    ``POST /internal/v1/essays/{essay_id}/spellcheck-result?attempt=N``: the job's outcome.

    Succeeded: the figures and the corrected text's content id; failed: the reason. Every
    field but ``status`` and ``reason`` is the essay's ``spelling`` (``SpellcheckFigures``);
    dump it with ``exclude_unset=True`` to keep exactly what spell_checker sent.
    """

    model_config = ConfigDict(extra="forbid")

    status: Literal["succeeded", "failed"]
    corrected_text_content_id: SafeText | None = Field(default=None, max_length=64)
    reason: SafeText | None = None
    job_id: SafeText | None = Field(default=None, max_length=64)
    language: SafeText | None = Field(default=None, max_length=16)
    word_count: Int32 | None = None
    error_count: Int32 | None = None
    errors_per_100_words: float | None = None
    corrections_count: Int32 | None = None
    # error_count split (issue 17): corrections written into the corrected text, and those
    # flagged with candidates but left as written; unknown words with no candidate are
    # counted apart and are not in error_count
    corrected_count: Int32 | None = None
    flagged_count: Int32 | None = None
    unknown_count: Int32 | None = None


class SpellcheckFigures(BaseModel):
    """An essay's ``spelling``: the figures of ``SpellcheckResultIn`` as essay_lifecycle keeps
    them, sent on to batch_orchestrator in the phase outcome's ``results`` (``EssayOutcome``);
    the results table reads ``word_count``, ``error_count``, ``errors_per_100_words``,
    ``corrected_count``, ``flagged_count`` and ``unknown_count``."""

    model_config = ConfigDict(extra="forbid")

    job_id: SafeText | None = None
    language: SafeText | None = None
    corrected_text_content_id: SafeText | None = None
    word_count: Int32 | None = None
    error_count: Int32 | None = None
    errors_per_100_words: float | None = None
    corrections_count: Int32 | None = None
    # error_count split (issue 17): corrections written into the corrected text, and those
    # flagged with candidates but left as written; unknown words with no candidate are
    # counted apart and are not in error_count
    corrected_count: Int32 | None = None
    flagged_count: Int32 | None = None
    unknown_count: Int32 | None = None
