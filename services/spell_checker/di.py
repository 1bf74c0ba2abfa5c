"""spell_checker's composition root: settings pieces, peers, storage and the use cases."""

from __future__ import annotations

import httpx
from dishka import Provider, Scope, provide

from service_kit.di import HttpClientProvider, storage_provider
from services.spell_checker.config import JobAttempts, Settings, TextLimit
from services.spell_checker.peers import HttpContentStore
from services.spell_checker.protocols import ContentStore, SpellcheckUnitOfWork
from services.spell_checker.repository_memory_impl import (
    MemorySpellcheckStore,
    MemorySpellcheckUnitOfWork,
)
from services.spell_checker.repository_postgres_impl import PostgresSpellcheckUnitOfWork
from services.spell_checker.use_cases import (
    CheckText,
    GetJob,
    GiveUpSpellcheck,
    ListCorrections,
    RequestSpellcheck,
    RunSpellcheck,
)


class SettingsProvider(Provider):
    scope = Scope.APP

    def __init__(self, settings: Settings) -> None:
        super().__init__()
        self._settings = settings

    @provide
    def settings(self) -> Settings:
        return self._settings

    @provide
    def text_limit(self) -> TextLimit:
        return self._settings.text_limit()

    @provide
    def job_attempts(self) -> JobAttempts:
        return self._settings.job_attempts()


class PeersProvider(Provider):
    scope = Scope.APP

    @provide
    def content_store(self, client: httpx.AsyncClient, settings: Settings) -> ContentStore:
        return HttpContentStore(client, settings.content_service_url)


class UseCasesProvider(Provider):
    """A use case per request (or per job run), with that request's unit of work."""

    scope = Scope.REQUEST

    check_text = provide(CheckText)
    request_spellcheck = provide(RequestSpellcheck)
    get_job = provide(GetJob)
    list_corrections = provide(ListCorrections)
    run_spellcheck = provide(RunSpellcheck)
    give_up_spellcheck = provide(GiveUpSpellcheck)


def providers(settings: Settings) -> list[Provider]:
    storage = storage_provider(
        settings,
        SpellcheckUnitOfWork,
        postgres=PostgresSpellcheckUnitOfWork,
        memory=MemorySpellcheckUnitOfWork,
        memory_store=MemorySpellcheckStore,
    )
    return [
        HttpClientProvider(settings),
        SettingsProvider(settings),
        PeersProvider(),
        storage,
        UseCasesProvider(),
    ]
