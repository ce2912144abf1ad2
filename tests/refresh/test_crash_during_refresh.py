"""A worker dies at each step of a refresh; the grant must survive every time.

Each round expires the stored access token, starts a worker process that
refreshes it and dies at one step, then starts a fresh worker that must call
``myself`` successfully. The sandbox must not have revoked anything: a
refresh token sent again after the reuse window would revoke the whole token
family. Ten rounds per step, each on the tokens the previous round left.

Where the workers die, with the least intrusive hook for each step:

- ``lease-taken``: a store wrapper whose ``get`` calls ``os._exit`` when it
  is called inside the lease, which is the session's re-read just before it
  decides to send. Nothing was sent; the fresh worker refreshes with RT1.
- ``server-rotated``: the sandbox delays the token response by seconds after
  rotating (``token_response_delays``); the test sends SIGKILL as soon as the
  sandbox has rotated. The store still contains RT1, which the server has
  rotated; the fresh worker sends RT1 again inside the reuse window.
- ``before-write``: the store wrapper's ``put`` calls ``os._exit`` instead
  of writing the new tokens. Same state as ``server-rotated``, reached after
  the response was read.
- ``after-write``: a plugin's ``connauth_tokens_refreshed`` hook calls
  ``os._exit``, after the write and before the lease is released. The fresh
  worker finds valid tokens and sends no refresh request.
- ``random``: SIGKILL at a random moment from 0 to 30 ms after the sandbox
  counted the refresh request, which lands in the token response, the store
  write or the API call. The seed is fixed per round.

``lease-taken`` and ``after-write`` run against a server without a reuse
window (each refresh token is accepted once), so they also prove that no
refresh token is sent twice. The steps after the server rotated run with
Atlassian Cloud's window of 600 s, because only that window can save them;
the fresh worker starts within seconds.

Every test runs on each store backend: SQLite, PostgreSQL and Redis. The
dying workers' leases last 0.5 s instead of 30 s, so that the fresh
worker does not sit out the default lifetime of a dead worker's lease.

NOTE: a host whose workers all stay down for longer than the reuse window
after a death at ``server-rotated`` or ``before-write`` loses the grant,
because the server accepts only the token that died with the worker. Jira
Data Center has no reuse window, so the same deaths lose a Data Center grant
at once; ``test_death_before_write_without_reuse_window`` shows the outcome.
"""

from __future__ import annotations

import multiprocessing
import random
import signal
import time
from collections.abc import Callable
from collections.abc import Iterator
from contextlib import contextmanager
from multiprocessing.context import SpawnProcess
from pathlib import Path

import pytest

from connauth import ReauthorizationRequired
from connauth import RecordStatus
from connauth_sandbox import SandboxSettings

from ._workers import KILLED_EXIT
from ._workers import Step
from ._workers import call_myself
from ._workers import refresh_and_die
from ._world import MYSELF
from ._world import RefreshWorld
from ._world import refresh_world

ROUNDS = 10
RESPONSE_HOLD = 5.0
"""Seconds the sandbox delays the token response in the ``server-rotated`` step."""
RANDOM_KILL_WINDOW = 0.03
DEADLINE = 30.0
"""Seconds a worker or a polled condition gets before the round fails."""

SIGKILLED = -signal.SIGKILL

context = multiprocessing.get_context("spawn")


@contextmanager
def logged_in_world(
    tmp_path: Path, store_url: str, *, reuse_window: float
) -> Iterator[RefreshWorld]:
    settings = SandboxSettings(cloud_refresh_reuse_window=reuse_window)
    with refresh_world(tmp_path, settings=settings, store_url=store_url) as running:
        running.login()
        yield running


@pytest.fixture
def world(tmp_path: Path, store_url: str) -> Iterator[RefreshWorld]:
    """A world with Atlassian Cloud's reuse window of 10 minutes."""
    with logged_in_world(tmp_path, store_url, reuse_window=600) as running:
        yield running


@pytest.fixture
def strict_world(tmp_path: Path, store_url: str) -> Iterator[RefreshWorld]:
    """A world whose server accepts each refresh token once, so that any
    second use of a refresh token revokes the grant."""
    with logged_in_world(tmp_path, store_url, reuse_window=0) as running:
        yield running


def start_dying_worker(world: RefreshWorld, step: Step) -> SpawnProcess:
    worker = context.Process(target=refresh_and_die, args=(world.spec, step))
    worker.start()
    return worker


def wait_for(condition: Callable[[], bool], description: str) -> None:
    deadline = time.monotonic() + DEADLINE
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {DEADLINE:g} s waiting for {description}")
        time.sleep(0.001)


def kill(worker: SpawnProcess) -> None:
    worker.kill()
    worker.join(timeout=DEADLINE)


def die_at_hook(world: RefreshWorld, step: Step) -> None:
    worker = start_dying_worker(world, step)
    worker.join(timeout=DEADLINE)
    assert worker.exitcode == KILLED_EXIT, f"worker did not die at {step}"


def die_after_rotation(world: RefreshWorld) -> None:
    issued = len(world.refresh_tokens_issued())
    world.sandbox.settings.token_response_delays.append(RESPONSE_HOLD)
    worker = start_dying_worker(world, Step.SERVER_ROTATED)
    # The sandbox takes the delay off the queue once it has rotated.
    wait_for(
        lambda: not world.sandbox.settings.token_response_delays,
        "the sandbox to rotate the refresh token",
    )
    kill(worker)
    assert worker.exitcode == SIGKILLED
    assert len(world.refresh_tokens_issued()) == issued + 1


def die_at_random(world: RefreshWorld, seed: int) -> None:
    sent = world.refresh_calls()
    worker = start_dying_worker(world, Step.RANDOM)
    wait_for(lambda: world.refresh_calls() > sent, "the refresh request")
    time.sleep(random.Random(seed).uniform(0, RANDOM_KILL_WINDOW))
    kill(worker)
    # A worker that was faster than the kill finished normally.
    assert worker.exitcode in (SIGKILLED, 0)


def call_from_fresh_worker(world: RefreshWorld) -> int:
    results = context.Queue()
    worker = context.Process(target=call_myself, args=(world.spec, None, results))
    worker.start()
    status, _ = results.get(timeout=DEADLINE)
    worker.join(timeout=DEADLINE)
    assert worker.exitcode == 0
    return int(status)


def assert_grant_alive(world: RefreshWorld) -> None:
    assert world.revoked() == []
    assert world.stored().status is RecordStatus.ACTIVE
    assert world.stored_refresh_token() == world.newest_refresh_token()


def test_death_before_sending_keeps_grant(strict_world: RefreshWorld) -> None:
    world = strict_world
    for _ in range(ROUNDS):
        world.expire_stored_access_token()
        rt1 = world.stored_refresh_token()
        calls = world.refresh_calls()

        die_at_hook(world, Step.LEASE_TAKEN)
        assert world.refresh_calls() == calls
        assert world.stored_refresh_token() == rt1

        assert call_from_fresh_worker(world) == 200
        assert world.refresh_calls() == calls + 1
        assert_grant_alive(world)


def test_death_before_write_keeps_grant(world: RefreshWorld) -> None:
    for _ in range(ROUNDS):
        world.expire_stored_access_token()
        rt1 = world.stored_refresh_token()
        calls = world.refresh_calls()

        die_at_hook(world, Step.BEFORE_WRITE)
        assert world.refresh_calls() == calls + 1
        assert world.stored_refresh_token() == rt1

        assert call_from_fresh_worker(world) == 200
        assert world.refresh_calls() == calls + 2
        assert_grant_alive(world)


def test_death_before_write_without_reuse_window(strict_world: RefreshWorld) -> None:
    """Without a reuse window the rotated token died with the worker: the
    stored one is rejected and the connector is flagged, not retried."""
    world = strict_world
    world.expire_stored_access_token()
    die_at_hook(world, Step.BEFORE_WRITE)

    app, connector = world.host()
    with pytest.raises(ReauthorizationRequired), app.client(connector) as client:
        client.get(MYSELF)

    assert world.refresh_calls() == 2
    assert world.stored().status is RecordStatus.REAUTHORIZATION_REQUIRED
    assert world.revoked() != []


def test_death_after_rotation_keeps_grant(world: RefreshWorld) -> None:
    for _ in range(ROUNDS):
        world.expire_stored_access_token()
        rt1 = world.stored_refresh_token()
        calls = world.refresh_calls()

        die_after_rotation(world)
        assert world.refresh_calls() == calls + 1
        assert world.stored_refresh_token() == rt1

        assert call_from_fresh_worker(world) == 200
        assert world.refresh_calls() == calls + 2
        assert_grant_alive(world)


def test_death_after_write_keeps_grant(strict_world: RefreshWorld) -> None:
    world = strict_world
    for _ in range(ROUNDS):
        world.expire_stored_access_token()
        rt1 = world.stored_refresh_token()
        calls = world.refresh_calls()

        die_at_hook(world, Step.AFTER_WRITE)
        assert world.refresh_calls() == calls + 1
        assert world.stored_refresh_token() != rt1

        assert call_from_fresh_worker(world) == 200
        assert world.refresh_calls() == calls + 1
        assert_grant_alive(world)


def test_death_at_random_moment_keeps_grant(world: RefreshWorld) -> None:
    for seed in range(ROUNDS):
        world.expire_stored_access_token()

        die_at_random(world, seed)

        assert call_from_fresh_worker(world) == 200
        assert_grant_alive(world)
