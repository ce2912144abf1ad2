"""The full Data Center flow (PKCE, form-encoded token requests) against the sandbox."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from pydantic import SecretStr

from connauth import AuthorizationFlowError
from connauth import run_exchange
from connauth_oauth2 import OAuth2Authorization
from connauth_oauth2 import OAuth2Config
from connauth_oauth2 import create_code_challenge
from connauth_sandbox import TokenKind

from ._sandbox import World
from ._sandbox import dc_world


def stored_refresh_token(world: World) -> str:
    tokens = world.stored().tokens
    assert tokens is not None
    assert tokens.refresh_token is not None
    return tokens.refresh_token.get_secret_value()


def test_sync_flow(tmp_path: Path) -> None:
    with dc_world(tmp_path) as world:
        record = world.login()
        assert record.api_base_url == world.server.dc_site_url("corp")
        assert dict(record.data) == {"deployment": "datacenter"}
        assert record.tokens is not None
        assert record.tokens.token_type == "Bearer"
        first_refresh_token = stored_refresh_token(world)

        with world.connauth.client(world.connector) as client:
            me = client.get("rest/api/2/myself")
            assert me.status_code == 200
            assert me.json()["name"] == "ada"
            created = world.create_issue(client, "Created on Data Center")
            assert created.status_code == 201

        # A restarted process finds the access token expired in the store.
        world.expire_stored_access_token()
        with world.reopen().client(world.connector) as client:
            assert client.get("rest/api/2/myself").status_code == 200
            assert client.get("rest/api/2/issue/DEMO-1").status_code == 200

        assert world.refresh_calls() == 1
        latest = world.sandbox.issued_tokens(TokenKind.REFRESH_TOKEN)[-1].value
        assert stored_refresh_token(world) == latest
        assert stored_refresh_token(world) != first_refresh_token


@pytest.mark.anyio
async def test_async_flow_after_401(tmp_path: Path) -> None:
    with dc_world(tmp_path) as world:
        app, connector = world.connauth, world.connector
        prompt = await app.begin_login_async(connector)
        record = await app.complete_login_async(connector, world.authorize(prompt.url))
        assert record.tokens is not None
        access_token = record.tokens.access_token.get_secret_value()

        async with app.async_client(connector) as client:
            assert (await client.get("rest/api/2/myself")).status_code == 200
            world.sandbox.expire_access_token(access_token)
            assert (await client.get("rest/api/2/myself")).status_code == 200
            assert (await client.get("rest/api/2/myself")).status_code == 200

        assert world.refresh_calls() == 1
        latest = world.sandbox.issued_tokens(TokenKind.REFRESH_TOKEN)[-1].value
        assert stored_refresh_token(world) == latest


def test_authorization_code_bound_to_s256_challenge(tmp_path: Path) -> None:
    with dc_world(tmp_path) as world:
        config = world.connector.config
        assert isinstance(config, OAuth2Config)
        flow = OAuth2Authorization(config, world.host)
        with httpx.Client(verify=world.tls) as client:
            prompt = run_exchange(
                client, flow.begin(state="S1", callback_url=world.host.redirect_url)
            )
            world.authorize(prompt.url)
            (code,) = world.sandbox.authorization_codes.values()
            verifier = prompt.pending["code_verifier"].get_secret_value()
            assert code.code_challenge_method == "S256"
            assert code.code_challenge == create_code_challenge(verifier)


def test_wrong_verifier_rejected(tmp_path: Path) -> None:
    with dc_world(tmp_path) as world:
        config = world.connector.config
        assert isinstance(config, OAuth2Config)
        flow = OAuth2Authorization(config, world.host)
        with httpx.Client(verify=world.tls) as client:
            prompt = run_exchange(
                client, flow.begin(state="S1", callback_url=world.host.redirect_url)
            )
            location = world.authorize(prompt.url)
            code = httpx.URL(location).params["code"]
            forged = {**prompt.pending, "code_verifier": SecretStr("x" * 64)}
            exchange = flow.complete(pending=forged, callback={"code": code})
            with pytest.raises(AuthorizationFlowError, match="invalid_grant"):
                run_exchange(client, exchange)
        assert world.code_calls() == 1
