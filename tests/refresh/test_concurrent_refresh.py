"""One expired access token, many callers at once: exactly one refresh request.

The store contains an expired access token with refresh token RT1. The
sandbox's token endpoint waits 200 ms before it handles each request, so the
callers' requests overlap. Whoever takes the lease first refreshes. Everyone
else waits for the lease, re-reads the store, finds the new tokens and sends
no refresh request.
The refresh requests are counted by the sandbox, and every API call must
succeed with the one new access token. Every test runs on each store backend:
SQLite, PostgreSQL and Redis.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from connauth import RecordStatus
from connauth_sandbox import SandboxSettings

from ._workers import call_myself
from ._world import MYSELF
from ._world import RefreshWorld
from ._world import refresh_world

THREADS = 20
TASKS = 50
PROCESSES = 4
LATENCY = 0.2


@pytest.fixture
def world(tmp_path: Path, store_url: str) -> Iterator[RefreshWorld]:
    settings = SandboxSettings(token_endpoint_latency=LATENCY)
    with refresh_world(tmp_path, settings=settings, store_url=store_url) as running:
        running.login()
        running.expire_stored_access_token()
        yield running


def assert_one_refresh(world: RefreshWorld, rt1: str, sent: list[str]) -> None:
    """Check the sandbox got one refresh request and every call used its result."""
    assert world.refresh_calls() == 1
    assert world.stored_refresh_token() != rt1
    assert world.stored_refresh_token() == world.newest_refresh_token()
    assert set(sent) == {f"Bearer {world.stored_access_token()}"}
    assert world.stored().status is RecordStatus.ACTIVE
    assert world.revoked() == []


def test_threads_share_one_refresh(world: RefreshWorld) -> None:
    rt1 = world.stored_refresh_token()
    app, connector = world.host()
    sent: list[str] = []
    start = threading.Barrier(THREADS)

    def record(request: httpx.Request) -> None:
        sent.append(request.headers["Authorization"])

    def call(_: int) -> int:
        start.wait(timeout=30)
        with app.client(connector, event_hooks={"request": [record]}) as client:
            return client.get(MYSELF).status_code

    with ThreadPoolExecutor(THREADS) as pool:
        statuses = list(pool.map(call, range(THREADS)))

    assert statuses == [200] * THREADS
    assert len(sent) == THREADS
    assert_one_refresh(world, rt1, sent)


def test_tasks_share_one_refresh(world: RefreshWorld) -> None:
    rt1 = world.stored_refresh_token()
    app, connector = world.host()
    sent: list[str] = []

    async def record(request: httpx.Request) -> None:
        sent.append(request.headers["Authorization"])

    async def call_all() -> list[int]:
        hooks = {"request": [record]}
        async with app.async_client(connector, event_hooks=hooks) as client:
            calls = [client.get(MYSELF) for _ in range(TASKS)]
            responses = await asyncio.gather(*calls)
        return [response.status_code for response in responses]

    statuses = asyncio.run(call_all())

    assert statuses == [200] * TASKS
    assert len(sent) == TASKS
    assert_one_refresh(world, rt1, sent)


def test_processes_share_one_refresh(world: RefreshWorld) -> None:
    rt1 = world.stored_refresh_token()
    context = multiprocessing.get_context("spawn")
    start = context.Barrier(PROCESSES)
    results = context.Queue()
    workers = [
        context.Process(target=call_myself, args=(world.spec, start, results))
        for _ in range(PROCESSES)
    ]
    for worker in workers:
        worker.start()
    reports = [results.get(timeout=60) for _ in workers]
    for worker in workers:
        worker.join(timeout=30)

    assert [worker.exitcode for worker in workers] == [0] * PROCESSES
    assert [status for status, _ in reports] == [200] * PROCESSES
    assert_one_refresh(world, rt1, [header for _, header in reports])
