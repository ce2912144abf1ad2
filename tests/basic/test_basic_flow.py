"""The login exchange of ``basic`` and ``pat``, driven without a network."""

from __future__ import annotations

import json
from collections.abc import Callable

import httpx
import pytest
from basic_support import DATA

from connauth import AuthenticationFailed
from connauth import AuthorizationPrompt
from connauth import CaptchaRequired
from connauth import CloudPasswordRejected
from connauth import ConfigError
from connauth import Exchange
from connauth import LoginResult
from connauth import ProtocolError
from connauth import run_exchange
from connauth_basic import BasicConfig
from connauth_basic import PatConfig
from connauth_basic._flow import CredentialLogin

CASES = json.loads((DATA / "cases.json").read_text())
CLOUD_ID = "1324a887-45db-1bf4-1e99-ef0ff456d421"
Responder = Callable[[httpx.Request], httpx.Response]


def _basic(**changes: object) -> BasicConfig:
    values: dict[str, object] = {
        "site_url": "https://acme.atlassian.net",
        "email": CASES["basic_header"]["email"],
        "api_token": CASES["basic_header"]["api_token"],
    }
    values.update(changes)
    return BasicConfig.model_validate(values)


def _pat() -> PatConfig:
    return PatConfig(site_url="https://jira.corp.test", token="MTIzNDU2Nzg5MDEy")


def _drive(
    exchange: Exchange[LoginResult], respond: Responder
) -> tuple[LoginResult, list[httpx.Request]]:
    """Run ``exchange`` with the core's runner, replying with ``respond``."""
    sent: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return respond(request)

    with httpx.Client(transport=httpx.MockTransport(handler)) as client:
        result = run_exchange(client, exchange)
    return result, sent


def _reply(
    status: int, headers: dict[str, str] | None = None, body: object = None
) -> Responder:
    def respond(request: httpx.Request) -> httpx.Response:
        content = b"" if body is None else json.dumps(body).encode()
        if isinstance(body, str):
            content = body.encode()
        return httpx.Response(
            status, headers=headers or {}, content=content, request=request
        )

    return respond


def _complete(config: BasicConfig | PatConfig) -> Exchange[LoginResult]:
    return CredentialLogin(config).complete(pending={}, callback={"state": "s"})


def test_begin_sends_nothing() -> None:
    exchange = CredentialLogin(_basic()).begin(
        state="s", callback_url="https://127.0.0.1/cb"
    )

    with pytest.raises(StopIteration) as stop:
        next(exchange)

    assert stop.value.value == AuthorizationPrompt(url=None)


def test_cloud_login_reads_myself_once() -> None:
    account = {"accountId": "557058:abc", "displayName": "Ada"}
    respond = _reply(200, {"X-AACCOUNTID": "557058:abc"}, account)

    result, sent = _drive(_complete(_basic()), respond)

    assert len(sent) == 1
    assert sent[0].method == "GET"
    assert str(sent[0].url) == "https://acme.atlassian.net/rest/api/3/myself"
    assert sent[0].headers["Authorization"] == CASES["basic_header"]["authorization"]
    assert result.tokens is None
    assert result.api_base_url == "https://acme.atlassian.net"
    assert result.data == {"deployment": "cloud", "account_id": "557058:abc"}


def test_scoped_token_login_uses_gateway() -> None:
    account = {"accountId": "557058:abc"}
    respond = _reply(200, {"X-AACCOUNTID": "557058:abc"}, account)

    result, sent = _drive(_complete(_basic(cloud_id=CLOUD_ID)), respond)

    gateway = f"https://api.atlassian.com/ex/jira/{CLOUD_ID}"
    assert str(sent[0].url) == f"{gateway}/rest/api/3/myself"
    assert sent[0].headers["Authorization"].startswith("Basic ")
    assert result.api_base_url == gateway
    assert result.data["cloud_id"] == CLOUD_ID


def test_dc_login_sends_bearer_only() -> None:
    headers = {"X-Seraph-LoginReason": "OK", "X-AUSERNAME": "ada"}
    respond = _reply(200, headers, {"name": "ada", "key": "ada"})

    result, sent = _drive(_complete(_pat()), respond)

    assert str(sent[0].url) == "https://jira.corp.test/rest/api/2/myself"
    assert sent[0].headers.get_list("Authorization") == ["Bearer MTIzNDU2Nzg5MDEy"]
    assert result.data == {"deployment": "datacenter", "username": "ada"}


def test_cloud_password_fails_login_once() -> None:
    case = CASES["cloud_password_rejected"]
    respond = _reply(
        case["status"], {"Content-Type": case["content_type"]}, case["body"]
    )
    exchange = _complete(_basic(api_token="my password"))

    with pytest.raises(CloudPasswordRejected, match="API token"):
        _drive(exchange, respond)


def test_captcha_stops_login_without_retry() -> None:
    case = CASES["captcha"]
    calls: list[httpx.Request] = []

    def respond(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        return _reply(case["status"], case["headers"])(request)

    with pytest.raises(CaptchaRequired) as caught:
        _drive(_complete(_pat()), respond)

    assert caught.value.login_url == case["login_url"]
    assert len(calls) == 1


def test_anonymous_myself_fails_login() -> None:
    respond = _reply(200, {"X-AUSERNAME": "anonymous"}, {"name": "anonymous"})

    with pytest.raises(AuthenticationFailed, match="anonymously"):
        _drive(_complete(_pat()), respond)


def test_myself_without_account_fails_login() -> None:
    respond = _reply(200, {"X-AACCOUNTID": "557058:abc"}, {"displayName": "Ada"})

    with pytest.raises(AuthenticationFailed, match="accountId"):
        _drive(_complete(_basic()), respond)


def test_basic_404_suggests_pat() -> None:
    respond = _reply(404, {}, {"errorMessages": ["not found"]})

    with pytest.raises(ProtocolError, match="method 'pat'") as caught:
        _drive(_complete(_basic()), respond)

    assert caught.value.step == "copy-credentials"


def test_non_json_myself_is_protocol_error() -> None:
    respond = _reply(200, {"X-AACCOUNTID": "557058:abc"}, "<html>login</html>")

    with pytest.raises(ProtocolError, match="without a JSON object"):
        _drive(_complete(_basic()), respond)


def test_same_origin_redirect_keeps_credentials() -> None:
    def respond(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/rest/api/2/myself":
            return httpx.Response(
                302, headers={"Location": "/jira/rest/api/2/myself"}, request=request
            )
        return _reply(200, {"X-Seraph-LoginReason": "OK"}, {"name": "ada"})(request)

    result, sent = _drive(_complete(_pat()), respond)

    assert [request.url.path for request in sent] == [
        "/rest/api/2/myself",
        "/jira/rest/api/2/myself",
    ]
    assert sent[1].headers["Authorization"] == "Bearer MTIzNDU2Nzg5MDEy"
    assert result.data["username"] == "ada"


@pytest.mark.parametrize(
    "location",
    [
        "https://storage.other.test/blob?sig=x",
        "http://jira.corp.test/rest/api/2/myself",
        "https://jira.corp.test:8443/rest/api/2/myself",
    ],
    ids=["host", "downgrade", "port"],
)
def test_cross_origin_redirect_stops_login(location: str) -> None:
    sent: list[httpx.Request] = []

    def respond(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(302, headers={"Location": location}, request=request)

    with pytest.raises(ConfigError, match="does not send credentials") as caught:
        _drive(_complete(_pat()), respond)

    assert len(sent) == 1
    assert "sig=x" not in caught.value.message


def test_redirect_loop_is_bounded() -> None:
    def respond(request: httpx.Request) -> httpx.Response:
        return httpx.Response(302, headers={"Location": "/again"}, request=request)

    with pytest.raises(ProtocolError, match="redirected more than"):
        _drive(_complete(_pat()), respond)
