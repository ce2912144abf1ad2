"""Classification of Jira's responses to Basic and Bearer credentials."""

from __future__ import annotations

import json
from datetime import UTC
from datetime import datetime

import httpx
import pytest
from basic_support import DATA

from connauth import AuthenticationFailed
from connauth import CaptchaRequired
from connauth import CloudPasswordRejected
from connauth import TransientAuthError
from connauth_basic import Credential
from connauth_basic import classify_auth_failure
from connauth_basic._classify import login_reasons
from connauth_basic._classify import parse_denied_reason
from connauth_basic._classify import parse_retry_after

CASES = json.loads((DATA / "cases.json").read_text())
MYSELF = "https://jira.corp.test/rest/api/2/myself"


def _response(
    status: int,
    headers: dict[str, str] | None = None,
    body: str = "",
    url: str = MYSELF,
) -> httpx.Response:
    return httpx.Response(
        status,
        headers=headers or {},
        content=body.encode(),
        request=httpx.Request("GET", url),
    )


def test_cloud_password_is_rejected_with_hint() -> None:
    case = CASES["cloud_password_rejected"]
    response = _response(
        case["status"],
        {"Content-Type": case["content_type"]},
        case["body"],
        url=f"{case['site_url']}/rest/api/3/myself",
    )

    error = classify_auth_failure(response, credential=Credential.BASIC)

    assert isinstance(error, CloudPasswordRejected)
    assert "API token" in error.message
    assert error.status_code == 401
    assert error.step == "api-token"


def test_pat_as_basic_password_hints_bearer() -> None:
    case = CASES["dc_pat_as_basic_password"]
    response = _response(case["status"], case["headers"])

    error = classify_auth_failure(response, credential=Credential.BASIC)

    assert type(error) is AuthenticationFailed
    assert "AUTHENTICATED_FAILED" in error.message
    assert "method 'pat'" in error.message
    assert "Bearer" in error.message


def test_captcha_gives_login_url() -> None:
    case = CASES["captcha"]
    response = _response(case["status"], case["headers"])

    error = classify_auth_failure(response, credential=Credential.BASIC)

    assert isinstance(error, CaptchaRequired)
    assert error.login_url == case["login_url"]
    assert error.status_code == 403
    assert case["login_url"] in error.message
    assert "does not retry" in error.message


def test_authentication_denied_without_reason_is_captcha() -> None:
    response = _response(403, {"X-Seraph-LoginReason": "AUTHENTICATION_DENIED"})

    error = classify_auth_failure(response, credential=Credential.BASIC)

    assert isinstance(error, CaptchaRequired)
    assert error.login_url is None


def test_denied_on_200_is_still_failure() -> None:
    response = _response(
        200,
        {"X-Seraph-LoginReason": "AUTHENTICATION_DENIED", "X-AUSERNAME": "ada"},
        '{"name": "ada"}',
    )

    error = classify_auth_failure(response, credential=Credential.BASIC)

    assert isinstance(error, CaptchaRequired)


def test_failed_login_on_200_is_failure() -> None:
    response = _response(
        200, {"X-Seraph-LoginReason": "AUTHENTICATED_FAILED"}, '{"issues": []}'
    )

    error = classify_auth_failure(response, credential=Credential.BEARER)

    assert isinstance(error, AuthenticationFailed)
    assert "personal access token" in error.message
    assert error.step == "create-token"


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"X-AUSERNAME": "anonymous"},
        {"X-AUSERNAME": "Anonymous", "X-Seraph-LoginReason": "OK"},
    ],
    ids=["no-headers", "anonymous", "anonymous-with-ok"],
)
def test_anonymous_myself_is_failure(headers: dict[str, str]) -> None:
    response = _response(200, headers, '{"name": "ada"}')

    error = classify_auth_failure(
        response, credential=Credential.BASIC, expect_user=True
    )

    assert isinstance(error, AuthenticationFailed)
    assert "anonymously" in error.message


@pytest.mark.parametrize(
    "headers",
    [
        {"X-Seraph-LoginReason": "OK", "X-AUSERNAME": "ada"},
        {"X-Seraph-LoginReason": "OK"},
        {"X-AACCOUNTID": "557058:0a0b"},
    ],
    ids=["dc", "seraph-ok", "cloud-account-id"],
)
def test_logged_in_myself_passes(headers: dict[str, str]) -> None:
    response = _response(200, headers, '{"name": "ada"}')

    error = classify_auth_failure(
        response, credential=Credential.BASIC, expect_user=True
    )

    assert error is None


def test_anonymous_200_passes_when_no_user_expected() -> None:
    response = _response(200, {}, "{}")

    assert classify_auth_failure(response, credential=Credential.BASIC) is None


def test_cloud_401_mentions_scoped_tokens() -> None:
    response = _response(
        401,
        {"Content-Type": "text/plain"},
        "Client must be authenticated to access this resource.",
        url="https://acme.atlassian.net/rest/api/3/myself",
    )

    error = classify_auth_failure(response, credential=Credential.BASIC)

    assert isinstance(error, AuthenticationFailed)
    assert "cloud_id" in error.message
    assert error.step == "copy-credentials"


def test_connect_token_body_means_cloud_rejects_pat() -> None:
    case = CASES["cloud_pat"]
    response = _response(
        case["rejection_status"],
        {"Content-Type": "application/json"},
        case["rejection_body"],
        url=f"{case['site_url']}/rest/api/3/myself",
    )

    error = classify_auth_failure(response, credential=Credential.BEARER)

    assert isinstance(error, AuthenticationFailed)
    assert "method 'basic'" in error.message


@pytest.mark.parametrize("status", [429, 500, 502, 503])
def test_server_trouble_is_transient(status: int) -> None:
    response = _response(status, {"Retry-After": "7"})

    error = classify_auth_failure(response, credential=Credential.BASIC)

    assert isinstance(error, TransientAuthError)
    assert error.retry_after == 7.0
    assert error.status_code == status


@pytest.mark.parametrize("status", [200, 201, 204, 400, 403, 404, 409])
def test_other_statuses_are_not_auth_failures(status: int) -> None:
    response = _response(status, {}, "{}")

    assert classify_auth_failure(response, credential=Credential.BASIC) is None


def test_message_has_no_query_and_no_secret() -> None:
    response = httpx.Response(
        401,
        request=httpx.Request(
            "GET",
            "https://jira.corp.test/rest/api/2/search?jql=secret-filter",
            headers={"Authorization": "Bearer MTIzNDU2Nzg5MDEy"},
        ),
    )

    error = classify_auth_failure(response, credential=Credential.BEARER)

    assert error is not None
    assert "secret-filter" not in str(error)
    assert "MTIzNDU2Nzg5MDEy" not in str(error)


def test_login_reasons_split_commas() -> None:
    headers = httpx.Headers(
        [("X-Seraph-LoginReason", "OUT, ok"), ("X-Seraph-LoginReason", "x")]
    )

    assert login_reasons(headers) == ("OUT", "OK", "X")


def test_denied_reason_parameters() -> None:
    reason, parameters = parse_denied_reason(
        CASES["captcha"]["headers"]["X-Authentication-Denied-Reason"]
    )

    assert reason == "CAPTCHA_CHALLENGE"
    assert parameters == {"login-url": CASES["captcha"]["login_url"]}


def test_retry_after_forms() -> None:
    now = datetime(2026, 1, 1, tzinfo=UTC)

    assert parse_retry_after("120", now=now) == 120.0
    assert parse_retry_after("Thu, 01 Jan 2026 00:00:30 GMT", now=now) == 30.0
    assert parse_retry_after("Wed, 31 Dec 2025 00:00:00 GMT", now=now) == 0.0
    assert parse_retry_after("soon", now=now) is None
    assert parse_retry_after(None, now=now) is None
