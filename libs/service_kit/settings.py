"""Settings base: one env prefix per service, a production profile that refuses unsafe defaults."""

from __future__ import annotations

from enum import Enum
from typing import Any, Self

from pydantic import AliasChoices, Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEVELOPMENT_DATABASE_HOST = "postgresql+asyncpg://postgres@127.0.0.1:5432/"


class Profile(str, Enum):
    DEVELOPMENT = "development"
    PRODUCTION = "production"


class RepositoryKind(str, Enum):
    POSTGRES = "postgres"
    MEMORY = "memory"


def normalise_database_url(url: str) -> str:
    """Accept the plain libpq forms people paste and turn them into the asyncpg dialect."""
    for plain in ("postgresql://", "postgres://"):
        if url.startswith(plain):
            return "postgresql+asyncpg://" + url[len(plain) :]
    return url


class ServiceSettings(BaseSettings):
    """Settings every service shares. Subclasses set ``env_prefix`` (``CONTENT_SERVICE_`` …)."""

    model_config = SettingsConfigDict(extra="ignore", env_file=None)

    service_name: str = "service"
    profile: Profile = Profile.DEVELOPMENT
    database_url: str = ""
    repository: RepositoryKind = RepositoryKind.POSTGRES
    db_pool_size: int = 10
    db_max_overflow: int = 10
    # Shared by the whole platform, so it is read without the service prefix.
    internal_api_token: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("INTERNAL_API_TOKEN", "internal_api_token")
    )
    log_level: str = "INFO"
    log_json: bool = True
    max_body_bytes: int = 1024 * 1024
    http_timeout_seconds: float = 10.0
    # the outbox relay and the job workers (ARCHITECTURE.md §4)
    outbox_max_attempts: int = 12
    outbox_backoff_base_seconds: float = 0.5
    outbox_backoff_max_seconds: float = 60.0
    outbox_poll_seconds: float = 5.0
    job_concurrency: int = 4  # jobs mostly wait on peers and the database
    job_lease_seconds: float = 30.0
    job_poll_seconds: float = 5.0
    job_retry_base_seconds: float = 1.0

    @field_validator("database_url")
    @classmethod
    def _asyncpg_dialect(cls, value: str) -> str:
        return normalise_database_url(value)

    @model_validator(mode="before")
    @classmethod
    def _default_database(cls, data: Any) -> Any:
        if isinstance(data, dict) and not data.get("database_url"):
            name = data.get("service_name") or cls.model_fields["service_name"].default
            data["database_url"] = DEVELOPMENT_DATABASE_HOST + name
        return data

    @model_validator(mode="after")
    def _refuse_insecure_production(self) -> Self:
        if self.profile is not Profile.PRODUCTION:
            return self
        problems = []
        token = self.internal_api_token.get_secret_value() if self.internal_api_token else ""
        if len(token) < 16:
            problems.append("INTERNAL_API_TOKEN must be set to at least 16 characters")
        if self.database_url.startswith(DEVELOPMENT_DATABASE_HOST):
            problems.append("the database URL is the development default")
        if self.repository is RepositoryKind.MEMORY:
            problems.append("the in-memory repository keeps nothing")
        if problems:
            raise ValueError("refusing the production profile: " + "; ".join(problems))
        return self

    @property
    def token(self) -> str | None:
        return self.internal_api_token.get_secret_value() if self.internal_api_token else None


def env_prefix(service_name: str) -> str:
    return service_name.upper() + "_"
