"""The asyncio form of the Redis token store, on ``redis.asyncio``.

It shares the keys, scripts, leases and retry rule of
:class:`~connauth_store_redis.RedisTokenStore`, whose module docstring explains
them; records written by either form are readable by the other.
"""

from __future__ import annotations

import builtins
import logging
import math
import os
import socket
import uuid
from collections.abc import AsyncIterator
from collections.abc import Sequence
from contextlib import AbstractContextManager
from contextlib import asynccontextmanager
from dataclasses import replace
from datetime import UTC
from datetime import datetime

import redis
import redis.asyncio
from redis.asyncio.retry import Retry
from redis.backoff import ExponentialWithJitterBackoff

from connauth import CredentialRecord
from connauth import KeyRing
from connauth import PendingAuthorization
from connauth import PendingLimitReached
from connauth import StoreError
from connauth import VersionConflict
from connauth.store_backends import MAX_PENDING_LOGINS
from connauth.store_backends import RESERVED_ID_PREFIX
from connauth.store_backends import RecordCodec
from connauth.store_backends import wait_for_lease_async
from connauth_store_redis import _scripts
from connauth_store_redis._failures import invalid_url
from connauth_store_redis._failures import translated_errors
from connauth_store_redis._failures import warn_about_durability
from connauth_store_redis._layout import RedisLocation
from connauth_store_redis._records import FIELDS
from connauth_store_redis._records import as_bytes
from connauth_store_redis._records import columns_of
from connauth_store_redis._records import put_arguments
from connauth_store_redis._records import timestamp
from connauth_store_redis._store import BATCH
from connauth_store_redis._store import CLIENT_NAME
from connauth_store_redis._store import pending_ttl_ms

__all__ = ["AsyncRedisTokenStore"]

logger = logging.getLogger(__name__)


class AsyncRedisTokenStore:
    """Encrypted, versioned credential records in Redis, for asyncio.

    Create it with :meth:`connect`, which checks that the server responds. The
    arguments are those of ``RedisTokenStore``.
    """

    def __init__(
        self,
        location: RedisLocation,
        client: redis.asyncio.Redis,
        *,
        keys: KeyRing,
        timeout: float,
        max_pending: int = MAX_PENDING_LOGINS,
    ) -> None:
        self.location = location
        self._redis = client
        self._codec = RecordCodec(keys)
        self._timeout = timeout
        self._max_pending = max_pending
        self._owner_prefix = f"{socket.gethostname()}:{os.getpid()}"
        self._put = client.register_script(_scripts.PUT)
        self._reseal_script = client.register_script(_scripts.RESEAL)
        self._delete = client.register_script(_scripts.DELETE)
        self._release_script = client.register_script(_scripts.RELEASE)
        self._put_pending = client.register_script(_scripts.PUT_PENDING)

    @classmethod
    async def connect(
        cls,
        url: str,
        *,
        keys: KeyRing,
        prefix: str | None = None,
        max_connections: int = 50,
        max_pending: int = MAX_PENDING_LOGINS,
        timeout: float = 10.0,
    ) -> AsyncRedisTokenStore:
        """Connect to the store at ``url`` and check that the server responds."""
        location = RedisLocation.parse(url, prefix=prefix)
        try:
            pool = redis.asyncio.BlockingConnectionPool.from_url(
                location.url,
                max_connections=max_connections,
                timeout=timeout,
                socket_timeout=timeout,
                socket_connect_timeout=timeout,
                health_check_interval=30,
                client_name=CLIENT_NAME,
                retry=Retry(
                    ExponentialWithJitterBackoff(base=0.05, cap=1.0), retries=2
                ),
            )
        except ValueError as error:
            raise invalid_url(location, error) from None
        client = redis.asyncio.Redis(connection_pool=pool)
        store = cls(
            location, client, keys=keys, timeout=timeout, max_pending=max_pending
        )
        try:
            with store._errors():
                await client.ping()
        except StoreError:
            await store.close()
            raise
        except TypeError as error:
            await store.close()
            raise invalid_url(location, error) from None
        try:
            config = await client.config_get("maxmemory-policy", "appendonly", "save")
        except redis.ResponseError as error:
            logger.debug("Redis store: CONFIG GET is not allowed (%s)", error)
        else:
            warn_about_durability(location, config)
        return store

    def __repr__(self) -> str:
        return (
            f"AsyncRedisTokenStore({self.location.redacted!r}, "
            f"prefix={self.location.prefix!r})"
        )

    # -- records -----------------------------------------------------------

    async def get(self, connector_id: str) -> CredentialRecord | None:
        with self._errors():
            values = await self._redis.hmget(self.location.record(connector_id), FIELDS)
        return await self._open(connector_id, values)

    async def put(
        self, record: CredentialRecord, *, expected_version: int
    ) -> CredentialRecord:
        stored = replace(record, version=expected_version + 1, data=dict(record.data))
        sealed = self._codec.seal(stored)
        keys = [self.location.record(record.connector_id), *self._indexes()]
        arguments = put_arguments(stored, sealed, expected_version=expected_version)
        with self._errors():
            current = int(await self._put(keys=keys, args=arguments))
        if current != -1:
            raise VersionConflict(
                record.connector_id, current=current, expected=expected_version
            )
        return stored

    async def delete(self, connector_id: str) -> bool:
        keys = [self.location.record(connector_id), *self._indexes()]
        with self._errors():
            return int(await self._delete(keys=keys, args=[connector_id])) > 0

    async def list(self) -> list[CredentialRecord]:
        with self._errors():
            page = await self._redis.zrange(self.location.ids, 0, -1)
        members = [as_bytes(member) for member in page]
        records = []
        for start in range(0, len(members), BATCH):
            records.extend(await self._read_many(members[start : start + BATCH]))
        return records

    async def due_for_refresh(
        self, before: datetime, *, limit: int = 1000
    ) -> builtins.list[str]:
        with self._errors():
            members = await self._redis.zrangebyscore(
                self.location.due, "-inf", timestamp(before), start=0, num=limit
            )
        ids = [as_bytes(member).decode() for member in members]
        # NOTE: as in the sync store, fewer than ``limit`` ids may come back.
        return [i for i in ids if not i.startswith(RESERVED_ID_PREFIX)]

    async def rekey(self) -> int:
        """Seal every record again with the first key; return how many."""
        count = 0
        after = b"-"
        while True:
            with self._errors():
                page = await self._redis.zrangebylex(
                    self.location.ids, after, b"+", start=0, num=BATCH
                )
            members = [as_bytes(member) for member in page]
            for record in await self._read_many(members):
                await self._reseal(record)
                count += 1
            if len(members) < BATCH:
                return count
            after = b"(" + members[-1]

    # -- leases ------------------------------------------------------------

    @asynccontextmanager
    async def lease(
        self, connector_id: str, *, ttl: float = 30.0, wait: float = 60.0
    ) -> AsyncIterator[None]:
        owner = f"{self._owner_prefix}:{uuid.uuid4().hex}"
        key = self.location.lease(connector_id)

        async def attempt() -> bool:
            with self._errors():
                taken = await self._redis.set(
                    key, owner, nx=True, px=max(1, math.ceil(ttl * 1000))
                )
                if taken:
                    return True
                # A retry after a lost reply finds the lease its first try took.
                return await self._redis.get(key) == owner.encode()

        await wait_for_lease_async(attempt, connector_id, wait=wait)
        try:
            yield
        finally:
            await self._release(key, connector_id, owner)

    # -- pending logins ------------------------------------------------------

    async def put_pending(self, state: str, pending: PendingAuthorization) -> None:
        now = datetime.now(UTC)
        ttl_ms = pending_ttl_ms(pending, now=now)
        if ttl_ms is None:
            logger.debug("Redis store: not keeping a pending login that expired")
            return
        key = self._codec.pending_key(state)
        keys = [self.location.pending(key), self.location.pending_expiry]
        arguments: builtins.list[str | int | bytes] = [
            key,
            self._codec.seal_pending(pending),
            ttl_ms,
            repr(timestamp(pending.expires_at)),
            repr(timestamp(now)),
            self._max_pending,
        ]
        with self._errors():
            stored = int(await self._put_pending(keys=keys, args=arguments))
        if not stored:
            raise PendingLimitReached(self._max_pending)

    async def take_pending(
        self, state: str, *, now: datetime
    ) -> PendingAuthorization | None:
        key = self._codec.pending_key(state)
        with self._errors():
            pipeline = self._redis.pipeline(transaction=True)
            pipeline.getdel(self.location.pending(key))
            pipeline.zrem(self.location.pending_expiry, key)
            sealed, _ = await pipeline.execute()
        if sealed is None:
            return None
        pending = self._codec.open_pending(as_bytes(sealed))
        return None if pending.expires_at < now else pending

    async def close(self) -> None:
        await self._redis.aclose(close_connection_pool=True)

    # -- internals -----------------------------------------------------------

    def _errors(self) -> AbstractContextManager[None]:
        return translated_errors(self.location, self._timeout)

    def _indexes(self) -> builtins.list[str]:
        return [self.location.ids, self.location.due]

    async def _read_many(
        self, members: builtins.list[bytes]
    ) -> builtins.list[CredentialRecord]:
        with self._errors():
            pipeline = self._redis.pipeline(transaction=False)
            for member in members:
                pipeline.hmget(self.location.record(member.decode()), FIELDS)
            rows = await pipeline.execute()
        records = []
        for member, values in zip(members, rows, strict=True):
            record = await self._open(member.decode(), values)
            if record is not None:
                records.append(record)
        return records

    async def _open(
        self, connector_id: str, values: Sequence[object]
    ) -> CredentialRecord | None:
        found = columns_of(connector_id, values)
        if found is None:
            return None
        record, rotated = self._codec.open(*found)
        if rotated:
            await self._reseal(record)
        return record

    async def _reseal(self, record: CredentialRecord) -> None:
        sealed = self._codec.seal(record)
        with self._errors():
            await self._reseal_script(
                keys=[self.location.record(record.connector_id)],
                args=[record.version, sealed],
            )

    async def _release(self, key: str, connector_id: str, owner: str) -> None:
        try:
            with self._errors():
                await self._release_script(keys=[key], args=[owner])
        except StoreError as error:
            logger.warning(
                "Redis store %s: could not release the lease of connector %s; it "
                "lapses at its ttl: %s",
                self.location.redacted,
                connector_id,
                error,
            )
