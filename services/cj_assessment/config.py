"""cj_assessment settings: CJ_ASSESSMENT_ prefix; peers' URLs are the platform-wide names."""

from __future__ import annotations

from pydantic import AliasChoices, Field, SecretStr
from pydantic_settings import SettingsConfigDict

from service_kit.settings import ServiceSettings

SERVICE_NAME = "cj_assessment"


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="CJ_ASSESSMENT_", extra="ignore")

    service_name: str = SERVICE_NAME
    max_body_bytes: int = 32 * 1024 * 1024  # an assessment brings every essay's text
    max_essays: int = 100_000  # issue 16: a regional moderation; the fit is sparse above 400
    max_essay_chars: int = 200_000
    # a pair handed to a human judge and not answered within this is handed out again
    pair_lease_seconds: float = 600.0
    # an automated run fails once more comparisons have failed than succeeded, past this many
    max_failed_comparisons: int = 5
    content_fetch_concurrency: int = 8
    content_service_url: str = Field(
        default="http://127.0.0.1:8006",
        validation_alias=AliasChoices("CONTENT_SERVICE_URL", "content_service_url"),
    )
    # the OpenAI-compatible chat-completions endpoint the llm judge calls
    llm_base_url: str | None = None
    llm_model: str = "gpt-4o-mini"
    llm_api_key: SecretStr | None = None
    llm_timeout_seconds: float = 60.0
    llm_max_attempts: int = 4
    llm_backoff_base_seconds: float = 1.0
    llm_backoff_max_seconds: float = 30.0
    llm_concurrency: int = 4
    llm_temperature: float = 0.0
