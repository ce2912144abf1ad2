"""Refresh failures from the sandbox's token endpoint, classified and handled.

A dead grant flags the connector. A rate limit, an outage or a timeout keeps
the stored tokens. A rotated client secret is a configuration error.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from connauth import ClientCredentialsInvalid
from connauth import Connauth
from connauth import ReauthorizationRequired
from connauth import RecordStatus
from connauth import TransientAuthError
from connauth_sandbox import InjectedFailure
from connauth_sandbox import Surface

from ._sandbox import World
from ._sandbox import cloud_world


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    with cloud_world(tmp_path) as running:
        running.login()
        running.expire_stored_access_token()
        yield running


def refresh_token(world: World) -> str:
    tokens = world.stored().tokens
    assert tokens is not None
    assert tokens.refresh_token is not None
    return tokens.refresh_token.get_secret_value()


def call_api(app: Connauth, world: World) -> int:
    with app.client(world.connector) as client:
        return client.get("rest/api/3/myself").status_code


def queue_failure(world: World, status: int, retry_after: int | None = None) -> None:
    failure = InjectedFailure(
        status=status, retry_after=retry_after, surfaces=frozenset({Surface.CLOUD})
    )
    world.sandbox.settings.token_endpoint_failures.append(failure)


def test_revoked_grant_flags_connector(world: World) -> None:
    (grant_id,) = {token.grant_id for token in world.sandbox.issued_tokens()} - {None}
    world.sandbox.revoke_grant(grant_id)  # type: ignore[arg-type]
    with pytest.raises(ReauthorizationRequired) as caught:
        call_api(world.connauth, world)
    assert caught.value.reason == "invalid_grant"
    assert caught.value.status_code == 403
    assert world.stored().status is RecordStatus.REAUTHORIZATION_REQUIRED
    assert world.refresh_calls() == 1


@pytest.mark.parametrize(("retry_after", "expected"), [(0, 0.0), (30, 30.0)])
def test_rate_limit_keeps_tokens(
    world: World, retry_after: int, expected: float
) -> None:
    before = refresh_token(world)
    queue_failure(world, 429, retry_after=retry_after)
    with pytest.raises(TransientAuthError) as caught:
        call_api(world.connauth, world)
    assert caught.value.retry_after == expected
    assert caught.value.status_code == 429
    assert world.stored().status is RecordStatus.ACTIVE
    assert refresh_token(world) == before

    # A fresh process, free of this TokenSession's back-off, refreshes with the
    # refresh token that was kept.
    assert call_api(world.reopen(), world) == 200
    assert world.refresh_calls() == 2


def test_outage_keeps_tokens(world: World) -> None:
    before = refresh_token(world)
    queue_failure(world, 503)
    with pytest.raises(TransientAuthError) as caught:
        call_api(world.connauth, world)
    assert caught.value.status_code == 503
    assert world.stored().status is RecordStatus.ACTIVE
    assert refresh_token(world) == before


def test_timeout_keeps_tokens(world: World) -> None:
    before = refresh_token(world)
    world.sandbox.settings.token_endpoint_latency = 1.0
    slow = world.connauth.connector(
        world.connector.id,
        "oauth2",
        _auth_fields(world),
        http=world.connector.http.model_copy(update={"timeout": 0.2}),
    )
    app = world.reopen()
    with (
        pytest.raises(TransientAuthError, match="timed out"),
        app.client(slow) as client,
    ):
        client.get("rest/api/3/myself")
    assert world.stored().status is RecordStatus.ACTIVE
    assert refresh_token(world) == before


def test_rotated_client_secret_is_config_error(world: World) -> None:
    app = world.reopen()
    wrong = app.connector(
        world.connector.id,
        "oauth2",
        {**_auth_fields(world), "client_secret": "rotated-away"},
        http=world.connector.http,
    )
    with pytest.raises(ClientCredentialsInvalid) as caught, app.client(wrong) as client:
        client.get("rest/api/3/myself")
    assert caught.value.step == "cloud-copy-credentials"
    assert "rotated-away" not in str(caught.value)
    assert world.stored().status is RecordStatus.ACTIVE


def _auth_fields(world: World) -> dict[str, object]:
    config = world.connector.config
    fields = config.model_dump(exclude_none=True)
    fields["client_secret"] = "SECRET"
    return fields
