"""The OAuth 1.0a authorization ("dance") with a Jira application link (RFC 5849 §2).

1. ``begin``: obtain a request token (§2.1) with ``oauth_callback`` set to the
   host's callback URL plus the core's ``state``, and send the admin to Jira's
   authorization page (§2.2).
2. ``complete``: from the callback's ``oauth_token`` and ``oauth_verifier``,
   exchange the request token for an access token (§2.3).

Both steps are sans-I/O exchanges: they yield signed ``httpx.Request`` objects
and the core sends them.
"""

from __future__ import annotations

import hmac
import logging
from collections.abc import Callable
from collections.abc import Mapping
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from urllib.parse import unquote
from urllib.parse import urlencode

import httpx
from pydantic import SecretStr

from connauth import AuthorizationDenied
from connauth import AuthorizationPrompt
from connauth import Deployment
from connauth import Exchange
from connauth import LoginResult
from connauth import ProtocolError
from connauth import StateMismatch
from connauth import TokenSet
from connauth_oauth1a._config import OAuth1aConfig
from connauth_oauth1a._config import signer_for
from connauth_oauth1a._problems import oauth_problem_error
from connauth_oauth1a._problems import transient_error

__all__ = ["TOKEN_TYPE", "ApplicationLinkLogin"]

logger = logging.getLogger(__name__)

TOKEN_TYPE = "OAuth"
"""``TokenSet.token_type`` of OAuth 1.0a access tokens: the ``Authorization``
scheme they are sent with (RFC 5849 §3.5.1)."""

REQUEST_TOKEN = "request_token"
REQUEST_TOKEN_SECRET = "request_token_secret"


class ApplicationLinkLogin:
    """The login flow of one OAuth 1.0a connector, returned by
    ``connauth_authenticate``.

    Args:
        config: the connector's configuration.
        clock: returns the current aware UTC time, for ``expires_at``.
    """

    def __init__(
        self,
        config: OAuth1aConfig,
        *,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._config = config
        self._signer = signer_for(config)
        self._clock = clock

    def begin(self, *, state: str, callback_url: str) -> Exchange[AuthorizationPrompt]:
        """Obtain a request token and return the authorization page's URL."""
        callback = _with_query_parameter(callback_url, "state", state)
        request = self._signed_post(
            self._config.request_token_url, extra={"oauth_callback": callback}
        )
        response = yield request
        reply = _credentials_reply(response, "the request-token endpoint")

        token = reply.get("oauth_token")
        if not token:
            raise ProtocolError(
                f"the request-token reply from {self._config.request_token_url} has "
                "no oauth_token; check request_token_path"
            )
        # RFC 5849 §2.1: the server MUST confirm the callback. A server without
        # it speaks OAuth 1.0 without the "a" revision, which is open to
        # session fixation.
        if reply.get("oauth_callback_confirmed") != "true":
            raise ProtocolError(
                "the request-token reply lacks oauth_callback_confirmed=true, so the "
                "server does not implement OAuth 1.0a; connauth cannot log in to it"
            )

        logger.info("OAuth 1.0a request token obtained from %s", self._config.site_url)
        url = _with_query_parameter(self._config.authorize_url, "oauth_token", token)
        return AuthorizationPrompt(
            url=url,
            pending={
                REQUEST_TOKEN: SecretStr(token),
                REQUEST_TOKEN_SECRET: SecretStr(reply.get("oauth_token_secret", "")),
            },
        )

    def complete(
        self, *, pending: Mapping[str, SecretStr], callback: Mapping[str, str]
    ) -> Exchange[LoginResult]:
        """Exchange the authorized request token for an access token."""
        verifier = callback.get("oauth_verifier")
        if verifier == "denied":
            raise AuthorizationDenied(
                "the user declined access on Jira's authorization page; start the "
                "login again and choose Allow"
            )
        request_token = _matching_request_token(pending, callback.get("oauth_token"))
        if not verifier:
            raise ProtocolError(
                "the callback has no oauth_verifier; Jira adds it when the user "
                "approves access, so start the login again"
            )

        request = self._signed_post(
            self._config.access_token_url,
            token=request_token,
            extra={"oauth_verifier": verifier},
        )
        response = yield request
        reply = _credentials_reply(response, "the access-token endpoint")

        logger.info("OAuth 1.0a access token obtained from %s", self._config.site_url)
        return LoginResult(
            tokens=self._token_set(reply),
            api_base_url=self._config.site_url,
            data={
                "deployment": Deployment.DATA_CENTER.value,
                "consumer_key": self._config.consumer_key,
            },
        )

    def _signed_post(
        self, url: str, *, token: str | None = None, extra: Mapping[str, str]
    ) -> httpx.Request:
        request = httpx.Request("POST", url)
        self._signer.sign_request(request, token=token, extra=extra)
        return request

    def _token_set(self, reply: Mapping[str, str]) -> TokenSet:
        token = reply.get("oauth_token")
        if not token:
            raise ProtocolError(
                f"the access-token reply from {self._config.access_token_url} has "
                "no oauth_token"
            )
        secret = reply.get("oauth_token_secret")
        return TokenSet(
            access_token=SecretStr(token),
            token_type=TOKEN_TYPE,
            token_secret=SecretStr(secret) if secret else None,
            expires_at=self._expires_at(reply.get("oauth_expires_in")),
        )

    def _expires_at(self, expires_in: str | None) -> datetime | None:
        """Turn Jira's ``oauth_expires_in`` (seconds; five years by default) into
        an absolute time. ``None`` when Jira gave no lifetime."""
        if expires_in is None:
            return None
        try:
            seconds = int(expires_in)
        except ValueError:
            raise ProtocolError(
                f"the access-token reply has oauth_expires_in={expires_in!r}, which "
                "is not a number of seconds"
            ) from None
        return self._clock().astimezone(UTC) + timedelta(seconds=seconds)


def _matching_request_token(
    pending: Mapping[str, SecretStr], received: str | None
) -> str:
    expected = pending.get(REQUEST_TOKEN)
    if expected is None:
        raise StateMismatch(
            "the pending login has no request token; start the login again"
        )
    value = expected.get_secret_value()
    if received is None or not hmac.compare_digest(
        received.encode("utf-8"), value.encode("utf-8")
    ):
        raise StateMismatch(
            "the callback's oauth_token is not the request token of this login; "
            "start the login again"
        )
    return value


def _credentials_reply(response: httpx.Response, endpoint: str) -> dict[str, str]:
    """Return the parameters of a successful token reply; raise a typed error
    for a problem reply.

    Jira returns ``text/plain`` with OAuth percent-encoding (RFC 5849 §3.6),
    where ``+`` is a literal plus rather than a space.
    """
    if response.status_code == 200:
        pairs = (
            pair.partition("=") for pair in response.text.strip().split("&") if pair
        )
        return {unquote(name): unquote(value) for name, _, value in pairs}

    problem = oauth_problem_error(response)
    if problem is not None:
        raise problem
    transient = transient_error(response, endpoint)
    if transient is not None:
        raise transient
    url = response.request.url.copy_with(query=None)
    raise ProtocolError(
        f"{endpoint} ({url}) returned HTTP {response.status_code} without an "
        "oauth_problem; check site_url and the endpoint paths"
    )


def _with_query_parameter(url: str, name: str, value: str) -> str:
    """Append one query parameter, keeping the URL's existing query (RFC 5849 §2.2)."""
    separator = "&" if "?" in url else "?"
    if url.endswith(("?", "&")):
        separator = ""
    return f"{url}{separator}{urlencode({name: value})}"
