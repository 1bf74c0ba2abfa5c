"""api_gateway's composition root: storage, settings pieces, ports and the use cases."""

from __future__ import annotations

from dishka import Provider, Scope, provide

from service_kit.db import Database
from service_kit.di import storage_provider
from service_kit.settings import RepositoryKind
from services.api_gateway.config import Settings
from services.api_gateway.di_edge import edge_providers
from services.api_gateway.domain import (
    InvitationPolicy,
    LockoutPolicy,
    PrivacyPolicy,
    SessionPolicy,
)
from services.api_gateway.passwords import Argon2idHasher
from services.api_gateway.protocols import ApiKeyLookup, GatewayUnitOfWork, PasswordHasher
from services.api_gateway.repository_memory_impl import (
    MemoryApiKeyLookup,
    MemoryGatewayStore,
    MemoryGatewayUnitOfWork,
)
from services.api_gateway.repository_postgres_impl import (
    PostgresApiKeyLookup,
    PostgresGatewayUnitOfWork,
)
from services.api_gateway.use_cases import (
    AcceptInvitation,
    Authenticate,
    ChangePassword,
    CreateApiKey,
    CreateUser,
    ForgetClientIps,
    GetMe,
    InviteJudge,
    ListApiKeys,
    ListAuditEvents,
    LogIn,
    LogOut,
    RevokeApiKey,
    UpdateUser,
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
    def session_policy(self) -> SessionPolicy:
        s = self._settings
        return SessionPolicy(
            idle_seconds=s.session_idle_minutes * 60,
            absolute_seconds=s.session_absolute_hours * 3600,
            touch_seconds=s.session_touch_seconds,
            judge_absolute_seconds=s.judge_session_absolute_hours * 3600,
        )

    @provide
    def lockout_policy(self) -> LockoutPolicy:
        return LockoutPolicy(self._settings.lockout_failures, self._settings.lockout_minutes * 60)

    @provide
    def invitation_policy(self) -> InvitationPolicy:
        s = self._settings
        return InvitationPolicy(
            s.public_base_url.rstrip("/"), s.invitation_default_hours, s.invitation_max_hours
        )

    @provide
    def privacy_policy(self) -> PrivacyPolicy:
        return PrivacyPolicy(self._settings.client_ip_retention_days)

    @provide
    def password_hasher(self) -> PasswordHasher:
        s = self._settings
        return Argon2idHasher(
            time_cost=s.argon2_time_cost,
            memory_kib=s.argon2_memory_kib,
            parallelism=s.argon2_parallelism,
        )


class PostgresKeyLookup(Provider):
    """API keys are looked up on the raw pool, outside the request's unit of work."""

    @provide(scope=Scope.APP)
    def api_key_lookup(self, database: Database) -> ApiKeyLookup:
        return PostgresApiKeyLookup(database)


class MemoryKeyLookup(Provider):
    @provide(scope=Scope.APP)
    def api_key_lookup(self, store: MemoryGatewayStore) -> ApiKeyLookup:
        return MemoryApiKeyLookup(store)


class UseCasesProvider(Provider):
    scope = Scope.REQUEST

    authenticate = provide(Authenticate)
    log_in = provide(LogIn)
    log_out = provide(LogOut)
    get_me = provide(GetMe)
    create_user = provide(CreateUser)
    update_user = provide(UpdateUser)
    change_password = provide(ChangePassword)
    create_api_key = provide(CreateApiKey)
    list_api_keys = provide(ListApiKeys)
    revoke_api_key = provide(RevokeApiKey)
    invite_judge = provide(InviteJudge)
    accept_invitation = provide(AcceptInvitation)
    list_audit_events = provide(ListAuditEvents)
    forget_client_ips = provide(ForgetClientIps)


def providers(settings: Settings) -> list[Provider]:
    storage = storage_provider(
        settings,
        GatewayUnitOfWork,
        postgres=PostgresGatewayUnitOfWork,
        memory=MemoryGatewayUnitOfWork,
        memory_store=MemoryGatewayStore,
    )
    memory = settings.repository is RepositoryKind.MEMORY
    return [
        storage,
        MemoryKeyLookup() if memory else PostgresKeyLookup(),
        SettingsProvider(settings),
        UseCasesProvider(),
        *edge_providers(settings, settings.forward_token),  # EDGE: forwarding, limits, analytics
    ]
