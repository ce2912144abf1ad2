"""The three store backends under test, each in its own isolated location, and
raw access to what each one keeps, for the tampering and secrecy tests.

PostgreSQL and Redis must be reachable on 127.0.0.1 (``.ci/run`` starts both). The
URLs can be changed with ``CONNAUTH_TEST_POSTGRES_URL`` and
``CONNAUTH_TEST_REDIS_URL``; the PostgreSQL role must be a superuser, because
the secrecy test reads the tables' files.
"""

from __future__ import annotations

import os
import sqlite3
import time
import uuid
from abc import ABC
from abc import abstractmethod
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from pathlib import Path
from typing import Any

import psycopg
import pytest
import redis
from psycopg import sql
from pydantic import SecretStr

from connauth import CredentialRecord
from connauth import KeyRing
from connauth import PendingAuthorization
from connauth import SqliteTokenStore
from connauth import TokenSet
from connauth import TokenStore
from connauth._store import AsyncTokenStore
from connauth._store_backends import open_async_store
from connauth._store_backends import open_store
from connauth_store_postgres import PostgresTokenStore
from connauth_store_redis import RedisTokenStore

POSTGRES_URL = os.environ.get(
    "CONNAUTH_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"
)
REDIS_URL = os.environ.get("CONNAUTH_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")

START_POSTGRES = (
    "pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start"
)
START_REDIS = (
    'redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" '
    "--appendonly no --dir /var/lib/redis --logfile /var/log/redis/ci.log"
)

ACCESS_TOKEN = "canary-access-token-7f3a"
REFRESH_TOKEN = "canary-refresh-token-91c2"
VERIFIER = "canary-verifier-" + "v" * 27


def make_record(
    connector_id: str = "acme",
    *,
    access: str = ACCESS_TOKEN,
    expires_in: timedelta = timedelta(hours=1),
    now: datetime | None = None,
) -> CredentialRecord:
    """Return a record holding secrets, its token expiring ``expires_in`` from
    ``now`` (default: the current time)."""
    moment = now or datetime.now(UTC)
    return CredentialRecord(
        connector_id=connector_id,
        method="oauth2",
        site_url="https://acme.example.test",
        api_base_url="https://api.example.test/ex/jira/1234",
        tokens=TokenSet(
            access_token=SecretStr(access),
            refresh_token=SecretStr(REFRESH_TOKEN),
            expires_at=moment + expires_in,
            scope=("read:jira-work", "offline_access"),
        ),
        updated_at=moment,
        data={"cloud_id": "1234"},
    )


def make_pending(expires_at: datetime) -> PendingAuthorization:
    """Return a pending login holding a secret verifier."""
    return PendingAuthorization(
        connector_id="acme",
        method="oauth2",
        callback_url="https://host.example.test/cb",
        expires_at=expires_at,
        values={"code_verifier": SecretStr(VERIFIER)},
    )


class Backend(ABC):
    """One backend in a location no other test uses."""

    name: str

    @property
    @abstractmethod
    def url(self) -> str:
        """The store URL, isolated to this test."""

    def open(self, keys: KeyRing) -> TokenStore:
        """Open the store by URL, as a host would."""
        return open_store(self.url, keys=keys)

    async def open_async(self, keys: KeyRing) -> AsyncTokenStore:
        """Open the async store by URL."""
        return await open_async_store(self.url, keys=keys)

    @abstractmethod
    def open_bounded(self, keys: KeyRing, max_pending: int) -> TokenStore:
        """Open the store with a small bound on pending logins."""

    @abstractmethod
    def edit_column(self, connector_id: str, column: str, value: str) -> None:
        """Overwrite a clear column of a stored record, bypassing the store."""

    @abstractmethod
    def shift_expiry(self, connector_id: str) -> None:
        """Move a record's clear ``expires_at`` one hour later."""

    @abstractmethod
    def copy_sealed(self, source: str, target: str) -> None:
        """Copy one record's sealed payload over another's."""

    @abstractmethod
    def raw_bytes(self) -> bytes:
        """Return everything the backend keeps on its medium, as bytes."""

    @abstractmethod
    def cleanup(self) -> None:
        """Remove everything this test stored."""


class SqliteBackend(Backend):
    name = "sqlite"

    def __init__(self, folder: Path) -> None:
        self.path = folder / "tokens.sqlite3"

    @property
    def url(self) -> str:
        return f"sqlite://{self.path}"

    def open_bounded(self, keys: KeyRing, max_pending: int) -> TokenStore:
        return SqliteTokenStore(self.path, keys=keys, max_pending=max_pending)

    def _execute(self, statement: str, parameters: tuple[Any, ...]) -> None:
        with sqlite3.connect(self.path) as db:
            db.execute(statement, parameters)
        db.close()

    def edit_column(self, connector_id: str, column: str, value: str) -> None:
        self._execute(
            f"UPDATE credentials SET {column} = ? WHERE connector_id = ?",  # noqa: S608
            (value, connector_id),
        )

    def shift_expiry(self, connector_id: str) -> None:
        hour = 3600 * 1_000_000
        self._execute(
            "UPDATE credentials SET expires_at = expires_at + ? WHERE connector_id = ?",
            (hour, connector_id),
        )

    def copy_sealed(self, source: str, target: str) -> None:
        self._execute(
            "UPDATE credentials SET sealed = (SELECT sealed FROM credentials"
            " WHERE connector_id = ?) WHERE connector_id = ?",
            (source, target),
        )

    def raw_bytes(self) -> bytes:
        files = [self.path, self.path.with_name(self.path.name + "-wal")]
        return b"".join(file.read_bytes() for file in files if file.exists())

    def cleanup(self) -> None:
        """Do nothing: the file is in the test's tmp_path, which pytest removes."""


class PostgresBackend(Backend):
    name = "postgresql"

    def __init__(self) -> None:
        self.schema = f"connauth_test_{uuid.uuid4().hex[:12]}"
        self._admin = _connect_postgres()

    @property
    def url(self) -> str:
        """The URL with this test's schema, and the schema as the connections'
        application name so that tests can find them."""
        return f"{POSTGRES_URL}?schema={self.schema}&application_name={self.schema}"

    def open_bounded(self, keys: KeyRing, max_pending: int) -> TokenStore:
        return PostgresTokenStore(self.url, keys=keys, max_pending=max_pending)

    def _table(self, name: str) -> sql.Composed:
        return sql.SQL("{}.{}").format(
            sql.Identifier(self.schema), sql.Identifier(name)
        )

    def edit_column(self, connector_id: str, column: str, value: str) -> None:
        statement = sql.SQL("UPDATE {} SET {} = %s WHERE connector_id = %s").format(
            self._table("credentials"), sql.Identifier(column)
        )
        typed: Any = int(value) if column == "version" else value
        self._admin.execute(statement, (typed, connector_id))

    def shift_expiry(self, connector_id: str) -> None:
        statement = sql.SQL(
            "UPDATE {} SET expires_at = expires_at + interval '1 hour'"
            " WHERE connector_id = %s"
        ).format(self._table("credentials"))
        self._admin.execute(statement, (connector_id,))

    def copy_sealed(self, source: str, target: str) -> None:
        statement = sql.SQL(
            "UPDATE {table} SET sealed = (SELECT sealed FROM {table}"
            " WHERE connector_id = %s) WHERE connector_id = %s"
        ).format(table=self._table("credentials"))
        self._admin.execute(statement, (source, target))

    def raw_bytes(self) -> bytes:
        """Return the tables' files after a checkpoint: what is on disk."""
        self._admin.execute("CHECKPOINT")
        chunks = []
        for table in ("credentials", "pending"):
            row = self._admin.execute(
                "SELECT pg_read_binary_file(pg_relation_filepath(%s))",
                (f"{self.schema}.{table}",),
            ).fetchone()
            assert row is not None
            chunks.append(bytes(row[0]))
        return b"".join(chunks)

    def terminate_store_connections(self) -> int:
        """Terminate the server side of every store connection of this test, as
        a server restart would; return how many there were."""
        rows = self._admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE application_name = %s",
            (self.schema,),
        ).fetchall()
        return len(rows)

    def cleanup(self) -> None:
        self._admin.execute(
            sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(
                sql.Identifier(self.schema)
            )
        )
        self._admin.close()


class RedisBackend(Backend):
    name = "redis"

    def __init__(self) -> None:
        self.prefix = f"connauth-test-{uuid.uuid4().hex[:12]}"
        self.client = _connect_redis()

    @property
    def url(self) -> str:
        """The URL with this test's prefix, and the prefix as the connections'
        client name so that tests can find them."""
        return f"{REDIS_URL}?prefix={self.prefix}&client_name={self.prefix}"

    def open_bounded(self, keys: KeyRing, max_pending: int) -> TokenStore:
        return RedisTokenStore(self.url, keys=keys, max_pending=max_pending)

    def kill_store_connections(self) -> int:
        """Close the server side of every store connection of this test; return
        how many there were."""
        clients = [c for c in self.client.client_list() if c["name"] == self.prefix]
        for client in clients:
            self.client.client_kill_filter(_id=client["id"])
        return len(clients)

    def _record(self, connector_id: str) -> str:
        return f"{self.prefix}:record:{connector_id}"

    def edit_column(self, connector_id: str, column: str, value: str) -> None:
        self.client.hset(self._record(connector_id), column, value)

    def shift_expiry(self, connector_id: str) -> None:
        key = self._record(connector_id)
        current = self.client.hget(key, "expires_at")
        assert isinstance(current, bytes)
        later = datetime.fromisoformat(current.decode()) + timedelta(hours=1)
        self.client.hset(key, "expires_at", later.isoformat())

    def copy_sealed(self, source: str, target: str) -> None:
        sealed = self.client.hget(self._record(source), "sealed")
        assert sealed is not None
        self.client.hset(self._record(target), "sealed", sealed)

    def raw_bytes(self) -> bytes:
        """Return every value under the prefix exactly as the server stores it."""
        chunks: list[bytes] = []
        for key in self.client.scan_iter(match=f"{self.prefix}:*"):
            kind = self.client.type(key)
            if kind == b"string":
                chunks.append(_bytes(self.client.get(key)))
            elif kind == b"hash":
                chunks.extend(_bytes(v) for v in self.client.hgetall(key).values())
            elif kind == b"zset":
                chunks.extend(_bytes(m) for m in self.client.zrange(key, 0, -1))
        return b"".join(chunks)

    def cleanup(self) -> None:
        keys = list(self.client.scan_iter(match=f"{self.prefix}:*"))
        if keys:
            self.client.delete(*keys)
        self.client.close()


def _bytes(value: object) -> bytes:
    assert isinstance(value, bytes)
    return value


def _connect_postgres() -> psycopg.Connection[tuple[Any, ...]]:
    try:
        return psycopg.connect(POSTGRES_URL, autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as error:
        pytest.fail(
            f"PostgreSQL is not answering at {POSTGRES_URL} ({error}). Start it "
            f"with '{START_POSTGRES}', or set CONNAUTH_TEST_POSTGRES_URL.",
            pytrace=False,
        )


def _connect_redis() -> redis.Redis:
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=5)
    try:
        client.ping()
    except redis.ConnectionError as error:
        client.close()
        pytest.fail(
            f"Redis is not answering at {REDIS_URL} ({error}). Start it with "
            f"'{START_REDIS}', or set CONNAUTH_TEST_REDIS_URL.",
            pytrace=False,
        )
    return client


def make_backend(name: str, folder: Path) -> Backend:
    """Return the backend called ``name``, isolated for one test."""
    if name == "sqlite":
        return SqliteBackend(folder)
    if name == "postgresql":
        return PostgresBackend()
    return RedisBackend()


BACKENDS = ("sqlite", "postgresql", "redis")


# -- work done in spawned processes ------------------------------------------


def hold_lease_and_log(url: str, key: bytes, log: str) -> None:
    """Take the lease of ``acme``, logging entry and exit with this process id."""
    store = open_store(url, keys=KeyRing([key]))
    with store.lease("acme", wait=60):
        with open(log, "a") as handle:
            handle.write(f"enter {os.getpid()}\n")
        time.sleep(0.05)
        with open(log, "a") as handle:
            handle.write(f"leave {os.getpid()}\n")
    store.close()


def die_holding_lease(url: str, key: bytes, ttl: float) -> None:
    """Take the lease of ``acme`` and exit without releasing it, as a crashed
    worker would."""
    store = open_store(url, keys=KeyRing([key]))
    # Keep a reference: a collected lease context would run its release.
    lease = store.lease("acme", ttl=ttl, wait=10)
    lease.__enter__()
    os._exit(0)
