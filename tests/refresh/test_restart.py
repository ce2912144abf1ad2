"""A restarted host sends the rotated refresh token, never the one before it.

A worker process refreshes RT1 to RT2 and exits. The next process finds the
access token expired again and must send RT2. The sandbox accepts each
refresh token once (no reuse window), so a resent RT1 would fail and revoke
the whole token family, which the last assertions would catch.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Iterator
from pathlib import Path

import pytest

from connauth import RecordStatus
from connauth_sandbox import SandboxSettings
from connauth_sandbox import TokenKind

from ._workers import call_myself
from ._world import RefreshWorld
from ._world import refresh_world

context = multiprocessing.get_context("spawn")


@pytest.fixture
def world(tmp_path: Path) -> Iterator[RefreshWorld]:
    settings = SandboxSettings(cloud_refresh_reuse_window=0)
    with refresh_world(tmp_path, settings=settings) as running:
        running.login()
        yield running


def call_in_new_process(world: RefreshWorld) -> tuple[int, str]:
    results = context.Queue()
    worker = context.Process(target=call_myself, args=(world.spec, None, results))
    worker.start()
    report: tuple[int, str] = results.get(timeout=60)
    worker.join(timeout=30)
    assert worker.exitcode == 0
    return report


def test_restarted_process_sends_rotated_token(world: RefreshWorld) -> None:
    rt1 = world.stored_refresh_token()

    world.expire_stored_access_token()
    assert call_in_new_process(world)[0] == 200
    rt2 = world.stored_refresh_token()

    world.expire_stored_access_token()
    status, header = call_in_new_process(world)
    rt3 = world.stored_refresh_token()

    assert status == 200
    assert header == f"Bearer {world.stored_access_token()}"
    assert len({rt1, rt2, rt3}) == 3
    assert world.refresh_calls() == 2
    assert world.revoked() == []
    assert world.stored().status is RecordStatus.ACTIVE
    # RT1 and RT2 were each exchanged once; RT3 is the newest and unused.
    rotated = {
        record.value
        for record in world.sandbox.issued_tokens(TokenKind.REFRESH_TOKEN)
        if record.rotated_at is not None
    }
    assert rotated == {rt1, rt2}
    assert rt3 == world.newest_refresh_token()
