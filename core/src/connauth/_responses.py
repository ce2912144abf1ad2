"""Typed errors for the failures that Jira and Atlassian's gateway respond with.

:func:`error_for_response` reads the response to an API call of any method and
returns the error of connauth's tree that names the cause and the fix:

- Atlassian's gateway: ``401 {"code":401,"message":"Unauthorized; scope does
  not match"}`` for a token without the scope the call needs;
- Jira's login headers: ``X-Seraph-LoginReason`` (``AUTHENTICATION_DENIED``
  after too many failed logins, ``AUTHENTICATED_FAILED`` for rejected
  credentials) and ``X-Authentication-Denied-Reason: CAPTCHA_CHALLENGE;
  login-url=...``;
- Jira Cloud's answer to an account password: "Basic authentication with
  passwords is deprecated", and to a Bearer token it cannot parse: "Failed to
  parse Connect Session Auth Token";
- an OAuth 1.0a ``oauth_problem`` in ``WWW-Authenticate`` or the body;
- 429 and 5xx, which pass with time.

Method plugins classify the answers of their own protocol steps (token
endpoints, request tokens) with richer subclasses; ``docs/errors.md`` lists
every response with its error and fix.
"""

from __future__ import annotations

import re
import time
from email.utils import parsedate_to_datetime
from urllib.parse import unquote

import httpx

from connauth._errors import AuthenticationFailed
from connauth._errors import CaptchaRequired
from connauth._errors import CloudPasswordRejected
from connauth._errors import ConnauthError
from connauth._errors import OAuthProblem
from connauth._errors import ScopeMismatch
from connauth._errors import TransientAuthError

__all__ = ["error_for_response", "raise_for_response", "retry_after_seconds"]

_SCOPE_MISMATCH = "scope does not match"
_PASSWORD_DEPRECATED = "basic authentication with passwords is deprecated"
_CONNECT_TOKEN = "failed to parse connect session auth token"
_OAUTH_PROBLEM = re.compile(r"""oauth_problem\s*=\s*"?([A-Za-z_]+)"?""")


def error_for_response(
    response: httpx.Response,
    *,
    connector_id: str | None = None,
    step: str | None = None,
) -> ConnauthError | None:
    """Return the typed error of a failed Jira response, or ``None``.

    ``None`` means the response shows none of the failures listed in this
    module, so the caller judges its status. The body must have been read.
    ``step`` is the checklist step that fixes rejected credentials.
    """
    where = _request_line(response)
    status = response.status_code
    if status == 429 or status >= 500:
        return TransientAuthError(
            f"{where} returned {status}, a temporary failure; retry later",
            retry_after=retry_after_seconds(response.headers.get("Retry-After")),
            status_code=status,
            connector_id=connector_id,
        )
    error = _login_error(response, where, connector_id, step)
    if error is not None:
        return error
    problem = _oauth_problem(response)
    if problem is not None:
        return OAuthProblem(
            f"{where} was rejected with oauth_problem={problem}; run 'connauth "
            "check' on the connector, which names the application link setting "
            "to fix",
            problem=problem,
            status_code=status,
            connector_id=connector_id,
            step=step,
        )
    if _CONNECT_TOKEN in response.text.lower():
        return AuthenticationFailed(
            f"{where} was rejected: Jira Cloud took the Bearer token for an app "
            "token and could not parse it. Jira Cloud has no personal access "
            "tokens; use method 'basic' with an API token, or 'oauth2'",
            status_code=status,
            connector_id=connector_id,
            step=step,
        )
    if status == 401 and _SCOPE_MISMATCH in response.text.lower():
        return ScopeMismatch(
            f"{where} returned 401 'scope does not match': the access token lacks "
            "a scope this call needs; add the scope to the app and the "
            "connector's scopes, then log in again",
            status_code=status,
            connector_id=connector_id,
        )
    if status == 401:
        return AuthenticationFailed(
            f"{where} returned 401: Jira did not accept the credentials; run "
            "'connauth check' to find the cause",
            status_code=status,
            connector_id=connector_id,
            step=step,
        )
    return None


def raise_for_response(
    response: httpx.Response,
    *,
    connector_id: str | None = None,
    step: str | None = None,
) -> None:
    """Raise the error of :func:`error_for_response`, if the response shows one."""
    error = error_for_response(response, connector_id=connector_id, step=step)
    if error is not None:
        raise error


def retry_after_seconds(value: str | None) -> float | None:
    """Return a ``Retry-After`` value (seconds or an HTTP date) in seconds."""
    if value is None or not value.strip():
        return None
    text = value.strip()
    if text.isdigit():
        return float(text)
    try:
        moment = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    return max(0.0, moment.timestamp() - time.time())


def _login_error(
    response: httpx.Response,
    where: str,
    connector_id: str | None,
    step: str | None,
) -> ConnauthError | None:
    status = response.status_code
    reasons = {
        value.strip().upper()
        for value in response.headers.get_list(
            "X-Seraph-LoginReason", split_commas=True
        )
    }
    denied = response.headers.get("X-Authentication-Denied-Reason", "")
    reason, _, parameters = denied.partition(";")
    if (
        reason.strip().upper() == "CAPTCHA_CHALLENGE"
        or "AUTHENTICATION_DENIED" in reasons
    ):
        login_url = _parameter(parameters, "login-url")
        where_to = f" at {login_url}" if login_url else ""
        return CaptchaRequired(
            f"{where} was rejected without a credential check: Jira demands a "
            "CAPTCHA after repeated failed logins. Sign in once in a browser"
            f"{where_to} and fix the credentials; connauth does not retry",
            login_url=login_url,
            status_code=status,
            connector_id=connector_id,
            step=step,
        )
    if status == 401 and _PASSWORD_DEPRECATED in response.text.lower():
        return CloudPasswordRejected(
            f"{where} was rejected: Jira Cloud does not accept account passwords "
            "for API access; create an API token and use it in place of the "
            "password",
            status_code=status,
            connector_id=connector_id,
            step=step,
        )
    if "AUTHENTICATED_FAILED" in reasons:
        return AuthenticationFailed(
            f"{where} was rejected (X-Seraph-LoginReason: AUTHENTICATED_FAILED): "
            "Jira checked the credentials and did not accept them; correct them",
            status_code=status,
            connector_id=connector_id,
            step=step,
        )
    return None


def _oauth_problem(response: httpx.Response) -> str | None:
    for header in response.headers.get_list("WWW-Authenticate"):
        match = _OAUTH_PROBLEM.search(header)
        if match:
            return match.group(1)
    media_type = response.headers.get("Content-Type", "").split(";")[0].strip()
    if media_type in ("application/x-www-form-urlencoded", "text/plain"):
        for pair in response.text.strip().split("&"):
            name, _, value = pair.partition("=")
            if name == "oauth_problem" and value:
                return unquote(value)
    return None


def _parameter(parameters: str, name: str) -> str | None:
    for item in parameters.split(";"):
        key, separator, value = item.strip().partition("=")
        if separator and key.strip().lower() == name:
            return value.strip()
    return None


def _request_line(response: httpx.Response) -> str:
    try:
        request = response.request
    except RuntimeError:
        return "the request"
    return f"{request.method} {request.url.copy_with(query=None)}"
