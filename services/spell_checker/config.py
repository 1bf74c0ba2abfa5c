"""spell_checker settings: SPELL_CHECKER_ prefix; peers' URLs are the platform-wide names."""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import AliasChoices, Field
from pydantic_settings import SettingsConfigDict

from service_kit.settings import ServiceSettings

SERVICE_NAME = "spell_checker"


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="SPELL_CHECKER_", extra="ignore")

    service_name: str = SERVICE_NAME
    # room for a text at the character limit in UTF-8 plus the JSON around it, so an
    # over-long text gets the limit's own 413 with its reason
    max_body_bytes: int = 2 * 1024 * 1024
    max_text_chars: int = 100_000
    job_max_attempts: int = 5
    content_service_url: str = Field(
        default="http://127.0.0.1:8006",
        validation_alias=AliasChoices("CONTENT_SERVICE_URL", "content_service_url"),
    )

    def text_limit(self) -> TextLimit:
        return TextLimit(self.max_text_chars)

    def job_attempts(self) -> JobAttempts:
        return JobAttempts(self.job_max_attempts)


@dataclass(frozen=True, slots=True)
class TextLimit:
    """The most characters one text may have to be checked (MAX_TEXT_CHARS)."""

    max_chars: int


@dataclass(frozen=True, slots=True)
class JobAttempts:
    """How often a spellcheck job's run is tried before it gives up (JOB_MAX_ATTEMPTS)."""

    max_attempts: int
