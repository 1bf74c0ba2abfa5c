"""essay_lifecycle settings: ESSAY_LIFECYCLE_ prefix; peers' URLs are the platform names."""

from __future__ import annotations

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
