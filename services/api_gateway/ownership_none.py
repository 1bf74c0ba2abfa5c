"""The BatchOwnership port until EDGE's adapter is wired in: nobody owns any batch (so every
invitation is refused with 404). Tests give a memory fake instead (tests/fakes.py)."""

from __future__ import annotations

from services.api_gateway.domain import Principal


class NoBatchOwnership:
    async def owns_batch(self, principal: Principal, batch_id: str) -> bool:
        return False
