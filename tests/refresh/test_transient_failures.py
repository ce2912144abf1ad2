"""Transient token-endpoint failures: tokens kept, nothing revoked, back-off kept.

A rate limit (429), an outage (503), a timeout or a refused connection must
leave the stored refresh token in place. While the session backs off, it
sends no refresh request. A still-valid access token keeps serving requests;
an expired one makes the request raise :class:`TransientAuthError` with the
wait in ``retry_after``.

The back-off is read from the ``retry_after`` of the next call's error, which
is the remaining wait the session computed, and from the sandbox's count of
refresh requests; no assertion measures elapsed time.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from connauth import Connauth
from connauth import Connector
from connauth import RecordStatus
from connauth import RefreshPolicy
from connauth import TransientAuthError
from connauth._session import UNCERTAIN_SINCE
from connauth_sandbox import InjectedFailure
from connauth_sandbox import Surface

from ._world import MYSELF
from ._world import RefreshWorld
from ._world import refresh_world

DUE_BUT_VALID = 45.0
"""Seconds of validity left: inside the 60 s refresh margin, not yet expired."""


@pytest.fixture
def world(tmp_path: Path) -> Iterator[RefreshWorld]:
    with refresh_world(tmp_path) as running:
        running.login()
        yield running


def queue_failure(world: RefreshWorld, status: int, retry_after: int | None) -> None:
    failure = InjectedFailure(
        status=status, retry_after=retry_after, surfaces=frozenset({Surface.CLOUD})
    )
    world.sandbox.settings.token_endpoint_failures.append(failure)


def call(app: Connauth, connector: Connector) -> httpx.Response:
    with app.client(connector) as client:
        return client.get(MYSELF)


def expect_transient(app: Connauth, connector: Connector) -> TransientAuthError:
    with pytest.raises(TransientAuthError) as caught:
        call(app, connector)
    return caught.value


def assert_tokens_kept(world: RefreshWorld, refresh_token: str) -> None:
    assert world.stored_refresh_token() == refresh_token
    assert world.stored().status is RecordStatus.ACTIVE
    assert world.revoked() == []


@pytest.mark.parametrize(
    ("retry_after", "status"), [(30, 429), (0, 429), (None, 503), (30, 503)]
)
def test_failure_with_expired_token_raises(
    world: RefreshWorld, retry_after: int | None, status: int
) -> None:
    world.expire_stored_access_token()
    rt1 = world.stored_refresh_token()
    app, connector = world.host()
    queue_failure(world, status, retry_after)

    first = expect_transient(app, connector)
    assert first.status_code == status
    assert first.retry_after == retry_after
    assert first.connector_id == "jira"
    assert_tokens_kept(world, rt1)

    # The next call falls inside the back-off: no request, the remaining wait.
    second = expect_transient(app, connector)
    assert world.refresh_calls() == 1
    assert second.retry_after is not None
    assert second.retry_after > 0
    policy_wait = app.session(connector).policy.backoff
    assert second.retry_after <= max(retry_after or 0, policy_wait)
    if retry_after == 30:
        # More than the session's own first back-off: the server's value won.
        assert second.retry_after > policy_wait
    assert_tokens_kept(world, rt1)
    for secret in world.secrets():
        assert secret not in str(first)


@pytest.mark.parametrize("status", [429, 503])
def test_failure_with_valid_token_serves_it(world: RefreshWorld, status: int) -> None:
    world.set_stored_expiry(DUE_BUT_VALID)
    rt1 = world.stored_refresh_token()
    at1 = world.stored_access_token()
    app, connector = world.host()
    queue_failure(world, status, 30)

    first = call(app, connector)
    second = call(app, connector)

    assert first.status_code == 200
    assert second.status_code == 200
    assert first.request.headers["Authorization"] == f"Bearer {at1}"
    assert second.request.headers["Authorization"] == f"Bearer {at1}"
    # The second call was inside the back-off, so it sent no refresh request.
    assert world.refresh_calls() == 1
    assert_tokens_kept(world, rt1)


def test_zero_retry_after_allows_retry_at_once(world: RefreshWorld) -> None:
    world.expire_stored_access_token()
    rt1 = world.stored_refresh_token()
    app, connector = world.host(policy=RefreshPolicy(backoff=0.0))
    queue_failure(world, 429, 0)

    expect_transient(app, connector)
    assert_tokens_kept(world, rt1)

    assert call(app, connector).status_code == 200
    assert world.refresh_calls() == 2
    assert world.stored_refresh_token() == world.newest_refresh_token()


def test_timeout_keeps_tokens(world: RefreshWorld) -> None:
    """The server is slower than the client's timeout, so the client cannot
    tell whether its request was processed: one retry, then the tokens stay."""
    world.expire_stored_access_token()
    rt1 = world.stored_refresh_token()
    world.sandbox.settings.token_endpoint_latency = 2.0
    app, connector = world.host(http={"timeout": 0.5})

    error = expect_transient(app, connector)

    assert "timed out" in error.message
    assert error.maybe_processed
    assert world.refresh_calls() == 2
    assert UNCERTAIN_SINCE in world.stored().data
    assert_tokens_kept(world, rt1)

    # A restarted host inside the reuse window sends RT1 again and succeeds.
    world.sandbox.settings.token_endpoint_latency = 0.0
    restarted, connector = world.host()
    assert call(restarted, connector).status_code == 200
    assert UNCERTAIN_SINCE not in world.stored().data
    assert world.revoked() == []


def test_refused_connection_keeps_tokens(world: RefreshWorld) -> None:
    """A refused connection never reached the server: no retry, no mark."""
    world.expire_stored_access_token()
    rt1 = world.stored_refresh_token()
    token_url = f"https://127.0.0.1:{_closed_port()}/auth/oauth/token"
    app, connector = world.host(auth={"token_url": token_url})

    error = expect_transient(app, connector)

    assert not error.maybe_processed
    assert world.refresh_calls() == 0
    assert UNCERTAIN_SINCE not in world.stored().data
    assert_tokens_kept(world, rt1)


def _closed_port() -> int:
    """Return a loopback port that nothing listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port
