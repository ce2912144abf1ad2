"""The TokenStore contract, run against SQLite, PostgreSQL and Redis: records,
compare-and-swap, sealing and tampering, keys, pending logins and the refresh
scan. Leases are in test_store_leases.py."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC
from datetime import datetime
from datetime import timedelta

import pytest

from connauth import KeyRing
from connauth import RecordStatus
from connauth import RecordTampered
from connauth import StoreConflict
from connauth import TokenStore
from connauth._store import PendingLimitReached
from connauth._store import VersionConflict

from ._support import ACCESS_TOKEN
from ._support import REFRESH_TOKEN
from ._support import VERIFIER
from ._support import Backend
from ._support import make_pending
from ._support import make_record

# -- records -------------------------------------------------------------------


def test_round_trip_keeps_secrets(store: TokenStore) -> None:
    written = store.put(make_record(), expected_version=0)
    read = store.get("acme")
    assert read == written
    assert read is not None
    assert read.version == 1
    assert read.tokens is not None
    assert read.tokens.access_token.get_secret_value() == ACCESS_TOKEN
    assert read.tokens.refresh_token is not None
    assert read.tokens.refresh_token.get_secret_value() == REFRESH_TOKEN
    assert read.data == {"cloud_id": "1234"}


def test_get_unknown_is_none(store: TokenStore) -> None:
    assert store.get("nobody") is None


def test_secrets_absent_from_stored_bytes(backend: Backend, store: TokenStore) -> None:
    store.put(make_record(), expected_version=0)
    store.put_pending("state-1", make_pending(datetime.now(UTC) + timedelta(minutes=5)))
    raw = backend.raw_bytes()
    assert b"acme.example.test" in raw  # the clear columns are there
    assert ACCESS_TOKEN.encode() not in raw
    assert REFRESH_TOKEN.encode() not in raw
    assert VERIFIER.encode() not in raw
    assert b"state-1" not in raw


def test_repr_shows_no_secret(store: TokenStore) -> None:
    record = store.put(make_record(), expected_version=0)
    assert ACCESS_TOKEN not in repr(record)
    assert ACCESS_TOKEN not in repr(store)


def test_stale_write_conflicts(store: TokenStore) -> None:
    first = store.put(make_record(), expected_version=0)
    store.put(make_record(access="AT2"), expected_version=first.version)
    with pytest.raises(VersionConflict) as caught:
        store.put(make_record(access="AT3"), expected_version=first.version)
    assert caught.value.current == 2
    assert "version 2, not 1" in str(caught.value)
    current = store.get("acme")
    assert current is not None
    assert current.tokens is not None
    assert current.tokens.access_token.get_secret_value() == "AT2"


def test_create_requires_version_zero(store: TokenStore) -> None:
    store.put(make_record(), expected_version=0)
    with pytest.raises(StoreConflict):
        store.put(make_record(access="other"), expected_version=0)
    kept = store.get("acme")
    assert kept is not None
    assert kept.tokens is not None
    assert kept.tokens.access_token.get_secret_value() == ACCESS_TOKEN


def test_update_of_missing_record_conflicts(store: TokenStore) -> None:
    with pytest.raises(StoreConflict) as caught:
        store.put(make_record(), expected_version=3)
    assert "version 0, not 3" in str(caught.value)
    assert store.get("acme") is None


def test_list_orders_by_id_and_delete(store: TokenStore) -> None:
    for connector_id in ("b", "a", "B", "a-2"):
        store.put(make_record(connector_id), expected_version=0)
    assert [record.connector_id for record in store.list()] == ["B", "a", "a-2", "b"]
    assert store.delete("a")
    assert not store.delete("a")
    assert store.get("a") is None
    assert [record.connector_id for record in store.list()] == ["B", "a-2", "b"]


def test_deleted_record_can_be_created_again(store: TokenStore) -> None:
    store.put(make_record(), expected_version=0)
    store.delete("acme")
    again = store.put(make_record(), expected_version=0)
    assert again.version == 1


# -- tampering and keys ------------------------------------------------------------


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("method", "basic"),
        ("site_url", "https://evil.example.test"),
        ("status", "reauthorization_required"),
        ("version", "7"),
    ],
)
def test_edited_column_detected(
    backend: Backend, store: TokenStore, column: str, value: str
) -> None:
    store.put(make_record(), expected_version=0)
    backend.edit_column("acme", column, value)
    with pytest.raises(RecordTampered) as caught:
        store.get("acme")
    assert "acme" in str(caught.value)


def test_edited_expiry_detected(backend: Backend, store: TokenStore) -> None:
    store.put(make_record(), expected_version=0)
    backend.shift_expiry("acme")
    with pytest.raises(RecordTampered):
        store.get("acme")


def test_swapped_records_detected(backend: Backend, store: TokenStore) -> None:
    store.put(make_record("a", access="AT-a"), expected_version=0)
    store.put(make_record("b", access="AT-b"), expected_version=0)
    backend.copy_sealed("a", "b")
    with pytest.raises(RecordTampered):
        store.get("b")


def test_wrong_key_cannot_open(backend: Backend, store: TokenStore) -> None:
    store.put(make_record(), expected_version=0)
    other = backend.open(KeyRing([KeyRing.generate()]))
    try:
        with pytest.raises(RecordTampered) as caught:
            other.get("acme")
    finally:
        other.close()
    assert "could not be authenticated" in str(caught.value)


def test_rotated_key_reads_and_reseals(backend: Backend, key: bytes) -> None:
    old_only = backend.open(KeyRing([key]))
    old_only.put(make_record(), expected_version=0)
    old_only.close()
    new = KeyRing.generate()

    rotated = backend.open(KeyRing([new, key]))
    read = rotated.get("acme")
    rotated.close()
    assert read is not None

    # The read sealed the record again with the new key, so the old key is
    # no longer needed; the version did not change.
    new_only = backend.open(KeyRing([new]))
    resealed = new_only.get("acme")
    new_only.close()
    assert resealed is not None
    assert resealed.version == 1


def test_rekey_reseals_every_record(backend: Backend, key: bytes) -> None:
    old_only = backend.open(KeyRing([key]))
    for connector_id in ("a", "b", "c"):
        old_only.put(make_record(connector_id), expected_version=0)
    old_only.close()
    new = KeyRing.generate()

    rotated = backend.open(KeyRing([new, key]))
    assert rotated.rekey() == 3
    rotated.close()

    new_only = backend.open(KeyRing([new]))
    ids = [record.connector_id for record in new_only.list()]
    new_only.close()
    assert ids == ["a", "b", "c"]


# -- pending logins ------------------------------------------------------------


def test_pending_taken_once(store: TokenStore) -> None:
    now = datetime.now(UTC)
    store.put_pending("state-1", make_pending(now + timedelta(minutes=10)))
    taken = store.take_pending("state-1", now=now)
    assert taken is not None
    assert taken.connector_id == "acme"
    assert taken.values["code_verifier"].get_secret_value() == VERIFIER
    assert store.take_pending("state-1", now=now) is None


def test_pending_expired_is_gone(store: TokenStore) -> None:
    now = datetime.now(UTC)
    store.put_pending("state-1", make_pending(now + timedelta(minutes=10)))
    assert store.take_pending("state-1", now=now + timedelta(minutes=11)) is None
    assert store.take_pending("state-1", now=now) is None


def test_pending_unknown_state(store: TokenStore) -> None:
    now = datetime.now(UTC)
    store.put_pending("state-1", make_pending(now + timedelta(minutes=10)))
    assert store.take_pending("forged", now=now) is None
    assert store.take_pending("state-1", now=now) is not None


def test_pending_bounded(backend: Backend, key: bytes) -> None:
    bounded = backend.open_bounded(KeyRing([key]), max_pending=3)
    expires_at = datetime.now(UTC) + timedelta(minutes=10)
    try:
        for number in range(3):
            bounded.put_pending(f"state-{number}", make_pending(expires_at))
        with pytest.raises(PendingLimitReached) as caught:
            bounded.put_pending("state-3", make_pending(expires_at))
        assert "3 logins are pending" in str(caught.value)

        # Taking one frees a place.
        assert bounded.take_pending("state-0", now=datetime.now(UTC)) is not None
        bounded.put_pending("state-3", make_pending(expires_at))
    finally:
        bounded.close()


# -- refresh scan ----------------------------------------------------------------


def test_due_for_refresh_soonest_first(store: TokenStore) -> None:
    now = datetime.now(UTC)
    for connector_id, minutes in (("late", 50), ("soon", 2), ("sooner", 1)):
        record = make_record(connector_id, expires_in=timedelta(minutes=minutes))
        store.put(record, expected_version=0)
    assert store.due_for_refresh(now + timedelta(minutes=5)) == ["sooner", "soon"]
    assert store.due_for_refresh(now + timedelta(minutes=5), limit=1) == ["sooner"]
    assert store.due_for_refresh(now) == []


def test_due_for_refresh_skips_flagged_and_tokenless(store: TokenStore) -> None:
    now = datetime.now(UTC)
    soon = timedelta(minutes=1)
    flagged = store.put(make_record("flagged", expires_in=soon), expected_version=0)
    store.put(
        replace(flagged, status=RecordStatus.REAUTHORIZATION_REQUIRED),
        expected_version=1,
    )
    no_tokens = replace(make_record("no-tokens"), tokens=None)
    store.put(no_tokens, expected_version=0)
    store.put(make_record("due", expires_in=soon), expected_version=0)
    assert store.due_for_refresh(now + timedelta(minutes=5)) == ["due"]


def test_due_for_refresh_skips_core_state(store: TokenStore) -> None:
    now = datetime.now(UTC)
    soon = timedelta(minutes=1)
    store.put(make_record("connauth:staged:acme", expires_in=soon), expected_version=0)
    store.put(make_record("acme", expires_in=soon), expected_version=0)
    assert store.due_for_refresh(now + timedelta(minutes=5)) == ["acme"]


def test_due_for_refresh_follows_updates(store: TokenStore) -> None:
    now = datetime.now(UTC)
    first = store.put(make_record(expires_in=timedelta(minutes=1)), expected_version=0)
    assert store.due_for_refresh(now + timedelta(minutes=5)) == ["acme"]
    store.put(
        make_record(expires_in=timedelta(hours=1)), expected_version=first.version
    )
    assert store.due_for_refresh(now + timedelta(minutes=5)) == []
    store.delete("acme")
    assert store.due_for_refresh(now + timedelta(hours=2)) == []
