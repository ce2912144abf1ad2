"""Rotating refresh tokens: persisted before use, never sent twice, write failures.

The store contains an expired access token with refresh token RT1. An API
call refreshes it to RT2, which must be stored before the call goes out.
After a restart, the next refresh must send RT2. The sandbox's reuse window is
0 s here, so a second use of RT1 would fail and revoke the grant.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from connauth import CredentialRecord
from connauth import RecordStatus
from connauth import SqliteTokenStore
from connauth import StoreError
from connauth_sandbox import SandboxSettings
from connauth_sandbox import TokenKind

from ._sandbox import World
from ._sandbox import cloud_world

Event = tuple[str, str]


class RecordingStore(SqliteTokenStore):
    """The world's database, logging each write's refresh token; writes can fail."""

    def __init__(self, world: World, events: list[Event]) -> None:
        super().__init__(world.store_path, keys=world.keys)
        world.opened.append(self)
        self.events = events
        self.fail_writes = False

    def put(
        self, record: CredentialRecord, *, expected_version: int
    ) -> CredentialRecord:
        if self.fail_writes:
            raise StoreError("the test store rejects writes")
        tokens = record.tokens
        refresh = tokens.refresh_token if tokens is not None else None
        self.events.append(("put", refresh.get_secret_value() if refresh else ""))
        return super().put(record, expected_version=expected_version)


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    settings = SandboxSettings(cloud_refresh_reuse_window=0)
    with cloud_world(tmp_path, settings=settings) as running:
        running.login()
        running.expire_stored_access_token()
        yield running


def refresh_token_of(record: CredentialRecord | None) -> str:
    assert record is not None
    assert record.tokens is not None
    assert record.tokens.refresh_token is not None
    return record.tokens.refresh_token.get_secret_value()


def access_token_of(record: CredentialRecord | None) -> str:
    assert record is not None
    assert record.tokens is not None
    return record.tokens.access_token.get_secret_value()


def test_rotated_token_stored_before_use(world: World) -> None:
    rt1 = refresh_token_of(world.stored())
    events: list[Event] = []
    store = RecordingStore(world, events)
    app = world.reopen(store)

    def log_request(request: httpx.Request) -> None:
        events.append(("send", request.headers.get("Authorization", "")))

    with app.client(world.connector, event_hooks={"request": [log_request]}) as client:
        assert client.get("rest/api/3/myself").status_code == 200
        assert client.get("rest/api/3/myself").status_code == 200

    rt2 = refresh_token_of(world.stored())
    at2 = access_token_of(world.stored())
    assert rt2 != rt1
    assert world.refresh_calls() == 1
    assert events == [
        ("put", rt2),
        ("send", f"Bearer {at2}"),
        ("send", f"Bearer {at2}"),
    ]


def test_restart_sends_rotated_token_only(world: World) -> None:
    rt1 = refresh_token_of(world.stored())
    with world.connauth.client(world.connector) as client:
        assert client.get("rest/api/3/myself").status_code == 200
    rt2 = refresh_token_of(world.stored())

    restarted = world.reopen()
    world.expire_stored_access_token()
    with restarted.client(world.connector) as client:
        assert client.get("rest/api/3/myself").status_code == 200

    rt3 = refresh_token_of(world.stored())
    assert len({rt1, rt2, rt3}) == 3
    assert world.refresh_calls() == 2
    assert world.stored().status is RecordStatus.ACTIVE
    # With a 0 s reuse window, sending RT1 again would have revoked the grant.
    assert world.sandbox.revoked_tokens() == []
    assert rt3 == world.sandbox.issued_tokens(TokenKind.REFRESH_TOKEN)[-1].value


def test_failed_store_write_raises(world: World) -> None:
    rt1 = refresh_token_of(world.stored())
    events: list[Event] = []
    store = RecordingStore(world, events)
    store.fail_writes = True
    app = world.reopen(store)

    def log_request(request: httpx.Request) -> None:
        events.append(("send", request.headers.get("Authorization", "")))

    with (
        app.client(world.connector, event_hooks={"request": [log_request]}) as client,
        pytest.raises(StoreError, match="rejects writes"),
    ):
        client.get("rest/api/3/myself")

    assert events == []
    assert world.refresh_calls() == 1
    assert refresh_token_of(world.stored()) == rt1
