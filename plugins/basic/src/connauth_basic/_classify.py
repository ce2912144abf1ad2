"""Classification of Jira's responses to Basic and Bearer credentials.

Jira reports the outcome of a login in headers as well as in the status:

- ``X-Seraph-LoginReason`` is ``OK`` after a successful login,
  ``AUTHENTICATED_FAILED`` after rejected credentials, and
  ``AUTHENTICATION_DENIED`` when Jira did not check them at all (after too
  many failed logins). The header may list several comma-separated values.
- ``X-Authentication-Denied-Reason: CAPTCHA_CHALLENGE; login-url=<url>``
  comes with a CAPTCHA lock-out, usually on a 403.
- ``X-AUSERNAME`` names the user a request ran as, ``anonymous`` when none.
  Jira Cloud sends ``X-AACCOUNTID`` with the account id of a logged-in user
  in its place.

Jira serves public resources anonymously, so a request with rejected
credentials can still return 200 (Atlassian's REST authentication docs). A
login therefore also checks the headers of a 200.
"""

from __future__ import annotations

import enum
from datetime import UTC
from datetime import datetime
from email.utils import parsedate_to_datetime

import httpx

from connauth import AuthenticationFailed
from connauth import CaptchaRequired
from connauth import CloudPasswordRejected
from connauth import ConnauthError
from connauth import TransientAuthError
from connauth_basic._auth import credentials_not_forwarded
from connauth_basic._checklist import STEP_API_TOKEN
from connauth_basic._checklist import STEP_COPY_CREDENTIALS
from connauth_basic._checklist import STEP_CREATE_TOKEN

__all__ = [
    "ACCOUNT_ID_HEADER",
    "AUSERNAME_HEADER",
    "DENIED_REASON_HEADER",
    "LOGIN_REASON_HEADER",
    "Credential",
    "classify_auth_failure",
    "login_reasons",
    "parse_denied_reason",
    "parse_retry_after",
]

LOGIN_REASON_HEADER = "X-Seraph-LoginReason"
DENIED_REASON_HEADER = "X-Authentication-Denied-Reason"
AUSERNAME_HEADER = "X-AUSERNAME"
ACCOUNT_ID_HEADER = "X-AACCOUNTID"

_CAPTCHA = "CAPTCHA_CHALLENGE"
_PASSWORD_DEPRECATED = "basic authentication with passwords is deprecated"
_CONNECT_TOKEN = "failed to parse connect session auth token"


class Credential(enum.StrEnum):
    """The kind of credential a request carried."""

    BASIC = "basic"
    """An Atlassian account's email and API token, as ``Authorization: Basic``."""
    BEARER = "bearer"
    """A Data Center personal access token, as ``Authorization: Bearer``."""


def login_reasons(headers: httpx.Headers) -> tuple[str, ...]:
    """Return the upper-cased values of every ``X-Seraph-LoginReason`` header."""
    values = headers.get_list(LOGIN_REASON_HEADER, split_commas=True)
    return tuple(value.strip().upper() for value in values if value.strip())


def parse_denied_reason(value: str) -> tuple[str, dict[str, str]]:
    """Split ``CAPTCHA_CHALLENGE; login-url=https://...`` into the reason and its
    parameters. Parameter names are lower-cased; values are kept as sent."""
    reason, *parameters = value.split(";")
    parsed: dict[str, str] = {}
    for parameter in parameters:
        name, separator, item = parameter.strip().partition("=")
        if separator:
            parsed[name.strip().lower()] = item.strip()
    return reason.strip().upper(), parsed


def classify_auth_failure(
    response: httpx.Response,
    *,
    credential: Credential,
    expect_user: bool = False,
) -> ConnauthError | None:
    """Return the typed error for a response that shows failed authentication.

    Returns ``None`` when the response shows no authentication failure: the
    caller decides what other statuses mean. The response body must have been
    read.

    :param credential: what the request carried, which selects the hints.
    :param expect_user: ``True`` for calls such as ``myself`` that need a
        logged-in user. A 2xx then counts as a failure when Jira served it
        anonymously: ``X-AUSERNAME: anonymous``, or none of
        ``X-Seraph-LoginReason: OK``, a user name in ``X-AUSERNAME`` and
        ``X-AACCOUNTID``.
    """
    status = response.status_code
    if status == 429 or status >= 500:
        return _transient(response)

    not_forwarded = _not_forwarded(response)
    if not_forwarded is not None:
        return not_forwarded

    captcha = _captcha(response)
    if captcha is not None:
        return captcha

    reasons = login_reasons(response.headers)
    body = response.text.lower()
    if (
        credential is Credential.BASIC
        and status == 401
        and _PASSWORD_DEPRECATED in body
    ):
        return CloudPasswordRejected(
            f"{_request_line(response)} was rejected: Jira Cloud no longer accepts "
            "account passwords for API access. Create an API token for the "
            "account and enter it as api_token",
            status_code=status,
            step=STEP_API_TOKEN,
        )
    if _CONNECT_TOKEN in body:
        return _cloud_rejected_bearer(response)

    if status == 401 or "AUTHENTICATED_FAILED" in reasons:
        return _rejected(response, credential, reasons)
    if expect_user and response.is_success:
        return _anonymous(response, credential, reasons)
    return None


def _captcha(response: httpx.Response) -> CaptchaRequired | None:
    denied = response.headers.get(DENIED_REASON_HEADER)
    reasons = login_reasons(response.headers)
    if denied is not None:
        reason, parameters = parse_denied_reason(denied)
        if reason == _CAPTCHA:
            login_url = parameters.get("login-url")
            where = f" at {login_url}" if login_url else ""
            return CaptchaRequired(
                f"{_request_line(response)} was rejected: Jira requires a CAPTCHA "
                "for this account after repeated failed logins and does not check "
                f"credentials until it is solved. Sign in once in a browser{where} "
                "and fix the credentials before logging in again. connauth does "
                "not retry, because each attempt counts as another failed login",
                login_url=login_url,
                status_code=response.status_code,
                step=STEP_COPY_CREDENTIALS,
            )
    if "AUTHENTICATION_DENIED" in reasons:
        return CaptchaRequired(
            f"{_request_line(response)} was rejected without a credential check "
            f"({LOGIN_REASON_HEADER}: AUTHENTICATION_DENIED), which Jira does "
            "after repeated failed logins. Sign in once in a browser to clear the "
            "lock-out and fix the credentials before logging in again",
            login_url=None,
            status_code=response.status_code,
            step=STEP_COPY_CREDENTIALS,
        )
    return None


def _rejected(
    response: httpx.Response, credential: Credential, reasons: tuple[str, ...]
) -> AuthenticationFailed:
    seen = f" ({LOGIN_REASON_HEADER}: {', '.join(reasons)})" if reasons else ""
    prefix = f"{_request_line(response)} was rejected{seen}"
    if credential is Credential.BEARER:
        return AuthenticationFailed(
            f"{prefix}: Jira did not accept the personal access token. It may "
            "have expired or been revoked, or belong to another Jira instance; "
            "create a new token",
            status_code=response.status_code,
            step=STEP_CREATE_TOKEN,
        )
    return AuthenticationFailed(
        f"{prefix}: Jira did not accept the email and API token. Check that the "
        "token belongs to this email and has not expired or been revoked. A "
        "scoped API token works only through the API gateway, so set cloud_id "
        "for one. A Data Center personal access token does not work as a Basic "
        "password: use method 'pat', which sends it as a Bearer token",
        status_code=response.status_code,
        step=STEP_COPY_CREDENTIALS,
    )


def _anonymous(
    response: httpx.Response, credential: Credential, reasons: tuple[str, ...]
) -> AuthenticationFailed | None:
    user = (response.headers.get(AUSERNAME_HEADER) or "").strip()
    if user.lower() == "anonymous":
        cause = f"{AUSERNAME_HEADER}: anonymous"
    elif "OK" in reasons or user or response.headers.get(ACCOUNT_ID_HEADER):
        return None
    else:
        cause = f"no {LOGIN_REASON_HEADER}, {AUSERNAME_HEADER} or {ACCOUNT_ID_HEADER}"
    step = STEP_CREATE_TOKEN if credential is Credential.BEARER else STEP_API_TOKEN
    return AuthenticationFailed(
        f"{_request_line(response)} returned {response.status_code} without a "
        f"logged-in user ({cause}): Jira served it anonymously, so the "
        "credentials were not used. Check the credentials and that site_url is "
        "the Jira site itself and not a proxy in front of it",
        status_code=response.status_code,
        step=step,
    )


def _cloud_rejected_bearer(response: httpx.Response) -> AuthenticationFailed:
    return AuthenticationFailed(
        f"{_request_line(response)} was rejected: Jira Cloud took the Bearer "
        "token for an app token and could not parse it. Jira Cloud has no "
        "personal access tokens; use method 'basic' with an API token",
        status_code=response.status_code,
        step=STEP_CREATE_TOKEN,
    )


def _not_forwarded(response: httpx.Response) -> ConnauthError | None:
    if not response.history:
        return None
    first = response.history[0].request
    return credentials_not_forwarded(first, response)


def _transient(response: httpx.Response) -> TransientAuthError:
    retry_after = parse_retry_after(response.headers.get("Retry-After"))
    advice = "retry later"
    if retry_after is not None:
        advice = f"retry after {retry_after:g} s"
    return TransientAuthError(
        f"{_request_line(response)} returned {response.status_code}, a temporary "
        f"failure; {advice}",
        retry_after=retry_after,
        status_code=response.status_code,
    )


def parse_retry_after(
    value: str | None, *, now: datetime | None = None
) -> float | None:
    """Parse ``Retry-After`` as seconds or an HTTP-date (RFC 9110 §10.2.3)."""
    if value is None or not value.strip():
        return None
    text = value.strip()
    if text.isdigit():
        return float(text)
    try:
        moment = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    current = now or datetime.now(UTC)
    return max(0.0, (moment - current).total_seconds())


def _request_line(response: httpx.Response) -> str:
    try:
        request = response.request
    except RuntimeError:
        return "the request"
    url = request.url.copy_with(query=None, fragment=None)
    return f"{request.method} {url}"
