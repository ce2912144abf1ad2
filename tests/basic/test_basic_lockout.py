"""CAPTCHA lock-outs and rejected logins are never retried.

A scripted loopback server plays a Jira that has locked the account, because
the sandbox has no CAPTCHA lock-out. Each request it receives would count as
one more failed login on a real Jira.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import httpx
import pytest
from basic_support import DATA
from basic_support import LoopbackAuthority
from basic_support import ReceivedRequest
from basic_support import Reply
from basic_support import Script
from basic_support import make_connauth
from basic_support import scripted_server
from pydantic import SecretStr

from connauth import AuthenticationFailed
from connauth import CaptchaRequired
from connauth import CheckStatus
from connauth_basic import Credential
from connauth_basic import JiraBasicAuth
from connauth_basic import classify_auth_failure

CASES = json.loads((DATA / "cases.json").read_text())
CAPTCHA = CASES["captcha"]
PAT = "MTIzNDU2Nzg5MDEyOkFCQ0RFRkdI"


def _locked(request: ReceivedRequest) -> Reply:
    if request.path.endswith("/serverInfo"):
        body = b'{"deploymentType": "Server", "version": "10.3.19"}'
        return Reply(200, {"Content-Type": "application/json"}, body)
    return Reply(CAPTCHA["status"], CAPTCHA["headers"], b"")


def _rejected(request: ReceivedRequest) -> Reply:
    return Reply(401, CASES["dc_pat_as_basic_password"]["headers"], b"")


def _myself_requests(requests: list[ReceivedRequest]) -> list[ReceivedRequest]:
    return [request for request in requests if request.path.endswith("/myself")]


def test_login_on_captcha_sends_one_request(
    authority: LoopbackAuthority, tmp_path: Path
) -> None:
    with scripted_server(_locked, authority=authority) as jira:
        connauth = make_connauth(jira.base_url, tmp_path / "tokens.sqlite3")
        connector = connauth.connector(
            "corp",
            "pat",
            {"site_url": jira.base_url, "token": PAT},
            http={"verify": str(authority.ca_path)},
        )

        with pytest.raises(CaptchaRequired) as caught:
            connauth.login(connector)

    assert caught.value.login_url == CAPTCHA["login_url"]
    assert len(jira.requests) == 1
    assert connauth.store.get("corp") is None


def test_checks_on_captcha_send_one_myself(
    authority: LoopbackAuthority, tmp_path: Path
) -> None:
    with scripted_server(_locked, authority=authority) as jira:
        connauth = make_connauth(jira.base_url, tmp_path / "tokens.sqlite3")
        connector = connauth.connector(
            "corp",
            "pat",
            {"site_url": jira.base_url, "token": PAT},
            http={"verify": str(authority.ca_path)},
        )

        results = {r.id: r for r in asyncio.run(connauth.check(connector))}

    assert results["credentials"].status is CheckStatus.FAIL
    assert CAPTCHA["login_url"] in results["credentials"].message
    assert results["account"].status is CheckStatus.SKIP
    assert len(_myself_requests(jira.requests)) == 1


@pytest.mark.parametrize("script", [_locked, _rejected], ids=["captcha", "401"])
def test_basic_client_does_not_retry(
    script: Script, authority: LoopbackAuthority
) -> None:
    auth = JiraBasicAuth("user@example.test", SecretStr("api-token-placeholder"))

    with (
        scripted_server(script, authority=authority) as jira,
        httpx.Client(auth=auth, verify=authority.client_context()) as client,
    ):
        response = client.get(f"{jira.base_url}/rest/api/2/myself")

    error = classify_auth_failure(response, credential=Credential.BASIC)
    assert len(jira.requests) == 1
    assert isinstance(error, AuthenticationFailed)


def test_async_basic_client_does_not_retry(authority: LoopbackAuthority) -> None:
    auth = JiraBasicAuth("user@example.test", SecretStr("api-token-placeholder"))

    async def get(url: str) -> httpx.Response:
        async with httpx.AsyncClient(
            auth=auth, verify=authority.client_context()
        ) as client:
            return await client.get(url)

    with scripted_server(_locked, authority=authority) as jira:
        response = asyncio.run(get(f"{jira.base_url}/rest/api/2/myself"))

    error = classify_auth_failure(response, credential=Credential.BASIC)
    assert len(jira.requests) == 1
    assert isinstance(error, CaptchaRequired)
