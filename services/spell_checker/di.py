"""spell_checker's composition root."""

from __future__ import annotations

import httpx
from dishka import Provider, Scope, provide

from service_kit.di import HttpClientProvider, storage_provider
from services.spell_checker.config import Settings
from services.spell_checker.peers import HttpContentStore
from services.spell_checker.protocols import ContentStore, SpellcheckUnitOfWork
from services.spell_checker.repository_memory_impl import (
    MemorySpellcheckStore,
    MemorySpellcheckUnitOfWork,
)
from services.spell_checker.repository_postgres_impl import PostgresSpellcheckUnitOfWork
from services.spell_checker.worker import Faults


class PeersProvider(Provider):
    scope = Scope.APP

    def __init__(self, settings: Settings) -> None:
        super().__init__()
        self._settings = settings

    @provide
    def settings(self) -> Settings:
        return self._settings

    @provide
    def content_store(self, client: httpx.AsyncClient) -> ContentStore:
        return HttpContentStore(client, self._settings.content_service_url)

    @provide
    def faults(self) -> Faults:
        return Faults(self._settings.fault_fail_first_runs)


def providers(settings: Settings) -> list[Provider]:
    storage = storage_provider(
        settings,
        SpellcheckUnitOfWork,
        postgres=PostgresSpellcheckUnitOfWork,
        memory=MemorySpellcheckUnitOfWork,
        memory_store=MemorySpellcheckStore,
    )
    return [HttpClientProvider(settings), PeersProvider(settings), storage]
