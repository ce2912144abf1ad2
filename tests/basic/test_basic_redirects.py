"""Credentials and redirects: nothing is forwarded to another origin.

Three loopback servers play the origins: ``jira`` (HTTPS) redirects, ``other``
(HTTPS, another port) and ``plain`` (HTTP) are where the redirects lead. A
host change uses the name ``localhost`` for the same address.
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from basic_support import LOOPBACK
from basic_support import LoopbackAuthority
from basic_support import ReceivedRequest
from basic_support import Reply
from basic_support import ScriptedServer
from basic_support import make_connauth
from basic_support import scripted_server
from pydantic import SecretStr

from connauth_basic import CredentialsNotForwarded
from connauth_basic import JiraBasicAuth
from connauth_basic import PersonalAccessTokenAuth

MYSELF_HEADERS = {
    "Content-Type": "application/json",
    "X-Seraph-LoginReason": "OK",
    "X-AUSERNAME": "ada",
}
PAT = "MTIzNDU2Nzg5MDEyOkFCQ0RFRkdI"


def _localhost_is_loopback() -> bool:
    try:
        infos = socket.getaddrinfo("localhost", 443, type=socket.SOCK_STREAM)
    except OSError:
        return False
    return {info[4][0] for info in infos} == {LOOPBACK}


@dataclass(frozen=True)
class Origins:
    jira: ScriptedServer
    other: ScriptedServer
    other_by_name: ScriptedServer
    plain: ScriptedServer

    def targets(self) -> dict[str, str]:
        return {
            "/same": "/final",
            "/port": f"{self.other.base_url}/blob?sig=x",
            "/host": f"{self.other_by_name.base_url}/blob?sig=x",
            "/downgrade": f"{self.plain.base_url}/blob",
        }


def _unauthorized(request: ReceivedRequest) -> Reply:
    return Reply(401, {"Content-Type": "text/plain"}, b"Unauthorized")


@pytest.fixture
def origins(authority: LoopbackAuthority) -> Iterator[Origins]:
    with (
        scripted_server(_unauthorized, authority=authority) as other,
        scripted_server(_unauthorized, authority=None) as plain,
    ):
        port = other.base_url.rsplit(":", 1)[1]
        other_by_name = ScriptedServer(f"https://localhost:{port}")
        other_by_name.requests = other.requests
        targets: dict[str, str] = {}

        def jira(request: ReceivedRequest) -> Reply:
            path = request.path.split("?", 1)[0]
            if path in targets:
                headers = {"Location": targets[path], "Set-Cookie": "JSESSIONID=s1"}
                return Reply(302, headers)
            if path.endswith("/myself"):
                return Reply(200, MYSELF_HEADERS, b'{"name": "ada", "key": "ada"}')
            seen = b"yes" if "authorization" in request.headers else b"no"
            return Reply(200, {"Content-Type": "text/plain"}, seen)

        with scripted_server(jira, authority=authority) as jira_server:
            found = Origins(jira_server, other, other_by_name, plain)
            targets.update(found.targets())
            yield found


AUTHS = {
    "basic": lambda: JiraBasicAuth("user@example.test", SecretStr("api-token")),
    "pat": lambda: PersonalAccessTokenAuth(SecretStr(PAT)),
}


def _client(auth: httpx.Auth, authority: LoopbackAuthority) -> httpx.Client:
    return httpx.Client(
        auth=auth, verify=authority.client_context(), follow_redirects=True
    )


@pytest.mark.parametrize("kind", sorted(AUTHS))
def test_same_origin_redirect_keeps_auth(
    kind: str, origins: Origins, authority: LoopbackAuthority
) -> None:
    with _client(AUTHS[kind](), authority) as client:
        response = client.get(f"{origins.jira.base_url}/same")

    assert response.status_code == 200
    assert response.text == "yes"
    assert [request.path for request in origins.jira.requests] == ["/same", "/final"]
    assert all("authorization" in r.headers for r in origins.jira.requests)


@pytest.mark.parametrize("kind", sorted(AUTHS))
@pytest.mark.parametrize("path", ["/port", "/host"])
def test_cross_origin_redirect_drops_auth(
    kind: str, path: str, origins: Origins, authority: LoopbackAuthority
) -> None:
    if path == "/host" and not _localhost_is_loopback():
        pytest.skip("localhost does not resolve to 127.0.0.1 only")

    with (
        _client(AUTHS[kind](), authority) as client,
        pytest.raises(CredentialsNotForwarded) as caught,
    ):
        client.get(f"{origins.jira.base_url}{path}")

    received = origins.other.requests
    assert len(received) == 1
    assert "authorization" not in received[0].headers
    assert caught.value.status_code == 401
    assert caught.value.origin == origins.jira.base_url
    assert "intentionally did not forward" in caught.value.message
    assert "sig=x" not in caught.value.message


def test_host_change_sends_no_cookie(
    origins: Origins, authority: LoopbackAuthority
) -> None:
    if not _localhost_is_loopback():
        pytest.skip("localhost does not resolve to 127.0.0.1 only")

    with (
        _client(AUTHS["basic"](), authority) as client,
        pytest.raises(CredentialsNotForwarded),
    ):
        client.get(f"{origins.jira.base_url}/host")

    received = origins.other.requests
    assert received[0].headers["host"].startswith("localhost:")
    assert "cookie" not in received[0].headers


@pytest.mark.parametrize("kind", sorted(AUTHS))
def test_downgrade_to_http_drops_auth(
    kind: str, origins: Origins, authority: LoopbackAuthority
) -> None:
    with (
        _client(AUTHS[kind](), authority) as client,
        pytest.raises(CredentialsNotForwarded) as caught,
    ):
        client.get(f"{origins.jira.base_url}/downgrade")

    received = origins.plain.requests
    assert len(received) == 1
    assert "authorization" not in received[0].headers
    assert caught.value.redirect_origin == origins.plain.base_url


@pytest.mark.parametrize("kind", sorted(AUTHS))
def test_async_cross_origin_drops_auth(
    kind: str, origins: Origins, authority: LoopbackAuthority
) -> None:
    async def get() -> None:
        async with httpx.AsyncClient(
            auth=AUTHS[kind](),
            verify=authority.client_context(),
            follow_redirects=True,
        ) as client:
            await client.get(f"{origins.jira.base_url}/port")

    with pytest.raises(CredentialsNotForwarded):
        asyncio.run(get())

    assert "authorization" not in origins.other.requests[0].headers


def test_connector_client_drops_auth(
    origins: Origins, authority: LoopbackAuthority, tmp_path: Path
) -> None:
    connauth = make_connauth(origins.jira.base_url, tmp_path / "tokens.sqlite3")
    connector = connauth.connector(
        "corp",
        "pat",
        {"site_url": origins.jira.base_url, "token": PAT},
        http={"verify": str(authority.ca_path)},
    )
    connauth.login(connector)

    with (
        connauth.client(connector, follow_redirects=True) as client,
        pytest.raises(CredentialsNotForwarded),
    ):
        client.get("port")

    assert origins.jira.requests[0].headers["authorization"] == f"Bearer {PAT}"
    assert "authorization" not in origins.other.requests[0].headers
