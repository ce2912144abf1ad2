"""The PostgreSQL token store, for hosts whose workers run on many machines.

Records are sealed with connauth's ``RecordCodec`` exactly as in the SQLite
store; the clear columns are compared with the sealed copy on every read.

Leases are rows of a ``leases`` table with an expiry on the server's clock,
taken by one ``INSERT ... ON CONFLICT DO UPDATE ... WHERE expired`` and released
by deleting the row only if this holder still owns it. We chose this over
advisory locks because advisory locks pin a pooled connection for the whole
lease, never lapse while a hung holder keeps its connection open, and do not
survive transaction-mode poolers such as PgBouncer. The cost is polling: a
waiter retries with backoff from 5 ms up to 100 ms.

Connections come from a ``psycopg_pool.ConnectionPool`` of 1 to
``max_connections`` (default 10) autocommit connections per store object, so
one store serves every thread of a process. ``timeout`` bounds connecting,
waiting for a free connection and each statement. When a pooled connection
turns out dead (the server restarted, say), the pool is checked and the
operation is retried once on a fresh connection.
"""

from __future__ import annotations

import builtins
import logging
import math
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC
from datetime import datetime
from functools import partial
from typing import Any
from typing import TypeVar

import psycopg
from psycopg_pool import ConnectionPool

from connauth import CredentialRecord
from connauth import KeyRing
from connauth import PendingAuthorization
from connauth import PendingLimitReached
from connauth import StoreError
from connauth import VersionConflict
from connauth.store_backends import MAX_PENDING_LOGINS
from connauth.store_backends import LeasingStore
from connauth.store_backends import RecordCodec
from connauth_store_postgres._failures import ConnectionLost
from connauth_store_postgres._failures import connect_error
from connauth_store_postgres._failures import store_error
from connauth_store_postgres._sql import SCHEMA_LOCK
from connauth_store_postgres._sql import TABLES
from connauth_store_postgres._sql import Statements
from connauth_store_postgres._sql import columns_of
from connauth_store_postgres._sql import record_parameters
from connauth_store_postgres._url import PostgresLocation

__all__ = ["PostgresTokenStore"]

logger = logging.getLogger(__name__)

_T = TypeVar("_T")
_Connection = psycopg.Connection[tuple[Any, ...]]

REKEY_PAGE = 500
"""Records read per query while re-sealing, so memory stays bounded."""


class PostgresTokenStore(LeasingStore):
    """Encrypted, versioned credential records in PostgreSQL.

    Args:
        url: ``postgresql://user@host:5432/db``; the query parameter
            ``schema`` (default ``connauth``) names the schema of the tables,
            which are created on first use.
        keys: the key ring. Every worker must use the same keys.
        schema: overrides the URL's ``schema``.
        max_connections: the pool's maximum size.
        max_pending: pending logins kept at most.
        timeout: seconds allowed for connecting, for a free pooled connection
            and for each statement.
    """

    def __init__(
        self,
        url: str,
        *,
        keys: KeyRing,
        schema: str | None = None,
        max_connections: int = 10,
        max_pending: int = MAX_PENDING_LOGINS,
        timeout: float = 10.0,
    ) -> None:
        self.location = PostgresLocation.parse(url, schema=schema)
        self._codec = RecordCodec(keys)
        self._sql = Statements.for_schema(self.location.schema)
        self._timeout = timeout
        self._max_pending = max_pending
        options = connection_options(self.location, timeout)
        try:
            with psycopg.connect(self.location.conninfo, **options) as connection:
                create_schema(connection, self._sql, self.location)
        except psycopg.Error as error:
            raise connect_error(self.location, timeout, error) from None
        self._pool: ConnectionPool[_Connection] = ConnectionPool(
            self.location.conninfo,
            kwargs=options,
            min_size=1,
            max_size=max_connections,
            open=False,
            timeout=timeout,
            configure=self._configure,
            name=f"connauth-{self.location.schema}",
        )
        try:
            self._pool.open(wait=True, timeout=timeout)
        except psycopg.Error as error:
            raise store_error(self.location, timeout, error) from None

    def __repr__(self) -> str:
        return (
            f"PostgresTokenStore({self.location.redacted!r}, "
            f"schema={self.location.schema!r})"
        )

    # -- records -----------------------------------------------------------

    def get(self, connector_id: str) -> CredentialRecord | None:
        row = self._run(
            lambda db: db.execute(self._sql.select_one, (connector_id,)).fetchone()
        )
        return None if row is None else self._open(row)

    def put(
        self, record: CredentialRecord, *, expected_version: int
    ) -> CredentialRecord:
        stored = replace(record, version=expected_version + 1, data=dict(record.data))
        parameters = record_parameters(stored, self._codec.seal(stored))
        parameters["expected"] = expected_version
        statement = self._sql.insert if expected_version == 0 else self._sql.update

        def write(db: _Connection) -> int | None:
            if db.execute(statement, parameters).rowcount == 1:
                return None
            row = db.execute(self._sql.version, (record.connector_id,)).fetchone()
            return 0 if row is None else int(row[0])

        current = self._run(write)
        if current is not None:
            raise VersionConflict(
                record.connector_id, current=current, expected=expected_version
            )
        return stored

    def delete(self, connector_id: str) -> bool:
        return self._run(
            lambda db: db.execute(self._sql.delete, (connector_id,)).rowcount > 0
        )

    def list(self) -> list[CredentialRecord]:
        rows = self._run(lambda db: db.execute(self._sql.select_all).fetchall())
        return [self._open(row) for row in rows]

    def due_for_refresh(
        self, before: datetime, *, limit: int = 1000
    ) -> builtins.list[str]:
        rows = self._run(
            lambda db: db.execute(self._sql.due, (before, limit)).fetchall()
        )
        return [row[0] for row in rows]

    def rekey(self) -> int:
        """Seal every record again with the first key; return how many.

        Run it after putting a new key first in every worker's key ring, then
        drop the old key once this returns.
        """
        count = 0
        after = ""
        while True:
            rows = self._run(partial(self._read_page, after=after))
            for row in rows:
                columns, sealed = columns_of(row)
                record, _ = self._codec.open(columns, sealed)
                self._reseal(record)
                count += 1
            if len(rows) < REKEY_PAGE:
                return count
            after = rows[-1][0]

    # -- leases ------------------------------------------------------------

    # -- pending logins ------------------------------------------------------

    def put_pending(self, state: str, pending: PendingAuthorization) -> None:
        key = self._codec.pending_key(state)
        parameters = {
            "key": key,
            "expires_at": pending.expires_at,
            "sealed": self._codec.seal_pending(pending),
            "maximum": self._max_pending,
        }

        def insert(db: _Connection) -> bool:
            db.execute(self._sql.purge_pending, (datetime.now(UTC),))
            if db.execute(self._sql.insert_pending, parameters).rowcount == 1:
                return True
            # A retry after a lost connection finds its own row already there.
            return db.execute(self._sql.pending_exists, (key,)).fetchone() is not None

        if not self._run(insert):
            raise PendingLimitReached(self._max_pending)

    def take_pending(self, state: str, *, now: datetime) -> PendingAuthorization | None:
        key = self._codec.pending_key(state)
        row = self._run(
            lambda db: db.execute(self._sql.take_pending, (key,)).fetchone()
        )
        if row is None or row[0] < now:
            return None
        return self._codec.open_pending(bytes(row[1]))

    def close(self) -> None:
        self._pool.close()

    # -- internals -----------------------------------------------------------

    def _run(self, operation: Callable[[_Connection], _T]) -> _T:
        """Run ``operation`` on a pooled connection, retrying once on a fresh
        one if the connection turns out dead.

        A retried write may already have been applied. Compare-and-swap then
        reports a conflict and a taken pending login reads as unknown, so a
        retry never applies a change twice.
        """
        try:
            return self._attempt(operation)
        except ConnectionLost as lost:
            logger.warning(
                "PostgreSQL store %s: connection lost (%s); retrying once",
                self.location.redacted,
                lost,
            )
            self._pool.check()
        try:
            return self._attempt(operation)
        except ConnectionLost as lost:
            raise store_error(self.location, self._timeout, lost.error) from None

    def _attempt(self, operation: Callable[[_Connection], _T]) -> _T:
        try:
            with self._pool.connection() as connection:
                try:
                    return operation(connection)
                except psycopg.OperationalError as error:
                    if connection.broken:
                        raise ConnectionLost(error) from error
                    raise
        except psycopg.Error as error:
            raise store_error(self.location, self._timeout, error) from None

    def _configure(self, connection: _Connection) -> None:
        milliseconds = str(math.ceil(self._timeout * 1000))
        connection.execute(
            "SELECT set_config('statement_timeout', %s, false)", (milliseconds,)
        )

    def _read_page(self, db: _Connection, *, after: str) -> builtins.list[Any]:
        return db.execute(self._sql.select_page, (after, REKEY_PAGE)).fetchall()

    def _open(self, row: tuple[Any, ...]) -> CredentialRecord:
        columns, sealed = columns_of(row)
        record, rotated = self._codec.open(columns, sealed)
        if rotated:
            self._reseal(record)
        return record

    def _reseal(self, record: CredentialRecord) -> None:
        """Re-encrypt ``record`` with the current key unless it changed since
        it was read; the version stays, because the contents did not change."""
        sealed = self._codec.seal(record)
        self._run(
            lambda db: db.execute(
                self._sql.reseal, (sealed, record.connector_id, record.version)
            )
        )

    def _try_acquire(self, connector_id: str, owner: str, ttl: float) -> bool:
        parameters = {"connector_id": connector_id, "owner": owner, "ttl": ttl}
        row = self._run(lambda db: db.execute(self._sql.acquire, parameters).fetchone())
        return row is not None

    def _release(self, connector_id: str, owner: str) -> None:
        try:
            self._run(lambda db: db.execute(self._sql.release, (connector_id, owner)))
        except StoreError as error:
            logger.warning(
                "PostgreSQL store %s: could not release the lease of connector %s; "
                "it lapses at its ttl: %s",
                self.location.redacted,
                connector_id,
                error,
            )


def connection_options(location: PostgresLocation, timeout: float) -> dict[str, Any]:
    """Return the keyword arguments of every connection: autocommit, and unless
    the URL sets them, a connect timeout and ``application_name=connauth`` (so
    ``pg_stat_activity`` shows which connections are the store's)."""
    options: dict[str, Any] = {"autocommit": True}
    if "connect_timeout=" not in location.conninfo:
        options["connect_timeout"] = max(1, math.ceil(timeout))
    if "application_name=" not in location.conninfo:
        options["application_name"] = "connauth"
    return options


def create_schema(
    connection: _Connection, statements: Statements, location: PostgresLocation
) -> None:
    """Create the schema and tables unless they all exist."""
    names = [f"{location.schema}.{table}" for table in TABLES]
    present = connection.execute(
        "SELECT count(to_regclass(name)) FROM unnest(%s::text[]) AS name", (names,)
    ).fetchone()
    if present is not None and present[0] == len(TABLES):
        return
    with connection.transaction():
        connection.execute("SELECT pg_advisory_xact_lock(%s)", (SCHEMA_LOCK,))
        for statement in statements.ddl:
            connection.execute(statement)
    logger.info(
        "PostgreSQL store %s: created schema %s", location.redacted, location.schema
    )
