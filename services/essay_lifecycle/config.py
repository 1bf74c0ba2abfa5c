"""essay_lifecycle settings: ESSAY_LIFECYCLE_ prefix; peers' URLs are the platform names."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from pydantic import AliasChoices, Field
from pydantic_settings import SettingsConfigDict

from service_kit.settings import ServiceSettings

SERVICE_NAME = "essay_lifecycle"


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="ESSAY_LIFECYCLE_", extra="ignore")

    service_name: str = SERVICE_NAME
    # where peers reach this service: the base of the callback URLs it hands out
    public_url: str = Field(
        default="http://127.0.0.1:8002",
        validation_alias=AliasChoices("ESSAY_LIFECYCLE_URL", "public_url"),
    )
    spell_checker_url: str = Field(
        default="http://127.0.0.1:8003",
        validation_alias=AliasChoices("SPELL_CHECKER_URL", "spell_checker_url"),
    )
    cj_assessment_url: str = Field(
        default="http://127.0.0.1:8004",
        validation_alias=AliasChoices("CJ_ASSESSMENT_URL", "cj_assessment_url"),
    )


@dataclass(frozen=True, slots=True)
class PeerUrls:
    """Where the phase use cases send work, and the callback URLs they hand out."""

    self_url: str
    spell_checker_url: str
    cj_assessment_url: str

    @classmethod
    def of(cls, settings: Settings) -> PeerUrls:
        return cls(
            self_url=settings.public_url.rstrip("/"),
            spell_checker_url=settings.spell_checker_url.rstrip("/"),
            cj_assessment_url=settings.cj_assessment_url.rstrip("/"),
        )

    def spellcheck_callback(self, essay_id: uuid.UUID, attempt: int) -> str:
        return f"{self.self_url}/internal/v1/essays/{essay_id}/spellcheck-result?attempt={attempt}"

    def cj_callback(self, batch_id: str, attempt: int) -> str:
        return f"{self.self_url}/internal/v1/batches/{batch_id}/cj-result?attempt={attempt}"
