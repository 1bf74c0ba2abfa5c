"""essay_lifecycle's composition root: the storage, the fast path's port, the peers' URLs,
and every use case per request (routes receive use cases, nothing else)."""

from __future__ import annotations

from dishka import Provider, Scope, provide

from service_kit.db import Database
from service_kit.di import storage_provider
from service_kit.settings import RepositoryKind
from services.essay_lifecycle.config import PeerUrls, Settings
from services.essay_lifecycle.protocols import EssaySettler, EssayUnitOfWork
from services.essay_lifecycle.repository_memory_impl import (
    MemoryEssaySettler,
    MemoryEssayStore,
    MemoryEssayUnitOfWork,
)
from services.essay_lifecycle.repository_postgres_impl import (
    PostgresEssaySettler,
    PostgresEssayUnitOfWork,
)
from services.essay_lifecycle.use_cases import (
    ApplyAssessmentResult,
    ApplySpellcheckResult,
    CancelBatch,
    ForgetDeletedFile,
    GetBatchSummary,
    GetEssay,
    GetTimeline,
    ListEssays,
    RecordFileNotice,
    RegisterBatch,
    StartPhase,
)


class UseCasesProvider(Provider):
    scope = Scope.REQUEST

    register_batch = provide(RegisterBatch)
    record_file_notice = provide(RecordFileNotice)
    forget_deleted_file = provide(ForgetDeletedFile)
    start_phase = provide(StartPhase)
    apply_spellcheck_result = provide(ApplySpellcheckResult)
    apply_assessment_result = provide(ApplyAssessmentResult)
    cancel_batch = provide(CancelBatch)
    get_essay = provide(GetEssay)
    get_timeline = provide(GetTimeline)
    list_essays = provide(ListEssays)
    get_batch_summary = provide(GetBatchSummary)


class PeerUrlsProvider(Provider):
    def __init__(self, settings: Settings) -> None:
        super().__init__()
        self._settings = settings

    @provide(scope=Scope.APP)
    def peer_urls(self) -> PeerUrls:
        return PeerUrls.of(self._settings)


class PostgresSettlerProvider(Provider):
    @provide(scope=Scope.APP)
    def settler(self, database: Database) -> EssaySettler:
        return PostgresEssaySettler(database)


class MemorySettlerProvider(Provider):
    @provide(scope=Scope.APP)
    def settler(self, store: MemoryEssayStore) -> EssaySettler:
        return MemoryEssaySettler(store)


def providers(settings: Settings) -> list[Provider]:
    storage = storage_provider(
        settings,
        EssayUnitOfWork,
        postgres=PostgresEssayUnitOfWork,
        memory=MemoryEssayUnitOfWork,
        memory_store=MemoryEssayStore,
    )
    memory = settings.repository is RepositoryKind.MEMORY
    settler = MemorySettlerProvider() if memory else PostgresSettlerProvider()
    return [storage, settler, PeerUrlsProvider(settings), UseCasesProvider()]
