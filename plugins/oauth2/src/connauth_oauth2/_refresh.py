"""The refresh exchange (RFC 6749 §6) with rotating refresh tokens.

Atlassian Cloud and Jira Data Center both rotate: each refresh returns a new
refresh token and disables the one sent. The core persists the result before
anything uses it, so this module only sends the request and reads the
response.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC
from datetime import datetime

from connauth import Exchange
from connauth import ReauthorizationRequired
from connauth import TokenSet
from connauth_oauth2._config import OAuth2Config
from connauth_oauth2._scopes import OFFLINE_ACCESS
from connauth_oauth2._token_errors import Grant
from connauth_oauth2._token_requests import read_token_response
from connauth_oauth2._token_requests import refresh_request

__all__ = ["refresh_exchange"]


def _utc_now() -> datetime:
    return datetime.now(UTC)


def refresh_exchange(
    config: OAuth2Config,
    tokens: TokenSet,
    *,
    clock: Callable[[], datetime] = _utc_now,
) -> Exchange[TokenSet]:
    """Trade ``tokens.refresh_token`` for new tokens.

    A response without ``refresh_token`` keeps the one sent (RFC 6749 §6).
    Raises :class:`ReauthorizationRequired` before sending anything when no
    refresh token is stored, and the errors of
    :func:`~connauth_oauth2._token_errors.token_endpoint_error` for a failed
    response.
    """
    if tokens.refresh_token is None:
        raise ReauthorizationRequired(
            "no refresh token is stored, so the access token cannot be renewed; "
            f"log in again, with '{OFFLINE_ACCESS}' in scopes on Cloud",
            reason="no_refresh_token",
        )
    refresh_token = tokens.refresh_token.get_secret_value()
    response = yield refresh_request(config, refresh_token)
    return read_token_response(
        response,
        config=config,
        grant=Grant.REFRESH_TOKEN,
        now=clock(),
        redact=(config.client_secret.get_secret_value(), refresh_token),
        previous=tokens,
    )
