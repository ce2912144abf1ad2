"""The AsyncTokenStore contract on every backend: AsyncPostgresTokenStore,
AsyncRedisTokenStore, and the thread adapter over the SQLite store."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from collections.abc import Callable
from datetime import UTC
from datetime import datetime
from datetime import timedelta

import pytest

from connauth import KeyRing
from connauth import RecordTampered
from connauth import StoreConflict
from connauth._store import AsyncTokenStore
from connauth._store import LeaseTimeout
from connauth._store_backends import AsyncTokenStoreAdapter
from connauth_store_postgres import AsyncPostgresTokenStore
from connauth_store_redis import AsyncRedisTokenStore

from ._support import ACCESS_TOKEN
from ._support import VERIFIER
from ._support import Backend
from ._support import make_pending
from ._support import make_record

Scenario = Callable[[AsyncTokenStore], Awaitable[None]]

EXPECTED_TYPES = {
    "sqlite": AsyncTokenStoreAdapter,
    "postgresql": AsyncPostgresTokenStore,
    "redis": AsyncRedisTokenStore,
}


def run(backend: Backend, keys: list[bytes], scenario: Scenario) -> None:
    """Open the async store with ``keys``, run ``scenario`` on it and close it,
    in one event loop."""

    async def main() -> None:
        store = await backend.open_async(KeyRing(keys))
        try:
            await scenario(store)
        finally:
            await store.close()

    asyncio.run(main())


def test_async_store_type(backend: Backend, key: bytes) -> None:
    async def scenario(store: AsyncTokenStore) -> None:
        assert isinstance(store, EXPECTED_TYPES[backend.name])

    run(backend, [key], scenario)


def test_async_round_trip_and_conflict(backend: Backend, key: bytes) -> None:
    async def scenario(store: AsyncTokenStore) -> None:
        written = await store.put(make_record(), expected_version=0)
        assert await store.get("acme") == written
        assert await store.get("nobody") is None
        with pytest.raises(StoreConflict):
            await store.put(make_record(), expected_version=0)
        updated = await store.put(make_record(access="AT2"), expected_version=1)
        assert updated.version == 2
        with pytest.raises(StoreConflict) as caught:
            await store.put(make_record(access="AT3"), expected_version=1)
        assert "version 2, not 1" in str(caught.value)

    run(backend, [key], scenario)


def test_async_list_and_delete(backend: Backend, key: bytes) -> None:
    async def scenario(store: AsyncTokenStore) -> None:
        for connector_id in ("b", "a", "c"):
            await store.put(make_record(connector_id), expected_version=0)
        assert [r.connector_id for r in await store.list()] == ["a", "b", "c"]
        assert await store.delete("b")
        assert not await store.delete("b")
        assert [r.connector_id for r in await store.list()] == ["a", "c"]

    run(backend, [key], scenario)


def test_async_pending_single_use(backend: Backend, key: bytes) -> None:
    async def scenario(store: AsyncTokenStore) -> None:
        now = datetime.now(UTC)
        await store.put_pending("state-1", make_pending(now + timedelta(minutes=10)))
        await store.put_pending("state-2", make_pending(now + timedelta(minutes=10)))
        taken = await store.take_pending("state-1", now=now)
        assert taken is not None
        assert taken.values["code_verifier"].get_secret_value() == VERIFIER
        assert await store.take_pending("state-1", now=now) is None
        assert await store.take_pending("forged", now=now) is None
        late = now + timedelta(minutes=11)
        assert await store.take_pending("state-2", now=late) is None

    run(backend, [key], scenario)


def test_async_lease_excludes_tasks(backend: Backend, key: bytes) -> None:
    inside = 0
    highest = 0

    async def worker(store: AsyncTokenStore) -> None:
        nonlocal inside, highest
        async with store.lease("acme", wait=30):
            inside += 1
            highest = max(highest, inside)
            await asyncio.sleep(0.01)
            inside -= 1

    async def scenario(store: AsyncTokenStore) -> None:
        await asyncio.gather(*(worker(store) for _ in range(8)))

    run(backend, [key], scenario)
    assert highest == 1


def test_async_lease_times_out(backend: Backend, key: bytes) -> None:
    async def scenario(store: AsyncTokenStore) -> None:
        async with store.lease("acme"):
            with pytest.raises(LeaseTimeout):
                async with store.lease("acme", wait=0.1):
                    pass
        async with store.lease("acme", wait=0):
            pass

    run(backend, [key], scenario)


def test_async_due_for_refresh(backend: Backend, key: bytes) -> None:
    async def scenario(store: AsyncTokenStore) -> None:
        now = datetime.now(UTC)
        for connector_id, minutes in (("late", 50), ("soon", 2), ("sooner", 1)):
            record = make_record(connector_id, expires_in=timedelta(minutes=minutes))
            await store.put(record, expected_version=0)
        before = now + timedelta(minutes=5)
        assert await store.due_for_refresh(before) == ["sooner", "soon"]
        assert await store.due_for_refresh(before, limit=1) == ["sooner"]

    run(backend, [key], scenario)


def test_async_rekey_and_wrong_key(backend: Backend, key: bytes) -> None:
    new = KeyRing.generate()

    async def write(store: AsyncTokenStore) -> None:
        for connector_id in ("a", "b"):
            await store.put(make_record(connector_id), expected_version=0)

    async def rekey(store: AsyncTokenStore) -> None:
        assert await store.rekey() == 2

    async def read_with_new_key(store: AsyncTokenStore) -> None:
        assert [r.connector_id for r in await store.list()] == ["a", "b"]

    async def read_with_old_key(store: AsyncTokenStore) -> None:
        with pytest.raises(RecordTampered):
            await store.get("a")

    run(backend, [key], write)
    run(backend, [new, key], rekey)
    run(backend, [new], read_with_new_key)
    run(backend, [key], read_with_old_key)


def test_sync_and_async_share_records(backend: Backend, key: bytes) -> None:
    sync_store = backend.open(KeyRing([key]))
    written = sync_store.put(make_record(), expected_version=0)

    async def scenario(store: AsyncTokenStore) -> None:
        read = await store.get("acme")
        assert read == written
        assert read is not None
        assert read.tokens is not None
        assert read.tokens.access_token.get_secret_value() == ACCESS_TOKEN
        await store.put(make_record(access="from-async"), expected_version=1)

    run(backend, [key], scenario)
    again = sync_store.get("acme")
    sync_store.close()
    assert again is not None
    assert again.version == 2
