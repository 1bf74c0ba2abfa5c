"""EDGE's providers: the services' client, ownership, rate limits, analytics and the use
cases of forwarding (di.py adds ``edge_providers(settings)`` to its list)."""

from __future__ import annotations

from collections.abc import AsyncIterator

from dishka import Provider, Scope, provide

from service_kit.clock import Clock
from service_kit.db import Database
from service_kit.settings import RepositoryKind, ServiceSettings
from services.api_gateway.config_edge import EdgeSettings
from services.api_gateway.ownership import OwnershipResolver
from services.api_gateway.protocols import BatchOwnership
from services.api_gateway.protocols_edge import (
    AnalyticsStore,
    RateLimitStore,
    ResourceDirectory,
    Upstream,
)
from services.api_gateway.repository_memory_edge import (
    MemoryAnalytics,
    MemoryRateLimits,
)
from services.api_gateway.repository_postgres_edge import (
    PostgresAnalytics,
    PostgresRateLimits,
)
from services.api_gateway.upstream import HttpUpstream, make_upstream_client
from services.api_gateway.use_cases.analytics import AnalyticsBuffer, FlushAnalytics, GetAnalytics
from services.api_gateway.use_cases.forwarding import ForwardRequest
from services.api_gateway.use_cases.limits import (
    AdmitRequest,
    PurgeRateLimits,
    RateLimitPolicy,
)


class EdgeProvider(Provider):
    def __init__(self, edge: EdgeSettings, token: str | None) -> None:
        super().__init__()
        self._edge = edge
        self._token = token

    @provide(scope=Scope.APP)
    def edge_settings(self) -> EdgeSettings:
        return self._edge

    @provide(scope=Scope.APP)
    def rate_limit_policy(self, edge: EdgeSettings) -> RateLimitPolicy:
        return RateLimitPolicy.of(edge)

    @provide(scope=Scope.APP)
    async def upstream(self, edge: EdgeSettings) -> AsyncIterator[HttpUpstream]:
        client = make_upstream_client(edge, self._token)  # one keep-alive pool per process
        yield HttpUpstream(client, edge.service_urls())
        await client.aclose()

    @provide(scope=Scope.APP)
    def as_upstream(self, upstream: HttpUpstream) -> Upstream:
        return upstream

    @provide(scope=Scope.APP)
    def as_directory(self, upstream: HttpUpstream) -> ResourceDirectory:
        return upstream

    @provide(scope=Scope.APP)
    def ownership(self, directory: ResourceDirectory, edge: EdgeSettings) -> OwnershipResolver:
        return OwnershipResolver(directory, edge.resolution_cache_size)

    @provide(scope=Scope.APP)
    def batch_ownership(self, ownership: OwnershipResolver) -> BatchOwnership:
        return ownership  # CORE's port (inviting judges needs the batch's owner)

    @provide(scope=Scope.APP)
    def analytics_buffer(self) -> AnalyticsBuffer:
        return AnalyticsBuffer()

    @provide(scope=Scope.REQUEST)
    def get_analytics(
        self, store: AnalyticsStore, clock: Clock, edge: EdgeSettings
    ) -> GetAnalytics:
        return GetAnalytics(store, clock, edge.analytics_max_days)

    forward_request = provide(ForwardRequest, scope=Scope.REQUEST)
    admit_request = provide(AdmitRequest, scope=Scope.REQUEST)
    purge_rate_limits = provide(PurgeRateLimits, scope=Scope.REQUEST)
    flush_analytics = provide(FlushAnalytics, scope=Scope.REQUEST)


class PostgresEdgeStorage(Provider):
    scope = Scope.APP

    @provide
    def rate_limits(self, database: Database) -> RateLimitStore:
        return PostgresRateLimits(database)

    @provide
    def analytics(self, database: Database) -> AnalyticsStore:
        return PostgresAnalytics(database)


class MemoryEdgeStorage(Provider):
    scope = Scope.APP

    @provide
    def rate_limits(self) -> RateLimitStore:
        return MemoryRateLimits()

    @provide
    def analytics(self) -> AnalyticsStore:
        return MemoryAnalytics()


def edge_providers(
    settings: ServiceSettings, token: str | None, edge: EdgeSettings | None = None
) -> list[Provider]:
    """``edge`` defaults to EdgeSettings() from the environment (API_GATEWAY_*, *_URL)."""
    storage = (
        MemoryEdgeStorage()
        if settings.repository is RepositoryKind.MEMORY
        else PostgresEdgeStorage()
    )
    return [EdgeProvider(edge or EdgeSettings(), token), storage]
