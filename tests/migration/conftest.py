"""Fixtures of the migration tests: one sandbox Jira per module, a store per test."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from connauth import Connauth
from connauth import KeyRing
from connauth import SqliteTokenStore
from connauth_sandbox import SandboxServer

from .migration_support import Jira
from .migration_support import build_jira
from .migration_support import make_connauth
from .migration_support import open_store


@pytest.fixture(scope="module")
def jira() -> Iterator[Jira]:
    sandbox, finish = build_jira()
    with SandboxServer(sandbox) as server:
        yield finish(server)


@pytest.fixture
def store_key() -> bytes:
    return KeyRing.generate()


@pytest.fixture
def store_path(tmp_path: Path) -> Path:
    return tmp_path / "tokens.sqlite3"


@pytest.fixture
def real_store(store_path: Path, store_key: bytes) -> Iterator[SqliteTokenStore]:
    store = open_store(store_path, store_key)
    yield store
    store.close()


@pytest.fixture
def connauth(jira: Jira, real_store: SqliteTokenStore) -> Connauth:
    return make_connauth(jira, real_store)
