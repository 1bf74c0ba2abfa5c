"""The PasswordHasher port with argon2-cffi: Argon2id, run in a worker thread (it is slow on
purpose and must not stall the event loop)."""

from __future__ import annotations

import asyncio
import secrets

from argon2 import PasswordHasher as Argon2
from argon2 import Type
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError


class Argon2idHasher:
    def __init__(self, *, time_cost: int, memory_kib: int, parallelism: int) -> None:
        self._argon2 = Argon2(
            time_cost=time_cost, memory_cost=memory_kib, parallelism=parallelism, type=Type.ID
        )
        # a hash of the same cost to verify against when the email has no account: made now,
        # so that the first such login takes no longer than the next ones
        self._dummy = self._argon2.hash(secrets.token_urlsafe(32))

    async def hash(self, password: str) -> str:
        return await asyncio.to_thread(self._argon2.hash, password)

    async def verify(self, password_hash: str, password: str) -> bool:
        try:
            return await asyncio.to_thread(self._argon2.verify, password_hash, password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False

    async def verify_nothing(self, password: str) -> None:
        await self.verify(self._dummy, password)

    def needs_rehash(self, password_hash: str) -> bool:
        try:
            return self._argon2.check_needs_rehash(password_hash)
        except InvalidHashError:
            return True
