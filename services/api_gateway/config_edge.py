"""EDGE's settings: where the six services are, the rate limits, analytics, body caps.

Same ``API_GATEWAY_`` prefix as the gateway's Settings (config.py); the services' URLs use the
platform-wide names every service reads (``BATCH_ORCHESTRATOR_URL`` ...), so ``make run`` and
docker-compose configure the gateway like any peer.
"""

from __future__ import annotations

from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict

SERVICES = (
    "batch_orchestrator",
    "essay_lifecycle",
    "spell_checker",
    "cj_assessment",
    "file_service",
    "content_service",
)
DEFAULT_PORTS = {
    "batch_orchestrator": 8001,
    "essay_lifecycle": 8002,
    "spell_checker": 8003,
    "cj_assessment": 8004,
    "file_service": 8005,
    "content_service": 8006,
}


def _url(name: str) -> object:
    return Field(
        default=f"http://127.0.0.1:{DEFAULT_PORTS[name]}",
        validation_alias=AliasChoices(f"{name.upper()}_URL", f"{name}_url"),
    )


class EdgeSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="API_GATEWAY_", extra="ignore", env_file=None)

    batch_orchestrator_url: str = _url("batch_orchestrator")  # type: ignore[assignment]
    essay_lifecycle_url: str = _url("essay_lifecycle")  # type: ignore[assignment]
    spell_checker_url: str = _url("spell_checker")  # type: ignore[assignment]
    cj_assessment_url: str = _url("cj_assessment")  # type: ignore[assignment]
    file_service_url: str = _url("file_service")  # type: ignore[assignment]
    content_service_url: str = _url("content_service")  # type: ignore[assignment]

    # the one keep-alive client to the services
    upstream_timeout_seconds: float = 60.0
    upstream_connect_seconds: float = 3.0
    upstream_max_connections: int = 200
    upstream_keepalive_connections: int = 50
    # bodies: JSON is read whole (it is rewritten or inspected), uploads stream through
    max_json_bytes: int = 2 * 1024 * 1024
    max_upload_bytes: int = 200 * 1024 * 1024  # file_service's own cap per request
    # what a file, essay, assessment ... belongs to never changes: remember that many
    resolution_cache_size: int = 100_000

    # rate limits: requests per window, per principal (general, uploads, judging), per
    # client IP (login); fixed windows counted in PostgreSQL, shared by every replica
    rate_limits_enabled: bool = True
    rate_limit_window_seconds: int = Field(default=60, ge=1, le=86_400)
    rate_limit_general: int = Field(default=600, ge=1)
    rate_limit_uploads: int = Field(default=60, ge=1)
    rate_limit_judging: int = Field(default=300, ge=1)
    rate_limit_login: int = Field(default=30, ge=1)

    # analytics: per-process buckets written to analytics_daily this often (and at shutdown)
    analytics_enabled: bool = True
    analytics_flush_seconds: float = Field(default=10.0, gt=0)
    analytics_max_days: int = Field(default=366, ge=1)  # the widest from..to a query may ask

    def service_urls(self) -> dict[str, str]:
        return {name: getattr(self, f"{name}_url").rstrip("/") for name in SERVICES}
