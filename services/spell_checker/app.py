"""spell_checker: ``hypercorn "services.spell_checker.app:create_app()"``."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from pathlib import Path

from dishka import Provider
from quart import Quart

from service_kit.app import create_service_app
from service_kit.logging import get_logger
from service_kit.messaging.runtime import Messaging
from services.spell_checker import api, spelling
from services.spell_checker.config import Settings
from services.spell_checker.di import providers
from services.spell_checker.domain import SPELLCHECK
from services.spell_checker.jobs import run_spellcheck
from services.spell_checker.models_db import messaging

ALEMBIC_INI = Path(__file__).with_name("alembic.ini")
log = get_logger("spell_checker.app")


async def load_dictionaries(app: Quart) -> None:
    """Both languages are loaded once per process, before the first request or job, and off
    the event loop; requests then only look the checkers up."""
    started = time.perf_counter()
    await asyncio.to_thread(spelling.preload)
    log.info("dictionaries_loaded", seconds=round(time.perf_counter() - started, 2))


def create_app(
    settings: Settings | None = None, *, extra_providers: Sequence[Provider] = ()
) -> Quart:
    """The app; ``extra_providers`` (tests only) are added after the service's own, so they
    can replace or decorate what it provides."""
    settings = settings or Settings()
    return create_service_app(
        settings,
        blueprints=[api.blueprint],
        providers=[*providers(settings), *extra_providers],
        alembic_ini=ALEMBIC_INI,
        on_startup=[load_dictionaries],
        messaging=Messaging(messaging, job_handlers={SPELLCHECK: run_spellcheck}),
        title="spell_checker",
    )
