"""Connection handling of the shared stores: unreachable servers, dropped
connections, and server names without passwords in every message."""

from __future__ import annotations

import asyncio
import logging

import pytest

from connauth import ConfigError
from connauth import KeyRing
from connauth._store import StoreUnavailable
from connauth._store_backends import open_async_store
from connauth._store_backends import open_store
from connauth._store_backends import remove_password
from connauth_store_redis import CLIENT_NAME
from connauth_store_redis import durability_problems

from ._support import REDIS_URL
from ._support import PostgresBackend
from ._support import RedisBackend
from ._support import make_record

# Port 1 on loopback: nothing listens there, so connecting is refused at once.
UNREACHABLE = [
    "postgresql://app:hunter2@127.0.0.1:1/test",
    "redis://:hunter2@127.0.0.1:1/0",
]


@pytest.mark.parametrize("url", UNREACHABLE)
def test_unreachable_server_named_without_password(url: str) -> None:
    with pytest.raises(StoreUnavailable) as caught:
        open_store(url, keys=KeyRing([KeyRing.generate()]))
    message = str(caught.value)
    assert "127.0.0.1" in message
    assert "unreachable" in message
    assert "hunter2" not in message
    assert "***" in message


@pytest.mark.parametrize("url", UNREACHABLE)
def test_unreachable_server_async(url: str) -> None:
    async def main() -> None:
        await open_async_store(url, keys=KeyRing([KeyRing.generate()]))

    with pytest.raises(StoreUnavailable) as caught:
        asyncio.run(main())
    assert "hunter2" not in str(caught.value)


@pytest.mark.parametrize(
    "url",
    [
        # libpq quotes a malformed percent-encoded password in its error.
        "postgresql://app:hunter2%zz@127.0.0.1:5432/test",
        "postgresql://127.0.0.1:5432/test?password=hunter2&no_such_option=1",
    ],
)
def test_invalid_postgres_url_hides_password(url: str) -> None:
    with pytest.raises(ConfigError) as caught:
        open_store(url, keys=KeyRing([KeyRing.generate()]))
    message = str(caught.value)
    assert "invalid PostgreSQL store URL" in message
    assert "hunter2" not in message


@pytest.mark.parametrize(
    "url",
    [
        "redis://:hunter2@127.0.0.1:6379/0?db=first",
        "redis://:hunter2@127.0.0.1:6379/0?no_such_option=1",
    ],
)
def test_invalid_redis_url_rejected(url: str) -> None:
    with pytest.raises(ConfigError) as caught:
        open_store(url, keys=KeyRing([KeyRing.generate()]))
    message = str(caught.value)
    assert "invalid Redis store URL" in message
    assert "hunter2" not in message


@pytest.mark.parametrize(
    ("text", "url", "expected"),
    [
        ('token: "pa%zzss"', "postgresql://u:pa%zzss@h/db", 'token: "***"'),
        ("bad p@ss here", "postgresql://u:p%40ss@h/db", "bad *** here"),
        ("x=hunter2", "postgresql://h/db?password=hunter2", "x=***"),
        ("nothing secret", "redis://h:6379/0", "nothing secret"),
    ],
)
def test_remove_password(text: str, url: str, expected: str) -> None:
    assert remove_password(text, url) == expected


def test_postgres_reconnects_after_drop(
    key: bytes, caplog: pytest.LogCaptureFixture
) -> None:
    backend = PostgresBackend()
    store = open_store(backend.url, keys=KeyRing([key]))
    try:
        store.put(make_record(), expected_version=0)
        terminated = backend.terminate_store_connections()
        assert terminated >= 1
        with caplog.at_level(logging.WARNING):
            read = store.get("acme")
        assert read is not None
        assert "connection lost" in caplog.text
    finally:
        store.close()
        backend.cleanup()


def test_postgres_async_reconnects_after_drop(key: bytes) -> None:
    backend = PostgresBackend()

    async def main() -> None:
        store = await open_async_store(backend.url, keys=KeyRing([key]))
        try:
            await store.put(make_record(), expected_version=0)
            assert backend.terminate_store_connections() >= 1
            assert await store.get("acme") is not None
        finally:
            await store.close()

    try:
        asyncio.run(main())
    finally:
        backend.cleanup()


def test_redis_reconnects_after_drop(key: bytes) -> None:
    backend = RedisBackend()
    store = open_store(backend.url, keys=KeyRing([key]))
    try:
        store.put(make_record(), expected_version=0)
        assert backend.kill_store_connections() >= 1
        assert store.get("acme") is not None
    finally:
        store.close()
        backend.cleanup()


def test_redis_connections_named(key: bytes) -> None:
    backend = RedisBackend()
    url = f"{REDIS_URL}?prefix={backend.prefix}"
    store = open_store(url, keys=KeyRing([key]))
    try:
        store.get("acme")
        clients = backend.client.client_list()
        assert any(client.get("name") == CLIENT_NAME for client in clients)
    finally:
        store.close()
        backend.cleanup()


@pytest.mark.parametrize(
    ("config", "expected"),
    [
        ({"maxmemory-policy": "noeviction", "appendonly": "yes", "save": ""}, []),
        (
            {"maxmemory-policy": "volatile-lru", "appendonly": "no", "save": "3600 1"},
            [],
        ),
        (
            {"maxmemory-policy": "allkeys-lru", "appendonly": "yes", "save": ""},
            ["maxmemory-policy is 'allkeys-lru'"],
        ),
        (
            {"maxmemory-policy": "noeviction", "appendonly": "no", "save": ""},
            ["restart loses every record"],
        ),
    ],
)
def test_redis_durability_problems(config: dict[str, str], expected: list[str]) -> None:
    problems = durability_problems(config)
    assert len(problems) == len(expected)
    for problem, fragment in zip(problems, expected, strict=True):
        assert fragment in problem
