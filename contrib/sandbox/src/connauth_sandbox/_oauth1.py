"""Jira Data Center's OAuth 1.0a servlets under ``/dc/{site}/plugins/servlet/oauth``.

Rejected requests get Jira's ``oauth_problem`` replies (see _oauth1_problems).
"""

from __future__ import annotations

import html
import logging
import urllib.parse

from oauthlib.common import add_params_to_uri
from oauthlib.oauth1.rfc5849.errors import OAuth1Error
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.responses import PlainTextResponse
from starlette.responses import Response
from starlette.routing import BaseRoute
from starlette.routing import Route

from connauth_sandbox._consent import ConsentDesk
from connauth_sandbox._consent import ConsentRequest
from connauth_sandbox._credentials import generate_opaque_token
from connauth_sandbox._http import apply_token_endpoint_faults
from connauth_sandbox._http import error_page
from connauth_sandbox._http import origin_of
from connauth_sandbox._http import parse_form
from connauth_sandbox._http import url_without_query
from connauth_sandbox._models import DcSite
from connauth_sandbox._models import RequestTokenStatus
from connauth_sandbox._models import TokenRecord
from connauth_sandbox._models import User
from connauth_sandbox._oauth1_problems import RESOURCE_ORDER
from connauth_sandbox._oauth1_problems import TOKEN_STEP_ORDER
from connauth_sandbox._oauth1_problems import RecordingAccessTokenEndpoint
from connauth_sandbox._oauth1_problems import RecordingRequestTokenEndpoint
from connauth_sandbox._oauth1_problems import RecordingResourceEndpoint
from connauth_sandbox._oauth1_problems import authorization_endpoint
from connauth_sandbox._oauth1_problems import problem_of
from connauth_sandbox._oauth1_problems import problem_response
from connauth_sandbox._oauth1_validator import ApplicationLinkValidator
from connauth_sandbox._settings import Surface
from connauth_sandbox._state import Sandbox

logger = logging.getLogger("connauth_sandbox")

PREFIX = "/dc/{site}/plugins/servlet/oauth"


def site_base_url(request: Request, site: DcSite) -> str:
    return f"{origin_of(request)}/dc/{site.name}"


def rejected(
    request: Request,
    site: DcSite,
    validator: ApplicationLinkValidator,
    order: tuple[str, ...] = TOKEN_STEP_ORDER,
) -> Response:
    problem, params = problem_of(validator, order)
    logger.info("OAuth 1.0a request to %s rejected: %s", request.url.path, problem)
    return problem_response(site_base_url(request, site), problem, params)


async def verify_resource_request(
    sandbox: Sandbox, site: DcSite, request: Request
) -> TokenRecord | Response:
    """Verify an ``Authorization: OAuth`` REST call and return its token or a reply."""
    body = (await request.body()).decode("utf-8", "replace")
    with sandbox.lock:
        validator = ApplicationLinkValidator(sandbox, site)
        endpoint = RecordingResourceEndpoint(validator)
        valid, checked = endpoint.validate_protected_resource_request(
            str(request.url), request.method, body, dict(request.headers), realms=[]
        )
    if valid:
        record: TokenRecord = checked.sandbox_token
        return record
    return rejected(request, site, validator, RESOURCE_ORDER)


class OAuth1Endpoints:
    """Request handlers of the request-token, authorize and access-token servlets."""

    def __init__(self, sandbox: Sandbox, desk: ConsentDesk) -> None:
        self.sandbox = sandbox
        self.desk = desk

    def routes(self) -> list[BaseRoute]:
        return [
            Route(
                f"{PREFIX}/request-token", self.request_token, methods=["GET", "POST"]
            ),
            Route(f"{PREFIX}/authorize", self.authorize, methods=["GET"]),
            Route(f"{PREFIX}/authorize", self.desk.submit, methods=["POST"]),
            Route(f"{PREFIX}/access-token", self.access_token, methods=["GET", "POST"]),
        ]

    def _site(self, request: Request) -> DcSite | None:
        return self.sandbox.dc_sites.get(request.path_params["site"])

    async def request_token(self, request: Request) -> Response:
        site = self._site(request)
        if site is None:
            return PlainTextResponse("Site not found", status_code=404)
        self.sandbox.count_token_request(Surface.OAUTH1, "request_token")
        fault = await apply_token_endpoint_faults(self.sandbox, Surface.OAUTH1)
        if fault is not None:
            return fault

        body = (await request.body()).decode("utf-8", "replace")
        with self.sandbox.lock:
            validator = ApplicationLinkValidator(self.sandbox, site)
            endpoint = RecordingRequestTokenEndpoint(validator)
            _, out_body, status = endpoint.create_request_token_response(
                str(request.url), request.method, body, dict(request.headers)
            )
        if status != 200:
            return rejected(request, site, validator)
        # Jira sends text/plain because OAuth's encoding is not quite form encoding.
        return PlainTextResponse(out_body)

    async def access_token(self, request: Request) -> Response:
        site = self._site(request)
        if site is None:
            return PlainTextResponse("Site not found", status_code=404)
        self.sandbox.count_token_request(Surface.OAUTH1, "access_token")
        fault = await apply_token_endpoint_faults(self.sandbox, Surface.OAUTH1)
        if fault is not None:
            return fault

        settings = self.sandbox.settings
        # NOTE: session renewal (an access token plus oauth_session_handle, with
        # no verifier) is not emulated. It is rejected with parameter_absent.
        credentials = {
            "oauth_expires_in": str(int(settings.oauth1_access_token_lifetime)),
            "oauth_session_handle": generate_opaque_token(32),
            "oauth_authorization_expires_in": str(
                int(settings.oauth1_session_lifetime)
            ),
        }
        body = (await request.body()).decode("utf-8", "replace")
        with self.sandbox.lock:
            validator = ApplicationLinkValidator(self.sandbox, site)
            endpoint = RecordingAccessTokenEndpoint(validator)
            _, out_body, status = endpoint.create_access_token_response(
                str(request.url),
                request.method,
                body,
                dict(request.headers),
                credentials,
            )
        if status != 200:
            return rejected(request, site, validator)
        # oauthlib adds oauth_authorized_realms, which Jira does not send.
        pairs = [
            (name, value)
            for name, value in parse_form(out_body.encode())
            if name != "oauth_authorized_realms"
        ]
        return PlainTextResponse(urllib.parse.urlencode(pairs))

    async def authorize(self, request: Request) -> Response:
        site = self._site(request)
        if site is None:
            return PlainTextResponse("Site not found", status_code=404)
        uri = str(request.url)
        token = request.query_params.get("oauth_token", "")
        with self.sandbox.lock:
            validator = ApplicationLinkValidator(self.sandbox, site)
            try:
                authorization_endpoint(validator).get_realms_and_credentials(uri)
            except OAuth1Error:
                logger.info(
                    "OAuth 1.0a authorize on %s: invalid request token", site.name
                )
                return error_page(
                    400,
                    "Invalid request token",
                    "The request token is unknown, expired or already used.",
                )
            record = self.sandbox.request_tokens[token]
            if self.sandbox.settings.oauth1_callback_unreachable and (
                record.callback != "oob"
            ):
                return _callback_unreachable(record.callback)
            link = site.application_links.get(record.consumer_key)
            consent = ConsentRequest(
                client_name=link.name if link else record.consumer_key,
                resource_name=f"Jira ({site.name})",
                scopes=["Read and write data in Jira on your behalf"],
                approve=lambda user: self._approve(site, uri, user),
                deny=lambda: self._deny(token),
            )
            return self.desk.decide(consent, url_without_query(request))

    def _approve(self, site: DcSite, uri: str, user: User) -> Response:
        validator = ApplicationLinkValidator(self.sandbox, site)
        validator.consenting_account_id = user.account_id
        try:
            headers, body, status = authorization_endpoint(
                validator
            ).create_authorization_response(uri)
        except OAuth1Error:
            logger.info("OAuth 1.0a approval on %s: request token expired", site.name)
            return error_page(400, "Invalid request token", "Authorize again.")
        if status == 200:
            return _out_of_band_page(dict(parse_form(body.encode())))
        return Response(status_code=302, headers={"Location": headers["Location"]})

    def _deny(self, token: str) -> Response:
        record = self.sandbox.request_tokens[token]
        record.status = RequestTokenStatus.DENIED
        params = [("oauth_token", token), ("oauth_verifier", "denied")]
        if record.callback == "oob":
            return _out_of_band_page(dict(params))
        location = add_params_to_uri(record.callback, params)
        return Response(status_code=302, headers={"Location": location})


def _callback_unreachable(callback: str) -> Response:
    """Report that Jira could not reach the consumer's callback, as a firewall
    that blocks Jira's outbound connections causes."""
    origin = urllib.parse.urlsplit(callback)
    address = f"{origin.scheme}://{origin.netloc}"
    logger.info("OAuth 1.0a authorize: callback %s reported unreachable", address)
    return error_page(
        504,
        "Unable to reach the callback",
        f"Jira could not connect to the consumer's callback at {address}. Allow "
        "Jira to open HTTPS connections to it, then authorize again.",
    )


def _out_of_band_page(params: dict[str, str]) -> Response:
    verifier = html.escape(params.get("oauth_verifier", ""))
    return HTMLResponse(
        "<!doctype html><html><body><p>Enter this verification code in the "
        f"application: <code id='oauth_verifier'>{verifier}</code></p></body></html>"
    )
