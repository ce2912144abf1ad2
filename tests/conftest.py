"""Fixtures shared by every test folder."""

from __future__ import annotations

from pathlib import Path

import pytest

from connauth import KeyRing
from connauth import SqliteTokenStore


@pytest.fixture
def store(tmp_path: Path) -> SqliteTokenStore:
    """A fresh encrypted store with its own random key."""
    return SqliteTokenStore(
        tmp_path / "tokens.sqlite3", keys=KeyRing([KeyRing.generate()])
    )


@pytest.fixture(autouse=True)
def _isolated_home(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Keep every test away from the real per-user store and key."""
    monkeypatch.setenv("CONNAUTH_HOME", str(tmp_path_factory.mktemp("connauth-home")))
    monkeypatch.delenv("CONNAUTH_STORE_KEY", raising=False)
    monkeypatch.delenv("CONNAUTH_PLUGINS", raising=False)
    monkeypatch.delenv("CONNAUTH_BLOCK_PLUGINS", raising=False)
