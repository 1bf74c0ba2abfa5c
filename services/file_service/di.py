"""file_service's composition root: settings pieces, peers, storage and the use cases."""

from __future__ import annotations

import httpx
from dishka import Provider, Scope, provide

from service_kit.di import HttpClientProvider, storage_provider
from services.file_service.archive import ArchiveLimits
from services.file_service.config import Settings
from services.file_service.domain import EssayLifecycleUrls, UploadLimits
from services.file_service.extraction import ExtractionLimits
from services.file_service.peers import HttpContentStore, OpenGate, OrchestratorGate
from services.file_service.protocols import BatchGate, ContentStore, FileUnitOfWork
from services.file_service.repository_memory_impl import MemoryFileStore, MemoryFileUnitOfWork
from services.file_service.repository_postgres_impl import PostgresFileUnitOfWork
from services.file_service.use_cases import (
    DeleteFile,
    GetFile,
    GiveUpOnFile,
    ListBatchFiles,
    ListFileVersions,
    ProcessFile,
    ReplaceFile,
    SealBatchIntake,
    UploadFiles,
)


class SettingsProvider(Provider):
    """The settings, and the typed pieces of them the use cases take."""

    scope = Scope.APP

    def __init__(self, settings: Settings) -> None:
        super().__init__()
        self._settings = settings

    @provide
    def settings(self) -> Settings:
        return self._settings

    @provide
    def extraction_limits(self) -> ExtractionLimits:
        return self._settings.limits

    @provide
    def archive_limits(self) -> ArchiveLimits:
        return self._settings.archive_limits

    @provide
    def upload_limits(self) -> UploadLimits:
        return UploadLimits(max_parts=self._settings.max_files_per_request)


class PeersProvider(Provider):
    scope = Scope.APP

    @provide
    def essay_lifecycle(self, settings: Settings) -> EssayLifecycleUrls:
        return EssayLifecycleUrls(settings.essay_lifecycle_url.rstrip("/"))

    @provide
    def content_store(self, client: httpx.AsyncClient, settings: Settings) -> ContentStore:
        return HttpContentStore(client, settings.content_service_url)

    @provide
    def batch_gate(self, client: httpx.AsyncClient, settings: Settings) -> BatchGate:
        if settings.batch_orchestrator_url:
            return OrchestratorGate(client, settings.batch_orchestrator_url)
        return OpenGate()


class UseCasesProvider(Provider):
    """One use case per request (or per job run), its dependencies resolved by type."""

    scope = Scope.REQUEST

    upload_files = provide(UploadFiles)
    replace_file = provide(ReplaceFile)
    get_file = provide(GetFile)
    list_file_versions = provide(ListFileVersions)
    delete_file = provide(DeleteFile)
    list_batch_files = provide(ListBatchFiles)
    seal_batch_intake = provide(SealBatchIntake)
    process_file = provide(ProcessFile)
    give_up_on_file = provide(GiveUpOnFile)


def providers(settings: Settings) -> list[Provider]:
    storage = storage_provider(
        settings,
        FileUnitOfWork,
        postgres=PostgresFileUnitOfWork,
        memory=MemoryFileUnitOfWork,
        memory_store=MemoryFileStore,
    )
    return [
        HttpClientProvider(settings),
        SettingsProvider(settings),
        PeersProvider(),
        storage,
        UseCasesProvider(),
    ]
