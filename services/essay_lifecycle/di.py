"""essay_lifecycle's composition root."""

from __future__ import annotations

from dishka import Provider, Scope, provide

from service_kit.di import storage_provider
from services.essay_lifecycle.config import Settings
from services.essay_lifecycle.phases import Peers
from services.essay_lifecycle.protocols import EssayUnitOfWork
from services.essay_lifecycle.repository_memory_impl import (
    MemoryEssayStore,
    MemoryEssayUnitOfWork,
)
from services.essay_lifecycle.repository_postgres_impl import PostgresEssayUnitOfWork


class PeersProvider(Provider):
    def __init__(self, settings: Settings) -> None:
        super().__init__()
        self._settings = settings

    @provide(scope=Scope.APP)
    def peers(self) -> Peers:
        s = self._settings
        return Peers(
            self_url=s.public_url.rstrip("/"),
            spell_checker_url=s.spell_checker_url.rstrip("/"),
            cj_assessment_url=s.cj_assessment_url.rstrip("/"),
        )


def providers(settings: Settings) -> list[Provider]:
    storage = storage_provider(
        settings,
        EssayUnitOfWork,
        postgres=PostgresEssayUnitOfWork,
        memory=MemoryEssayUnitOfWork,
        memory_store=MemoryEssayStore,
    )
    return [PeersProvider(settings), storage]
