"""api_gateway settings: every variable starts with API_GATEWAY_ (see README).

``INTERNAL_API_TOKEN`` (shared by the platform, no prefix) is what the gateway sends to the
services it forwards to; the gateway's own public routes are authenticated by sessions and
API keys, not by that token, so ``token`` (which service_kit checks on every inbound route)
is None here and ``forward_token`` carries it instead. The gateway's /metrics still asks for
it (app.py).
"""

from __future__ import annotations

from typing import Self

from pydantic import model_validator
from pydantic_settings import SettingsConfigDict

from service_kit.settings import Profile, ServiceSettings

SERVICE_NAME = "api_gateway"


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="API_GATEWAY_", extra="ignore")

    service_name: str = SERVICE_NAME
    max_body_bytes: int = 25 * 1024 * 1024
    # where people open the platform (links in invitations are built on it)
    public_base_url: str = "http://127.0.0.1:8000"

    # sessions (browsers)
    session_cookie_name: str = "gw_session"
    session_idle_minutes: float = 60.0
    session_absolute_hours: float = 12.0
    session_touch_seconds: float = 60.0  # last-seen is written at most this often
    # judges
    invitation_default_hours: float = 72.0
    invitation_max_hours: float = 24.0 * 14
    judge_session_absolute_hours: float = 12.0
    # brute force
    lockout_failures: int = 5
    lockout_minutes: float = 15.0
    # Argon2id cost (argon2-cffi's RFC 9106 low-memory profile by default)
    argon2_time_cost: int = 3
    argon2_memory_kib: int = 64 * 1024
    argon2_parallelism: int = 4
    # privacy: client IPs in the audit log and on sessions are erased after this many days
    client_ip_retention_days: int = 30
    ip_purge_interval_seconds: float = 3600.0  # 0: no background purge (the CLI still works)
    # browsers on other origins: none unless listed (comma-separated origins)
    cors_origins: str = ""
    # behind a trusted proxy that sets X-Forwarded-For (the first address is the client)
    trust_forwarded_for: bool = False

    @property
    def token(self) -> str | None:  # service_kit's inbound check: off for the public gateway
        return None

    @property
    def forward_token(self) -> str | None:
        """INTERNAL_API_TOKEN, sent to the services the gateway forwards to."""
        return self.internal_api_token.get_secret_value() if self.internal_api_token else None

    @property
    def development(self) -> bool:
        return self.profile is Profile.DEVELOPMENT

    @property
    def allowed_origins(self) -> frozenset[str]:
        return frozenset(o.strip().rstrip("/") for o in self.cors_origins.split(",") if o.strip())

    @model_validator(mode="after")
    def _refuse_default_secrets(self) -> Self:
        if self.profile is not Profile.PRODUCTION:
            return self
        # service_kit already refuses a short INTERNAL_API_TOKEN, the development database
        # and the memory repository; cookies are Secure and links https in production
        if not self.public_base_url.startswith("https://"):
            raise ValueError(
                "refusing the production profile: API_GATEWAY_PUBLIC_BASE_URL must be https://"
            )
        return self
