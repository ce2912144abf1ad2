"""Routing of Jira REST calls on Cloud sites, the API gateway and Data Center.

The same resources are served under three prefixes, each with its own credentials:
``/cloud/{site}`` (Basic with an API token), ``/gateway/ex/jira/{cloudid}``
(3LO Bearer tokens) and ``/dc/{site}`` (OAuth 1.0a, Bearer and Basic).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable
from collections.abc import Callable
from dataclasses import dataclass

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.responses import PlainTextResponse
from starlette.responses import Response
from starlette.routing import BaseRoute
from starlette.routing import Route

from connauth_sandbox import _jira_resources as resources
from connauth_sandbox._auth import AuthenticationRejected
from connauth_sandbox._auth import authenticate_cloud_site
from connauth_sandbox._auth import authenticate_dc
from connauth_sandbox._auth import authenticate_gateway
from connauth_sandbox._auth import cloud_unauthenticated
from connauth_sandbox._auth import dc_unauthenticated
from connauth_sandbox._auth import gateway_unauthorized
from connauth_sandbox._http import decode_json_object
from connauth_sandbox._http import origin_of
from connauth_sandbox._jira_resources import RestContext
from connauth_sandbox._models import User
from connauth_sandbox._state import Sandbox

logger = logging.getLogger("connauth_sandbox")

Handler = Callable[
    [RestContext, User | None, Request, re.Match[str]], Awaitable[Response]
]


@dataclass(frozen=True)
class _Resource:
    """A REST resource and the 3LO (Cloud) and DC OAuth 2.0 scope it needs."""

    method: str
    pattern: re.Pattern[str]
    cloud_scope: str | None
    dc_scope: str | None
    anonymous: bool
    handler: Handler


async def _server_info(
    context: RestContext, user: User | None, request: Request, match: re.Match[str]
) -> Response:
    return resources.server_info(context)


async def _myself(
    context: RestContext, user: User | None, request: Request, match: re.Match[str]
) -> Response:
    assert user is not None  # the resource is not anonymous
    return resources.myself(context, user)


async def _my_permissions(
    context: RestContext, user: User | None, request: Request, match: re.Match[str]
) -> Response:
    return resources.my_permissions(
        context,
        request.query_params.get("permissions"),
        request.query_params.get("projectKey"),
    )


async def _create_issue(
    context: RestContext, user: User | None, request: Request, match: re.Match[str]
) -> Response:
    assert user is not None  # the resource is not anonymous
    return resources.create_issue(
        context, user, decode_json_object(await request.body())
    )


async def _get_issue(
    context: RestContext, user: User | None, request: Request, match: re.Match[str]
) -> Response:
    return resources.get_issue(context, match["key"])


async def _get_project(
    context: RestContext, user: User | None, request: Request, match: re.Match[str]
) -> Response:
    return resources.get_project(context, match["key"])


# NOTE: the classic 3LO scope per resource is inferred from Atlassian's scope
# descriptions. Granular scopes (read:issue:jira and the like) are not accepted.
_RESOURCES = (
    _Resource("GET", re.compile("serverInfo"), None, None, True, _server_info),
    _Resource("GET", re.compile("myself"), "read:jira-user", "READ", False, _myself),
    _Resource("GET", re.compile("mypermissions"), None, None, True, _my_permissions),
    _Resource(
        "POST", re.compile("issue"), "write:jira-work", "WRITE", False, _create_issue
    ),
    _Resource(
        "GET",
        re.compile(r"issue/(?P<key>[^/]+)"),
        "read:jira-work",
        "READ",
        False,
        _get_issue,
    ),
    _Resource(
        "GET",
        re.compile(r"project/(?P<key>[^/]+)"),
        "read:jira-work",
        "READ",
        False,
        _get_project,
    ),
)


def _find_resource(request: Request) -> tuple[_Resource, re.Match[str]] | Response:
    path = request.path_params["resource"]
    path_matched = False
    for resource in _RESOURCES:
        match = resource.pattern.fullmatch(path)
        if match is None:
            continue
        path_matched = True
        if resource.method == request.method:
            return resource, match
    if path_matched:
        return PlainTextResponse("Method Not Allowed", status_code=405)
    return resources.error_collection(404, f"No REST resource matches {path!r}.")


def _log_rejection(request: Request, rejection: AuthenticationRejected) -> None:
    status = rejection.response.status_code
    logger.info("%s %s rejected with %s", request.method, request.url.path, status)


def _served_anonymously(
    sandbox: Sandbox, request: Request, rejection: AuthenticationRejected
) -> bool:
    """Check whether the anonymous_on_bad_credentials switch turns a 401 into a
    request served without a user, and log it when it does."""
    if not sandbox.settings.anonymous_on_bad_credentials:
        return False
    if rejection.response.status_code != 401:
        return False
    logger.info("%s %s served anonymously", request.method, request.url.path)
    return True


class RestEndpoints:
    """Request handlers of the REST prefixes of every emulated host."""

    def __init__(self, sandbox: Sandbox) -> None:
        self.sandbox = sandbox

    def routes(self) -> list[BaseRoute]:
        methods = ["GET", "POST"]
        api = "rest/api/{version}/{resource:path}"
        return [
            Route(f"/cloud/{{site}}/{api}", self.cloud_site, methods=methods),
            Route("/cloud/{site}/_edge/tenant_info", self.tenant_info, methods=["GET"]),
            Route(
                f"/gateway/ex/jira/{{cloud_id}}/{api}", self.gateway, methods=methods
            ),
            Route(f"/dc/{{site}}/{api}", self.dc_site, methods=methods),
        ]

    async def tenant_info(self, request: Request) -> Response:
        """Return the site's cloud id, anonymously, as ``/_edge/tenant_info`` does."""
        site = self.sandbox.cloud_sites.get(request.path_params["site"])
        if site is None:
            return PlainTextResponse("Site not found", status_code=404)
        return JSONResponse({"cloudId": site.cloud_id})

    async def cloud_site(self, request: Request) -> Response:
        site = self.sandbox.cloud_sites.get(request.path_params["site"])
        version = request.path_params["version"]
        if site is None or version not in ("2", "3"):
            return PlainTextResponse("Not Found", status_code=404)
        found = _find_resource(request)
        if isinstance(found, Response):
            return found
        resource, match = found

        try:
            user = authenticate_cloud_site(self.sandbox, site, request)
        except AuthenticationRejected as rejection:
            _log_rejection(request, rejection)
            if not _served_anonymously(self.sandbox, request, rejection):
                return rejection.response
            if resource.handler is _myself:
                return resources.anonymous_myself()
            user = None
        if user is None and not resource.anonymous:
            return cloud_unauthenticated(failed=False).response

        site_url = f"{origin_of(request)}/cloud/{site.name}"
        context = RestContext(
            self.sandbox, site, user, f"{site_url}/rest/api/{version}", site_url
        )
        response = await resource.handler(context, user, request, match)
        if user is not None:
            response.headers["X-AACCOUNTID"] = user.account_id
        return response

    async def gateway(self, request: Request) -> Response:
        site = self.sandbox.cloud_site_by_id(request.path_params["cloud_id"])
        version = request.path_params["version"]
        if site is None or version not in ("2", "3"):
            return JSONResponse({"code": 404, "message": "Not Found"}, status_code=404)
        found = _find_resource(request)
        if isinstance(found, Response):
            return found
        resource, match = found

        try:
            user = authenticate_gateway(
                self.sandbox, site, request, resource.cloud_scope
            )
        except AuthenticationRejected as rejection:
            _log_rejection(request, rejection)
            return rejection.response
        if user is None and not resource.anonymous:
            return gateway_unauthorized().response

        origin = origin_of(request)
        api_url = f"{origin}/gateway/ex/jira/{site.cloud_id}/rest/api/{version}"
        site_url = f"{origin}/cloud/{site.name}"
        context = RestContext(self.sandbox, site, user, api_url, site_url)
        return await resource.handler(context, user, request, match)

    async def dc_site(self, request: Request) -> Response:
        site = self.sandbox.dc_sites.get(request.path_params["site"])
        version = request.path_params["version"]
        if site is None or version not in ("2", "latest"):
            return PlainTextResponse("Not Found", status_code=404)
        found = _find_resource(request)
        if isinstance(found, Response):
            return found
        resource, match = found

        try:
            user = await authenticate_dc(self.sandbox, site, request, resource.dc_scope)
        except AuthenticationRejected as rejection:
            _log_rejection(request, rejection)
            if not _served_anonymously(self.sandbox, request, rejection):
                rejection.response.headers["X-AUSERNAME"] = "anonymous"
                return rejection.response
            if resource.handler is _myself:
                return resources.anonymous_myself()
            user = None
        if user is None and not resource.anonymous:
            response = dc_unauthenticated(failed=False).response
            response.headers["X-AUSERNAME"] = "anonymous"
            return response

        site_url = f"{origin_of(request)}/dc/{site.name}"
        context = RestContext(
            self.sandbox, site, user, f"{site_url}/rest/api/{version}", site_url
        )
        response = await resource.handler(context, user, request, match)
        response.headers["X-AUSERNAME"] = "anonymous" if user is None else user.username
        if user is not None:
            response.headers["X-Seraph-LoginReason"] = "OK"
        return response
