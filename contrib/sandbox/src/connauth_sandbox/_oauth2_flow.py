"""Authorization and token steps shared by the Cloud and Data Center servers."""

from __future__ import annotations

import json
import logging
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from oauthlib.common import Request as OAuthlibRequest
from oauthlib.oauth2 import FatalClientError
from oauthlib.oauth2 import OAuth2Error
from starlette.responses import Response

from connauth_sandbox._consent import ConsentDesk
from connauth_sandbox._consent import ConsentRequest
from connauth_sandbox._http import FORM_CONTENT_TYPE
from connauth_sandbox._http import append_query
from connauth_sandbox._http import error_page
from connauth_sandbox._models import DcSite
from connauth_sandbox._models import TokenRecord
from connauth_sandbox._models import User
from connauth_sandbox._oauth2_provider import build_provider
from connauth_sandbox._state import Sandbox

logger = logging.getLogger("connauth_sandbox")

# The description that Atlassian Cloud sends when the user declines consent.
DENIED_DESCRIPTION = "User did not authorize the request"

PreAuthCheck = Callable[[OAuthlibRequest], dict[str, Any]]


@dataclass(frozen=True)
class AuthorizeOptions:
    """Response details of one authorization server that oauthlib leaves open."""

    redirect_status: int
    redirect_headers: dict[str, str]
    resource_name: str
    pre_auth_checks: tuple[PreAuthCheck, ...] = ()


def start_authorization(
    sandbox: Sandbox,
    desk: ConsentDesk,
    site: DcSite | None,
    uri: str,
    action_url: str,
    options: AuthorizeOptions,
) -> Response:
    """Validate an authorization request with oauthlib, then apply the consent policy.

    An invalid client id or redirect URI gets an error page and no redirect, per
    RFC 6749 section 4.1.2.1. Other errors redirect to the client with ``error``.
    """
    with sandbox.lock:
        server = _server(sandbox, site, options)
        try:
            scopes, info = server.validate_authorization_request(uri)
        except FatalClientError as error:
            logger.info("authorization request rejected: %s", error.description)
            return error_page(400, "Invalid authorization request", error.description)
        except OAuth2Error as error:
            logger.info("authorization request redirected with %s", error.error)
            return _redirect(error.in_uri(error.redirect_uri), options)

        client = info["request"].client

        def approve(user: User) -> Response:
            return _approve(sandbox, site, uri, scopes, user, options)

        def deny() -> Response:
            params = [
                ("error", "access_denied"),
                ("error_description", DENIED_DESCRIPTION),
            ]
            if info.get("state"):
                params.append(("state", info["state"]))
            return _redirect(append_query(info["redirect_uri"], params), options)

        consent = ConsentRequest(
            client_name=getattr(client, "name", client.client_id),
            resource_name=options.resource_name,
            scopes=scopes,
            approve=approve,
            deny=deny,
        )
        return desk.decide(consent, action_url)


def _approve(
    sandbox: Sandbox,
    site: DcSite | None,
    uri: str,
    scopes: list[str],
    user: User,
    options: AuthorizeOptions,
) -> Response:
    server = _server(sandbox, site, options)
    credentials = {"sandbox_account_id": user.account_id}
    try:
        headers, _, _ = server.create_authorization_response(
            uri, scopes=scopes, credentials=credentials
        )
    except FatalClientError as error:
        logger.info("approved authorization request failed: %s", error.description)
        return error_page(400, "Invalid authorization request", error.description)
    return _redirect(headers["Location"], options)


def _server(sandbox: Sandbox, site: DcSite | None, options: AuthorizeOptions) -> Any:
    server = build_provider(sandbox, site)
    server.auth_grant.custom_validators.pre_auth.extend(options.pre_auth_checks)
    return server


def _redirect(location: str, options: AuthorizeOptions) -> Response:
    headers = {"Location": location, **options.redirect_headers}
    return Response(status_code=options.redirect_status, headers=headers)


@dataclass(frozen=True)
class TokenResult:
    """The outcome of an oauthlib token call, before vendor-specific rewriting."""

    status: int
    headers: dict[str, str]
    body: dict[str, Any]

    @property
    def error(self) -> str | None:
        value = self.body.get("error")
        return value if isinstance(value, str) else None


def exchange_token(
    sandbox: Sandbox,
    site: DcSite | None,
    uri: str,
    params: list[tuple[str, str]],
    headers: dict[str, str],
) -> TokenResult:
    """Run oauthlib's token endpoint with params as a form body.

    uri must carry no query: oauthlib rejects query parameters on POST, so the
    caller moves them into params first.
    """
    body = urllib.parse.urlencode(params)
    request_headers = {**headers, "Content-Type": FORM_CONTENT_TYPE}
    with sandbox.lock:
        server = build_provider(sandbox, site)
        try:
            out_headers, out_body, status = server.create_token_response(
                uri, http_method="POST", body=body, headers=request_headers
            )
        except OAuth2Error as error:
            out_headers, out_body, status = error.headers, error.json, error.status_code
    payload = json.loads(out_body)
    if status == 200 and sandbox.settings.expires_in_as_string:
        payload["expires_in"] = str(payload["expires_in"])
    return TokenResult(status=status, headers=dict(out_headers), body=payload)


@dataclass(frozen=True)
class BearerCheck:
    """The outcome of verify_bearer().

    ``token`` is None when the token is unknown, expired, revoked or issued for
    another site. ``missing_scope`` is true when the token is valid but lacks a
    required scope.
    """

    token: TokenRecord | None
    missing_scope: bool = False


def verify_bearer(
    sandbox: Sandbox,
    site: DcSite | None,
    uri: str,
    method: str,
    headers: dict[str, str],
    scopes: list[str],
) -> BearerCheck:
    """Verify an ``Authorization: Bearer`` access token with oauthlib."""
    with sandbox.lock:
        server = build_provider(sandbox, site)
        valid, request = server.verify_request(
            uri, http_method=method, headers=headers, scopes=scopes
        )
    token: TokenRecord | None = getattr(request, "sandbox_token", None)
    if valid:
        return BearerCheck(token)
    if token is not None and getattr(request, "sandbox_missing_scope", False):
        return BearerCheck(token, missing_scope=True)
    return BearerCheck(None)
