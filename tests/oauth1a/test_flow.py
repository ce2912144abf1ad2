"""The authorization exchanges, driven step by step with prepared replies."""

from __future__ import annotations

from datetime import UTC
from datetime import datetime
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs
from urllib.parse import urlsplit

import httpx
import pytest
from pydantic import SecretStr

from connauth import AuthorizationDenied
from connauth import AuthorizationPrompt
from connauth import Exchange
from connauth import LoginResult
from connauth import ProtocolError
from connauth import StateMismatch
from connauth import TransientAuthError
from connauth_oauth1a import ApplicationLinkLogin
from connauth_oauth1a import ConsumerKeyUnknown
from connauth_oauth1a import OAuth1aConfig
from connauth_oauth1a import PermissionDenied
from connauth_oauth1a import TokenRejected
from connauth_oauth1a._signature import parse_authorization_header

NOW = datetime(2025, 1, 1, tzinfo=UTC)
CALLBACK = "https://127.0.0.1:8443/host/oauth/callback"
PENDING = {
    "request_token": SecretStr("req-token"),
    "request_token_secret": SecretStr("s"),
}


@pytest.fixture(scope="module")
def login(private_pem: str) -> ApplicationLinkLogin:
    config = OAuth1aConfig.model_validate(
        {
            "site_url": "https://jira.example.test/jira",
            "consumer_key": "connauth-test-consumer",
            "private_key": private_pem,
        }
    )
    return ApplicationLinkLogin(config, clock=lambda: NOW)


def _drive(
    exchange: Exchange[Any], *replies: tuple[int, str]
) -> tuple[list[httpx.Request], Any]:
    """Run ``exchange`` with one prepared reply per request it yields."""
    sent = []
    try:
        request = next(exchange)
        for status, body in replies:
            sent.append(request)
            response = httpx.Response(
                status,
                text=body,
                headers={"Content-Type": "text/plain"},
                request=request,
            )
            request = exchange.send(response)
    except StopIteration as stop:
        return sent, stop.value
    raise AssertionError("the exchange asked for more requests than replies given")


def _protocol(request: httpx.Request) -> dict[str, str]:
    parsed = parse_authorization_header(request.headers["Authorization"])
    assert parsed is not None
    return dict(parsed)


def test_begin_returns_authorize_url(login: ApplicationLinkLogin) -> None:
    sent, prompt = _drive(
        login.begin(state="st4te", callback_url=CALLBACK),
        (
            200,
            "oauth_token=req-token&oauth_token_secret=s&oauth_callback_confirmed=true",
        ),
    )

    assert isinstance(prompt, AuthorizationPrompt)
    assert prompt.url == (
        "https://jira.example.test/jira/plugins/servlet/oauth/authorize?oauth_token=req-token"
    )
    assert prompt.pending["request_token"].get_secret_value() == "req-token"
    assert prompt.pending["request_token_secret"].get_secret_value() == "s"
    request = sent[0]
    assert request.method == "POST"
    assert str(request.url) == (
        "https://jira.example.test/jira/plugins/servlet/oauth/request-token"
    )
    protocol = _protocol(request)
    assert protocol["oauth_callback"] == f"{CALLBACK}?state=st4te"
    assert protocol["oauth_signature_method"] == "RSA-SHA1"
    assert "oauth_token" not in protocol


def test_begin_appends_state_to_existing_query(login: ApplicationLinkLogin) -> None:
    sent, _ = _drive(
        login.begin(state="st4te", callback_url=f"{CALLBACK}?tenant=a"),
        (200, "oauth_token=t&oauth_token_secret=s&oauth_callback_confirmed=true"),
    )

    assert _protocol(sent[0])["oauth_callback"] == f"{CALLBACK}?tenant=a&state=st4te"


def test_begin_requires_callback_confirmed(login: ApplicationLinkLogin) -> None:
    with pytest.raises(ProtocolError, match="oauth_callback_confirmed"):
        _drive(
            login.begin(state="s", callback_url=CALLBACK),
            (200, "oauth_token=t&oauth_token_secret=s"),
        )


def test_begin_consumer_key_unknown(login: ApplicationLinkLogin) -> None:
    with pytest.raises(ConsumerKeyUnknown) as caught:
        _drive(
            login.begin(state="s", callback_url=CALLBACK),
            (401, "oauth_problem=consumer_key_unknown"),
        )

    assert caught.value.status_code == 401


def test_begin_server_error_is_transient(login: ApplicationLinkLogin) -> None:
    with pytest.raises(TransientAuthError):
        _drive(login.begin(state="s", callback_url=CALLBACK), (503, "busy"))


def test_begin_not_found_names_paths(login: ApplicationLinkLogin) -> None:
    with pytest.raises(ProtocolError, match="endpoint paths"):
        _drive(login.begin(state="s", callback_url=CALLBACK), (404, "Not found"))


def test_complete_exchanges_verifier(login: ApplicationLinkLogin) -> None:
    sent, result = _drive(
        login.complete(
            pending=PENDING,
            callback={
                "state": "s",
                "oauth_token": "req-token",
                "oauth_verifier": "v3rify",
            },
        ),
        (
            200,
            "oauth_token=acc%2Btoken&oauth_token_secret=sec&oauth_expires_in=157680000"
            "&oauth_session_handle=h&oauth_authorization_expires_in=160272000",
        ),
    )

    assert isinstance(result, LoginResult)
    assert result.tokens is not None
    assert result.tokens.access_token.get_secret_value() == "acc+token"
    assert result.tokens.token_type == "OAuth"
    assert result.tokens.refresh_token is None
    assert result.tokens.expires_at == NOW + timedelta(seconds=157680000)
    assert result.api_base_url == "https://jira.example.test/jira"
    assert dict(result.data) == {
        "deployment": "datacenter",
        "consumer_key": "connauth-test-consumer",
    }
    protocol = _protocol(sent[0])
    assert protocol["oauth_token"] == "req-token"
    assert protocol["oauth_verifier"] == "v3rify"
    assert str(sent[0].url).endswith("/plugins/servlet/oauth/access-token")


def test_complete_without_lifetime(login: ApplicationLinkLogin) -> None:
    _, result = _drive(
        login.complete(
            pending=PENDING,
            callback={"oauth_token": "req-token", "oauth_verifier": "v"},
        ),
        (200, "oauth_token=a&oauth_token_secret=b"),
    )

    assert result.tokens.expires_at is None


def test_complete_denied(login: ApplicationLinkLogin) -> None:
    with pytest.raises(AuthorizationDenied):
        next(
            login.complete(
                pending=PENDING,
                callback={"oauth_token": "req-token", "oauth_verifier": "denied"},
            )
        )


@pytest.mark.parametrize("received", ["other-token", None, ""])
def test_complete_token_mismatch(
    login: ApplicationLinkLogin, received: str | None
) -> None:
    callback = {"oauth_verifier": "v"}
    if received is not None:
        callback["oauth_token"] = received

    with pytest.raises(StateMismatch):
        next(login.complete(pending=PENDING, callback=callback))


def test_complete_without_pending_token(login: ApplicationLinkLogin) -> None:
    with pytest.raises(StateMismatch):
        next(
            login.complete(
                pending={}, callback={"oauth_token": "t", "oauth_verifier": "v"}
            )
        )


def test_complete_without_verifier(login: ApplicationLinkLogin) -> None:
    with pytest.raises(ProtocolError, match="oauth_verifier"):
        next(login.complete(pending=PENDING, callback={"oauth_token": "req-token"}))


@pytest.mark.parametrize(
    ("body", "error_class"),
    [
        ("oauth_problem=token_rejected", TokenRejected),
        ("oauth_problem=permission_unknown", PermissionDenied),
    ],
)
def test_complete_problem_reply(
    login: ApplicationLinkLogin, body: str, error_class: type[Exception]
) -> None:
    with pytest.raises(error_class):
        _drive(
            login.complete(
                pending=PENDING,
                callback={"oauth_token": "req-token", "oauth_verifier": "v"},
            ),
            (401, body),
        )


def test_complete_bad_lifetime(login: ApplicationLinkLogin) -> None:
    with pytest.raises(ProtocolError, match="oauth_expires_in"):
        _drive(
            login.complete(
                pending=PENDING,
                callback={"oauth_token": "req-token", "oauth_verifier": "v"},
            ),
            (200, "oauth_token=a&oauth_expires_in=soon"),
        )


def test_authorize_url_keeps_query(private_pem: str) -> None:
    config = OAuth1aConfig.model_validate(
        {
            "site_url": "https://jira.example.test",
            "consumer_key": "connauth-test-consumer",
            "private_key": private_pem,
        }
    )
    _, prompt = _drive(
        ApplicationLinkLogin(config).begin(state="s", callback_url=CALLBACK),
        (200, "oauth_token=a%2Fb&oauth_callback_confirmed=true"),
    )

    assert parse_qs(urlsplit(prompt.url).query) == {"oauth_token": ["a/b"]}
