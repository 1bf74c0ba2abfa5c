"""spell_checker settings: SPELL_CHECKER_ prefix; peers' URLs are the platform-wide names."""

from __future__ import annotations

from typing import Self

from pydantic import AliasChoices, Field, model_validator
from pydantic_settings import SettingsConfigDict

from service_kit.settings import Profile, ServiceSettings

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
    # end-to-end tests only: the first N jobs this process runs for the first time fail
    fault_fail_first_runs: int = Field(default=0, ge=0)

    @model_validator(mode="after")
    def _no_faults_in_production(self) -> Self:
        if self.profile is Profile.PRODUCTION and self.fault_fail_first_runs:
            raise ValueError(
                "refusing the production profile: SPELL_CHECKER_FAULT_FAIL_FIRST_RUNS is set"
            )
        return self
