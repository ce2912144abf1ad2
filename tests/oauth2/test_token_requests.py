"""Token requests: exact bodies of the code exchange and the refresh."""

from __future__ import annotations

import json
from datetime import timedelta
from urllib.parse import parse_qsl

import httpx
import pytest
from pydantic import SecretStr

from connauth import HostIdentity
from connauth import ReauthorizationRequired
from connauth import TokenSet
from connauth_oauth2 import OAuth2Authorization
from connauth_oauth2 import refresh_exchange

from ._support import NOW
from ._support import cloud_config
from ._support import dc_config
from ._support import drive
from ._support import load_data
from ._support import reply

TOKEN_BODY = {"access_token": "AT", "refresh_token": "RT", "expires_in": 3600}
RESOURCES = [
    {
        "id": "11223344-a1b2-3b33-c444-def123456789",
        "name": "acme",
        "url": "https://acme.atlassian.net",
        "scopes": ["read:jira-work", "write:jira-work"],
    }
]
REDIRECT = "https://host.example.test/cb/"


def expired_tokens(refresh_token: str | None) -> TokenSet:
    return TokenSet(
        access_token=SecretStr("AT1"),
        refresh_token=SecretStr(refresh_token) if refresh_token else None,
        expires_at=NOW - timedelta(seconds=10),
        scope=("read:jira-work", "offline_access"),
    )


def login(config_flow: OAuth2Authorization, *responders: object) -> list[httpx.Request]:
    prompt, _ = drive(config_flow.begin(state="S", callback_url=REDIRECT))
    exchange = config_flow.complete(
        pending=prompt.pending, callback={"code": "CODE", "state": "S"}
    )
    _, sent = drive(exchange, *responders)  # type: ignore[arg-type]
    return sent


def test_cloud_exchange_body_exact(host: HostIdentity) -> None:
    flow = OAuth2Authorization(cloud_config(), host, clock=lambda: NOW)
    sent = login(flow, reply(200, TOKEN_BODY), reply(200, RESOURCES))
    request = sent[0]
    assert request.method == "POST"
    assert str(request.url) == "https://auth.example.test/oauth/token"
    assert request.headers["Content-Type"] == "application/json"
    assert request.content == (
        b'{"grant_type":"authorization_code","client_id":"CID",'
        b'"client_secret":"SECRET","code":"CODE",'
        b'"redirect_uri":"https://host.example.test/cb/"}'
    )
    assert "Authorization" not in request.headers


def test_dc_exchange_body_is_form_with_verifier(host: HostIdentity) -> None:
    flow = OAuth2Authorization(dc_config(), host, clock=lambda: NOW)
    prompt, _ = drive(flow.begin(state="S", callback_url=REDIRECT))
    verifier = prompt.pending["code_verifier"].get_secret_value()
    exchange = flow.complete(pending=prompt.pending, callback={"code": "CODE"})
    result, sent = drive(exchange, reply(200, {**TOKEN_BODY, "token_type": "bearer"}))
    request = sent[0]
    assert str(request.url) == "https://jira.corp.test/jira/rest/oauth2/latest/token"
    assert request.headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert parse_qsl(request.content.decode()) == [
        ("client_id", "dc-client"),
        ("client_secret", "dc-secret"),
        ("code", "CODE"),
        ("grant_type", "authorization_code"),
        ("redirect_uri", REDIRECT),
        ("code_verifier", verifier),
    ]
    assert result.api_base_url == "https://jira.corp.test/jira"
    assert dict(result.data) == {"deployment": "datacenter"}
    assert result.tokens is not None
    assert result.tokens.token_type == "Bearer"


def test_refresh_body_exact() -> None:
    case = load_data("refresh_rotation.json")
    config = cloud_config(
        client_id=case["client_id"], client_secret=case["client_secret"]
    )
    tokens, sent = drive(
        refresh_exchange(config, expired_tokens("RT1"), clock=lambda: NOW),
        reply(200, case["response"]),
    )
    assert len(sent) == 1
    assert sent[0].method == "POST"
    assert sent[0].headers["Content-Type"] == "application/json"
    assert sent[0].content == case["request_body"].encode()
    assert json.loads(sent[0].content)["refresh_token"] == "RT1"
    assert tokens.access_token.get_secret_value() == "AT2"
    assert tokens.refresh_token is not None
    assert tokens.refresh_token.get_secret_value() == "RT2"
    assert tokens.expires_at == NOW + timedelta(seconds=3600)
    assert tokens.scope == ("read:jira-work", "offline_access")


def test_dc_refresh_body_is_form() -> None:
    tokens, sent = drive(
        refresh_exchange(dc_config(), expired_tokens("RT1"), clock=lambda: NOW),
        reply(
            200, {"access_token": "AT2", "refresh_token": "RT2", "token_type": "bearer"}
        ),
    )
    assert sent[0].headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert parse_qsl(sent[0].content.decode()) == [
        ("grant_type", "refresh_token"),
        ("client_id", "dc-client"),
        ("client_secret", "dc-secret"),
        ("refresh_token", "RT1"),
    ]
    assert tokens.refresh_token is not None
    assert tokens.refresh_token.get_secret_value() == "RT2"


def test_refresh_without_new_token_keeps_old() -> None:
    tokens, _ = drive(
        refresh_exchange(cloud_config(), expired_tokens("RT1"), clock=lambda: NOW),
        reply(200, {"access_token": "AT2", "expires_in": 60}),
    )
    assert tokens.refresh_token is not None
    assert tokens.refresh_token.get_secret_value() == "RT1"
    assert tokens.scope == ("read:jira-work", "offline_access")


def test_refresh_without_refresh_token_sends_nothing() -> None:
    exchange = refresh_exchange(cloud_config(), expired_tokens(None), clock=lambda: NOW)
    with pytest.raises(ReauthorizationRequired, match="offline_access") as caught:
        drive(exchange)
    assert caught.value.reason == "no_refresh_token"
