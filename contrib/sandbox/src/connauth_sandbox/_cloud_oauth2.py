"""Atlassian Cloud OAuth 2.0 (3LO): the auth server and accessible-resources.

``/auth`` stands for https://auth.atlassian.com and ``/gateway`` for
https://api.atlassian.com. Where Atlassian's responses differ from oauthlib's, the
responses are rewritten here: 401 ``access_denied`` for a bad client secret and
403 ``invalid_grant`` for a dead code or refresh token.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from oauthlib.common import Request as OAuthlibRequest
from oauthlib.oauth2 import InvalidRequestError
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute
from starlette.routing import Route

from connauth_sandbox._consent import ConsentDesk
from connauth_sandbox._http import NO_STORE
from connauth_sandbox._http import apply_token_endpoint_faults
from connauth_sandbox._http import decode_json_object
from connauth_sandbox._http import delay_token_response
from connauth_sandbox._http import is_form
from connauth_sandbox._http import is_json
from connauth_sandbox._http import json_response
from connauth_sandbox._http import origin_of
from connauth_sandbox._http import parse_form
from connauth_sandbox._http import url_without_query
from connauth_sandbox._oauth2_flow import AuthorizeOptions
from connauth_sandbox._oauth2_flow import TokenResult
from connauth_sandbox._oauth2_flow import exchange_token
from connauth_sandbox._oauth2_flow import start_authorization
from connauth_sandbox._oauth2_flow import verify_bearer
from connauth_sandbox._oauth2_provider import OFFLINE_ACCESS
from connauth_sandbox._settings import Surface
from connauth_sandbox._state import Sandbox

logger = logging.getLogger("connauth_sandbox")

AUDIENCE = "api.atlassian.com"

# Documented by Atlassian for a refresh token that is expired, rotated or revoked.
DEAD_REFRESH_TOKEN = {
    "error": "invalid_grant",
    "error_description": "Unknown or invalid refresh token.",
}
# Observed for a wrong client secret (Atlassian does not document it).
BAD_CLIENT = {"error": "access_denied", "error_description": "Unauthorized"}


def check_cloud_parameters(request: OAuthlibRequest) -> dict[str, Any]:
    """Reject an ``audience`` other than api.atlassian.com and a foreign ``prompt``.

    Both may be absent: one Atlassian page omits ``audience`` from its example.
    """
    audience = dict(request.uri_query_params).get("audience")
    if audience is not None and audience != AUDIENCE:
        raise InvalidRequestError(
            description=f"audience must be {AUDIENCE}", request=request
        )
    if request.prompt not in (None, "consent"):
        raise InvalidRequestError(description="prompt must be consent", request=request)
    return {}


_AUTHORIZE_OPTIONS = AuthorizeOptions(
    redirect_status=302,
    redirect_headers={},
    resource_name="your Atlassian sites",
    pre_auth_checks=(check_cloud_parameters,),
)


class CloudOAuth2Endpoints:
    """Request handlers of the emulated auth.atlassian.com."""

    def __init__(self, sandbox: Sandbox, desk: ConsentDesk) -> None:
        self.sandbox = sandbox
        self.desk = desk

    def routes(self) -> list[BaseRoute]:
        return [
            Route("/auth/authorize", self.authorize, methods=["GET"]),
            Route("/auth/authorize", self.desk.submit, methods=["POST"]),
            Route("/auth/oauth/token", self.token, methods=["POST"]),
            Route(
                "/gateway/oauth/token/accessible-resources",
                self.accessible_resources,
                methods=["GET"],
            ),
        ]

    async def authorize(self, request: Request) -> Response:
        return start_authorization(
            self.sandbox,
            self.desk,
            None,
            str(request.url),
            url_without_query(request),
            _AUTHORIZE_OPTIONS,
        )

    async def token(self, request: Request) -> Response:
        """Exchange a code or a refresh token; the body is JSON or a form."""
        body = await request.body()
        params: list[tuple[str, str]]
        if is_json(request):
            payload = decode_json_object(body)
            if payload is None:
                return _token_error(
                    400, "invalid_request", "Body must be a JSON object."
                )
            params = [(str(k), _scalar(v)) for k, v in payload.items() if v is not None]
        elif is_form(request):
            params = parse_form(body)
        else:
            return _token_error(
                400, "invalid_request", "Content-Type must be application/json."
            )

        grant_type = dict(params).get("grant_type", "")
        self.sandbox.count_token_request(Surface.CLOUD, grant_type)
        fault = await apply_token_endpoint_faults(self.sandbox, Surface.CLOUD)
        if fault is not None:
            return fault

        headers = {"Accept": "application/json"}
        result = exchange_token(self.sandbox, None, str(request.url), params, headers)
        await delay_token_response(self.sandbox)
        return _rewrite_token_result(result, grant_type)

    async def accessible_resources(self, request: Request) -> Response:
        """List the Cloud sites that the access token's grant covers."""
        checked = verify_bearer(
            self.sandbox, None, str(request.url), "GET", dict(request.headers), []
        )
        record = checked.token
        if record is None:
            return json_response({"code": 401, "message": "Unauthorized"}, 401)

        origin = origin_of(request)
        scopes = [scope for scope in record.scopes if scope != OFFLINE_ACCESS]
        resources = []
        for name in record.site_names:
            site = self.sandbox.cloud_sites.get(name)
            if site is None:
                continue
            site_url = f"{origin}/cloud/{name}"
            resources.append(
                {
                    "id": site.cloud_id,
                    "name": name,
                    "url": site_url,
                    "scopes": scopes,
                    "avatarUrl": f"{site_url}/avatar.png",
                }
            )
        return json_response(resources)


def _scalar(value: object) -> str:
    return value if isinstance(value, str) else json.dumps(value)


def _token_error(status: int, error: str, description: str) -> Response:
    payload = {"error": error, "error_description": description}
    return json_response(payload, status, NO_STORE)


def _rewrite_token_result(result: TokenResult, grant_type: str) -> Response:
    """Apply Atlassian Cloud's status codes and bodies to an oauthlib response."""
    if result.status == 200:
        return json_response(result.body, 200, NO_STORE)
    logger.info("Cloud token request (%s) rejected: %s", grant_type, result.error)
    if result.error == "invalid_client":
        return json_response(BAD_CLIENT, 401, NO_STORE)
    if result.error == "invalid_grant":
        if grant_type == "refresh_token":
            return json_response(DEAD_REFRESH_TOKEN, 403, NO_STORE)
        return json_response(result.body, 403, NO_STORE)
    return json_response(result.body, result.status, NO_STORE)
