"""The SQLite store's ``expires_at`` column on a database created before the
column existed: added on open, filled in from the sealed tokens."""

from __future__ import annotations

import sqlite3
from dataclasses import replace
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from pathlib import Path

import pytest

from connauth import KeyRing
from connauth import RecordTampered
from connauth import SqliteTokenStore
from connauth._codec import RecordCodec

from ._support import make_record

# The schema of the credentials table before expires_at was added.
LEGACY_SCHEMA = """
CREATE TABLE credentials (
    connector_id TEXT PRIMARY KEY,
    method TEXT NOT NULL,
    site_url TEXT NOT NULL,
    status TEXT NOT NULL,
    version INTEGER NOT NULL,
    updated_at TEXT NOT NULL,
    sealed BLOB NOT NULL
);
"""


def write_legacy_database(path: Path, keys: KeyRing) -> None:
    """Write one record the way the store did before ``expires_at`` existed."""
    stored = replace(make_record(expires_in=timedelta(minutes=2)), version=1)
    sealed = RecordCodec(keys).seal(stored)
    with sqlite3.connect(path) as db:
        db.executescript(LEGACY_SCHEMA)
        db.execute(
            "INSERT INTO credentials VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                stored.connector_id,
                stored.method,
                stored.site_url,
                stored.status.value,
                stored.version,
                stored.updated_at.isoformat(),
                sealed,
            ),
        )
    db.close()


def test_legacy_rows_filled_on_open(tmp_path: Path) -> None:
    keys = KeyRing([KeyRing.generate()])
    path = tmp_path / "tokens.sqlite3"
    write_legacy_database(path, keys)

    store = SqliteTokenStore(path, keys=keys)
    with sqlite3.connect(path) as db:
        (expiry,) = db.execute("SELECT expires_at FROM credentials").fetchone()
    db.close()
    assert expiry > 0
    assert store.due_for_refresh(datetime.now(UTC) + timedelta(minutes=5)) == ["acme"]
    read = store.get("acme")
    assert read is not None
    assert read.version == 1


def test_legacy_rows_wait_for_right_key(tmp_path: Path) -> None:
    keys = KeyRing([KeyRing.generate()])
    path = tmp_path / "tokens.sqlite3"
    write_legacy_database(path, keys)

    # A store opened with the wrong key cannot fill the column in...
    wrong = SqliteTokenStore(path, keys=KeyRing([KeyRing.generate()]))
    with pytest.raises(RecordTampered):
        wrong.get("acme")
    assert wrong.due_for_refresh(datetime.now(UTC) + timedelta(hours=1)) == []
    wrong.close()

    # ...and the right key still reads the record and fills it in.
    right = SqliteTokenStore(path, keys=keys)
    assert right.get("acme") is not None
    assert right.due_for_refresh(datetime.now(UTC) + timedelta(minutes=5)) == ["acme"]
