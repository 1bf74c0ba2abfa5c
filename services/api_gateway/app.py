"""api_gateway: ``hypercorn "services.api_gateway.app:create_app()"``."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from dishka import Provider
from quart import Blueprint, Quart

from service_kit.app import create_service_app
from services.api_gateway import api, api_forward, jobs, security
from services.api_gateway.config import Settings
from services.api_gateway.di import providers

ALEMBIC_INI = Path(__file__).with_name("alembic.ini")

# every blueprint of the gateway, in one place
BLUEPRINTS: list[Blueprint] = [
    api.blueprint,
    api_forward.blueprint,  # EDGE
]


def create_app(
    settings: Settings | None = None, *, extra_providers: Sequence[Provider] = ()
) -> Quart:
    """``extra_providers`` come last and so win (tests: fakes of ports, a settable clock)."""
    settings = settings or Settings()
    app = create_service_app(
        settings,
        blueprints=BLUEPRINTS,
        providers=[*providers(settings), *extra_providers],
        alembic_ini=ALEMBIC_INI,
        title="api_gateway",
        on_startup=[jobs.start],
        on_shutdown=[jobs.stop],
    )
    security.install(app, settings)
    return app
