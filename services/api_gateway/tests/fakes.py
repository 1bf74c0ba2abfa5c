"""Test doubles of the gateway's ports."""

from __future__ import annotations

import uuid

from dishka import Provider, Scope

from services.api_gateway.domain import Principal
from services.api_gateway.protocols import BatchOwnership

# Argon2id at its cheapest: the same code path, a millisecond per hash
CHEAP_ARGON2 = {"argon2_time_cost": 1, "argon2_memory_kib": 1024, "argon2_parallelism": 1}


class MemoryBatchOwnership:
    """Batches and their owners, as a test sets them."""

    def __init__(self) -> None:
        self.owners: dict[str, uuid.UUID] = {}

    async def owns_batch(self, principal: Principal, batch_id: str) -> bool:
        return principal.kind == "user" and self.owners.get(batch_id) == principal.id


def ownership_provider(ownership: MemoryBatchOwnership) -> Provider:
    provider = Provider(scope=Scope.APP)
    provider.provide(lambda: ownership, provides=BatchOwnership)
    return provider
