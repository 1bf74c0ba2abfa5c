"""content_service settings: every variable starts with CONTENT_SERVICE_ (see README)."""

from __future__ import annotations

from pydantic_settings import SettingsConfigDict

from service_kit.settings import ServiceSettings

SERVICE_NAME = "content_service"


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="CONTENT_SERVICE_", extra="ignore")

    service_name: str = SERVICE_NAME
    max_body_bytes: int = 25 * 1024 * 1024
    purge_grace_hours: float = 24.0
