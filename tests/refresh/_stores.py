"""Store URLs for the refresh tests, each in a location of its own.

PostgreSQL and Redis must accept connections on 127.0.0.1 (``.ci/run`` starts both). The
URLs can be changed with ``CONNAUTH_TEST_POSTGRES_URL`` and
``CONNAUTH_TEST_REDIS_URL``, the variables the store tests read.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
import redis
from psycopg import sql

POSTGRES_URL = os.environ.get(
    "CONNAUTH_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"
)
REDIS_URL = os.environ.get("CONNAUTH_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")

BACKENDS = ("sqlite", "postgresql", "redis")


@contextmanager
def store_location(backend: str, folder: Path) -> Iterator[str]:
    """Yield the URL of an empty store of ``backend``, and remove what the
    test stored there afterwards."""
    name = f"connauth_refresh_{uuid.uuid4().hex[:12]}"
    if backend == "sqlite":
        yield f"sqlite://{folder / 'tokens.sqlite3'}"
    elif backend == "postgresql":
        try:
            yield f"{POSTGRES_URL}?schema={name}"
        finally:
            _drop_schema(name)
    elif backend == "redis":
        try:
            yield f"{REDIS_URL}?prefix={name}"
        finally:
            _delete_prefix(name)
    else:
        raise ValueError(f"unknown store backend {backend!r}; use one of {BACKENDS}")


def _drop_schema(schema: str) -> None:
    with psycopg.connect(POSTGRES_URL, autocommit=True, connect_timeout=5) as db:
        statement = sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE")
        db.execute(statement.format(sql.Identifier(schema)))


def _delete_prefix(prefix: str) -> None:
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=5)
    try:
        keys = list(client.scan_iter(match=f"{prefix}:*"))
        if keys:
            client.delete(*keys)
    finally:
        client.close()
