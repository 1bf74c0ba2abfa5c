"""batch_orchestrator settings: BATCH_ORCHESTRATOR_ prefix; peers' URLs are platform names."""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import AliasChoices, Field
from pydantic_settings import SettingsConfigDict

from service_kit.retry import RetryPolicy
from service_kit.settings import ServiceSettings

SERVICE_NAME = "batch_orchestrator"


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="BATCH_ORCHESTRATOR_", extra="ignore")

    service_name: str = SERVICE_NAME
    # where essay_lifecycle reaches this service (phase outcomes come back here)
    public_url: str = Field(
        default="http://127.0.0.1:8001",
        validation_alias=AliasChoices("BATCH_ORCHESTRATOR_URL", "public_url"),
    )
    essay_lifecycle_url: str = Field(
        default="http://127.0.0.1:8002",
        validation_alias=AliasChoices("ESSAY_LIFECYCLE_URL", "essay_lifecycle_url"),
    )
    file_service_url: str = Field(
        default="http://127.0.0.1:8005",
        validation_alias=AliasChoices("FILE_SERVICE_URL", "file_service_url"),
    )
    # how long the start waits for file_service's seal (it waits for uploads in flight)
    file_intake_timeout_seconds: float = 15.0
    # how long GET /v1/batches/{id} waits for essay_lifecycle's counts before answering without
    essay_counts_timeout_seconds: float = 2.0
    # the synchronous peer calls (counts, seal) try again on what the platform's retry policy
    # retries (not on a timeout): this many tries in all, with jittered backoff up to the max
    peer_retry_attempts: int = Field(default=2, ge=1, le=10)
    peer_retry_base_seconds: float = 0.2
    peer_retry_max_seconds: float = 1.0

    def peer_retry(self) -> RetryPolicy:
        return RetryPolicy(
            max_attempts=self.peer_retry_attempts,
            base_delay=self.peer_retry_base_seconds,
            max_delay=self.peer_retry_max_seconds,
            max_retry_after=self.peer_retry_max_seconds,
        )


@dataclass(frozen=True, slots=True)
class Peers:
    """Where the use cases' outbox calls go, and where essay_lifecycle calls back."""

    self_url: str
    essay_lifecycle_url: str

    @classmethod
    def of(cls, settings: Settings) -> Peers:
        return cls(
            self_url=settings.public_url.rstrip("/"),
            essay_lifecycle_url=settings.essay_lifecycle_url.rstrip("/"),
        )

    def phase_command_url(self, batch_id: str, phase: str) -> str:
        return f"{self.essay_lifecycle_url}/internal/v1/batches/{batch_id}/phases/{phase}"
