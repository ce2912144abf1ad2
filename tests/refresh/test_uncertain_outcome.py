"""A refresh that times out after the server rotated the refresh token.

The sandbox rotates RT1 and then delays its response past the client's
timeout (``token_response_delays``), so the client cannot know whether RT1
is still good. Inside the reuse window the server accepts RT1 once more, so
one retry is safe. After the window a resent RT1 revokes the whole token
family. The connector must be flagged for a new login instead, with a
notification to the host and a log record, and without sending RT1.

connauth's clock and the sandbox's clock move together (:class:`Clock`), so
the window passes without waiting.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from connauth import HOOK_API_VERSION
from connauth import Connauth
from connauth import Connector
from connauth import ReauthorizationRequired
from connauth import RecordStatus
from connauth import TransientAuthError
from connauth import hookimpl
from connauth._session import UNCERTAIN_SINCE

from ._world import CONNECTOR_ID
from ._world import MYSELF
from ._world import RefreshWorld
from ._world import refresh_world

TIMEOUT = 0.5
HOLD = 2.0
"""Seconds the sandbox delays a response after rotating: past ``TIMEOUT``."""
REUSE_WINDOW = 600.0
SERVER_LOGGERS = ("connauth_sandbox", "oauthlib")


class Notifications:
    """A plugin that records the session's notification hooks."""

    CONNAUTH_HOOK_API = HOOK_API_VERSION

    def __init__(self) -> None:
        self.refreshed: list[tuple[str, str]] = []
        self.reauthorization: list[tuple[str, str, str]] = []

    @hookimpl
    def connauth_tokens_refreshed(self, connector_id: str, method: str) -> None:
        self.refreshed.append((connector_id, method))

    @hookimpl
    def connauth_reauthorization_required(
        self, connector_id: str, method: str, reason: str
    ) -> None:
        self.reauthorization.append((connector_id, method, reason))


@pytest.fixture
def world(tmp_path: Path) -> Iterator[RefreshWorld]:
    with refresh_world(tmp_path, http={"timeout": TIMEOUT}) as running:
        running.login()
        running.expire_stored_access_token()
        yield running


def status_of_call(app: Connauth, connector: Connector) -> int:
    with app.client(connector) as client:
        return client.get(MYSELF).status_code


def hold_responses(world: RefreshWorld, count: int) -> None:
    world.sandbox.settings.token_response_delays.extend([HOLD] * count)


def fail_twice(world: RefreshWorld) -> tuple[Connauth, Connector]:
    """Let the first attempt and its retry both time out after rotating;
    return the host whose session made them."""
    hold_responses(world, 2)
    app, connector = world.host()
    with pytest.raises(TransientAuthError) as caught:
        status_of_call(app, connector)
    assert caught.value.maybe_processed
    assert world.refresh_calls() == 2
    assert UNCERTAIN_SINCE in world.stored().data
    return app, connector


def test_retry_inside_window_succeeds(world: RefreshWorld) -> None:
    rt1 = world.stored_refresh_token()
    hold_responses(world, 1)
    notifications = Notifications()
    app, connector = world.host(plugins={"notifications": notifications})

    assert status_of_call(app, connector) == 200

    assert world.refresh_calls() == 2
    assert world.stored_refresh_token() not in (rt1, world.refresh_tokens_issued()[1])
    assert world.stored_refresh_token() == world.newest_refresh_token()
    assert UNCERTAIN_SINCE not in world.stored().data
    assert world.stored().status is RecordStatus.ACTIVE
    assert world.revoked() == []
    assert notifications.refreshed == [(CONNECTOR_ID, "oauth2")]


def test_uncertain_refresh_resumes_inside_window(world: RefreshWorld) -> None:
    rt1 = world.stored_refresh_token()
    fail_twice(world)
    assert world.stored_refresh_token() == rt1

    world.clock.advance(REUSE_WINDOW / 2)
    restarted, connector = world.host()
    assert status_of_call(restarted, connector) == 200

    assert world.refresh_calls() == 3
    assert world.stored_refresh_token() == world.newest_refresh_token()
    assert UNCERTAIN_SINCE not in world.stored().data
    assert world.revoked() == []


@pytest.mark.parametrize("restart", [False, True], ids=["same-host", "restarted"])
def test_uncertain_refresh_after_window_flags(
    world: RefreshWorld, caplog: pytest.LogCaptureFixture, restart: bool
) -> None:
    caplog.set_level(logging.DEBUG)
    app, connector = fail_twice(world)
    notifications = Notifications()
    if restart:
        app, connector = world.host(plugins={"notifications": notifications})
    else:
        app.registry.register(notifications, "notifications")

    world.clock.advance(REUSE_WINDOW + 1)
    with pytest.raises(ReauthorizationRequired) as caught:
        status_of_call(app, connector)

    # No third request: a resent RT1 would have revoked the token family.
    assert world.refresh_calls() == 2
    assert world.revoked() == []
    assert world.stored().status is RecordStatus.REAUTHORIZATION_REQUIRED
    assert caught.value.connector_id == CONNECTOR_ID
    assert len(notifications.reauthorization) == 1
    connector_id, method, reason = notifications.reauthorization[0]
    assert (connector_id, method) == (CONNECTOR_ID, "oauth2")
    assert reason

    flagged = [
        record
        for record in caplog.records
        if record.name == "connauth._session"
        and record.levelno == logging.WARNING
        and "re-authorization required" in record.getMessage()
    ]
    assert len(flagged) == 1
    assert CONNECTOR_ID in flagged[0].getMessage()
    # The sandbox and oauthlib log on the server's side; the rest is the host's.
    logged = "\n".join(
        record.getMessage()
        for record in caplog.records
        if not record.name.startswith(SERVER_LOGGERS)
    )
    for secret in world.secrets():
        assert secret not in logged
        assert secret not in str(caught.value)
