"""Reading token responses: field shapes seen from real servers, no offline_access."""

from __future__ import annotations

from datetime import timedelta

import pytest

from connauth import HostIdentity
from connauth import LoginResult
from connauth import ProtocolError
from connauth import UnsupportedTokenType
from connauth_oauth2 import OAuth2Authorization

from ._support import NOW
from ._support import Responder
from ._support import cloud_config
from ._support import drive
from ._support import load_data
from ._support import reply

SHAPES = load_data("token_response_shapes.json")
RESOURCES = [
    {
        "id": "11223344-a1b2-3b33-c444-def123456789",
        "name": "acme",
        "url": "https://acme.atlassian.net",
        "scopes": ["read:jira-work", "read:jira-user"],
    }
]


def complete_login(
    host: HostIdentity, *responders: Responder, refresh: bool = True
) -> LoginResult:
    scopes = None if refresh else ["read:jira-work", "read:jira-user"]
    flow = OAuth2Authorization(
        cloud_config(refresh=refresh, scopes=scopes), host, clock=lambda: NOW
    )
    prompt, _ = drive(flow.begin(state="S", callback_url=host.redirect_url))
    exchange = flow.complete(
        pending=prompt.pending, callback={"code": "C", "state": "S"}
    )
    result, _ = drive(exchange, *responders)
    return result


def test_expires_in_string_and_lowercase_bearer(host: HostIdentity) -> None:
    body = SHAPES["expires_in_string_lowercase_bearer"]
    result = complete_login(host, reply(200, body), reply(200, RESOURCES))
    assert result.tokens is not None
    assert result.tokens.expires_at == NOW + timedelta(seconds=3600)
    assert result.tokens.token_type == "Bearer"


def test_missing_expires_in_uses_one_hour(host: HostIdentity) -> None:
    result = complete_login(
        host, reply(200, SHAPES["no_expires_in"]), reply(200, RESOURCES)
    )
    assert result.tokens is not None
    assert result.tokens.expires_at == NOW + timedelta(hours=1)


def test_bad_expires_at_ignored(host: HostIdentity) -> None:
    result = complete_login(
        host, reply(200, SHAPES["bad_expires_at"]), reply(200, RESOURCES)
    )
    assert result.tokens is not None
    assert result.tokens.expires_at == NOW + timedelta(seconds=3600)


def test_mac_token_type_rejected(host: HostIdentity) -> None:
    with pytest.raises(UnsupportedTokenType, match="mac"):
        complete_login(host, reply(200, SHAPES["mac_token_type"]))


def test_non_numeric_expires_in_named(host: HostIdentity) -> None:
    with pytest.raises(ProtocolError, match="expires_in"):
        complete_login(host, reply(200, SHAPES["expires_in_not_a_number"]))


def test_non_json_success_is_protocol_error(host: HostIdentity) -> None:
    with pytest.raises(ProtocolError, match="200 without a JSON object"):
        complete_login(host, reply(200, text="<html>login</html>"))


def test_without_offline_access_no_refresh(
    host: HostIdentity, caplog: pytest.LogCaptureFixture
) -> None:
    body = {
        "access_token": "AT",
        "expires_in": 3600,
        "token_type": "Bearer",
        "scope": "read:jira-work read:jira-user",
    }
    result = complete_login(
        host, reply(200, body), reply(200, RESOURCES), refresh=False
    )
    assert result.tokens is not None
    assert result.tokens.can_refresh is False
    assert result.tokens.scope == ("read:jira-work", "read:jira-user")
    assert "no refresh token" not in caplog.text


def test_refresh_not_granted_warns(
    host: HostIdentity, caplog: pytest.LogCaptureFixture
) -> None:
    body = {"access_token": "AT-secret", "expires_in": 3600, "token_type": "Bearer"}
    result = complete_login(host, reply(200, body), reply(200, RESOURCES))
    assert result.tokens is not None
    assert result.tokens.can_refresh is False
    assert "no refresh token" in caplog.text
    assert "offline_access" in caplog.text
    assert "AT-secret" not in caplog.text


def test_refresh_off_drops_refresh_token(host: HostIdentity) -> None:
    body = {"access_token": "AT", "refresh_token": "RT", "expires_in": 60}
    result = complete_login(
        host, reply(200, body), reply(200, RESOURCES), refresh=False
    )
    assert result.tokens is not None
    assert result.tokens.refresh_token is None


def test_cloud_login_result(host: HostIdentity) -> None:
    body = {"access_token": "AT", "refresh_token": "RT", "expires_in": 60}
    result = complete_login(host, reply(200, body), reply(200, RESOURCES))
    assert result.api_base_url == (
        "https://api.example.test/ex/jira/11223344-a1b2-3b33-c444-def123456789"
    )
    assert dict(result.data) == {
        "deployment": "cloud",
        "cloud_id": "11223344-a1b2-3b33-c444-def123456789",
        "site_name": "acme",
    }
