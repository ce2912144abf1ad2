"""The Redis token store, for hosts whose workers run on many machines.

Records are sealed with connauth's ``RecordCodec`` exactly as in the SQLite
store, and the clear fields of each record hash are compared with the sealed
copy on every read. ``_layout`` lists the keys. ``_scripts`` contains the Lua
scripts that make compare-and-swap, deletion and pending logins atomic.

A lease is ``SET <lease key> <holder> NX PX <ttl>``: the key expires on the
server's clock, so a dead holder's lease lapses after its TTL, and only the
holder deletes it (a compare-and-delete script). A waiter retries with backoff
from 5 ms up to 100 ms.

Connections come from a ``redis.BlockingConnectionPool`` of up to
``max_connections`` (default 50) per store object, shared by every thread.
``timeout`` bounds connecting, each command and the wait for a free
connection. redis-py reconnects a dropped connection and retries the command
twice with jittered backoff; a retried write that had already been applied
reports a conflict, and a retried take of a pending login finds nothing, so no
change is applied twice.
"""

from __future__ import annotations

import builtins
import logging
import math
from collections.abc import Sequence
from contextlib import AbstractContextManager
from dataclasses import replace
from datetime import UTC
from datetime import datetime
from typing import Any

import redis
from redis.backoff import ExponentialWithJitterBackoff
from redis.retry import Retry

from connauth import CredentialRecord
from connauth import KeyRing
from connauth import PendingAuthorization
from connauth import PendingLimitReached
from connauth import StoreError
from connauth import VersionConflict
from connauth.store_backends import MAX_PENDING_LOGINS
from connauth.store_backends import RESERVED_ID_PREFIX
from connauth.store_backends import LeasingStore
from connauth.store_backends import RecordCodec
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

__all__ = ["BATCH", "CLIENT_NAME", "RedisTokenStore", "pending_ttl_ms"]

logger = logging.getLogger(__name__)

BATCH = 500
"""Records read per round trip when listing or re-sealing."""

CLIENT_NAME = "connauth"
"""The name the store's connections give themselves, redacted by ``CLIENT LIST``."""


class RedisTokenStore(LeasingStore):
    """Encrypted, versioned credential records in Redis.

    Args:
        url: ``redis://host:6379/0`` or ``rediss://`` for TLS; the query
            parameter ``prefix`` (default ``connauth``) starts every key.
        keys: the key ring. Every worker must use the same keys.
        prefix: overrides the URL's ``prefix``.
        max_connections: the pool's maximum size.
        max_pending: pending logins kept at most.
        timeout: seconds allowed for connecting, for each command and for a
            free pooled connection.
    """

    def __init__(
        self,
        url: str,
        *,
        keys: KeyRing,
        prefix: str | None = None,
        max_connections: int = 50,
        max_pending: int = MAX_PENDING_LOGINS,
        timeout: float = 10.0,
    ) -> None:
        self.location = RedisLocation.parse(url, prefix=prefix)
        self._codec = RecordCodec(keys)
        self._timeout = timeout
        self._max_pending = max_pending
        try:
            self._pool = redis.BlockingConnectionPool.from_url(
                self.location.url,
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
            raise invalid_url(self.location, error) from None
        self._redis = redis.Redis(connection_pool=self._pool)
        self._put = self._redis.register_script(_scripts.PUT)
        self._reseal_script = self._redis.register_script(_scripts.RESEAL)
        self._delete = self._redis.register_script(_scripts.DELETE)
        self._release_script = self._redis.register_script(_scripts.RELEASE)
        self._put_pending = self._redis.register_script(_scripts.PUT_PENDING)
        try:
            with self._errors():
                self._redis.ping()
        except TypeError as error:
            raise invalid_url(self.location, error) from None
        self._check_durability()

    def __repr__(self) -> str:
        return (
            f"RedisTokenStore({self.location.redacted!r}, "
            f"prefix={self.location.prefix!r})"
        )

    # -- records -----------------------------------------------------------

    def get(self, connector_id: str) -> CredentialRecord | None:
        with self._errors():
            values = self._redis.hmget(self.location.record(connector_id), FIELDS)
        return self._open(connector_id, values)

    def put(
        self, record: CredentialRecord, *, expected_version: int
    ) -> CredentialRecord:
        stored = replace(record, version=expected_version + 1, data=dict(record.data))
        sealed = self._codec.seal(stored)
        keys = [self.location.record(record.connector_id), *self._indexes()]
        arguments = put_arguments(stored, sealed, expected_version=expected_version)
        with self._errors():
            current = int(self._put(keys=keys, args=arguments))
        if current != -1:
            raise VersionConflict(
                record.connector_id, current=current, expected=expected_version
            )
        return stored

    def delete(self, connector_id: str) -> bool:
        keys = [self.location.record(connector_id), *self._indexes()]
        with self._errors():
            return int(self._delete(keys=keys, args=[connector_id])) > 0

    def list(self) -> list[CredentialRecord]:
        with self._errors():
            members = [
                as_bytes(m) for m in self._redis.zrange(self.location.ids, 0, -1)
            ]
        records = []
        for start in range(0, len(members), BATCH):
            records.extend(self._read_many(members[start : start + BATCH]))
        return records

    def due_for_refresh(
        self, before: datetime, *, limit: int = 1000
    ) -> builtins.list[str]:
        with self._errors():
            members = self._redis.zrangebyscore(
                self.location.due, "-inf", timestamp(before), start=0, num=limit
            )
        ids = [as_bytes(member).decode() for member in members]
        # NOTE: core-state ids are dropped after the range query, so fewer than
        # ``limit`` ids may come back while more connectors are due.
        return [i for i in ids if not i.startswith(RESERVED_ID_PREFIX)]

    def rekey(self) -> int:
        """Seal every record again with the first key; return how many.

        Run it after putting a new key first in every worker's key ring, then
        drop the old key once this returns.
        """
        count = 0
        after = b"-"
        while True:
            with self._errors():
                page = self._redis.zrangebylex(
                    self.location.ids, after, b"+", start=0, num=BATCH
                )
            members = [as_bytes(member) for member in page]
            for record in self._read_many(members):
                self._reseal(record)
                count += 1
            if len(members) < BATCH:
                return count
            after = b"(" + members[-1]

    # -- leases ------------------------------------------------------------

    # -- pending logins ------------------------------------------------------

    def put_pending(self, state: str, pending: PendingAuthorization) -> None:
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
            stored = int(self._put_pending(keys=keys, args=arguments))
        if not stored:
            raise PendingLimitReached(self._max_pending)

    def take_pending(self, state: str, *, now: datetime) -> PendingAuthorization | None:
        key = self._codec.pending_key(state)
        with self._errors():
            pipeline = self._redis.pipeline(transaction=True)
            pipeline.getdel(self.location.pending(key))
            pipeline.zrem(self.location.pending_expiry, key)
            sealed, _ = pipeline.execute()
        if sealed is None:
            return None
        pending = self._codec.open_pending(sealed)
        return None if pending.expires_at < now else pending

    def close(self) -> None:
        self._redis.close()
        self._pool.disconnect()

    # -- internals -----------------------------------------------------------

    def _errors(self) -> AbstractContextManager[None]:
        return translated_errors(self.location, self._timeout)

    def _indexes(self) -> builtins.list[str]:
        return [self.location.ids, self.location.due]

    def _check_durability(self) -> None:
        try:
            config = self._redis.config_get("maxmemory-policy", "appendonly", "save")
        except redis.ResponseError as error:
            logger.debug("Redis store: CONFIG GET is not allowed (%s)", error)
            return
        warn_about_durability(self.location, config)

    def _read_many(self, members: builtins.list[bytes]) -> builtins.list[Any]:
        with self._errors():
            pipeline = self._redis.pipeline(transaction=False)
            for member in members:
                pipeline.hmget(self.location.record(member.decode()), FIELDS)
            rows = pipeline.execute()
        records = []
        for member, values in zip(members, rows, strict=True):
            record = self._open(member.decode(), values)
            if record is not None:
                records.append(record)
        return records

    def _open(
        self, connector_id: str, values: Sequence[object]
    ) -> CredentialRecord | None:
        found = columns_of(connector_id, values)
        if found is None:
            return None
        record, rotated = self._codec.open(*found)
        if rotated:
            self._reseal(record)
        return record

    def _reseal(self, record: CredentialRecord) -> None:
        sealed = self._codec.seal(record)
        with self._errors():
            self._reseal_script(
                keys=[self.location.record(record.connector_id)],
                args=[record.version, sealed],
            )

    def _try_acquire(self, connector_id: str, owner: str, ttl: float) -> bool:
        key = self.location.lease(connector_id)
        with self._errors():
            if self._redis.set(key, owner, nx=True, px=max(1, math.ceil(ttl * 1000))):
                return True
            # A retry after a lost reply finds the lease its first try took.
            return self._redis.get(key) == owner.encode()

    def _release(self, connector_id: str, owner: str) -> None:
        try:
            with self._errors():
                self._release_script(
                    keys=[self.location.lease(connector_id)], args=[owner]
                )
        except StoreError as error:
            logger.warning(
                "Redis store %s: could not release the lease of connector %s; it "
                "lapses at its ttl: %s",
                self.location.redacted,
                connector_id,
                error,
            )


def pending_ttl_ms(pending: PendingAuthorization, *, now: datetime) -> int | None:
    """Return the milliseconds until ``pending`` expires, or ``None`` if it has."""
    remaining = (pending.expires_at - now).total_seconds()
    return math.ceil(remaining * 1000) if remaining > 0 else None
