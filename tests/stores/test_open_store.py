"""open_store and open_async_store: the backend chosen by URL scheme, keys, and
the errors for unknown schemes, missing backends and missing keys."""

from __future__ import annotations

import asyncio
import stat
from importlib.metadata import EntryPoint
from pathlib import Path

import pytest

from connauth import ConfigError
from connauth import KeyRing
from connauth import RecordTampered
from connauth import SqliteTokenStore
from connauth import StoreKeyError
from connauth._store_backends import ENTRY_POINT_GROUP
from connauth._store_backends import AsyncTokenStoreAdapter
from connauth._store_backends import open_async_store
from connauth._store_backends import open_store
from connauth._store_backends import redact_url
from connauth._store_backends import sqlite_path
from connauth_store_postgres import AsyncPostgresTokenStore
from connauth_store_postgres import PostgresTokenStore
from connauth_store_redis import AsyncRedisTokenStore
from connauth_store_redis import RedisTokenStore

from ._support import Backend
from ._support import PostgresBackend
from ._support import make_record

EXPECTED = {
    "sqlite": (SqliteTokenStore, AsyncTokenStoreAdapter),
    "postgresql": (PostgresTokenStore, AsyncPostgresTokenStore),
    "redis": (RedisTokenStore, AsyncRedisTokenStore),
}


def test_scheme_picks_backend(backend: Backend, key: bytes) -> None:
    sync_type, async_type = EXPECTED[backend.name]
    store = open_store(backend.url, keys=KeyRing([key]))
    store.close()
    assert isinstance(store, sync_type)

    async def open_async() -> object:
        opened = await open_async_store(backend.url, keys=KeyRing([key]))
        await opened.close()
        return opened

    assert isinstance(asyncio.run(open_async()), async_type)


def test_postgres_alias_scheme(key: bytes) -> None:
    backend = PostgresBackend()
    try:
        url = backend.url.replace("postgresql://", "postgres://", 1)
        store = open_store(url, keys=KeyRing([key]))
        store.close()
        assert isinstance(store, PostgresTokenStore)
    finally:
        backend.cleanup()


def test_unknown_scheme_rejected() -> None:
    with pytest.raises(ConfigError) as caught:
        open_store("mongodb://127.0.0.1/tokens", keys=KeyRing([KeyRing.generate()]))
    message = str(caught.value)
    assert "unknown token store URL scheme 'mongodb'" in message
    assert "postgresql" in message
    assert "redis" in message
    assert "sqlite" in message


def test_malformed_url_rejected() -> None:
    with pytest.raises(ConfigError) as caught:
        open_store("redis://[::1:6379/0", keys=KeyRing([KeyRing.generate()]))
    assert "invalid token store URL" in str(caught.value)


def test_missing_backend_names_distribution(monkeypatch: pytest.MonkeyPatch) -> None:
    # The test cannot uninstall connauth-store-postgres, so it hides its entry
    # points from the lookup instead.
    monkeypatch.setattr("connauth._store_backends.entry_points", lambda group: [])
    with pytest.raises(ConfigError) as caught:
        open_store("postgresql://127.0.0.1/test", keys=KeyRing([KeyRing.generate()]))
    assert "pip install connauth-store-postgres" in str(caught.value)


def test_broken_backend_names_distribution(monkeypatch: pytest.MonkeyPatch) -> None:
    broken = EntryPoint(
        name="redis", value="connauth_no_such_module:BACKEND", group=ENTRY_POINT_GROUP
    )
    monkeypatch.setattr("connauth._store_backends.entry_points", lambda group: [broken])
    with pytest.raises(ConfigError) as caught:
        open_store("redis://127.0.0.1:6379/0", keys=KeyRing([KeyRing.generate()]))
    message = str(caught.value)
    assert "failed to load" in message
    assert "ModuleNotFoundError" in message
    assert "connauth-store-redis" in message


@pytest.mark.parametrize("backend", ["postgresql", "redis"], indirect=True)
def test_shared_store_without_key_fails_closed(backend: Backend) -> None:
    with pytest.raises(StoreKeyError) as caught:
        open_store(backend.url)
    message = str(caught.value)
    assert "CONNAUTH_STORE_KEY" in message
    assert "never uses a key file" in message


def test_sqlite_creates_key_file(tmp_path: Path) -> None:
    store = open_store(f"sqlite://{tmp_path}/db/tokens.sqlite3")
    store.put(make_record(), expected_version=0)
    store.close()
    key_file = tmp_path / "db" / "store.key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    again = open_store(f"sqlite://{tmp_path}/db/tokens.sqlite3")
    assert again.get("acme") is not None
    again.close()


def test_key_from_environment(
    backend: Backend, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    first, second = KeyRing.generate(), KeyRing.generate()
    monkeypatch.setenv("CONNAUTH_STORE_KEY", f"{first.decode()}, {second.decode()}")
    store = open_store(backend.url)
    store.put(make_record(), expected_version=0)
    store.close()
    assert not (tmp_path / "store.key").exists()

    # The first key sealed the record.
    first_only = open_store(backend.url, keys=KeyRing([first]))
    assert first_only.get("acme") is not None
    first_only.close()
    second_only = open_store(backend.url, keys=KeyRing([second]))
    with pytest.raises(RecordTampered):
        second_only.get("acme")
    second_only.close()


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("sqlite:///var/lib/app/tokens.db", Path("/var/lib/app/tokens.db")),
        ("sqlite:////var/lib/app/tokens.db", Path("/var/lib/app/tokens.db")),
        ("sqlite:tokens.db", Path("tokens.db")),
        ("sqlite:///tmp/with%20space.db", Path("/tmp/with space.db")),
    ],
)
def test_sqlite_url_paths(url: str, expected: Path) -> None:
    assert sqlite_path(url) == expected


def test_sqlite_default_url_uses_home(tmp_path: Path) -> None:
    # The autouse fixture points CONNAUTH_HOME at a fresh folder.
    path = sqlite_path("sqlite://")
    assert path.name == "tokens.sqlite3"
    assert "connauth-home" in str(path)


@pytest.mark.parametrize(
    "url", ["sqlite://db.example.test/tokens.db", "sqlite:///tokens.db?mode=ro"]
)
def test_sqlite_url_with_host_or_query_rejected(url: str) -> None:
    with pytest.raises(ConfigError) as caught:
        sqlite_path(url)
    assert "invalid SQLite store URL" in str(caught.value)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (
            "postgresql://app:hunter2@db.example.test:5432/app",
            "postgresql://app:***@db.example.test:5432/app",
        ),
        (
            "redis://:hunter2@cache.example.test:6379/0",
            "redis://:***@cache.example.test:6379/0",
        ),
        (
            "postgresql://db.example.test/app?user=app&password=hunter2",
            "postgresql://db.example.test/app?user=app&password=***",
        ),
        ("redis://cache.example.test:6379/0", "redis://cache.example.test:6379/0"),
        ("postgresql://app@[::1]:5432/app", "postgresql://app@[::1]:5432/app"),
    ],
)
def test_redact_url(url: str, expected: str) -> None:
    assert redact_url(url) == expected


@pytest.mark.parametrize(
    ("url", "fragment"),
    [
        ("postgresql://127.0.0.1/test?schema=Bad-Name", "invalid schema name"),
        ("redis://127.0.0.1:6379/0?prefix=has space", "invalid key prefix"),
    ],
)
def test_invalid_isolation_names_rejected(url: str, fragment: str) -> None:
    with pytest.raises(ConfigError) as caught:
        open_store(url, keys=KeyRing([KeyRing.generate()]))
    assert fragment in str(caught.value)
