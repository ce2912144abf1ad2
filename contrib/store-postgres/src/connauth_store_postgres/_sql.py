"""The store's tables and statements, shared by the sync and async stores.

Every statement that changes a record is a single statement, so it is atomic
without an explicit transaction: compare-and-swap is ``UPDATE ... WHERE version
= %(expected)s`` or ``INSERT ... ON CONFLICT DO NOTHING`` for a new record.
Lease expiry uses the server's clock, so hosts whose clocks disagree still
agree on when a lease lapses.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from psycopg import sql

from connauth import CredentialRecord
from connauth.store_backends import ClearColumns

__all__ = [
    "SCHEMA_LOCK",
    "TABLES",
    "Statements",
    "columns_of",
    "record_parameters",
]

SCHEMA_LOCK = 0x636F_6E6E_6175_7468
"""Advisory lock id held while creating the schema, so that workers starting
together do not race on ``CREATE ... IF NOT EXISTS`` (which can raise a unique
violation under concurrency). The value is ASCII ``connauth``."""

_DDL = (
    "CREATE SCHEMA IF NOT EXISTS {schema}",
    """CREATE TABLE IF NOT EXISTS {schema}.credentials (
        connector_id text PRIMARY KEY,
        method text NOT NULL,
        site_url text NOT NULL,
        status text NOT NULL,
        version bigint NOT NULL,
        updated_at text NOT NULL,
        expires_at timestamptz,
        sealed bytea NOT NULL
    )""",
    """CREATE INDEX IF NOT EXISTS credentials_due
        ON {schema}.credentials (expires_at) WHERE status = 'active'""",
    """CREATE TABLE IF NOT EXISTS {schema}.leases (
        connector_id text PRIMARY KEY,
        owner text NOT NULL,
        expires_at timestamptz NOT NULL
    )""",
    """CREATE TABLE IF NOT EXISTS {schema}.pending (
        state_hash text PRIMARY KEY,
        expires_at timestamptz NOT NULL,
        sealed bytea NOT NULL
    )""",
    "CREATE INDEX IF NOT EXISTS pending_expiry ON {schema}.pending (expires_at)",
)

TABLES = ("credentials", "leases", "pending")
"""The store's tables. When all of them exist, opening the store runs no DDL, so
a role without the CREATE privilege can use a schema that an admin created."""

_STATEMENTS = {
    "select_one": "SELECT connector_id, method, site_url, status, version,"
    " updated_at, expires_at, sealed FROM {schema}.credentials"
    " WHERE connector_id = %s",
    # COLLATE "C" orders by bytes, as SQLite and Redis do.
    "select_all": "SELECT connector_id, method, site_url, status, version,"
    " updated_at, expires_at, sealed FROM {schema}.credentials"
    ' ORDER BY connector_id COLLATE "C"',
    "select_page": "SELECT connector_id, method, site_url, status, version,"
    " updated_at, expires_at, sealed FROM {schema}.credentials"
    " WHERE connector_id > %s ORDER BY connector_id LIMIT %s",
    "insert": "INSERT INTO {schema}.credentials (connector_id, method, site_url,"
    " status, version, updated_at, expires_at, sealed)"
    " VALUES (%(connector_id)s, %(method)s, %(site_url)s,"
    " %(status)s, %(version)s, %(updated_at)s, %(expires_at)s, %(sealed)s)"
    " ON CONFLICT (connector_id) DO NOTHING",
    "update": "UPDATE {schema}.credentials SET method = %(method)s,"
    " site_url = %(site_url)s, status = %(status)s, version = %(version)s,"
    " updated_at = %(updated_at)s, expires_at = %(expires_at)s, sealed = %(sealed)s"
    " WHERE connector_id = %(connector_id)s AND version = %(expected)s",
    "version": "SELECT version FROM {schema}.credentials WHERE connector_id = %s",
    "reseal": "UPDATE {schema}.credentials SET sealed = %s"
    " WHERE connector_id = %s AND version = %s",
    "delete": "DELETE FROM {schema}.credentials WHERE connector_id = %s",
    "due": "SELECT connector_id FROM {schema}.credentials"
    " WHERE status = 'active' AND expires_at <= %s"
    " AND connector_id NOT LIKE 'connauth:%%' ORDER BY expires_at LIMIT %s",
    # Takes a free or lapsed lease. The same owner may take it again, so a
    # retry after a lost connection does not wait for its own lease to lapse.
    "acquire": "INSERT INTO {schema}.leases AS lease (connector_id, owner, expires_at)"
    " VALUES (%(connector_id)s, %(owner)s,"
    " clock_timestamp() + make_interval(secs => %(ttl)s))"
    " ON CONFLICT (connector_id) DO UPDATE"
    " SET owner = excluded.owner, expires_at = excluded.expires_at"
    " WHERE lease.expires_at <= clock_timestamp() OR lease.owner = excluded.owner"
    " RETURNING owner",
    "release": "DELETE FROM {schema}.leases WHERE connector_id = %s AND owner = %s",
    "purge_pending": "DELETE FROM {schema}.pending WHERE expires_at < %s",
    "insert_pending": "INSERT INTO {schema}.pending (state_hash, expires_at, sealed)"
    " SELECT %(key)s, %(expires_at)s, %(sealed)s"
    " WHERE (SELECT count(*) FROM {schema}.pending) < %(maximum)s"
    " ON CONFLICT (state_hash) DO NOTHING",
    "pending_exists": "SELECT 1 FROM {schema}.pending WHERE state_hash = %s",
    "take_pending": "DELETE FROM {schema}.pending WHERE state_hash = %s"
    " RETURNING expires_at, sealed",
}


@dataclass(frozen=True)
class Statements:
    """The store's SQL with its schema name filled in."""

    ddl: tuple[sql.Composed, ...]
    select_one: sql.Composed
    select_all: sql.Composed
    select_page: sql.Composed
    insert: sql.Composed
    update: sql.Composed
    version: sql.Composed
    reseal: sql.Composed
    delete: sql.Composed
    due: sql.Composed
    acquire: sql.Composed
    release: sql.Composed
    purge_pending: sql.Composed
    insert_pending: sql.Composed
    pending_exists: sql.Composed
    take_pending: sql.Composed

    @classmethod
    def for_schema(cls, schema: str) -> Statements:
        """Return the statements for tables in ``schema``."""
        name = sql.Identifier(schema)

        def compose(key: str) -> sql.Composed:
            return sql.SQL(_STATEMENTS[key]).format(schema=name)

        return cls(
            ddl=tuple(sql.SQL(text).format(schema=name) for text in _DDL),
            select_one=compose("select_one"),
            select_all=compose("select_all"),
            select_page=compose("select_page"),
            insert=compose("insert"),
            update=compose("update"),
            version=compose("version"),
            reseal=compose("reseal"),
            delete=compose("delete"),
            due=compose("due"),
            acquire=compose("acquire"),
            release=compose("release"),
            purge_pending=compose("purge_pending"),
            insert_pending=compose("insert_pending"),
            pending_exists=compose("pending_exists"),
            take_pending=compose("take_pending"),
        )


def columns_of(row: tuple[Any, ...]) -> tuple[ClearColumns, bytes]:
    """Split a ``credentials`` row into its clear columns and sealed payload."""
    connector_id, method, site_url, status, version, updated_at, expires_at, sealed = (
        row
    )
    columns = ClearColumns(
        connector_id=connector_id,
        method=method,
        site_url=site_url,
        status=status,
        version=int(version),
        updated_at=updated_at,
        expires_at=expires_at,
    )
    return columns, bytes(sealed)


def record_parameters(record: CredentialRecord, sealed: bytes) -> dict[str, Any]:
    """Return the ``insert`` and ``update`` parameters that store ``record``."""
    expires_at: datetime | None = record.tokens.expires_at if record.tokens else None
    return {
        "connector_id": record.connector_id,
        "method": record.method,
        "site_url": record.site_url,
        "status": record.status.value,
        "version": record.version,
        "updated_at": record.updated_at.isoformat(),
        "expires_at": expires_at,
        "sealed": sealed,
    }
