"""Per-connector leases on every backend: one holder at a time across threads,
asyncio tasks and processes; a dead holder's lease lapses; waiting times out."""

from __future__ import annotations

import asyncio
import multiprocessing
import threading
import time
from pathlib import Path

import pytest

from connauth import KeyRing
from connauth import StoreError
from connauth import TokenStore
from connauth._store import LeaseTimeout

from ._support import Backend
from ._support import die_holding_lease
from ._support import hold_lease_and_log


class Occupancy:
    """Counts holders inside a critical section and keeps the highest count."""

    def __init__(self) -> None:
        self.inside = 0
        self.highest = 0
        self._lock = threading.Lock()

    def enter(self) -> None:
        with self._lock:
            self.inside += 1
            self.highest = max(self.highest, self.inside)

    def leave(self) -> None:
        with self._lock:
            self.inside -= 1


def test_lease_excludes_threads(store: TokenStore) -> None:
    occupancy = Occupancy()
    failures: list[BaseException] = []

    def worker() -> None:
        try:
            with store.lease("acme", wait=30):
                occupancy.enter()
                time.sleep(0.01)
                occupancy.leave()
        except BaseException as error:  # reported by the assert below
            failures.append(error)

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert occupancy.highest == 1


def test_lease_excludes_asyncio_tasks(store: TokenStore) -> None:
    occupancy = Occupancy()

    async def worker() -> None:
        async with store.lease_async("acme", wait=30):
            occupancy.enter()
            await asyncio.sleep(0.01)
            occupancy.leave()

    async def main() -> None:
        await asyncio.gather(*(worker() for _ in range(8)))

    asyncio.run(main())
    assert occupancy.highest == 1


def test_lease_excludes_processes(backend: Backend, key: bytes, tmp_path: Path) -> None:
    backend.open(KeyRing([key])).close()  # create the schema before the race
    log = tmp_path / "lease.log"
    context = multiprocessing.get_context("spawn")
    processes = [
        context.Process(target=hold_lease_and_log, args=(backend.url, key, str(log)))
        for _ in range(4)
    ]
    for process in processes:
        process.start()
    for process in processes:
        process.join(timeout=90)
        assert process.exitcode == 0
    events = log.read_text().splitlines()
    assert len(events) == 8
    for enter, leave in zip(events[::2], events[1::2], strict=True):
        assert enter.startswith("enter ")
        assert leave == enter.replace("enter", "leave")


def test_dead_holder_lease_lapses(backend: Backend, key: bytes) -> None:
    store = backend.open(KeyRing([key]))
    context = multiprocessing.get_context("spawn")
    holder = context.Process(target=die_holding_lease, args=(backend.url, key, 2.0))
    holder.start()
    holder.join(timeout=60)
    try:
        assert holder.exitcode == 0
        # The holder exited without releasing: the lease is still taken...
        with pytest.raises(LeaseTimeout), store.lease("acme", wait=0):
            pass
        # ...until its two-second ttl runs out.
        with store.lease("acme", wait=15):
            pass
    finally:
        store.close()


def test_lease_wait_times_out(backend: Backend, store: TokenStore, key: bytes) -> None:
    other = backend.open(KeyRing([key]))
    try:
        with (
            store.lease("acme"),
            pytest.raises(StoreError) as caught,
            other.lease("acme", wait=0.2),
        ):
            pass
    finally:
        other.close()
    assert isinstance(caught.value, LeaseTimeout)
    assert "timed out after 0.2 s" in str(caught.value)
    assert caught.value.connector_id == "acme"


def test_lease_released_on_error(store: TokenStore) -> None:
    with pytest.raises(RuntimeError), store.lease("acme"):
        raise RuntimeError("the refresh failed")
    with store.lease("acme", wait=0):
        pass


def test_leases_of_connectors_independent(store: TokenStore) -> None:
    with store.lease("a"), store.lease("b", wait=0):
        pass


def test_async_lease_wait_times_out(store: TokenStore) -> None:
    async def main() -> None:
        async with store.lease_async("acme"):
            with pytest.raises(LeaseTimeout):
                async with store.lease_async("acme", wait=0.1):
                    pass

    asyncio.run(main())
