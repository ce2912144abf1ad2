"""Server responses and the errors of connauth's tree they become.

Each row of ``docs/errors.md`` has a case here, fed to the code that handles
that response: the core's :func:`error_for_response` for API responses, the
OAuth 1.0a plugin for ``oauth_problem`` replies and the OAuth 2.0 plugin for
token endpoint errors.
"""

from __future__ import annotations

import importlib.util
import re
from datetime import UTC
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

import connauth
from connauth import ConnauthError
from connauth.diagnostics import error_for_response

DOCS = Path(__file__).parents[2] / "docs" / "errors.md"
URL = "https://jira.example.test/rest/api/2/myself"


def _response(
    status: int,
    *,
    body: str = "",
    headers: dict[str, str] | None = None,
    json_body: Any = None,
    method: str = "GET",
    url: str = URL,
) -> httpx.Response:
    request = httpx.Request(method, url)
    if json_body is not None:
        return httpx.Response(
            status, json=json_body, headers=headers or {}, request=request
        )
    return httpx.Response(status, text=body, headers=headers or {}, request=request)


CORE_CASES = [
    (
        "gateway scope mismatch",
        _response(
            401,
            json_body={"code": 401, "message": "Unauthorized; scope does not match"},
        ),
        "ScopeMismatch",
    ),
    (
        "captcha challenge",
        _response(
            403,
            headers={
                "X-Seraph-LoginReason": "AUTHENTICATION_DENIED",
                "X-Authentication-Denied-Reason": (
                    "CAPTCHA_CHALLENGE; login-url=https://jira.example.test/login.jsp"
                ),
            },
        ),
        "CaptchaRequired",
    ),
    (
        "authentication denied",
        _response(403, headers={"X-Seraph-LoginReason": "AUTHENTICATION_DENIED"}),
        "CaptchaRequired",
    ),
    (
        "cloud password",
        _response(
            401, body="Basic authentication with passwords is deprecated. Use a token."
        ),
        "CloudPasswordRejected",
    ),
    (
        "authenticated failed",
        _response(401, headers={"X-Seraph-LoginReason": "AUTHENTICATED_FAILED"}),
        "AuthenticationFailed",
    ),
    (
        "oauth problem header",
        _response(
            401,
            headers={
                "WWW-Authenticate": 'OAuth realm="x", oauth_problem="token_rejected"'
            },
        ),
        "OAuthProblem",
    ),
    (
        "plain 401",
        _response(401, body="Client must be authenticated"),
        "AuthenticationFailed",
    ),
    (
        "rate limited",
        _response(429, headers={"Retry-After": "30"}),
        "TransientAuthError",
    ),
    ("server error", _response(503), "TransientAuthError"),
]


def _case(name: str) -> httpx.Response:
    return next(response for case, response, _ in CORE_CASES if case == name)


@pytest.mark.parametrize(("case", "response", "expected"), CORE_CASES)
def test_core_answers_classified(
    case: str, response: httpx.Response, expected: str
) -> None:
    error = error_for_response(response, connector_id="jira", step="fix-here")

    assert error is not None, case
    assert type(error).__name__ == expected
    assert error.connector_id == "jira"
    assert "GET https://jira.example.test/rest/api/2/myself" in error.message


def test_captcha_names_login_page() -> None:
    error = error_for_response(_case("captcha challenge"))

    assert isinstance(error, connauth.CaptchaRequired)
    assert error.login_url == "https://jira.example.test/login.jsp"


def test_retry_after_kept() -> None:
    error = error_for_response(_case("rate limited"))

    assert isinstance(error, connauth.TransientAuthError)
    assert error.retry_after == 30


@pytest.mark.parametrize("status", [200, 204, 302, 404])
def test_other_answers_left_to_caller(status: int) -> None:
    assert error_for_response(_response(status)) is None


OAUTH1_PROBLEMS = {
    "consumer_key_unknown": "ConsumerKeyUnknown",
    "signature_invalid": "SignatureInvalid",
    "signature_method_rejected": "SignatureMethodRejected",
    "timestamp_refused": "TimestampRefused",
    "nonce_used": "NonceUsed",
    "token_rejected": "TokenRejected",
    "token_revoked": "TokenRejected",
    "token_used": "TokenRejected",
    "token_expired": "TokenExpired",
    "permission_denied": "PermissionDenied",
    "permission_unknown": "PermissionDenied",
    "parameter_absent": "OAuth1aProblem",
    "parameter_rejected": "OAuth1aProblem",
    "version_rejected": "OAuth1aProblem",
    "consumer_key_rejected": "OAuth1aProblem",
    "consumer_key_refused": "OAuth1aProblem",
}


@pytest.mark.parametrize(("problem", "expected"), sorted(OAUTH1_PROBLEMS.items()))
def test_oauth_problems_classified(problem: str, expected: str) -> None:
    oauth1a = pytest.importorskip("connauth_oauth1a")
    response = _response(
        401,
        body=f"oauth_problem={problem}",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )

    error = oauth1a.oauth_problem_error(response, connector_id="jira")

    assert type(error).__name__ == expected
    assert error.problem == problem
    assert error.connector_id == "jira"


TOKEN_ERRORS = [
    ("refresh", 403, "invalid_grant", "ReauthorizationRequired"),
    ("refresh", 403, "unauthorized_client", "ReauthorizationRequired"),
    ("refresh", 401, "access_denied", "ClientCredentialsInvalid"),
    ("refresh", 401, "invalid_client", "ClientCredentialsInvalid"),
    ("code", 403, "invalid_grant", "AuthorizationFlowError"),
    ("code", 403, "access_denied", "AuthorizationDenied"),
    ("code", 400, "invalid_scope", "ConfigError"),
    ("code", 400, "invalid_request", "ProtocolError"),
    ("code", 400, "unsupported_grant_type", "ProtocolError"),
    ("code", 503, "temporarily_unavailable", "TransientAuthError"),
]


@pytest.mark.parametrize(("grant", "status", "code", "expected"), TOKEN_ERRORS)
def test_token_endpoint_errors_classified(
    grant: str, status: int, code: str, expected: str
) -> None:
    pytest.importorskip("connauth_oauth2")
    from connauth_oauth2._steps import CLOUD_STEPS
    from connauth_oauth2._token_errors import Grant
    from connauth_oauth2._token_errors import token_endpoint_error

    description = "refresh_token is invalid" if code == "unauthorized_client" else ""
    response = _response(
        status,
        json_body={"error": code, "error_description": description},
        method="POST",
        url="https://auth.example.test/oauth/token",
    )
    chosen = Grant.REFRESH_TOKEN if grant == "refresh" else Grant.AUTHORIZATION_CODE

    error = token_endpoint_error(
        response, grant=chosen, steps=CLOUD_STEPS, redact=(), now=datetime.now(UTC)
    )

    assert type(error).__name__ == expected


def test_every_documented_error_exists() -> None:
    """Each error class named in the table of docs/errors.md is importable."""
    text = DOCS.read_text()
    oauth1a_section = text.split("## OAuth 1.0a", 1)[1].split("\n## ", 1)[0]
    names = set(re.findall(r"\| `([A-Z][A-Za-z0-9]+)`", text))
    if importlib.util.find_spec("connauth_oauth1a") is None:
        # Without the plugin, only its table's classes may be missing.
        names -= set(re.findall(r"\| `([A-Z][A-Za-z0-9]+)`", oauth1a_section))
    known: dict[str, type[BaseException]] = {
        name: value
        for name, value in vars(connauth).items()
        if isinstance(value, type) and issubclass(value, ConnauthError)
    }
    for plugin in ("connauth_oauth1a", "connauth_basic", "connauth_oauth2"):
        try:
            module = __import__(plugin)
        except ImportError:
            continue
        for name in getattr(module, "__all__", ()):
            value = getattr(module, name)
            if isinstance(value, type) and issubclass(value, ConnauthError):
                known[name] = value

    assert len(names) > 15
    assert names <= set(known), sorted(names - set(known))
