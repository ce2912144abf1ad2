"""Atlassian Cloud 3LO against the sandbox over TLS, client side written by hand."""

from __future__ import annotations

import re
import time

import httpx
import pytest
from sandbox_support import CALLBACK
from sandbox_support import CloudFlow
from sandbox_support import FakeClock
from sandbox_support import World
from sandbox_support import query_of

from connauth_sandbox import ConsentPolicy
from connauth_sandbox import InjectedFailure
from connauth_sandbox import SandboxServer
from connauth_sandbox import Surface
from connauth_sandbox import TokenKind

DEAD_REFRESH = {
    "error": "invalid_grant",
    "error_description": "Unknown or invalid refresh token.",
}


def test_approve_redirects_with_code(cloud_flow: CloudFlow) -> None:
    response = cloud_flow.authorize()

    assert response.status_code == 302
    assert response.headers["location"].startswith(CALLBACK + "?")
    query = query_of(response)
    assert query["state"] == "state-1234"
    assert query["code"]


def test_deny_redirects_with_access_denied(cloud_flow: CloudFlow, world: World) -> None:
    world.sandbox.settings.consent_policy = ConsentPolicy.DENY

    response = cloud_flow.authorize()

    assert response.status_code == 302
    location = response.headers["location"]
    assert location == (
        f"{CALLBACK}?error=access_denied"
        "&error_description=User%20did%20not%20authorize%20the%20request"
        "&state=state-1234"
    )


def test_prompt_page_posts_back(
    cloud_flow: CloudFlow, world: World, server: SandboxServer
) -> None:
    world.sandbox.settings.consent_policy = ConsentPolicy.PROMPT

    page = cloud_flow.authorize()
    assert page.status_code == 200
    assert "Demo app" in page.text
    assert 'method="post"' in page.text
    ticket_match = re.search(r'name="ticket" value="([^"]+)"', page.text)
    assert ticket_match is not None
    ticket = ticket_match.group(1)

    approved = cloud_flow.http.post(
        server.authorize_url, data={"ticket": ticket, "decision": "approve"}
    )
    assert approved.status_code == 302
    assert query_of(approved)["state"] == "state-1234"
    assert "code" in query_of(approved)

    replayed = cloud_flow.http.post(
        server.authorize_url, data={"ticket": ticket, "decision": "approve"}
    )
    assert replayed.status_code == 400


def test_prompt_page_deny_button(
    cloud_flow: CloudFlow, world: World, server: SandboxServer
) -> None:
    world.sandbox.settings.consent_policy = ConsentPolicy.PROMPT
    page = cloud_flow.authorize()
    ticket_match = re.search(r'name="ticket" value="([^"]+)"', page.text)
    assert ticket_match is not None

    denied = cloud_flow.http.post(
        server.authorize_url, data={"ticket": ticket_match.group(1), "decision": "deny"}
    )

    assert denied.status_code == 302
    assert query_of(denied)["error"] == "access_denied"


def test_unknown_client_gets_error_page(cloud_flow: CloudFlow) -> None:
    response = cloud_flow.authorize(client_id="no-such-client")

    assert response.status_code == 400
    assert "location" not in response.headers


def test_redirect_uri_matches_exactly(
    cloud_flow: CloudFlow,
) -> None:
    for variant in (CALLBACK + "/", CALLBACK.upper(), CALLBACK.replace(":9", "")):
        response = cloud_flow.authorize(redirect_uri=variant)
        assert response.status_code == 400, variant
        assert "location" not in response.headers


def test_authorize_rejects_foreign_audience(cloud_flow: CloudFlow) -> None:
    response = cloud_flow.authorize(audience="example.com")

    assert response.status_code == 302
    assert query_of(response)["error"] == "invalid_request"
    assert query_of(response)["state"] == "state-1234"


def test_authorize_accepts_missing_audience(cloud_flow: CloudFlow) -> None:
    response = cloud_flow.authorize(audience=None)

    assert response.status_code == 302
    assert "code" in query_of(response)


def test_authorize_rejects_scope_outside_app(cloud_flow: CloudFlow) -> None:
    response = cloud_flow.authorize(scope="read:jira-user manage:jira-configuration")

    assert response.status_code == 302
    assert query_of(response)["error"] == "invalid_scope"


def test_authorize_rejects_other_response_type(cloud_flow: CloudFlow) -> None:
    response = cloud_flow.authorize(response_type="token")

    assert response.status_code == 302
    assert query_of(response)["error"] in (
        "unsupported_response_type",
        "unauthorized_client",
    )


def test_code_exchange_response_shape(cloud_flow: CloudFlow) -> None:
    response = cloud_flow.exchange(cloud_flow.code())

    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    body = response.json()
    assert set(body) == {
        "access_token",
        "expires_in",
        "scope",
        "token_type",
        "refresh_token",
    }
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 3600
    assert body["scope"] == "read:jira-user read:jira-work offline_access"


def test_code_exchange_accepts_form_body(
    cloud_flow: CloudFlow, server: SandboxServer
) -> None:
    form = {
        "grant_type": "authorization_code",
        "client_id": cloud_flow.app.client_id,
        "client_secret": cloud_flow.app.client_secret,
        "code": cloud_flow.code(),
        "redirect_uri": CALLBACK,
    }

    response = cloud_flow.http.post(server.token_url, data=form)

    assert response.status_code == 200
    assert "access_token" in response.json()


def test_no_refresh_token_without_offline_access(cloud_flow: CloudFlow) -> None:
    tokens = cloud_flow.tokens(scope="read:jira-user")

    assert "refresh_token" not in tokens


def test_code_is_single_use(cloud_flow: CloudFlow) -> None:
    code = cloud_flow.code()
    first = cloud_flow.exchange(code)
    second = cloud_flow.exchange(code)

    assert first.status_code == 200
    assert second.status_code == 403
    assert second.json()["error"] == "invalid_grant"


def test_code_expires(cloud_flow: CloudFlow, world: World, clock: FakeClock) -> None:
    code = cloud_flow.code()
    clock.advance(world.sandbox.settings.cloud_authorization_code_lifetime + 1)

    response = cloud_flow.exchange(code)

    assert response.status_code == 403


def test_code_exchange_rejects_other_redirect_uri(cloud_flow: CloudFlow) -> None:
    response = cloud_flow.exchange(cloud_flow.code(), redirect_uri=CALLBACK + "/")

    assert response.status_code == 400
    assert response.json()["error"] == "invalid_request"


def test_wrong_client_secret_is_401(cloud_flow: CloudFlow) -> None:
    response = cloud_flow.exchange(cloud_flow.code(), client_secret="wrong")

    assert response.status_code == 401
    assert response.json() == {
        "error": "access_denied",
        "error_description": "Unauthorized",
    }


def test_missing_client_secret_is_401(
    cloud_flow: CloudFlow, server: SandboxServer
) -> None:
    body = {
        "grant_type": "authorization_code",
        "client_id": cloud_flow.app.client_id,
        "code": cloud_flow.code(),
        "redirect_uri": CALLBACK,
    }

    response = cloud_flow.http.post(server.token_url, json=body)

    assert response.status_code == 401


def test_refresh_rotates_refresh_token(cloud_flow: CloudFlow) -> None:
    first = cloud_flow.tokens()

    response = cloud_flow.refresh(first["refresh_token"])

    assert response.status_code == 200
    second = response.json()
    assert second["refresh_token"] != first["refresh_token"]
    assert second["access_token"] != first["access_token"]
    assert second["scope"] == first["scope"]


def test_reuse_within_window_succeeds(cloud_flow: CloudFlow, clock: FakeClock) -> None:
    first = cloud_flow.tokens()
    rotated = cloud_flow.refresh(first["refresh_token"]).json()
    clock.advance(599)

    again = cloud_flow.refresh(first["refresh_token"])

    assert again.status_code == 200
    assert cloud_flow.refresh(rotated["refresh_token"]).status_code == 200


def test_reuse_after_window_revokes_family(
    cloud_flow: CloudFlow, world: World, clock: FakeClock, server: SandboxServer
) -> None:
    first = cloud_flow.tokens()
    rotated = cloud_flow.refresh(first["refresh_token"]).json()
    clock.advance(world.sandbox.settings.cloud_refresh_reuse_window + 1)

    breach = cloud_flow.refresh(first["refresh_token"])

    assert breach.status_code == 403
    assert breach.json() == DEAD_REFRESH
    successor = cloud_flow.refresh(rotated["refresh_token"])
    assert successor.status_code == 403
    assert successor.json() == DEAD_REFRESH
    resources = cloud_flow.http.get(
        server.accessible_resources_url,
        headers={"Authorization": f"Bearer {rotated['access_token']}"},
    )
    assert resources.status_code == 401
    family = {r.grant_id for r in world.sandbox.issued_tokens()}
    assert len(family) == 1
    assert all(r.revoked_at is not None for r in world.sandbox.issued_tokens())


def test_configured_reuse_window_applies(
    cloud_flow: CloudFlow, world: World, clock: FakeClock
) -> None:
    world.sandbox.settings.cloud_refresh_reuse_window = 0.5
    first = cloud_flow.tokens()
    cloud_flow.refresh(first["refresh_token"])
    clock.advance(1)

    assert cloud_flow.refresh(first["refresh_token"]).status_code == 403


def test_unknown_refresh_token_is_403(cloud_flow: CloudFlow) -> None:
    response = cloud_flow.refresh("not-a-refresh-token")

    assert response.status_code == 403
    assert response.json() == DEAD_REFRESH


def test_refresh_with_wrong_secret_is_401(cloud_flow: CloudFlow) -> None:
    tokens = cloud_flow.tokens()

    response = cloud_flow.refresh(tokens["refresh_token"], client_secret="wrong")

    assert response.status_code == 401
    assert response.json()["error"] == "access_denied"


def test_access_token_lifetime_is_configurable(
    cloud_flow: CloudFlow, world: World
) -> None:
    world.sandbox.settings.cloud_access_token_lifetime = 120

    assert cloud_flow.tokens()["expires_in"] == 120


def test_drop_refresh_token_knob(cloud_flow: CloudFlow, world: World) -> None:
    first = cloud_flow.tokens()
    world.sandbox.settings.drop_refresh_token_on_refresh = True

    response = cloud_flow.refresh(first["refresh_token"])

    assert response.status_code == 200
    assert "refresh_token" not in response.json()
    assert cloud_flow.refresh(first["refresh_token"]).status_code == 200


def test_injected_failures_are_served_in_order(
    cloud_flow: CloudFlow, world: World
) -> None:
    tokens = cloud_flow.tokens()
    queue = world.sandbox.settings.token_endpoint_failures
    queue.append(InjectedFailure(status=429, retry_after=7))
    queue.append(InjectedFailure(status=503, surfaces=frozenset({Surface.CLOUD})))
    queue.append(InjectedFailure(status=500, surfaces=frozenset({Surface.DC})))

    limited = cloud_flow.refresh(tokens["refresh_token"])
    unavailable = cloud_flow.refresh(tokens["refresh_token"])
    recovered = cloud_flow.refresh(tokens["refresh_token"])

    assert limited.status_code == 429
    assert limited.headers["retry-after"] == "7"
    assert unavailable.status_code == 503
    assert recovered.status_code == 200
    assert len(queue) == 1


def test_token_endpoint_latency(cloud_flow: CloudFlow, world: World) -> None:
    world.sandbox.settings.token_endpoint_latency = 0.3
    code = cloud_flow.code()

    started = time.monotonic()
    response = cloud_flow.exchange(code)

    assert response.status_code == 200
    assert time.monotonic() - started >= 0.3


def test_counters_count_calls_per_grant_type(
    cloud_flow: CloudFlow, world: World
) -> None:
    tokens = cloud_flow.tokens()
    cloud_flow.refresh(tokens["refresh_token"])
    cloud_flow.refresh("unknown")

    assert world.sandbox.token_requests(Surface.CLOUD, "authorization_code") == 1
    assert world.sandbox.token_requests("cloud", "refresh_token") == 2


def test_issued_tokens_are_recorded(cloud_flow: CloudFlow, world: World) -> None:
    tokens = cloud_flow.tokens()

    access = world.sandbox.issued_tokens(TokenKind.ACCESS_TOKEN)
    refresh = world.sandbox.issued_tokens(TokenKind.REFRESH_TOKEN)

    assert [r.value for r in access] == [tokens["access_token"]]
    assert [r.value for r in refresh] == [tokens["refresh_token"]]
    assert access[0].account_id == world.user.account_id
    assert access[0].expires_at == world.sandbox.now() + 3600


def test_accessible_resources_lists_granted_sites(
    cloud_flow: CloudFlow, world: World, server: SandboxServer
) -> None:
    other = world.sandbox.add_cloud_site("beta")
    tokens = cloud_flow.tokens()

    response = cloud_flow.http.get(
        server.accessible_resources_url,
        headers={"Authorization": f"Bearer {tokens['access_token']}"},
    )

    assert response.status_code == 200
    sites = response.json()
    assert [site["id"] for site in sites] == [world.cloud.cloud_id, other.cloud_id]
    assert sites[0]["name"] == "acme"
    assert sites[0]["url"] == server.cloud_site_url("acme")
    assert sites[0]["scopes"] == ["read:jira-user", "read:jira-work"]
    assert set(sites[0]) == {"id", "name", "url", "scopes", "avatarUrl"}


def test_accessible_resources_omit_sites_without_access(
    cloud_flow: CloudFlow, world: World, server: SandboxServer
) -> None:
    other = world.sandbox.add_cloud_site("beta")
    world.sandbox.revoke_site_access(world.user, other)
    tokens = cloud_flow.tokens()

    response = cloud_flow.http.get(
        server.accessible_resources_url,
        headers={"Authorization": f"Bearer {tokens['access_token']}"},
    )

    assert [site["name"] for site in response.json()] == ["acme"]


def test_gateway_myself_with_token(
    cloud_flow: CloudFlow, world: World, server: SandboxServer
) -> None:
    tokens = cloud_flow.tokens()
    url = f"{server.gateway_url}/ex/jira/{world.cloud.cloud_id}/rest/api/3/myself"

    response = cloud_flow.http.get(
        url, headers={"Authorization": f"Bearer {tokens['access_token']}"}
    )

    assert response.status_code == 200
    body = response.json()
    assert body["accountId"] == world.user.account_id
    assert body["emailAddress"] == "ada@example.com"
    assert "name" not in body


def test_gateway_missing_scope_is_401(
    cloud_flow: CloudFlow, world: World, server: SandboxServer
) -> None:
    tokens = cloud_flow.tokens(scope="read:jira-work")
    url = f"{server.gateway_url}/ex/jira/{world.cloud.cloud_id}/rest/api/3/myself"

    response = cloud_flow.http.get(
        url, headers={"Authorization": f"Bearer {tokens['access_token']}"}
    )

    assert response.status_code == 401
    assert response.json() == {
        "code": 401,
        "message": "Unauthorized; scope does not match",
    }


def test_gateway_rejects_expired_token(
    cloud_flow: CloudFlow, world: World, server: SandboxServer
) -> None:
    tokens = cloud_flow.tokens()
    world.sandbox.expire_access_token(tokens["access_token"])
    url = f"{server.gateway_url}/ex/jira/{world.cloud.cloud_id}/rest/api/3/myself"

    response = cloud_flow.http.get(
        url, headers={"Authorization": f"Bearer {tokens['access_token']}"}
    )

    assert response.status_code == 401
    refreshed = cloud_flow.refresh(tokens["refresh_token"])
    assert refreshed.status_code == 200


def test_gateway_creates_issue_with_write_scope(
    cloud_flow: CloudFlow, world: World, server: SandboxServer
) -> None:
    tokens = cloud_flow.tokens(scope="read:jira-work write:jira-work")
    api = f"{server.gateway_url}/ex/jira/{world.cloud.cloud_id}/rest/api/3"
    headers = {"Authorization": f"Bearer {tokens['access_token']}"}
    fields = {
        "project": {"key": "DEMO"},
        "summary": "Created through the gateway",
        "issuetype": {"name": "Task"},
    }

    created = cloud_flow.http.post(
        f"{api}/issue", json={"fields": fields}, headers=headers
    )

    assert created.status_code == 201
    key = created.json()["key"]
    assert key == "DEMO-1"
    fetched = cloud_flow.http.get(f"{api}/issue/{key}", headers=headers)
    assert fetched.json()["fields"]["summary"] == "Created through the gateway"


def test_gateway_token_does_not_work_on_site_url(
    cloud_flow: CloudFlow, server: SandboxServer
) -> None:
    tokens = cloud_flow.tokens()

    response = cloud_flow.http.get(
        f"{server.cloud_site_url('acme')}/rest/api/3/myself",
        headers={"Authorization": f"Bearer {tokens['access_token']}"},
    )

    assert response.status_code == 401


def test_consent_user_is_configurable(cloud_flow: CloudFlow, world: World) -> None:
    grace = world.sandbox.add_user("grace@example.com")
    world.sandbox.settings.consent_account_id = grace.account_id

    cloud_flow.tokens()

    (record,) = world.sandbox.issued_tokens(TokenKind.ACCESS_TOKEN)
    assert record.account_id == grace.account_id


def test_http_client_verifies_sandbox_ca(server: SandboxServer) -> None:
    with (
        httpx.Client() as untrusting,
        pytest.raises(httpx.ConnectError, match="CERTIFICATE_VERIFY_FAILED"),
    ):
        untrusting.get(f"{server.base_url}/_sandbox/counters")
