"""A connector's client sends credentials to its own API origin only."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest

from connauth import Connauth
from connauth import Connector
from connauth import KeyRing
from connauth import PluginRegistry
from connauth import SqliteTokenStore
from connauth_sandbox import Sandbox
from connauth_sandbox import SandboxServer
from connauth_sandbox._world import World
from connauth_sandbox._world import build_world


@pytest.fixture(scope="module")
def world() -> Iterator[World]:
    sandbox = Sandbox()
    with SandboxServer(sandbox) as server:
        yield build_world(sandbox, server)


@pytest.fixture
def logged_in(world: World, tmp_path: Path) -> tuple[Connauth, Connector]:
    store = SqliteTokenStore(tmp_path / "t.db", keys=KeyRing([KeyRing.generate()]))
    connauth = Connauth(
        world.host, store=store, registry=PluginRegistry.from_environment()
    )
    connector = connauth.connector(
        "acme-basic",
        "basic",
        world.auth("basic"),
        {"verify": str(world.server.ca_path)},
    )
    connauth.login(connector)
    return connauth, connector


def other_origin(world: World) -> str:
    # The same server under another host name is another origin; its
    # certificate covers both names.
    url = world.server.cloud_site_url("acme").replace("127.0.0.1", "localhost")
    return f"{url}/rest/api/3/myself"


def test_sync_client_keeps_credentials_home(
    world: World, logged_in: tuple[Connauth, Connector]
) -> None:
    connauth, connector = logged_in
    with connauth.client(connector) as client:
        own = client.get("rest/api/3/myself")
        foreign = client.get(other_origin(world))
    assert own.status_code == 200
    assert foreign.status_code == 401
    assert "authorization" not in foreign.request.headers


def test_async_client_keeps_credentials_home(
    world: World, logged_in: tuple[Connauth, Connector]
) -> None:
    connauth, connector = logged_in

    async def fetch() -> tuple[int, int, bool]:
        async with connauth.async_client(connector) as client:
            own = await client.get("rest/api/3/myself")
            foreign = await client.get(other_origin(world))
        return (
            own.status_code,
            foreign.status_code,
            "authorization" in foreign.request.headers,
        )

    own_status, foreign_status, sent = asyncio.run(fetch())
    assert own_status == 200
    assert foreign_status == 401
    assert sent is False
