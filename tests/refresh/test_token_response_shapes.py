"""Refresh responses of other shapes: no ``refresh_token``, ``expires_in`` as text.

RFC 6749 section 6 lets a server leave out ``refresh_token`` from a refresh
response, and the client then keeps the one it sent. Some servers send
``expires_in`` as a JSON string. Both are switches of the sandbox.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from connauth import Connauth
from connauth import Connector
from connauth import RecordStatus
from connauth_sandbox import SandboxSettings

from ._world import MYSELF
from ._world import RefreshWorld
from ._world import refresh_world


@pytest.fixture
def world(tmp_path: Path) -> Iterator[RefreshWorld]:
    # Without a reuse window, a refresh token used twice would revoke the grant.
    settings = SandboxSettings(cloud_refresh_reuse_window=0)
    with refresh_world(tmp_path, settings=settings) as running:
        running.login()
        running.expire_stored_access_token()
        yield running


def status_of_call(app: Connauth, connector: Connector) -> int:
    with app.client(connector) as client:
        return client.get(MYSELF).status_code


def test_missing_refresh_token_keeps_old_one(world: RefreshWorld) -> None:
    world.sandbox.settings.drop_refresh_token_on_refresh = True
    rt1 = world.stored_refresh_token()
    at1 = world.stored_access_token()
    app, connector = world.host()

    assert status_of_call(app, connector) == 200
    assert world.stored_refresh_token() == rt1
    assert world.stored_access_token() != at1

    # RT1 was never rotated, so the next refresh may send it again.
    world.expire_stored_access_token()
    restarted, connector = world.host()
    assert status_of_call(restarted, connector) == 200

    assert world.refresh_calls() == 2
    assert world.stored_refresh_token() == rt1
    assert world.stored().status is RecordStatus.ACTIVE
    assert world.revoked() == []


def test_expires_in_as_string_accepted(world: RefreshWorld) -> None:
    world.sandbox.settings.expires_in_as_string = True
    app, connector = world.host()
    before = world.clock.now()

    assert status_of_call(app, connector) == 200
    after = world.clock.now()
    # The sandbox issues access tokens for one hour.
    tokens = world.stored().tokens
    assert tokens is not None
    assert tokens.expires_at is not None
    assert before + timedelta(seconds=3600) <= tokens.expires_at
    assert tokens.expires_at <= after + timedelta(seconds=3600)

    # The new expiry is an hour away: the next call sends no refresh request.
    assert status_of_call(app, connector) == 200
    assert world.refresh_calls() == 1
