"""Token requests (RFC 6749 §4.1.3 and §6) and the reading of their responses.

Atlassian Cloud documents JSON bodies for its token endpoint; Jira Data
Center's provider reads form parameters. The JSON is serialised here, compact
and in the documented field order, so the bytes sent do not depend on the
HTTP library's version.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from urllib.parse import urlencode

import httpx

from connauth import Deployment
from connauth import ProtocolError
from connauth import TokenSet
from connauth import parse_token_response
from connauth_oauth2._config import OAuth2Config
from connauth_oauth2._steps import steps_for
from connauth_oauth2._token_errors import Grant
from connauth_oauth2._token_errors import json_object
from connauth_oauth2._token_errors import token_endpoint_error

__all__ = ["code_exchange_request", "read_token_response", "refresh_request"]

_FORM = "application/x-www-form-urlencoded"
_JSON = "application/json"


def code_exchange_request(
    config: OAuth2Config,
    *,
    code: str,
    redirect_uri: str,
    code_verifier: str | None,
) -> httpx.Request:
    """Build the request that trades an authorization code for tokens.

    ``redirect_uri`` must be the exact string sent in the authorization
    request (RFC 6749 §4.1.3). ``code_verifier`` is the PKCE verifier, sent
    only when the authorization request carried a challenge.
    """
    secret = config.client_secret.get_secret_value()
    if config.deployment is Deployment.DATA_CENTER:
        fields = {
            "client_id": config.client_id,
            "client_secret": secret,
            "code": code,
            "grant_type": Grant.AUTHORIZATION_CODE.value,
            "redirect_uri": redirect_uri,
        }
    else:
        fields = {
            "grant_type": Grant.AUTHORIZATION_CODE.value,
            "client_id": config.client_id,
            "client_secret": secret,
            "code": code,
            "redirect_uri": redirect_uri,
        }
    if code_verifier is not None:
        fields["code_verifier"] = code_verifier
    return _token_post(config, fields)


def refresh_request(config: OAuth2Config, refresh_token: str) -> httpx.Request:
    """Build the request that trades a refresh token for new tokens."""
    # NOTE: Atlassian's Data Center example also sends redirect_uri with a
    # refresh. RFC 6749 §6 does not require it, and the refresh hook does not
    # receive the host's redirect URL, so it is left out. Whether a real Jira
    # Data Center accepts that is untested.
    fields = {
        "grant_type": Grant.REFRESH_TOKEN.value,
        "client_id": config.client_id,
        "client_secret": config.client_secret.get_secret_value(),
        "refresh_token": refresh_token,
    }
    return _token_post(config, fields)


def read_token_response(
    response: httpx.Response,
    *,
    config: OAuth2Config,
    grant: Grant,
    now: datetime,
    redact: tuple[str, ...],
    previous: TokenSet | None = None,
) -> TokenSet:
    """Return the tokens of a successful token response; raise for any other.

    The body is read with :func:`connauth.parse_token_response` (RFC 6749
    §5.1). ``previous`` is the token set being refreshed: a response without
    ``refresh_token`` keeps its refresh token. A refresh token is dropped
    when ``config.refresh`` is off, so that none is ever used.
    """
    steps = steps_for(config.deployment)
    body = json_object(response)
    if response.status_code != 200 or body is None or "error" in body:
        if response.status_code == 200 and body is None:
            raise ProtocolError(
                f"POST {config.token_endpoint()} returned 200 without a JSON "
                "object; check that the token endpoint URL is right"
            )
        raise token_endpoint_error(
            response, grant=grant, steps=steps, redact=redact, now=now
        )
    tokens = parse_token_response(body, now=now, previous=previous)
    if not config.refresh and tokens.refresh_token is not None:
        tokens = tokens.model_copy(update={"refresh_token": None})
    return tokens


def _token_post(config: OAuth2Config, fields: Mapping[str, str]) -> httpx.Request:
    headers = {"Accept": _JSON}
    if config.deployment is Deployment.DATA_CENTER:
        headers["Content-Type"] = _FORM
        content = urlencode(fields).encode("ascii")
    else:
        headers["Content-Type"] = _JSON
        content = json.dumps(fields, separators=(",", ":")).encode("utf-8")
    return httpx.Request(
        "POST", config.token_endpoint(), headers=headers, content=content
    )
