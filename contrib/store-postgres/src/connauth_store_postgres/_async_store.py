"""The asyncio form of the PostgreSQL token store, on psycopg's async API.

It shares the tables, statements, leases and retry rule of
:class:`~connauth_store_postgres.PostgresTokenStore`, whose module docstring
explains them; records written by either form are readable by the other.
"""

from __future__ import annotations

import builtins
import logging
import math
import os
import socket
import uuid
from collections.abc import AsyncIterator
from collections.abc import Awaitable
from collections.abc import Callable
from contextlib import asynccontextmanager
from dataclasses import replace
from datetime import UTC
from datetime import datetime
from typing import Any
from typing import TypeVar

import psycopg
from psycopg_pool import AsyncConnectionPool

from connauth import CredentialRecord
from connauth import KeyRing
from connauth import PendingAuthorization
from connauth import PendingLimitReached
from connauth import StoreError
from connauth import VersionConflict
from connauth.store_backends import MAX_PENDING_LOGINS
from connauth.store_backends import RecordCodec
from connauth.store_backends import wait_for_lease_async
from connauth_store_postgres._failures import ConnectionLost
from connauth_store_postgres._failures import connect_error
from connauth_store_postgres._failures import store_error
from connauth_store_postgres._sql import SCHEMA_LOCK
from connauth_store_postgres._sql import TABLES
from connauth_store_postgres._sql import Statements
from connauth_store_postgres._sql import columns_of
from connauth_store_postgres._sql import record_parameters
from connauth_store_postgres._store import REKEY_PAGE
from connauth_store_postgres._store import connection_options
from connauth_store_postgres._url import PostgresLocation

__all__ = ["AsyncPostgresTokenStore"]

logger = logging.getLogger(__name__)

_T = TypeVar("_T")
_Connection = psycopg.AsyncConnection[tuple[Any, ...]]


class AsyncPostgresTokenStore:
    """Encrypted, versioned credential records in PostgreSQL, for asyncio.

    Create it with :meth:`connect`, which opens the pool and creates the
    schema; the arguments are those of ``PostgresTokenStore``.
    """

    def __init__(
        self,
        location: PostgresLocation,
        pool: AsyncConnectionPool[_Connection],
        *,
        keys: KeyRing,
        timeout: float,
        max_pending: int = MAX_PENDING_LOGINS,
    ) -> None:
        self.location = location
        self._pool = pool
        self._codec = RecordCodec(keys)
        self._sql = Statements.for_schema(location.schema)
        self._timeout = timeout
        self._max_pending = max_pending
        self._owner_prefix = f"{socket.gethostname()}:{os.getpid()}"

    @classmethod
    async def connect(
        cls,
        url: str,
        *,
        keys: KeyRing,
        schema: str | None = None,
        max_connections: int = 10,
        max_pending: int = MAX_PENDING_LOGINS,
        timeout: float = 10.0,
    ) -> AsyncPostgresTokenStore:
        """Connect to the store at ``url``, creating its schema if missing."""
        location = PostgresLocation.parse(url, schema=schema)
        statements = Statements.for_schema(location.schema)
        options = connection_options(location, timeout)
        try:
            async with await psycopg.AsyncConnection.connect(
                location.conninfo, **options
            ) as connection:
                await _create_schema(connection, statements, location)
        except psycopg.Error as error:
            raise connect_error(location, timeout, error) from None

        async def configure(connection: _Connection) -> None:
            milliseconds = str(math.ceil(timeout * 1000))
            await connection.execute(
                "SELECT set_config('statement_timeout', %s, false)", (milliseconds,)
            )

        pool: AsyncConnectionPool[_Connection] = AsyncConnectionPool(
            location.conninfo,
            kwargs=options,
            min_size=1,
            max_size=max_connections,
            open=False,
            timeout=timeout,
            configure=configure,
            name=f"connauth-async-{location.schema}",
        )
        try:
            await pool.open(wait=True, timeout=timeout)
        except psycopg.Error as error:
            raise store_error(location, timeout, error) from None
        return cls(location, pool, keys=keys, timeout=timeout, max_pending=max_pending)

    def __repr__(self) -> str:
        return (
            f"AsyncPostgresTokenStore({self.location.redacted!r}, "
            f"schema={self.location.schema!r})"
        )

    # -- records -----------------------------------------------------------

    async def get(self, connector_id: str) -> CredentialRecord | None:
        async def read(db: _Connection) -> tuple[Any, ...] | None:
            cursor = await db.execute(self._sql.select_one, (connector_id,))
            return await cursor.fetchone()

        row = await self._run(read)
        return None if row is None else await self._open(row)

    async def put(
        self, record: CredentialRecord, *, expected_version: int
    ) -> CredentialRecord:
        stored = replace(record, version=expected_version + 1, data=dict(record.data))
        parameters = record_parameters(stored, self._codec.seal(stored))
        parameters["expected"] = expected_version
        statement = self._sql.insert if expected_version == 0 else self._sql.update

        async def write(db: _Connection) -> int | None:
            if (await db.execute(statement, parameters)).rowcount == 1:
                return None
            cursor = await db.execute(self._sql.version, (record.connector_id,))
            row = await cursor.fetchone()
            return 0 if row is None else int(row[0])

        current = await self._run(write)
        if current is not None:
            raise VersionConflict(
                record.connector_id, current=current, expected=expected_version
            )
        return stored

    async def delete(self, connector_id: str) -> bool:
        async def remove(db: _Connection) -> bool:
            cursor = await db.execute(self._sql.delete, (connector_id,))
            return cursor.rowcount > 0

        return await self._run(remove)

    async def list(self) -> list[CredentialRecord]:
        async def read(db: _Connection) -> builtins.list[tuple[Any, ...]]:
            return await (await db.execute(self._sql.select_all)).fetchall()

        return [await self._open(row) for row in await self._run(read)]

    async def due_for_refresh(
        self, before: datetime, *, limit: int = 1000
    ) -> builtins.list[str]:
        async def read(db: _Connection) -> builtins.list[tuple[Any, ...]]:
            return await (await db.execute(self._sql.due, (before, limit))).fetchall()

        return [row[0] for row in await self._run(read)]

    async def rekey(self) -> int:
        """Seal every record again with the first key; return how many."""
        count = 0
        after = ""
        while True:
            rows = await self._run(self._page_reader(after))
            for row in rows:
                columns, sealed = columns_of(row)
                record, _ = self._codec.open(columns, sealed)
                await self._reseal(record)
                count += 1
            if len(rows) < REKEY_PAGE:
                return count
            after = rows[-1][0]

    # -- leases ------------------------------------------------------------

    @asynccontextmanager
    async def lease(
        self, connector_id: str, *, ttl: float = 30.0, wait: float = 60.0
    ) -> AsyncIterator[None]:
        owner = f"{self._owner_prefix}:{uuid.uuid4().hex}"
        parameters = {"connector_id": connector_id, "owner": owner, "ttl": ttl}

        async def acquire(db: _Connection) -> bool:
            cursor = await db.execute(self._sql.acquire, parameters)
            return await cursor.fetchone() is not None

        async def attempt() -> bool:
            return await self._run(acquire)

        await wait_for_lease_async(attempt, connector_id, wait=wait)
        try:
            yield
        finally:
            await self._release(connector_id, owner)

    # -- pending logins ------------------------------------------------------

    async def put_pending(self, state: str, pending: PendingAuthorization) -> None:
        key = self._codec.pending_key(state)
        parameters = {
            "key": key,
            "expires_at": pending.expires_at,
            "sealed": self._codec.seal_pending(pending),
            "maximum": self._max_pending,
        }

        async def insert(db: _Connection) -> bool:
            await db.execute(self._sql.purge_pending, (datetime.now(UTC),))
            if (await db.execute(self._sql.insert_pending, parameters)).rowcount == 1:
                return True
            cursor = await db.execute(self._sql.pending_exists, (key,))
            return await cursor.fetchone() is not None

        if not await self._run(insert):
            raise PendingLimitReached(self._max_pending)

    async def take_pending(
        self, state: str, *, now: datetime
    ) -> PendingAuthorization | None:
        key = self._codec.pending_key(state)

        async def take(db: _Connection) -> tuple[Any, ...] | None:
            return await (await db.execute(self._sql.take_pending, (key,))).fetchone()

        row = await self._run(take)
        if row is None or row[0] < now:
            return None
        return self._codec.open_pending(bytes(row[1]))

    async def close(self) -> None:
        await self._pool.close()

    # -- internals -----------------------------------------------------------

    async def _run(self, operation: Callable[[_Connection], Awaitable[_T]]) -> _T:
        """Run ``operation`` on a pooled connection, retrying once on a fresh
        one if the connection turns out dead; see ``PostgresTokenStore._run``."""
        try:
            return await self._attempt(operation)
        except ConnectionLost as lost:
            logger.warning(
                "PostgreSQL store %s: connection lost (%s); retrying once",
                self.location.redacted,
                lost,
            )
            await self._pool.check()
        try:
            return await self._attempt(operation)
        except ConnectionLost as lost:
            raise store_error(self.location, self._timeout, lost.error) from None

    async def _attempt(self, operation: Callable[[_Connection], Awaitable[_T]]) -> _T:
        try:
            async with self._pool.connection() as connection:
                try:
                    return await operation(connection)
                except psycopg.OperationalError as error:
                    if connection.broken:
                        raise ConnectionLost(error) from error
                    raise
        except psycopg.Error as error:
            raise store_error(self.location, self._timeout, error) from None

    def _page_reader(
        self, after: str
    ) -> Callable[[_Connection], Awaitable[builtins.list[tuple[Any, ...]]]]:
        async def read(db: _Connection) -> builtins.list[tuple[Any, ...]]:
            cursor = await db.execute(self._sql.select_page, (after, REKEY_PAGE))
            return await cursor.fetchall()

        return read

    async def _open(self, row: tuple[Any, ...]) -> CredentialRecord:
        columns, sealed = columns_of(row)
        record, rotated = self._codec.open(columns, sealed)
        if rotated:
            await self._reseal(record)
        return record

    async def _reseal(self, record: CredentialRecord) -> None:
        sealed = self._codec.seal(record)

        async def write(db: _Connection) -> None:
            await db.execute(
                self._sql.reseal, (sealed, record.connector_id, record.version)
            )

        await self._run(write)

    async def _release(self, connector_id: str, owner: str) -> None:
        async def remove(db: _Connection) -> None:
            await db.execute(self._sql.release, (connector_id, owner))

        try:
            await self._run(remove)
        except StoreError as error:
            logger.warning(
                "PostgreSQL store %s: could not release the lease of connector %s; "
                "it lapses at its ttl: %s",
                self.location.redacted,
                connector_id,
                error,
            )


async def _create_schema(
    connection: _Connection, statements: Statements, location: PostgresLocation
) -> None:
    names = [f"{location.schema}.{table}" for table in TABLES]
    cursor = await connection.execute(
        "SELECT count(to_regclass(name)) FROM unnest(%s::text[]) AS name", (names,)
    )
    present = await cursor.fetchone()
    if present is not None and present[0] == len(TABLES):
        return
    async with connection.transaction():
        await connection.execute("SELECT pg_advisory_xact_lock(%s)", (SCHEMA_LOCK,))
        for statement in statements.ddl:
            await connection.execute(statement)
    logger.info(
        "PostgreSQL store %s: created schema %s", location.redacted, location.schema
    )
