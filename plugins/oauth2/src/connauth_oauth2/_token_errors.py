"""Classification of token-endpoint failures into connauth's error tree.

The decision rests on the OAuth ``error`` code (RFC 6749 §5.2), never on the
status class alone, because Atlassian responds to both a dead grant and a wrong
client secret with 4xx codes that need opposite reactions:

- a dead grant (``invalid_grant``; Atlassian's 403 ``unauthorized_client``
  "refresh_token is invalid") needs a new login: :class:`ReauthorizationRequired`;
- a rejected client (``invalid_client``; Atlassian's 401 ``access_denied``
  "Unauthorized" for a wrong secret) needs new settings:
  :class:`ClientCredentialsInvalid`;
- 429 and 5xx pass with time: :class:`TransientAuthError`, honouring
  ``Retry-After``;
- anything else that cannot be read is a :class:`ProtocolError` with the status.

Messages repeat the server's ``error_description`` only after removing every
secret the request carried.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from collections.abc import Mapping
from datetime import UTC
from datetime import datetime
from email.utils import parsedate_to_datetime
from typing import Any

import httpx

from connauth import AuthorizationDenied
from connauth import AuthorizationFlowError
from connauth import ClientCredentialsInvalid
from connauth import ConfigError
from connauth import ConnauthError
from connauth import ProtocolError
from connauth import ReauthorizationRequired
from connauth import TransientAuthError
from connauth_oauth2._steps import StepIds

__all__ = ["Grant", "json_object", "parse_retry_after", "token_endpoint_error"]

_MAX_DESCRIPTION = 200
_TRANSIENT_CODES = frozenset({"temporarily_unavailable", "server_error"})


class Grant(enum.StrEnum):
    """The grant a token request used (RFC 6749 §4.1.3 and §6)."""

    AUTHORIZATION_CODE = "authorization_code"
    REFRESH_TOKEN = "refresh_token"


def token_endpoint_error(
    response: httpx.Response,
    *,
    grant: Grant,
    steps: StepIds,
    redact: Iterable[str],
    now: datetime,
) -> ConnauthError:
    """Return the error that a failed token response stands for.

    ``redact`` lists the secrets the request sent (client secret, code,
    refresh token); they are removed from any server text quoted.
    """
    status = response.status_code
    where = f"POST {response.request.url.copy_with(query=None)}"
    body = json_object(response)
    code = body.get("error") if body is not None else None
    if status == 429 or status >= 500 or code in _TRANSIENT_CODES:
        retry_after = parse_retry_after(response.headers.get("Retry-After"), now=now)
        wait = f"after {retry_after:g} s" if retry_after is not None else "later"
        return TransientAuthError(
            f"{where} returned {status}{_code_text(code)}; the stored tokens are "
            f"kept; retry {wait}",
            retry_after=retry_after,
            status_code=status,
        )
    if not isinstance(code, str) or not _is_error_code(code):
        return ProtocolError(
            f"{where} returned {status} without an OAuth error code; check that "
            "the token endpoint URL is right"
        )
    description = _description(body, redact)
    detail = f"{where} returned {status} {code}"
    if description:
        detail += f" ({description})"
    if grant is Grant.REFRESH_TOKEN:
        return _refresh_error(code, status, detail, description, steps)
    return _code_exchange_error(code, status, detail, steps)


def parse_retry_after(value: str | None, *, now: datetime) -> float | None:
    """Return the wait in seconds that a ``Retry-After`` header requests.

    The header is either a number of seconds, where ``0`` is valid, or an
    HTTP date (RFC 9110 §10.2.3). Returns ``None`` when it is absent or
    cannot be read; a date in the past gives 0.
    """
    if value is None:
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
    return max(0.0, (moment - now).total_seconds())


def _refresh_error(
    code: str, status: int, detail: str, description: str, steps: StepIds
) -> ConnauthError:
    relogin = "; an admin must log in again"
    if code == "invalid_grant":
        return ReauthorizationRequired(
            f"{detail}: the refresh token expired, was revoked or was already "
            f"used{relogin}",
            reason=code,
            status_code=status,
        )
    if code == "unauthorized_client" and "refresh_token" in description.lower():
        # Atlassian Cloud reports a dead refresh token this way as well.
        return ReauthorizationRequired(
            f"{detail}: the refresh token is no longer valid{relogin}",
            reason=code,
            status_code=status,
        )
    if code == "access_denied" and status != 401:
        return ReauthorizationRequired(
            f"{detail}: the grant was revoked{relogin}", reason=code, status_code=status
        )
    return _shared_error(code, status, detail, steps)


def _code_exchange_error(
    code: str, status: int, detail: str, steps: StepIds
) -> ConnauthError:
    if code == "invalid_grant":
        return AuthorizationFlowError(
            f"{detail}: the authorization code expired or was already used, or "
            "redirect_uri differs from the registered callback URL; start the "
            "login again",
            step=steps.callback,
        )
    if code == "access_denied" and status != 401:
        return AuthorizationDenied(
            f"{detail}: access was declined; start the login again and accept"
        )
    return _shared_error(code, status, detail, steps)


def _shared_error(code: str, status: int, detail: str, steps: StepIds) -> ConnauthError:
    if code in ("invalid_client", "access_denied"):
        return ClientCredentialsInvalid(
            f"{detail}: the client id or client secret was rejected; copy both "
            "again from Jira",
            step=steps.credentials,
        )
    if code == "unauthorized_client":
        return ClientCredentialsInvalid(
            f"{detail}: this client may not use the grant; check the app's "
            "settings in Jira",
            step=steps.create,
        )
    if code == "invalid_scope":
        return ConfigError(
            f"{detail}: check the scopes configured for the app and in 'scopes'",
            problems=(("scopes", "rejected by the token endpoint", steps.scopes),),
            step=steps.scopes,
        )
    return ProtocolError(f"{detail}: the token request was not accepted")


def json_object(response: httpx.Response) -> Mapping[str, Any] | None:
    """Return the response's body if it is a JSON object, else ``None``."""
    try:
        body = response.json()
    except ValueError:
        return None
    return body if isinstance(body, dict) else None


def _is_error_code(code: str) -> bool:
    # RFC 6749 §5.2: error codes are printable ASCII without '"' and '\\'.
    return 0 < len(code) <= 64 and all(
        "\x20" <= character <= "\x7e" and character not in '"\\' for character in code
    )


def _code_text(code: object) -> str:
    return f" {code}" if isinstance(code, str) and _is_error_code(code) else ""


def _description(body: Mapping[str, Any] | None, redact: Iterable[str]) -> str:
    """Return the server's ``error_description`` without secrets, or ``""``."""
    text = body.get("error_description") if body is not None else None
    if not isinstance(text, str) or not text:
        return ""
    for secret in redact:
        if secret:
            text = text.replace(secret, "[redacted]")
    text = "".join(character for character in text if character.isprintable())
    if len(text) > _MAX_DESCRIPTION:
        text = text[:_MAX_DESCRIPTION] + "..."
    return text
