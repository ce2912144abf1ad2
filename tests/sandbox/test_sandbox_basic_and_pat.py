"""Basic auth with Cloud API tokens, Data Center PATs and passwords, over TLS."""

from __future__ import annotations

import httpx
from hypothesis import given
from hypothesis import strategies as st
from sandbox_support import World

from connauth_sandbox import SandboxServer
from connauth_sandbox._credentials import api_token_checksum
from connauth_sandbox._credentials import generate_api_token
from connauth_sandbox._credentials import is_api_token_format

CLOUD_UNAUTHENTICATED = "Client must be authenticated to access this resource."
DC_UNAUTHENTICATED = {
    "errorMessages": [
        "You are not authenticated. Authentication required to perform this operation."
    ],
    "errors": {},
}


def test_api_token_has_prefix_and_checksum() -> None:
    token = generate_api_token()

    assert token.startswith("ATATT3")
    assert len(token) == 192
    assert token[-8:] == api_token_checksum(token[:-8])
    assert is_api_token_format(token)


def test_api_token_format_accepts_other_lengths() -> None:
    head = "ATATT3" + "x" * 20

    assert is_api_token_format(head + api_token_checksum(head))


def test_api_token_format_rejects_wrong_checksum() -> None:
    token = generate_api_token()
    last = token[-1]
    tampered = token[:-1] + ("0" if last != "0" else "1")

    assert not is_api_token_format(tampered)
    assert not is_api_token_format("ATATT3")
    assert not is_api_token_format("not-a-token")


@given(st.text(alphabet=st.characters(codec="ascii"), max_size=300))
def test_api_token_format_never_raises(candidate: str) -> None:
    assert is_api_token_format(candidate) in (True, False)


def test_cloud_basic_with_api_token(
    world: World, server: SandboxServer, client: httpx.Client
) -> None:
    token = world.sandbox.issue_api_token(world.user)

    response = client.get(
        f"{server.cloud_site_url('acme')}/rest/api/3/myself",
        auth=(world.user.email, token),
    )

    assert response.status_code == 200
    assert response.json()["accountId"] == world.user.account_id
    assert response.headers["x-aaccountid"] == world.user.account_id


def test_cloud_basic_with_password_is_rejected(
    world: World, server: SandboxServer, client: httpx.Client
) -> None:
    response = client.get(
        f"{server.cloud_site_url('acme')}/rest/api/3/myself",
        auth=(world.user.email, world.user.password),
    )

    assert response.status_code == 401
    assert response.text.startswith("Basic authentication with passwords is deprecated")


def test_cloud_basic_with_wrong_token(
    world: World, server: SandboxServer, client: httpx.Client
) -> None:
    forged = generate_api_token()

    response = client.get(
        f"{server.cloud_site_url('acme')}/rest/api/2/myself",
        auth=(world.user.email, forged),
    )

    assert response.status_code == 401
    assert response.text == CLOUD_UNAUTHENTICATED
    assert response.headers["x-seraph-loginreason"] == "AUTHENTICATED_FAILED"


def test_cloud_basic_token_of_other_user(
    world: World, server: SandboxServer, client: httpx.Client
) -> None:
    other = world.sandbox.add_user("grace@example.com")
    token = world.sandbox.issue_api_token(other)

    response = client.get(
        f"{server.cloud_site_url('acme')}/rest/api/2/myself",
        auth=(world.user.email, token),
    )

    assert response.status_code == 401


def test_cloud_expired_api_token(
    world: World, server: SandboxServer, client: httpx.Client
) -> None:
    token = world.sandbox.issue_api_token(world.user, expires_in=60)
    world.sandbox.expire_access_token(token)

    response = client.get(
        f"{server.cloud_site_url('acme')}/rest/api/2/myself",
        auth=(world.user.email, token),
    )

    assert response.status_code == 401


def test_cloud_anonymous_myself(server: SandboxServer, client: httpx.Client) -> None:
    response = client.get(f"{server.cloud_site_url('acme')}/rest/api/3/myself")

    assert response.status_code == 401
    assert response.text == CLOUD_UNAUTHENTICATED
    assert "x-seraph-loginreason" not in response.headers


def test_tenant_info_is_anonymous(
    world: World, server: SandboxServer, client: httpx.Client
) -> None:
    response = client.get(f"{server.cloud_site_url('acme')}/_edge/tenant_info")

    assert response.status_code == 200
    assert response.json() == {"cloudId": world.cloud.cloud_id}


def test_dc_pat_as_bearer(
    world: World, server: SandboxServer, client: httpx.Client
) -> None:
    pat = world.sandbox.issue_personal_access_token(world.user, world.dc)

    response = client.get(
        f"{server.dc_site_url('corp')}/rest/api/2/myself",
        headers={"Authorization": f"Bearer {pat}"},
    )

    assert response.status_code == 200
    assert response.headers["x-ausername"] == world.user.username
    assert response.headers["x-seraph-loginreason"] == "OK"


def test_dc_pat_as_basic_password_fails(
    world: World, server: SandboxServer, client: httpx.Client
) -> None:
    pat = world.sandbox.issue_personal_access_token(world.user, world.dc)

    response = client.get(
        f"{server.dc_site_url('corp')}/rest/api/2/myself",
        auth=(world.user.username, pat),
    )

    assert response.status_code == 401
    assert response.headers["x-seraph-loginreason"] == "AUTHENTICATED_FAILED"
    assert response.json() == DC_UNAUTHENTICATED


def test_dc_pat_of_other_site_fails(
    world: World, server: SandboxServer, client: httpx.Client
) -> None:
    other = world.sandbox.add_dc_site("other")
    pat = world.sandbox.issue_personal_access_token(world.user, other)

    response = client.get(
        f"{server.dc_site_url('corp')}/rest/api/2/myself",
        headers={"Authorization": f"Bearer {pat}"},
    )

    assert response.status_code == 401


def test_dc_basic_with_password(
    world: World, server: SandboxServer, client: httpx.Client
) -> None:
    response = client.get(
        f"{server.dc_site_url('corp')}/rest/api/2/myself",
        auth=(world.user.username, world.user.password),
    )

    assert response.status_code == 200
    assert response.json()["key"] == world.user.username


def test_dc_basic_with_wrong_password(
    world: World, server: SandboxServer, client: httpx.Client
) -> None:
    response = client.get(
        f"{server.dc_site_url('corp')}/rest/api/2/myself",
        auth=(world.user.username, "wrong"),
    )

    assert response.status_code == 401
    assert response.headers["x-seraph-loginreason"] == "AUTHENTICATED_FAILED"


def test_dc_anonymous_myself(server: SandboxServer, client: httpx.Client) -> None:
    response = client.get(f"{server.dc_site_url('corp')}/rest/api/2/myself")

    assert response.status_code == 401
    assert response.json() == DC_UNAUTHENTICATED
    assert response.headers["x-ausername"] == "anonymous"


def test_bad_credentials_on_anonymous_resource(
    world: World, server: SandboxServer, client: httpx.Client
) -> None:
    response = client.get(
        f"{server.dc_site_url('corp')}/rest/api/2/serverInfo",
        auth=(world.user.username, "wrong"),
    )

    assert response.status_code == 401


def test_user_without_site_access_is_rejected(
    world: World, server: SandboxServer, client: httpx.Client
) -> None:
    token = world.sandbox.issue_api_token(world.user)
    world.sandbox.revoke_site_access(world.user, world.cloud)

    response = client.get(
        f"{server.cloud_site_url('acme')}/rest/api/2/myself",
        auth=(world.user.email, token),
    )

    assert response.status_code == 401
