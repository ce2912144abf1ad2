"""The encrypted SQLite store: records, compare-and-swap, keys, tampering,
pending logins and leases."""

from __future__ import annotations

import multiprocessing
import os
import sqlite3
import stat
import threading
import time
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from pathlib import Path

import pytest
from pydantic import SecretStr

from connauth import CredentialRecord
from connauth import KeyRing
from connauth import PendingAuthorization
from connauth import RecordTampered
from connauth import SqliteTokenStore
from connauth import StoreConflict
from connauth import StoreError
from connauth import StoreKeyError
from connauth import TokenSet

NOW = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)


def make_record(connector_id: str = "acme", access: str = "AT1") -> CredentialRecord:
    return CredentialRecord(
        connector_id=connector_id,
        method="oauth2",
        site_url="https://acme.example.test",
        api_base_url="https://api.example.test/ex/jira/1234",
        tokens=TokenSet(
            access_token=SecretStr(access),
            refresh_token=SecretStr("canary-refresh-token"),
            expires_at=NOW + timedelta(hours=1),
            scope=("read:jira-work", "offline_access"),
        ),
        updated_at=NOW,
        data={"cloud_id": "1234"},
    )


def test_round_trip_keeps_secrets(store: SqliteTokenStore) -> None:
    written = store.put(make_record(), expected_version=0)
    read = store.get("acme")
    assert read == written
    assert read is not None
    assert read.version == 1
    assert read.tokens is not None
    assert read.tokens.access_token.get_secret_value() == "AT1"
    assert read.tokens.refresh_token is not None
    assert read.tokens.refresh_token.get_secret_value() == "canary-refresh-token"
    assert read.data == {"cloud_id": "1234"}


def test_secrets_not_in_file_or_repr(store: SqliteTokenStore) -> None:
    record = store.put(make_record(access="canary-access-token"), expected_version=0)
    assert "canary-access-token" not in repr(record)
    store.close()
    raw = store.path.read_bytes()
    wal = store.path.with_name(store.path.name + "-wal")
    raw += wal.read_bytes() if wal.exists() else b""
    assert b"canary-access-token" not in raw
    assert b"canary-refresh-token" not in raw


def test_compare_and_swap_rejects_stale_write(store: SqliteTokenStore) -> None:
    first = store.put(make_record(), expected_version=0)
    store.put(make_record(access="AT2"), expected_version=first.version)
    with pytest.raises(StoreConflict) as caught:
        store.put(make_record(access="AT3"), expected_version=first.version)
    assert "version 2, not 1" in str(caught.value)
    current = store.get("acme")
    assert current is not None
    assert current.tokens is not None
    assert current.tokens.access_token.get_secret_value() == "AT2"


def test_create_requires_version_zero(store: SqliteTokenStore) -> None:
    store.put(make_record(), expected_version=0)
    with pytest.raises(StoreConflict):
        store.put(make_record(), expected_version=0)


def test_edited_column_detected(store: SqliteTokenStore) -> None:
    store.put(make_record(), expected_version=0)
    with sqlite3.connect(store.path) as db:
        db.execute(
            "UPDATE credentials SET method = 'basic' WHERE connector_id = 'acme'"
        )
    with pytest.raises(RecordTampered):
        store.get("acme")


def test_swapped_rows_detected(store: SqliteTokenStore) -> None:
    store.put(make_record("a", access="AT-a"), expected_version=0)
    store.put(make_record("b", access="AT-b"), expected_version=0)
    with sqlite3.connect(store.path) as db:
        (sealed_a,) = db.execute(
            "SELECT sealed FROM credentials WHERE connector_id='a'"
        ).fetchone()
        db.execute(
            "UPDATE credentials SET sealed = ? WHERE connector_id = 'b'", (sealed_a,)
        )
    with pytest.raises(RecordTampered):
        store.get("b")


def test_flipped_ciphertext_detected(store: SqliteTokenStore) -> None:
    store.put(make_record(), expected_version=0)
    with sqlite3.connect(store.path) as db:
        (sealed,) = db.execute("SELECT sealed FROM credentials").fetchone()
        broken = sealed[:-5] + (b"A" if sealed[-5:-4] != b"A" else b"B") + sealed[-4:]
        db.execute("UPDATE credentials SET sealed = ?", (broken,))
    with pytest.raises(RecordTampered):
        store.get("acme")


def test_wrong_key_cannot_open(tmp_path: Path) -> None:
    path = tmp_path / "t.db"
    SqliteTokenStore(path, keys=KeyRing([KeyRing.generate()])).put(
        make_record(), expected_version=0
    )
    other = SqliteTokenStore(path, keys=KeyRing([KeyRing.generate()]))
    with pytest.raises(RecordTampered):
        other.get("acme")


def test_rotated_key_reads_and_reseals(tmp_path: Path) -> None:
    path = tmp_path / "t.db"
    old, new = KeyRing.generate(), KeyRing.generate()
    SqliteTokenStore(path, keys=KeyRing([old])).put(make_record(), expected_version=0)

    rotated = SqliteTokenStore(path, keys=KeyRing([new, old]))
    assert rotated.get("acme") is not None

    new_only = SqliteTokenStore(path, keys=KeyRing([new]))
    record = new_only.get("acme")
    assert record is not None
    assert record.version == 1


def test_no_key_fails_closed() -> None:
    with pytest.raises(StoreKeyError):
        KeyRing([])
    with pytest.raises(StoreKeyError) as caught:
        KeyRing([b"not-a-fernet-key"])
    assert "keygen" in str(caught.value)


def test_key_file_created_private(tmp_path: Path) -> None:
    store = SqliteTokenStore(tmp_path / "home" / "t.db")
    key_file = tmp_path / "home" / "store.key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    store.put(make_record(), expected_version=0)
    again = SqliteTokenStore(tmp_path / "home" / "t.db")
    assert again.get("acme") is not None


def test_key_from_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    key = KeyRing.generate().decode()
    monkeypatch.setenv("CONNAUTH_STORE_KEY", key)
    SqliteTokenStore(tmp_path / "t.db").put(make_record(), expected_version=0)
    assert not (tmp_path / "store.key").exists()
    monkeypatch.setenv("CONNAUTH_STORE_KEY", KeyRing.generate().decode())
    with pytest.raises(RecordTampered):
        SqliteTokenStore(tmp_path / "t.db").get("acme")


def test_list_and_delete(store: SqliteTokenStore) -> None:
    store.put(make_record("b"), expected_version=0)
    store.put(make_record("a"), expected_version=0)
    assert [record.connector_id for record in store.list()] == ["a", "b"]
    assert store.delete("a")
    assert not store.delete("a")
    assert [record.connector_id for record in store.list()] == ["b"]


def pending(expires_at: datetime) -> PendingAuthorization:
    return PendingAuthorization(
        connector_id="acme",
        method="oauth2",
        callback_url="https://host.example.test/cb",
        expires_at=expires_at,
        values={"code_verifier": SecretStr("v" * 43)},
    )


def test_pending_taken_once(store: SqliteTokenStore) -> None:
    store.put_pending("state-1", pending(NOW + timedelta(minutes=10)))
    taken = store.take_pending("state-1", now=NOW)
    assert taken is not None
    assert taken.values["code_verifier"].get_secret_value() == "v" * 43
    assert store.take_pending("state-1", now=NOW) is None


def test_pending_expired_is_gone(store: SqliteTokenStore) -> None:
    store.put_pending("state-1", pending(NOW + timedelta(minutes=10)))
    assert store.take_pending("state-1", now=NOW + timedelta(minutes=11)) is None


def test_pending_unknown_state(store: SqliteTokenStore) -> None:
    assert store.take_pending("forged", now=NOW) is None


def test_lease_excludes_threads(store: SqliteTokenStore) -> None:
    inside = 0
    overlaps = 0
    lock = threading.Lock()

    def worker() -> None:
        nonlocal inside, overlaps
        with store.lease("acme", wait=10):
            with lock:
                inside += 1
                overlaps = max(overlaps, inside)
            time.sleep(0.01)
            with lock:
                inside -= 1

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert overlaps == 1


def test_lease_times_out(store: SqliteTokenStore) -> None:
    with store.lease("acme"):
        other = SqliteTokenStore(store.path, keys=store._codec.keys)
        with pytest.raises(StoreError) as caught, other.lease("acme", wait=0.2):
            pass
    assert "timed out" in str(caught.value)


def test_dead_holder_lease_lapses(store: SqliteTokenStore) -> None:
    with sqlite3.connect(store.path) as db:
        db.execute(
            "INSERT INTO leases VALUES ('acme', 'dead-worker', ?)", (time.time() + 0.2,)
        )
    started = time.monotonic()
    with store.lease("acme", wait=5):
        waited = time.monotonic() - started
    assert waited >= 0.15


def _hold_lease(path: str, key: bytes, log: str) -> None:
    store = SqliteTokenStore(path, keys=KeyRing([key]))
    with store.lease("acme", wait=30):
        with open(log, "a") as handle:
            handle.write(f"enter {os.getpid()}\n")
        time.sleep(0.05)
        with open(log, "a") as handle:
            handle.write(f"leave {os.getpid()}\n")


def test_lease_excludes_processes(tmp_path: Path) -> None:
    key = KeyRing.generate()
    path = tmp_path / "t.db"
    SqliteTokenStore(path, keys=KeyRing([key]))
    log = tmp_path / "log.txt"
    context = multiprocessing.get_context("spawn")
    processes = [
        context.Process(target=_hold_lease, args=(str(path), key, str(log)))
        for _ in range(4)
    ]
    for process in processes:
        process.start()
    for process in processes:
        process.join(timeout=60)
        assert process.exitcode == 0
    events = log.read_text().split("\n")[:-1]
    assert len(events) == 8
    for enter, leave in zip(events[::2], events[1::2], strict=True):
        assert enter.startswith("enter")
        assert leave == enter.replace("enter", "leave")


def test_rekey_reseals_every_record(tmp_path: Path) -> None:
    path = tmp_path / "t.db"
    old, new = KeyRing.generate(), KeyRing.generate()
    legacy = SqliteTokenStore(path, keys=KeyRing([old]))
    for name in ("a", "b", "c"):
        legacy.put(make_record(name), expected_version=0)

    assert SqliteTokenStore(path, keys=KeyRing([new, old])).rekey() == 3

    new_only = SqliteTokenStore(path, keys=KeyRing([new]))
    assert [record.connector_id for record in new_only.list()] == ["a", "b", "c"]
