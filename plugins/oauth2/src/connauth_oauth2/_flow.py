"""The authorization-code flow (RFC 6749 §4.1) for Cloud 3LO and Data Center.

The core creates and checks ``state``. This module builds the authorization
URL and turns the callback into tokens. Everything the second half needs is
kept in ``AuthorizationPrompt.pending``: the exact ``redirect_uri`` sent, so
the code exchange repeats it byte for byte, and on Data Center the PKCE
verifier.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from collections.abc import Mapping
from datetime import UTC
from datetime import datetime

from authlib.oauth2.rfc6749.parameters import prepare_grant_uri
from pydantic import SecretStr

from connauth import AuthorizationFlowError
from connauth import AuthorizationPrompt
from connauth import Deployment
from connauth import Exchange
from connauth import HostIdentity
from connauth import LoginResult
from connauth import ProtocolError
from connauth import TokenSet
from connauth_oauth2._config import OAuth2Config
from connauth_oauth2._endpoints import cloud_api_base_url
from connauth_oauth2._pkce import S256
from connauth_oauth2._pkce import create_code_challenge
from connauth_oauth2._pkce import create_code_verifier
from connauth_oauth2._resources import accessible_resources_request
from connauth_oauth2._resources import parse_accessible_resources
from connauth_oauth2._resources import select_site
from connauth_oauth2._scopes import OFFLINE_ACCESS
from connauth_oauth2._steps import steps_for
from connauth_oauth2._token_errors import Grant
from connauth_oauth2._token_requests import code_exchange_request
from connauth_oauth2._token_requests import read_token_response

__all__ = ["AUDIENCE", "OAuth2Authorization"]

logger = logging.getLogger(__name__)

AUDIENCE = "api.atlassian.com"
"""The ``audience`` that Atlassian's Cloud authorization request requires."""

_REDIRECT_URI = "redirect_uri"
_CODE_VERIFIER = "code_verifier"


def _utc_now() -> datetime:
    return datetime.now(UTC)


class OAuth2Authorization:
    """The login flow of one ``oauth2`` connector.

    Args:
        config: the connector's configuration.
        host: the host application; its name appears in log messages only.
        clock: returns the current aware UTC time, from which token expiry
            times are computed.
    """

    def __init__(
        self,
        config: OAuth2Config,
        host: HostIdentity,
        *,
        clock: Callable[[], datetime] = _utc_now,
    ) -> None:
        self._config = config
        self._host = host
        self._clock = clock

    def begin(self, *, state: str, callback_url: str) -> Exchange[AuthorizationPrompt]:
        """Build the authorization URL without sending a request."""
        config = self._config
        pending = {_REDIRECT_URI: SecretStr(callback_url)}
        extra: dict[str, str]
        if config.deployment is Deployment.DATA_CENTER:
            authorize_url = config.dc_endpoints().authorize_url
            # RFC 7636 §4.1-4.3: a fresh verifier per login, S256 challenge.
            verifier = create_code_verifier()
            pending[_CODE_VERIFIER] = SecretStr(verifier)
            extra = {
                "code_challenge": create_code_challenge(verifier),
                "code_challenge_method": S256,
            }
        else:
            authorize_url = config.cloud_endpoints().authorize_url
            extra = {"audience": AUDIENCE, "prompt": "consent"}
        url = prepare_grant_uri(
            authorize_url,
            client_id=config.client_id,
            response_type="code",
            redirect_uri=callback_url,
            scope=list(config.requested_scopes()),
            state=state,
            **extra,
        )
        return _without_requests(AuthorizationPrompt(url=url, pending=pending))

    def complete(
        self, *, pending: Mapping[str, SecretStr], callback: Mapping[str, str]
    ) -> Exchange[LoginResult]:
        """Exchange the callback's code for tokens and look up the Cloud site's id."""
        config = self._config
        code = _callback_code(callback, steps_for(config.deployment).callback)
        redirect_uri = _pending_value(pending, _REDIRECT_URI)
        verifier = None
        if config.deployment is Deployment.DATA_CENTER:
            verifier = _pending_value(pending, _CODE_VERIFIER)
        request = code_exchange_request(
            config, code=code, redirect_uri=redirect_uri, code_verifier=verifier
        )
        response = yield request
        tokens = read_token_response(
            response,
            config=config,
            grant=Grant.AUTHORIZATION_CODE,
            now=self._clock(),
            redact=(config.client_secret.get_secret_value(), code),
        )
        self._warn_without_refresh(tokens)
        if config.deployment is Deployment.DATA_CENTER:
            data = {"deployment": Deployment.DATA_CENTER.value}
            return LoginResult(tokens, config.dc_endpoints().api_base_url, data)
        return (yield from self._cloud_site(tokens))

    def _cloud_site(self, tokens: TokenSet) -> Exchange[LoginResult]:
        endpoints = self._config.cloud_endpoints()
        request = accessible_resources_request(
            endpoints.accessible_resources_url, tokens.access_token.get_secret_value()
        )
        response = yield request
        site = select_site(parse_accessible_resources(response), self._config.site_url)
        logger.info(
            "oauth2 login for %s: site %s has cloud id %s",
            self._host.name,
            site.url,
            site.cloud_id,
        )
        data = {
            "deployment": Deployment.CLOUD.value,
            "cloud_id": site.cloud_id,
            "site_name": site.name,
        }
        api_base = cloud_api_base_url(endpoints.api_gateway_url, site.cloud_id)
        return LoginResult(tokens, api_base, data)

    def _warn_without_refresh(self, tokens: TokenSet) -> None:
        if self._config.refresh and not tokens.can_refresh:
            hint = (
                f" check that '{OFFLINE_ACCESS}' is in scopes and was granted"
                if self._config.deployment is Deployment.CLOUD
                else ""
            )
            logger.warning(
                "oauth2 login for %s: the token response has no refresh token, so "
                "an admin must log in again when the access token expires;%s",
                self._host.name,
                hint,
            )


def _without_requests(value: AuthorizationPrompt) -> Exchange[AuthorizationPrompt]:
    """Return an exchange that sends nothing and returns ``value``."""
    yield from ()
    return value


def _callback_code(callback: Mapping[str, str], step: str) -> str:
    error = callback.get("error")
    if error:
        # An error response of RFC 6749 §4.1.2.1. The core handles access_denied
        # before this point.
        description = callback.get("error_description", "")
        printable = "".join(c for c in description if c.isprintable())[:200]
        raise AuthorizationFlowError(
            f"the authorization server returned error {error!r}"
            + (f" ({printable})" if printable else "")
            + "; fix the cause and start the login again",
            step=step,
        )
    code = callback.get("code")
    if not code:
        raise AuthorizationFlowError(
            "the callback has no 'code' parameter; pass the full callback URL "
            "the browser was redirected to",
            step=step,
        )
    return code


def _pending_value(pending: Mapping[str, SecretStr], name: str) -> str:
    value = pending.get(name)
    if value is None:
        raise ProtocolError(
            f"the stored login has no {name}, so it was started with another "
            "configuration or plugin version; start the login again"
        )
    return value.get_secret_value()
