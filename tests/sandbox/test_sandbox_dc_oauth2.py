"""Jira Data Center's OAuth 2.0 provider with PKCE, over TLS."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sandbox_support import CALLBACK
from sandbox_support import World
from sandbox_support import query_of

from connauth_sandbox import ConsentPolicy
from connauth_sandbox import DcClient
from connauth_sandbox import SandboxServer
from connauth_sandbox import Surface


class DcFlow:
    """The client side of the Data Center authorization code flow."""

    def __init__(self, http: httpx.Client, server: SandboxServer, client: DcClient):
        self.http = http
        self.client = client
        self.base = f"{server.dc_site_url(client.site_name)}/rest/oauth2/latest"

    def authorize(self, **overrides: str | None) -> httpx.Response:
        params: dict[str, Any] = {
            "client_id": self.client.client_id,
            "redirect_uri": CALLBACK,
            "response_type": "code",
            "scope": "WRITE",
            "state": "dc-state",
        }
        params.update(overrides)
        params = {key: value for key, value in params.items() if value is not None}
        return self.http.get(f"{self.base}/authorize", params=params)

    def code(self, **overrides: str | None) -> str:
        response = self.authorize(**overrides)
        assert response.status_code == 303, response.text
        return query_of(response)["code"]

    def token(self, **params: str) -> httpx.Response:
        form = {
            "client_id": self.client.client_id,
            "client_secret": self.client.client_secret,
            "redirect_uri": CALLBACK,
            **params,
        }
        return self.http.post(f"{self.base}/token", data=form)


@pytest.fixture
def dc_client(world: World) -> DcClient:
    return world.sandbox.register_dc_oauth2_client(
        world.dc, CALLBACK, ["READ", "WRITE"]
    )


@pytest.fixture
def dc_flow(client: httpx.Client, server: SandboxServer, dc_client: DcClient) -> DcFlow:
    return DcFlow(client, server, dc_client)


def test_authorize_redirects_with_303(dc_flow: DcFlow) -> None:
    response = dc_flow.authorize()

    assert response.status_code == 303
    assert response.headers["cache-control"] == "no-store"
    assert query_of(response)["state"] == "dc-state"


def test_pkce_s256_rfc7636_vector(dc_flow: DcFlow, pkce_vector: dict[str, str]) -> None:
    code = dc_flow.code(
        code_challenge=pkce_vector["code_challenge"], code_challenge_method="S256"
    )

    response = dc_flow.token(
        grant_type="authorization_code",
        code=code,
        code_verifier=pkce_vector["code_verifier"],
    )

    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "bearer"
    assert body["expires_in"] == 3600
    assert "refresh_token" in body
    assert response.headers["cache-control"] == "no-store"


def test_pkce_wrong_verifier_rejected(
    dc_flow: DcFlow, pkce_vector: dict[str, str]
) -> None:
    code = dc_flow.code(
        code_challenge=pkce_vector["code_challenge"], code_challenge_method="S256"
    )

    response = dc_flow.token(
        grant_type="authorization_code",
        code=code,
        code_verifier="x" * 43,
    )

    assert response.status_code == 400
    assert response.json()["error"] == "invalid_grant"


def test_pkce_missing_verifier_rejected(
    dc_flow: DcFlow, pkce_vector: dict[str, str]
) -> None:
    code = dc_flow.code(code_challenge=pkce_vector["code_challenge"])

    response = dc_flow.token(grant_type="authorization_code", code=code)

    assert response.status_code == 400
    assert response.json()["error"] == "invalid_request"


def test_pkce_method_is_case_insensitive(
    dc_flow: DcFlow, pkce_vector: dict[str, str]
) -> None:
    code = dc_flow.code(
        code_challenge=pkce_vector["code_challenge"], code_challenge_method="s256"
    )

    response = dc_flow.token(
        grant_type="authorization_code",
        code=code,
        code_verifier=pkce_vector["code_verifier"],
    )

    assert response.status_code == 200


def test_pkce_method_defaults_to_plain(dc_flow: DcFlow) -> None:
    verifier = "plain-verifier-" + "a" * 40
    code = dc_flow.code(code_challenge=verifier)

    hashed = dc_flow.token(
        grant_type="authorization_code", code=code, code_verifier="b" * 55
    )
    assert hashed.status_code == 400

    code = dc_flow.code(code_challenge=verifier)
    response = dc_flow.token(
        grant_type="authorization_code", code=code, code_verifier=verifier
    )
    assert response.status_code == 200


def test_pkce_sha256_spelling_rejected(dc_flow: DcFlow) -> None:
    response = dc_flow.authorize(
        code_challenge="c" * 43, code_challenge_method="sha256"
    )

    assert response.status_code == 303
    assert query_of(response)["error"] == "invalid_request"


def test_token_request_in_query_string(
    dc_flow: DcFlow, dc_client: DcClient, client: httpx.Client
) -> None:
    code = dc_flow.code()
    params = {
        "client_id": dc_client.client_id,
        "client_secret": dc_client.client_secret,
        "code": code,
        "grant_type": "authorization_code",
        "redirect_uri": CALLBACK,
    }

    response = client.post(f"{dc_flow.base}/token", params=params)

    assert response.status_code == 200
    assert response.json()["token_type"] == "bearer"


def test_token_request_with_basic_client_auth(
    dc_flow: DcFlow, dc_client: DcClient, client: httpx.Client
) -> None:
    form = {"code": dc_flow.code(), "grant_type": "authorization_code"}
    form["redirect_uri"] = CALLBACK

    response = client.post(
        f"{dc_flow.base}/token",
        data=form,
        auth=(dc_client.client_id, dc_client.client_secret),
    )

    assert response.status_code == 200


def test_refresh_invalidates_previous_pair(
    dc_flow: DcFlow, server: SandboxServer, client: httpx.Client
) -> None:
    first = dc_flow.token(grant_type="authorization_code", code=dc_flow.code()).json()

    second = dc_flow.token(
        grant_type="refresh_token", refresh_token=first["refresh_token"]
    )

    assert second.status_code == 200
    assert second.json()["refresh_token"] != first["refresh_token"]
    reuse = dc_flow.token(
        grant_type="refresh_token", refresh_token=first["refresh_token"]
    )
    assert reuse.status_code == 400
    assert reuse.json()["error"] == "invalid_grant"
    myself = f"{server.dc_site_url('corp')}/rest/api/2/myself"
    old = client.get(
        myself, headers={"Authorization": f"Bearer {first['access_token']}"}
    )
    assert old.status_code == 401
    new_token = second.json()["access_token"]
    new = client.get(myself, headers={"Authorization": f"Bearer {new_token}"})
    assert new.status_code == 200


def test_access_lifetime_is_configurable(dc_flow: DcFlow, world: World) -> None:
    world.sandbox.settings.dc_access_token_lifetime = 7200

    response = dc_flow.token(grant_type="authorization_code", code=dc_flow.code())

    assert response.json()["expires_in"] == 7200


def test_bearer_token_sets_seraph_headers(
    dc_flow: DcFlow, server: SandboxServer, client: httpx.Client, world: World
) -> None:
    tokens = dc_flow.token(grant_type="authorization_code", code=dc_flow.code()).json()

    response = client.get(
        f"{server.dc_site_url('corp')}/rest/api/2/myself",
        headers={"Authorization": f"Bearer {tokens['access_token']}"},
    )

    assert response.status_code == 200
    assert response.headers["x-ausername"] == world.user.username
    assert response.headers["x-seraph-loginreason"] == "OK"
    assert response.json()["name"] == world.user.username
    assert "accountId" not in response.json()


def test_read_scope_cannot_create_issue(
    dc_flow: DcFlow, server: SandboxServer, client: httpx.Client
) -> None:
    code = dc_flow.code(scope="READ")
    tokens = dc_flow.token(grant_type="authorization_code", code=code).json()
    fields = {"project": {"key": "OPS"}, "summary": "x", "issuetype": {"name": "Bug"}}

    response = client.post(
        f"{server.dc_site_url('corp')}/rest/api/2/issue",
        json={"fields": fields},
        headers={"Authorization": f"Bearer {tokens['access_token']}"},
    )

    assert response.status_code == 401


def test_token_of_one_site_fails_on_another(
    dc_flow: DcFlow, server: SandboxServer, client: httpx.Client, world: World
) -> None:
    world.sandbox.add_dc_site("other")
    tokens = dc_flow.token(grant_type="authorization_code", code=dc_flow.code()).json()

    response = client.get(
        f"{server.dc_site_url('other')}/rest/api/2/myself",
        headers={"Authorization": f"Bearer {tokens['access_token']}"},
    )

    assert response.status_code == 401


def test_revoke_refresh_token_revokes_access_token(
    dc_flow: DcFlow,
    dc_client: DcClient,
    server: SandboxServer,
    client: httpx.Client,
) -> None:
    tokens = dc_flow.token(grant_type="authorization_code", code=dc_flow.code()).json()
    form = {
        "token": tokens["refresh_token"],
        "token_type_hint": "refresh_token",
        "client_id": dc_client.client_id,
        "client_secret": dc_client.client_secret,
    }

    revoked = client.post(f"{dc_flow.base}/revoke", data=form)

    assert revoked.status_code == 200
    myself = client.get(
        f"{server.dc_site_url('corp')}/rest/api/2/myself",
        headers={"Authorization": f"Bearer {tokens['access_token']}"},
    )
    assert myself.status_code == 401
    refresh = dc_flow.token(
        grant_type="refresh_token", refresh_token=tokens["refresh_token"]
    )
    assert refresh.status_code == 400


def test_revoke_unknown_token_is_200(
    dc_flow: DcFlow, dc_client: DcClient, client: httpx.Client
) -> None:
    form = {
        "token": "never-issued",
        "client_id": dc_client.client_id,
        "client_secret": dc_client.client_secret,
    }

    assert client.post(f"{dc_flow.base}/revoke", data=form).status_code == 200


def test_revoke_rejects_unknown_hint(
    dc_flow: DcFlow, dc_client: DcClient, client: httpx.Client
) -> None:
    form = {
        "token": "anything",
        "token_type_hint": "id_token",
        "client_id": dc_client.client_id,
        "client_secret": dc_client.client_secret,
    }

    response = client.post(f"{dc_flow.base}/revoke", data=form)

    assert response.status_code == 400
    assert response.json()["error"] == "unsupported_token_type"


def test_revoke_requires_client_authentication(
    dc_flow: DcFlow, client: httpx.Client
) -> None:
    form = {"token": "anything", "client_id": dc_flow.client.client_id}

    response = client.post(f"{dc_flow.base}/revoke", data=form)

    assert response.status_code == 401


def test_metadata_document(
    dc_flow: DcFlow, client: httpx.Client, server: SandboxServer
) -> None:
    response = client.get(f"{dc_flow.base}/.well-known/oauth-authorization-server")

    assert response.status_code == 200
    document = response.json()
    base = server.dc_site_url("corp")
    assert document["issuer"] == base
    assert document["token_endpoint"] == f"{base}/rest/oauth2/latest/token"
    assert document["revocation_endpoint"] == f"{base}/rest/oauth2/latest/revoke"
    assert document["code_challenge_methods_supported"] == ["plain", "S256"]
    assert document["grant_types_supported"] == ["authorization_code", "refresh_token"]
    assert not any(key.startswith("introspection") for key in document)


def test_unknown_site_is_404(client: httpx.Client) -> None:
    response = client.get("/dc/nowhere/rest/oauth2/latest/authorize")

    assert response.status_code == 404


def test_counters_for_dc(dc_flow: DcFlow, world: World) -> None:
    tokens = dc_flow.token(grant_type="authorization_code", code=dc_flow.code()).json()
    dc_flow.token(grant_type="refresh_token", refresh_token=tokens["refresh_token"])

    assert world.sandbox.token_requests(Surface.DC, "authorization_code") == 1
    assert world.sandbox.token_requests(Surface.DC, "refresh_token") == 1
    assert world.sandbox.token_requests(Surface.CLOUD, "authorization_code") == 0


def test_prompt_page_approves_with_303(
    dc_flow: DcFlow, world: World, client: httpx.Client
) -> None:
    world.sandbox.settings.consent_policy = ConsentPolicy.PROMPT
    page = dc_flow.authorize()
    assert page.status_code == 200
    ticket = page.text.split('name="ticket" value="', 1)[1].split('"', 1)[0]

    redirect = client.post(
        f"{dc_flow.base}/authorize", data={"ticket": ticket, "decision": "approve"}
    )

    assert redirect.status_code == 303
    assert query_of(redirect)["state"] == "dc-state"


def test_unknown_consent_user_is_an_error(dc_flow: DcFlow, world: World) -> None:
    world.sandbox.settings.consent_account_id = "557058:unknown"

    response = dc_flow.authorize()

    assert response.status_code == 500
    assert "does not exist" in response.text
