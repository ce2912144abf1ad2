"""Full logins and API calls against the sandbox over loopback TLS."""

from __future__ import annotations

import asyncio
import ssl
from typing import Any

import httpx
import pytest
from basic_support import JiraWorld
from pydantic import SecretStr

from connauth import AuthenticationFailed
from connauth import CheckStatus
from connauth import CloudPasswordRejected
from connauth import Connauth
from connauth import Connector
from connauth_basic import Credential
from connauth_basic import JiraBasicAuth
from connauth_basic import classify_auth_failure

TASK = {
    "project": {"key": "DEMO"},
    "summary": "Sandbox task",
    "issuetype": {"name": "Task"},
}


def _cloud_connector(connauth: Connauth, world: JiraWorld, **auth: Any) -> Connector:
    values = {
        "site_url": world.cloud_url,
        "email": world.user.email,
        "api_token": world.api_token,
        **auth,
    }
    return connauth.connector("acme", "basic", values, world.http)


def _dc_connector(connauth: Connauth, world: JiraWorld, **auth: Any) -> Connector:
    values = {"site_url": world.dc_url, "token": world.personal_access_token, **auth}
    return connauth.connector("corp", "pat", values, world.http)


def test_cloud_login_and_issue_create(connauth: Connauth, world: JiraWorld) -> None:
    connector = _cloud_connector(connauth, world)

    record = connauth.login(connector)

    assert record.tokens is None
    assert record.api_base_url == world.cloud_url
    assert record.data["deployment"] == "cloud"
    assert record.data["account_id"] == world.user.account_id
    with connauth.client(connector) as client:
        myself = client.get("rest/api/3/myself")
        created = client.post("rest/api/3/issue", json={"fields": TASK})
    assert myself.status_code == 200
    assert myself.json()["accountId"] == world.user.account_id
    assert myself.request.headers["Authorization"].startswith("Basic ")
    assert created.status_code == 201
    assert created.json()["key"] == "DEMO-1"
    assert world.cloud.issues["DEMO-1"].reporter_account_id == world.user.account_id


def test_dc_pat_login_and_issue_create(connauth: Connauth, world: JiraWorld) -> None:
    connector = _dc_connector(connauth, world)

    record = connauth.login(connector)

    assert record.api_base_url == world.dc_url
    assert record.data == {"deployment": "datacenter", "username": "ada"}
    with connauth.client(connector) as client:
        myself = client.get("rest/api/2/myself")
        created = client.post(
            "rest/api/2/issue", json={"fields": {**TASK, "project": {"key": "OPS"}}}
        )
    assert myself.status_code == 200
    assert myself.json()["name"] == "ada"
    sent = myself.request.headers.get_list("Authorization")
    assert sent == [f"Bearer {world.personal_access_token}"]
    assert created.status_code == 201
    assert created.json()["key"] == "OPS-1"


@pytest.mark.parametrize("deployment", ["cloud", "dc"])
def test_async_login_and_client(
    deployment: str, connauth: Connauth, world: JiraWorld
) -> None:
    if deployment == "cloud":
        connector = _cloud_connector(connauth, world)
        path, project = "rest/api/3", "DEMO"
    else:
        connector = _dc_connector(connauth, world)
        path, project = "rest/api/2", "OPS"

    async def run() -> tuple[httpx.Response, httpx.Response]:
        prompt = await connauth.begin_login_async(connector)
        assert prompt.url is None
        await connauth.complete_login_async(connector, {"state": prompt.state})
        async with connauth.async_client(connector) as client:
            myself = await client.get(f"{path}/myself")
            fields = {**TASK, "project": {"key": project}}
            created = await client.post(f"{path}/issue", json={"fields": fields})
        return myself, created

    myself, created = asyncio.run(run())

    assert myself.status_code == 200
    assert myself.json()["displayName"] == "Ada Lovelace"
    assert created.status_code == 201
    assert created.json()["key"] == f"{project}-1"


def test_cloud_password_is_rejected(connauth: Connauth, world: JiraWorld) -> None:
    connector = _cloud_connector(connauth, world, api_token=world.user.password)

    warnings = connauth.validate(connector)
    with pytest.raises(CloudPasswordRejected) as caught:
        connauth.login(connector)

    assert any(r.id == "api-token-format" for r in warnings)
    assert caught.value.status_code == 401
    assert "API token" in caught.value.message
    assert world.user.password not in str(caught.value)
    assert connauth.store.get(connector.id) is None


def test_wrong_api_token_fails_login(connauth: Connauth, world: JiraWorld) -> None:
    other = world.sandbox.issue_api_token(world.user)
    world.sandbox.revoke_token(other)
    connector = _cloud_connector(connauth, world, api_token=other)

    with pytest.raises(AuthenticationFailed) as caught:
        connauth.login(connector)

    assert caught.value.status_code == 401
    assert other not in str(caught.value)


def test_expired_pat_fails_login(connauth: Connauth, world: JiraWorld) -> None:
    world.sandbox.expire_access_token(world.personal_access_token)
    connector = _dc_connector(connauth, world)

    with pytest.raises(AuthenticationFailed, match="personal access token"):
        connauth.login(connector)


def test_pat_as_basic_password_on_dc(world: JiraWorld) -> None:
    auth = JiraBasicAuth("ada", SecretStr(world.personal_access_token))
    context = ssl.create_default_context(cafile=str(world.server.ca_path))

    with httpx.Client(auth=auth, verify=context) as client:
        response = client.get(f"{world.dc_url}/rest/api/2/myself")
    error = classify_auth_failure(response, credential=Credential.BASIC)

    assert response.status_code == 401
    assert response.headers["X-Seraph-LoginReason"] == "AUTHENTICATED_FAILED"
    assert isinstance(error, AuthenticationFailed)
    assert "sends it as a Bearer token" in error.message


@pytest.mark.parametrize("logged_in", [True, False], ids=["after-login", "no-record"])
def test_checks_pass_for_cloud(
    logged_in: bool, connauth: Connauth, world: JiraWorld
) -> None:
    connector = _cloud_connector(connauth, world)
    if logged_in:
        connauth.login(connector)

    results = {result.id: result for result in asyncio.run(connauth.check(connector))}

    assert results["credentials"].status is CheckStatus.PASS
    assert results["account"].status is CheckStatus.PASS
    assert "Ada Lovelace" in results["account"].message
    assert results["account"].details["accountId"] == world.user.account_id


def test_checks_fail_for_revoked_pat(connauth: Connauth, world: JiraWorld) -> None:
    connector = _dc_connector(connauth, world)
    world.sandbox.revoke_token(world.personal_access_token)

    results = {result.id: result for result in asyncio.run(connauth.check(connector))}

    assert results["credentials"].status is CheckStatus.FAIL
    assert results["credentials"].step == "create-token"
    assert results["credentials"].details["status_code"] == 401
    assert results["account"].status is CheckStatus.SKIP
