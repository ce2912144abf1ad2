"""SandboxServer's lifecycle and TLS, the in-process app and the control endpoints."""

from __future__ import annotations

import asyncio
import ssl
import threading

import httpx
import pytest
from cryptography import x509
from sandbox_support import CALLBACK
from sandbox_support import CloudFlow
from sandbox_support import RsaKeyPair
from sandbox_support import World

import connauth_sandbox
from connauth_sandbox import ConsentPolicy
from connauth_sandbox import Sandbox
from connauth_sandbox import SandboxServer
from connauth_sandbox import create_app


def test_all_is_sorted_and_importable() -> None:
    names = connauth_sandbox.__all__

    assert names == sorted(names)
    for name in names:
        assert hasattr(connauth_sandbox, name), name


def test_server_stops_its_thread_and_files() -> None:
    before = set(threading.enumerate())

    with SandboxServer(Sandbox()) as server:
        ca_path = server.ca_path
        assert ca_path.exists()
        assert server.base_url.startswith("https://127.0.0.1:")

    assert set(threading.enumerate()) == before
    assert not ca_path.exists()
    with pytest.raises(RuntimeError, match="not running"):
        _ = server.base_url


def test_certificate_names_loopback(server: SandboxServer) -> None:
    pem = ssl.get_server_certificate(("127.0.0.1", server.port))
    certificate = x509.load_pem_x509_certificate(pem.encode())
    names = certificate.extensions.get_extension_for_class(x509.SubjectAlternativeName)

    assert [str(ip) for ip in names.value.get_values_for_type(x509.IPAddress)] == [
        "127.0.0.1"
    ]
    assert names.value.get_values_for_type(x509.DNSName) == ["localhost"]


def test_localhost_name_verifies(server: SandboxServer) -> None:
    context = ssl.create_default_context(cafile=str(server.ca_path))
    url = f"https://localhost:{server.port}/_sandbox/counters"

    with httpx.Client(verify=context) as http:
        assert http.get(url).status_code == 200


def test_url_helpers(server: SandboxServer, world: World) -> None:
    base = server.base_url

    assert server.authorize_url == f"{base}/auth/authorize"
    assert server.token_url == f"{base}/auth/oauth/token"
    assert server.accessible_resources_url == (
        f"{base}/gateway/oauth/token/accessible-resources"
    )
    assert f"{server.gateway_url}/ex/jira/{world.cloud.cloud_id}".startswith(
        f"{base}/gateway/ex/jira/"
    )
    assert server.cloud_site_url("acme") == f"{base}/cloud/acme"
    assert server.dc_site_url("corp") == f"{base}/dc/corp"


def test_app_works_in_process(world: World) -> None:
    async def exchange() -> tuple[httpx.Response, httpx.Response]:
        transport = httpx.ASGITransport(app=create_app(world.sandbox))
        async with httpx.AsyncClient(
            transport=transport, base_url="https://sandbox.test"
        ) as http:
            authorize = await http.get(
                "/auth/authorize",
                params={
                    "client_id": world.app.client_id,
                    "redirect_uri": CALLBACK,
                    "response_type": "code",
                    "scope": "read:jira-user",
                    "state": "s",
                },
            )
            code = httpx.URL(authorize.headers["location"]).params["code"]
            token = await http.post(
                "/auth/oauth/token",
                json={
                    "grant_type": "authorization_code",
                    "client_id": world.app.client_id,
                    "client_secret": world.app.client_secret,
                    "code": code,
                    "redirect_uri": CALLBACK,
                },
            )
            return authorize, token

    authorize, token = asyncio.run(exchange())

    assert authorize.status_code == 302
    assert token.status_code == 200
    assert token.json()["token_type"] == "Bearer"


def test_control_state_hides_secrets(
    cloud_flow: CloudFlow, client: httpx.Client, world: World
) -> None:
    tokens = cloud_flow.tokens()

    response = client.get("/_sandbox/state")

    assert response.status_code == 200
    assert tokens["access_token"] not in response.text
    assert tokens["refresh_token"] not in response.text
    assert world.app.client_secret not in response.text
    assert world.user.password not in response.text
    state = response.json()
    assert state["counters"] == {"cloud.authorization_code": 1}
    assert state["cloud_sites"][0]["cloud_id"] == world.cloud.cloud_id
    kinds = [token["kind"] for token in state["tokens"]]
    assert kinds == ["access_token", "refresh_token"]


def test_control_sets_consent_policy(
    cloud_flow: CloudFlow, client: httpx.Client, world: World
) -> None:
    response = client.put("/_sandbox/consent", json={"policy": "deny"})

    assert response.status_code == 200
    assert world.sandbox.settings.consent_policy is ConsentPolicy.DENY
    assert (
        cloud_flow.authorize()
        .headers["location"]
        .startswith(f"{CALLBACK}?error=access_denied")
    )


def test_control_rejects_unknown_policy(client: httpx.Client) -> None:
    response = client.put("/_sandbox/consent", json={"policy": "maybe"})

    assert response.status_code == 400
    assert "approve" in response.json()["error"]


def test_control_manages_application_links(
    client: httpx.Client, world: World, consumer_key_pair: RsaKeyPair
) -> None:
    link = {
        "consumer_key": "cli-consumer",
        "public_key_pem": consumer_key_pair.public_pem,
        "name": "CLI app",
    }

    added = client.post("/_sandbox/dc/corp/application-links", json=link)
    assert added.status_code == 201
    assert "cli-consumer" in world.dc.application_links

    removed = client.delete("/_sandbox/dc/corp/application-links/cli-consumer")
    assert removed.status_code == 204
    assert "cli-consumer" not in world.dc.application_links
    again = client.delete("/_sandbox/dc/corp/application-links/cli-consumer")
    assert again.status_code == 404


def test_control_rejects_link_without_key(client: httpx.Client) -> None:
    link = {"consumer_key": "x", "public_key_pem": "not a key", "name": "x"}

    response = client.post("/_sandbox/dc/corp/application-links", json=link)

    assert response.status_code == 400


def test_control_expires_tokens(
    cloud_flow: CloudFlow, client: httpx.Client, world: World, server: SandboxServer
) -> None:
    first = cloud_flow.tokens()
    second = cloud_flow.tokens()

    one = client.post("/_sandbox/tokens/expire", json={"token": first["access_token"]})
    assert one.json() == {"expired": 1}
    rest = client.post("/_sandbox/tokens/expire", json={"all": True})
    assert rest.json() == {"expired": 1}
    unknown = client.post("/_sandbox/tokens/expire", json={"token": "nope"})
    assert unknown.status_code == 404
    resources = client.get(
        server.accessible_resources_url,
        headers={"Authorization": f"Bearer {second['access_token']}"},
    )
    assert resources.status_code == 401


def test_control_queues_token_failure(
    cloud_flow: CloudFlow, client: httpx.Client
) -> None:
    queued = client.post(
        "/_sandbox/token-failures",
        json={"status": 429, "retry_after": 3, "surfaces": ["cloud"]},
    )
    assert queued.status_code == 201

    response = cloud_flow.exchange(cloud_flow.code())

    assert response.status_code == 429
    assert response.headers["retry-after"] == "3"
    counters = client.get("/_sandbox/counters").json()
    assert counters == {"cloud.authorization_code": 1}


def test_control_rejects_bad_failure(client: httpx.Client) -> None:
    response = client.post("/_sandbox/token-failures", json={"status": 200})

    assert response.status_code == 400
