"""The connector's CA bundle, proxy and timeout also apply to token requests."""

from __future__ import annotations

from pathlib import Path

import pytest

from connauth import HttpSettings
from connauth import RecordStatus
from connauth import TransientAuthError
from connauth_sandbox import SandboxSettings

from ._proxy import connect_proxy
from ._sandbox import cloud_world
from ._sandbox import dc_world


def test_code_exchange_uses_connector_ca(tmp_path: Path) -> None:
    with cloud_world(tmp_path, http={"verify": True}) as world:
        prompt = world.connauth.begin_login(world.connector)
        location = world.authorize(prompt.url)
        with pytest.raises(TransientAuthError, match="ConnectError"):
            world.connauth.complete_login(world.connector, location)
        assert world.code_calls() == 0


def test_refresh_uses_connector_ca(tmp_path: Path) -> None:
    with cloud_world(tmp_path) as world:
        world.login()
        world.expire_stored_access_token()
        system_cas = HttpSettings(verify=True)
        connector = world.connauth.connector(
            world.connector.id,
            "oauth2",
            {
                **world.connector.config.model_dump(exclude_none=True),
                "client_secret": "SECRET",
            },
            http=system_cas,
        )
        app = world.reopen()
        with pytest.raises(TransientAuthError), app.client(connector) as client:
            client.get("rest/api/3/myself")
        assert world.refresh_calls() == 0
        assert world.stored().status is RecordStatus.ACTIVE


def test_code_exchange_uses_connector_timeout(tmp_path: Path) -> None:
    settings = SandboxSettings(token_endpoint_latency=1.0)
    with dc_world(tmp_path, settings=settings, http={"timeout": 0.2}) as world:
        prompt = world.connauth.begin_login(world.connector)
        location = world.authorize(prompt.url)
        with pytest.raises(TransientAuthError, match="timed out"):
            world.connauth.complete_login(world.connector, location)


def test_explicit_proxy_beats_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with connect_proxy() as proxy:
        proxy_url = f"http://127.0.0.1:{proxy.server_address[1]}"
        with cloud_world(tmp_path, http={"proxy": proxy_url}) as world:
            prompt = world.connauth.begin_login(world.connector)
            location = world.authorize(prompt.url)
            # A scheme-less value that would fail if anything read it.
            monkeypatch.setenv("HTTPS_PROXY", "localhost:3128")
            monkeypatch.setenv("https_proxy", "localhost:3128")

            world.connauth.complete_login(world.connector, location)
            target = f"127.0.0.1:{world.server.port}"
            assert proxy.tunnels == [target]

            world.expire_stored_access_token()
            with world.connauth.client(world.connector) as client:
                assert client.get("rest/api/3/myself").status_code == 200
            assert world.refresh_calls() == 1
            # One tunnel for the refresh client and one for the API client.
            assert proxy.tunnels == [target, target, target]
