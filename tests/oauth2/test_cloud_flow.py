"""The full Cloud 3LO flow against the sandbox over loopback TLS."""

from __future__ import annotations

from pathlib import Path

import pytest

from connauth import RecordStatus
from connauth_oauth2 import SiteNotGranted
from connauth_sandbox import TokenKind

from ._sandbox import World
from ._sandbox import cloud_world
from ._sandbox import issue


def latest_refresh_token(world: World) -> str:
    return world.sandbox.issued_tokens(TokenKind.REFRESH_TOKEN)[-1].value


def stored_refresh_token(world: World) -> str:
    tokens = world.stored().tokens
    assert tokens is not None
    assert tokens.refresh_token is not None
    return tokens.refresh_token.get_secret_value()


def test_login_stores_gateway_base_and_cloud_id(tmp_path: Path) -> None:
    with cloud_world(tmp_path) as world:
        record = world.login()
        site = world.sandbox.cloud_sites["acme"]
        assert (
            record.api_base_url == f"{world.server.gateway_url}/ex/jira/{site.cloud_id}"
        )
        assert dict(record.data) == {
            "deployment": "cloud",
            "cloud_id": site.cloud_id,
            "site_name": "acme",
        }
        assert record.tokens is not None
        assert record.tokens.can_refresh
        assert "offline_access" in record.tokens.scope
        assert world.code_calls() == 1


def test_sync_flow_refresh_ahead(tmp_path: Path) -> None:
    with cloud_world(tmp_path) as world:
        world.login()
        first_refresh_token = stored_refresh_token(world)
        user = next(iter(world.sandbox.users.values()))
        with world.connauth.client(world.connector) as client:
            me = client.get("rest/api/3/myself")
            assert me.status_code == 200
            assert me.json()["accountId"] == user.account_id

            created = world.create_issue(client, "Created through 3LO")
            assert created.status_code == 201
            assert created.json()["key"] == "DEMO-1"

        # A restarted process finds the access token expired in the store.
        world.expire_stored_access_token()
        with world.reopen().client(world.connector) as client:
            assert client.get("rest/api/3/issue/DEMO-1").status_code == 200
            assert client.get("rest/api/3/myself").status_code == 200

        assert world.refresh_calls() == 1
        assert stored_refresh_token(world) == latest_refresh_token(world)
        assert stored_refresh_token(world) != first_refresh_token
        assert world.sandbox.cloud_sites["acme"].issues["DEMO-1"].summary == (
            "Created through 3LO"
        )


def test_sync_flow_refresh_after_401(tmp_path: Path) -> None:
    with cloud_world(tmp_path) as world:
        record = world.login()
        assert record.tokens is not None
        world.sandbox.expire_access_token(record.tokens.access_token.get_secret_value())
        with world.connauth.client(world.connector) as client:
            assert world.create_issue(client, "after expiry").status_code == 201
            assert client.get("rest/api/3/myself").status_code == 200
        assert world.refresh_calls() == 1
        assert stored_refresh_token(world) == latest_refresh_token(world)
        assert world.stored().status is RecordStatus.ACTIVE


@pytest.mark.anyio
async def test_async_flow_refresh_ahead(tmp_path: Path) -> None:
    with cloud_world(tmp_path) as world:
        app, connector = world.connauth, world.connector
        prompt = await app.begin_login_async(connector)
        record = await app.complete_login_async(connector, world.authorize(prompt.url))
        assert record.data["site_name"] == "acme"
        first_refresh_token = stored_refresh_token(world)

        # The first request finds the access token expired in the store.
        world.expire_stored_access_token()
        async with app.async_client(connector) as client:
            assert (await client.get("rest/api/3/myself")).status_code == 200
            created = await client.post("rest/api/3/issue", json=issue("async issue"))
            assert created.status_code == 201
            assert (await client.get("rest/api/3/myself")).status_code == 200

        assert world.refresh_calls() == 1
        assert stored_refresh_token(world) == latest_refresh_token(world)
        assert stored_refresh_token(world) != first_refresh_token


@pytest.mark.anyio
async def test_async_flow_refresh_after_401(tmp_path: Path) -> None:
    with cloud_world(tmp_path) as world:
        record = world.login()
        assert record.tokens is not None
        async with world.connauth.async_client(world.connector) as client:
            assert (await client.get("rest/api/3/myself")).status_code == 200
            world.sandbox.expire_access_token(
                record.tokens.access_token.get_secret_value()
            )
            assert (await client.get("rest/api/3/myself")).status_code == 200
            assert (await client.get("rest/api/3/myself")).status_code == 200
        assert world.refresh_calls() == 1
        assert stored_refresh_token(world) == latest_refresh_token(world)


def test_redirect_uri_kept_byte_for_byte(tmp_path: Path) -> None:
    # The sandbox compares redirect_uri with the registered one as strings.
    with cloud_world(tmp_path, redirect_path="/host/cb/?tenant=a%2Fb&x=1") as world:
        record = world.login()
        assert record.tokens is not None
        assert world.code_calls() == 1


def test_pinned_scopes_without_offline_access(tmp_path: Path) -> None:
    auth = {"refresh": False, "scopes": ["read:jira-work", "read:jira-user"]}
    with cloud_world(tmp_path, auth=auth) as world:
        record = world.login()
        assert record.tokens is not None
        assert record.tokens.can_refresh is False
        assert "offline_access" not in record.tokens.scope
        with world.connauth.client(world.connector) as client:
            assert client.get("rest/api/3/myself").status_code == 200
        assert world.refresh_calls() == 0


def test_site_outside_grant_rejected(tmp_path: Path) -> None:
    with cloud_world(tmp_path) as world:
        user = next(iter(world.sandbox.users.values()))
        beta = world.sandbox.add_cloud_site("beta")
        world.sandbox.revoke_site_access(user, world.sandbox.cloud_sites["acme"])
        prompt = world.connauth.begin_login(world.connector)
        location = world.authorize(prompt.url)
        with pytest.raises(SiteNotGranted) as caught:
            world.connauth.complete_login(world.connector, location)
        assert caught.value.granted == (("beta", world.server.cloud_site_url("beta")),)
        assert world.server.cloud_site_url("acme") in caught.value.message
        assert world.connauth.store.get("jira") is None
        assert beta.cloud_id not in caught.value.message
