"""Jira Data Center's OAuth 2.0 provider under ``/dc/{site}/rest/oauth2/latest``.

Jira accepts token parameters in the query string of a POST (Atlassian's curl
examples) as well as in a form body, and parses ``code_challenge_method``
without regard to case. oauthlib accepts neither, so both are normalised here
before the request reaches oauthlib.
"""

from __future__ import annotations

import json
import logging
import urllib.parse

from oauthlib.oauth2 import MetadataEndpoint
from oauthlib.oauth2 import OAuth2Error
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.responses import Response
from starlette.routing import BaseRoute
from starlette.routing import Route

from connauth_sandbox._consent import ConsentDesk
from connauth_sandbox._http import FORM_CONTENT_TYPE
from connauth_sandbox._http import NO_STORE
from connauth_sandbox._http import apply_token_endpoint_faults
from connauth_sandbox._http import delay_token_response
from connauth_sandbox._http import is_form
from connauth_sandbox._http import json_response
from connauth_sandbox._http import oauthlib_response
from connauth_sandbox._http import origin_of
from connauth_sandbox._http import parse_form
from connauth_sandbox._http import url_without_query
from connauth_sandbox._models import DcSite
from connauth_sandbox._oauth2_flow import AuthorizeOptions
from connauth_sandbox._oauth2_flow import exchange_token
from connauth_sandbox._oauth2_flow import start_authorization
from connauth_sandbox._oauth2_provider import build_provider
from connauth_sandbox._settings import Surface
from connauth_sandbox._state import Sandbox

logger = logging.getLogger("connauth_sandbox")

PREFIX = "/dc/{site}/rest/oauth2/latest"
# Jira parses the method with toUpperCase() into its PLAIN and S256 enum.
_CHALLENGE_METHODS = {"PLAIN": "plain", "S256": "S256"}
_TOKEN_TYPE_HINTS = ("", "access_token", "refresh_token")
SCOPES_SUPPORTED = ["READ", "WRITE", "ADMIN", "SYSTEM_ADMIN"]


class DcOAuth2Endpoints:
    """Request handlers of one Data Center instance's OAuth 2.0 provider."""

    def __init__(self, sandbox: Sandbox, desk: ConsentDesk) -> None:
        self.sandbox = sandbox
        self.desk = desk

    def routes(self) -> list[BaseRoute]:
        return [
            Route(f"{PREFIX}/authorize", self.authorize, methods=["GET"]),
            Route(f"{PREFIX}/authorize", self.desk.submit, methods=["POST"]),
            Route(f"{PREFIX}/token", self.token, methods=["POST"]),
            Route(f"{PREFIX}/revoke", self.revoke, methods=["POST"]),
            Route(
                f"{PREFIX}/.well-known/oauth-authorization-server",
                self.metadata,
                methods=["GET"],
            ),
        ]

    def _site(self, request: Request) -> DcSite | None:
        return self.sandbox.dc_sites.get(request.path_params["site"])

    async def authorize(self, request: Request) -> Response:
        site = self._site(request)
        if site is None:
            return _site_not_found()
        query = []
        for name, value in request.query_params.multi_items():
            if name == "code_challenge_method":
                value = _CHALLENGE_METHODS.get(value.upper(), value)
            query.append((name, value))
        uri = str(request.url.replace(query=urllib.parse.urlencode(query)))
        options = AuthorizeOptions(
            redirect_status=303,
            redirect_headers=dict(NO_STORE),
            resource_name=f"Jira ({site.name})",
        )
        return start_authorization(
            self.sandbox, self.desk, site, uri, url_without_query(request), options
        )

    async def token(self, request: Request) -> Response:
        site = self._site(request)
        if site is None:
            return _site_not_found()
        params = await _query_and_form(request)
        grant_type = dict(params).get("grant_type", "")
        self.sandbox.count_token_request(Surface.DC, grant_type)
        fault = await apply_token_endpoint_faults(self.sandbox, Surface.DC)
        if fault is not None:
            return fault

        headers = {}
        if "authorization" in request.headers:
            headers["Authorization"] = request.headers["authorization"]
        result = exchange_token(
            self.sandbox, site, url_without_query(request), params, headers
        )
        if result.status != 200:
            logger.info(
                "DC token request (%s) on %s rejected: %s",
                grant_type,
                site.name,
                result.error,
            )
        await delay_token_response(self.sandbox)
        return json_response(result.body, result.status, {**result.headers, **NO_STORE})

    async def revoke(self, request: Request) -> Response:
        """Revoke a token per RFC 7009. The status is 200 for unknown tokens too."""
        site = self._site(request)
        if site is None:
            return _site_not_found()
        params = await _query_and_form(request)
        # Jira rejects any hint outside its enum, where oauthlib ignores it.
        hint = dict(params).get("token_type_hint", "")
        if hint not in _TOKEN_TYPE_HINTS:
            logger.info(
                "revocation on %s rejected: token_type_hint %r", site.name, hint
            )
            payload = {"error": "unsupported_token_type"}
            return json_response(payload, 400, NO_STORE)

        headers = {"Content-Type": FORM_CONTENT_TYPE}
        if "authorization" in request.headers:
            headers["Authorization"] = request.headers["authorization"]
        body = urllib.parse.urlencode(params)
        with self.sandbox.lock:
            server = build_provider(self.sandbox, site)
            try:
                triple = server.create_revocation_response(
                    url_without_query(request), body=body, headers=headers
                )
            except OAuth2Error as error:
                triple = (error.headers, error.json, error.status_code)
        return oauthlib_response(*triple)

    async def metadata(self, request: Request) -> Response:
        """Return the RFC 8414 authorization server metadata."""
        site = self._site(request)
        if site is None:
            return _site_not_found()
        base = f"{origin_of(request)}/dc/{site.name}"
        endpoint = f"{base}/rest/oauth2/latest"
        claims = {
            "issuer": base,
            "authorization_endpoint": f"{endpoint}/authorize",
            "token_endpoint": f"{endpoint}/token",
            "revocation_endpoint": f"{endpoint}/revoke",
            "scopes_supported": SCOPES_SUPPORTED,
            "response_modes_supported": ["query"],
            "token_endpoint_auth_methods_supported": [
                "client_secret_post",
                "client_secret_basic",
            ],
        }
        server = build_provider(self.sandbox, site)
        metadata = MetadataEndpoint([server], claims=claims, raise_errors=False)
        _, body, status = metadata.create_metadata_response(str(request.url))
        document = {
            key: value
            for key, value in json.loads(body).items()
            if not key.startswith("introspection_")
        }
        return json_response(document, status)


async def _query_and_form(request: Request) -> list[tuple[str, str]]:
    params = list(request.query_params.multi_items())
    if is_form(request):
        params.extend(parse_form(await request.body()))
    return params


def _site_not_found() -> Response:
    return PlainTextResponse("Site not found", status_code=404)
