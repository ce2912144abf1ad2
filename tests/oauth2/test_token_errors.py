"""Token-endpoint failures: dead grant, rejected client, transient, unreadable."""

from __future__ import annotations

from datetime import timedelta
from email.utils import format_datetime
from typing import Any

import pytest
from pydantic import SecretStr

from connauth import AuthorizationFlowError
from connauth import ClientCredentialsInvalid
from connauth import ConfigError
from connauth import ConnauthError
from connauth import HostIdentity
from connauth import ProtocolError
from connauth import ReauthorizationRequired
from connauth import TokenSet
from connauth import TransientAuthError
from connauth_oauth2 import OAuth2Authorization
from connauth_oauth2 import OAuth2Config
from connauth_oauth2 import parse_retry_after
from connauth_oauth2 import refresh_exchange

from ._support import NOW
from ._support import cloud_config
from ._support import dc_config
from ._support import drive
from ._support import load_data
from ._support import reply

FAILURES = load_data("refresh_failures.json")
REFRESH_TOKEN = "RT1-do-not-show"


def tokens() -> TokenSet:
    return TokenSet(
        access_token=SecretStr("AT1"),
        refresh_token=SecretStr(REFRESH_TOKEN),
        expires_at=NOW - timedelta(seconds=10),
    )


def refresh_failure(
    case: dict[str, Any], config: OAuth2Config | None = None
) -> ConnauthError:
    exchange = refresh_exchange(config or cloud_config(), tokens(), clock=lambda: NOW)
    responder = reply(case["status"], case.get("body"), headers=case.get("headers"))
    with pytest.raises(ConnauthError) as caught:
        drive(exchange, responder)
    return caught.value


@pytest.mark.parametrize("name", ["dead_grant", "refresh_token_invalid"])
def test_dead_grant_needs_reauthorization(name: str) -> None:
    case = FAILURES[name]
    error = refresh_failure(case)
    assert type(error) is ReauthorizationRequired
    assert error.reason == case["body"]["error"]
    assert error.status_code == 403
    assert case["body"]["error_description"] in error.message


def test_rate_limit_is_transient_with_retry_after() -> None:
    error = refresh_failure(FAILURES["rate_limited"])
    assert type(error) is TransientAuthError
    assert error.retry_after == 30.0
    assert error.status_code == 429
    assert "after 30 s" in error.message


def test_retry_after_zero_honoured() -> None:
    error = refresh_failure({"status": 429, "headers": {"Retry-After": "0"}})
    assert isinstance(error, TransientAuthError)
    assert error.retry_after == 0.0


def test_outage_is_transient() -> None:
    error = refresh_failure(FAILURES["unavailable"])
    assert type(error) is TransientAuthError
    assert error.retry_after is None
    assert error.status_code == 503


def test_outage_with_oauth_body_still_transient() -> None:
    body = {"error": "invalid_grant"}
    error = refresh_failure({"status": 502, "body": body})
    assert type(error) is TransientAuthError


@pytest.mark.parametrize("name", ["client_secret_rotated", "wrong_secret_atlassian"])
def test_rejected_client_is_config_error(name: str) -> None:
    error = refresh_failure(FAILURES[name])
    assert type(error) is ClientCredentialsInvalid
    assert isinstance(error, ConfigError)
    assert error.step == "cloud-copy-credentials"


def test_rejected_client_step_on_dc() -> None:
    error = refresh_failure(FAILURES["client_secret_rotated"], dc_config())
    assert error.step == "dc-copy-credentials"


def test_decision_uses_error_field_not_status() -> None:
    invalid_grant_400 = refresh_failure(
        {"status": 400, "body": {"error": "invalid_grant"}}
    )
    invalid_client_400 = refresh_failure(
        {"status": 400, "body": {"error": "invalid_client"}}
    )
    assert type(invalid_grant_400) is ReauthorizationRequired
    assert type(invalid_client_400) is ClientCredentialsInvalid


def test_unauthorized_client_other_reason() -> None:
    body = {"error": "unauthorized_client", "error_description": "grant not allowed"}
    error = refresh_failure({"status": 400, "body": body})
    assert type(error) is ClientCredentialsInvalid


def test_access_denied_not_401_revokes() -> None:
    error = refresh_failure({"status": 403, "body": {"error": "access_denied"}})
    assert type(error) is ReauthorizationRequired


@pytest.mark.parametrize(
    ("status", "body", "text"),
    [
        (400, None, "<html>Bad Request</html>"),
        (401, None, ""),
        (403, {"message": "Forbidden"}, None),
        (400, {"error": 42}, None),
        (400, {"error": "bad\ncode"}, None),
        (400, {"error": "unsupported_grant_type"}, None),
    ],
)
def test_unreadable_failure_is_protocol_error(
    status: int, body: Any, text: str | None
) -> None:
    exchange = refresh_exchange(cloud_config(), tokens(), clock=lambda: NOW)
    with pytest.raises(ProtocolError) as caught:
        drive(exchange, reply(status, body, text=text))
    assert str(status) in caught.value.message


def test_messages_never_contain_secrets() -> None:
    config = cloud_config(client_secret="client-secret-value")
    description = f"bad token {REFRESH_TOKEN} for client-secret-value"
    for status, code in [(403, "invalid_grant"), (401, "invalid_client"), (400, "x")]:
        body = {"error": code, "error_description": description}
        error = refresh_failure({"status": status, "body": body}, config)
        assert REFRESH_TOKEN not in str(error)
        assert "client-secret-value" not in str(error)
        assert "[redacted]" in str(error)


def test_long_description_truncated() -> None:
    body = {"error": "invalid_grant", "error_description": "x" * 5000}
    error = refresh_failure({"status": 403, "body": body})
    assert len(error.message) < 500


def test_code_exchange_invalid_grant(host: HostIdentity) -> None:
    flow = OAuth2Authorization(cloud_config(), host, clock=lambda: NOW)
    prompt, _ = drive(flow.begin(state="S", callback_url=host.redirect_url))
    exchange = flow.complete(pending=prompt.pending, callback={"code": "CODE-secret"})
    body = {"error": "invalid_grant", "error_description": "code CODE-secret expired"}
    with pytest.raises(AuthorizationFlowError) as caught:
        drive(exchange, reply(403, body))
    assert "start the login again" in caught.value.message
    assert "CODE-secret" not in str(caught.value)
    assert caught.value.step == "cloud-callback"


def test_code_exchange_invalid_scope(host: HostIdentity) -> None:
    flow = OAuth2Authorization(cloud_config(), host, clock=lambda: NOW)
    prompt, _ = drive(flow.begin(state="S", callback_url=host.redirect_url))
    exchange = flow.complete(pending=prompt.pending, callback={"code": "C"})
    with pytest.raises(ConfigError) as caught:
        drive(exchange, reply(400, {"error": "invalid_scope"}))
    assert caught.value.step == "cloud-permissions"


def test_callback_error_other_than_denied(host: HostIdentity) -> None:
    flow = OAuth2Authorization(cloud_config(), host, clock=lambda: NOW)
    callback = {"error": "invalid_scope", "error_description": "bad\x00 scope"}
    exchange = flow.complete(
        pending={"redirect_uri": SecretStr("x")}, callback=callback
    )
    with pytest.raises(AuthorizationFlowError, match="invalid_scope") as caught:
        drive(exchange)
    assert "\x00" not in caught.value.message


def test_callback_without_code(host: HostIdentity) -> None:
    flow = OAuth2Authorization(cloud_config(), host, clock=lambda: NOW)
    exchange = flow.complete(pending={"redirect_uri": SecretStr("x")}, callback={})
    with pytest.raises(AuthorizationFlowError, match="no 'code'"):
        drive(exchange)


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (None, None),
        ("0", 0.0),
        ("30", 30.0),
        (" 7 ", 7.0),
        ("-5", None),
        ("soon", None),
        ("1.5", None),
    ],
)
def test_parse_retry_after(header: str | None, expected: float | None) -> None:
    assert parse_retry_after(header, now=NOW) == expected


def test_parse_retry_after_http_date() -> None:
    later = format_datetime(NOW + timedelta(seconds=120), usegmt=True)
    earlier = format_datetime(NOW - timedelta(seconds=120), usegmt=True)
    assert parse_retry_after(later, now=NOW) == 120.0
    assert parse_retry_after(earlier, now=NOW) == 0.0
