"""JSON control endpoints under ``/_sandbox/`` for people driving a running sandbox.

The endpoints are listed in the package docstring. They take no credentials:
the server listens on 127.0.0.1 only.
"""

from __future__ import annotations

import logging
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.responses import Response
from starlette.routing import BaseRoute
from starlette.routing import Route

from connauth_sandbox._http import decode_json_object
from connauth_sandbox._http import origin_of
from connauth_sandbox._models import CloudApp
from connauth_sandbox._models import CloudSite
from connauth_sandbox._models import DcSite
from connauth_sandbox._models import TokenRecord
from connauth_sandbox._models import User
from connauth_sandbox._settings import ConsentPolicy
from connauth_sandbox._settings import InjectedFailure
from connauth_sandbox._settings import Surface
from connauth_sandbox._state import Sandbox

logger = logging.getLogger("connauth_sandbox")


def _bad_request(message: str) -> JSONResponse:
    logger.info("control request rejected: %s", message)
    return JSONResponse({"error": message}, status_code=400)


class ControlEndpoints:
    """Handlers that read and change a running sandbox's state."""

    def __init__(self, sandbox: Sandbox) -> None:
        self.sandbox = sandbox

    def routes(self) -> list[BaseRoute]:
        links = "/_sandbox/dc/{site}/application-links"
        return [
            Route("/_sandbox/state", self.state, methods=["GET"]),
            Route("/_sandbox/counters", self.counters, methods=["GET"]),
            Route("/_sandbox/consent", self.set_consent, methods=["PUT"]),
            Route(links, self.add_application_link, methods=["POST"]),
            Route(
                links + "/{consumer_key}",
                self.remove_application_link,
                methods=["DELETE"],
            ),
            Route("/_sandbox/tokens/expire", self.expire_tokens, methods=["POST"]),
            Route("/_sandbox/token-failures", self.add_token_failure, methods=["POST"]),
        ]

    async def counters(self, request: Request) -> Response:
        with self.sandbox.lock:
            return JSONResponse(dict(self.sandbox.counters))

    async def state(self, request: Request) -> Response:
        """Return settings, counters, users, sites, clients and tokens, no secrets."""
        sandbox = self.sandbox
        origin = origin_of(request)
        now = sandbox.now()
        with sandbox.lock:
            body = {
                "consent_policy": str(sandbox.settings.consent_policy),
                "consent_account_id": sandbox.settings.consent_account_id,
                "counters": dict(sandbox.counters),
                "users": [_user_json(user) for user in sandbox.users.values()],
                "cloud_sites": [
                    _cloud_site_json(site, origin)
                    for site in sandbox.cloud_sites.values()
                ],
                "dc_sites": [
                    _dc_site_json(site, origin) for site in sandbox.dc_sites.values()
                ],
                "cloud_apps": [_app_json(app) for app in sandbox.cloud_apps.values()],
                "tokens": [_token_json(r, now) for r in sandbox.tokens.values()],
            }
        return JSONResponse(body)

    async def set_consent(self, request: Request) -> Response:
        """Set ``policy`` (approve, deny or prompt) and optionally ``account_id``."""
        payload = decode_json_object(await request.body())
        if payload is None:
            return _bad_request("Body must be a JSON object with a 'policy' field.")
        try:
            policy = ConsentPolicy(str(payload.get("policy")))
        except ValueError:
            choices = ", ".join(p.value for p in ConsentPolicy)
            return _bad_request(f"'policy' must be one of: {choices}.")
        account_id = payload.get("account_id")
        if account_id is not None and account_id not in self.sandbox.users:
            return _bad_request(f"Unknown account_id {account_id!r}.")
        with self.sandbox.lock:
            self.sandbox.settings.consent_policy = policy
            if "account_id" in payload:
                self.sandbox.settings.consent_account_id = account_id
        return JSONResponse({"policy": str(policy), "account_id": account_id})

    async def add_application_link(self, request: Request) -> Response:
        """Register ``consumer_key``, ``public_key_pem`` and ``name`` on a DC site."""
        site = self.sandbox.dc_sites.get(request.path_params["site"])
        if site is None:
            return JSONResponse(
                {"error": "Data Center site not found."}, status_code=404
            )
        payload = decode_json_object(await request.body()) or {}
        fields = [payload.get(k) for k in ("consumer_key", "public_key_pem", "name")]
        if not all(isinstance(value, str) and value for value in fields):
            return _bad_request(
                "Send a JSON object with the strings consumer_key, public_key_pem "
                "and name."
            )
        consumer_key, public_key_pem, name = (str(value) for value in fields)
        try:
            self.sandbox.register_application_link(
                site, consumer_key, public_key_pem, name
            )
        except ValueError as error:
            return _bad_request(str(error))
        return JSONResponse(
            {"consumer_key": consumer_key, "name": name}, status_code=201
        )

    async def remove_application_link(self, request: Request) -> Response:
        site = self.sandbox.dc_sites.get(request.path_params["site"])
        if site is None:
            return JSONResponse(
                {"error": "Data Center site not found."}, status_code=404
            )
        try:
            self.sandbox.remove_application_link(
                site, request.path_params["consumer_key"]
            )
        except KeyError:
            return JSONResponse(
                {"error": "Application link not found."}, status_code=404
            )
        return Response(status_code=204)

    async def expire_tokens(self, request: Request) -> Response:
        """Expire ``{"token": "..."}``, or every access token with ``{"all": true}``."""
        payload = decode_json_object(await request.body()) or {}
        if payload.get("all") is True:
            return JSONResponse({"expired": self.sandbox.expire_all_access_tokens()})
        token = payload.get("token")
        if not isinstance(token, str):
            return _bad_request("Send {'token': '<token>'} or {'all': true}.")
        try:
            self.sandbox.expire_access_token(token)
        except KeyError:
            return JSONResponse({"error": "Unknown token."}, status_code=404)
        return JSONResponse({"expired": 1})

    async def add_token_failure(self, request: Request) -> Response:
        """Queue a token-endpoint failure described by the JSON body."""
        payload = decode_json_object(await request.body()) or {}
        try:
            failure = _failure_from_json(payload)
        except (TypeError, ValueError) as error:
            return _bad_request(str(error))
        with self.sandbox.lock:
            self.sandbox.settings.token_endpoint_failures.append(failure)
            queued = len(self.sandbox.settings.token_endpoint_failures)
        return JSONResponse({"queued": queued}, status_code=201)


def _failure_from_json(payload: dict[str, Any]) -> InjectedFailure:
    status = payload.get("status")
    if not isinstance(status, int) or not 400 <= status <= 599:
        raise ValueError("'status' must be an HTTP error status between 400 and 599.")
    retry_after = payload.get("retry_after")
    if retry_after is not None and not isinstance(retry_after, int):
        raise ValueError("'retry_after' must be an integer number of seconds.")
    body = payload.get("body")
    if body is not None and not isinstance(body, str):
        raise ValueError("'body' must be a string.")
    surfaces = payload.get("surfaces")
    chosen = None if surfaces is None else frozenset(Surface(s) for s in surfaces)
    return InjectedFailure(
        status=status, retry_after=retry_after, body=body, surfaces=chosen
    )


def _user_json(user: User) -> dict[str, Any]:
    return {
        "account_id": user.account_id,
        "email": user.email,
        "display_name": user.display_name,
        "username": user.username,
    }


def _cloud_site_json(site: CloudSite, origin: str) -> dict[str, Any]:
    return {
        "name": site.name,
        "cloud_id": site.cloud_id,
        "url": f"{origin}/cloud/{site.name}",
    }


def _app_json(app: CloudApp) -> dict[str, Any]:
    return {
        "client_id": app.client_id,
        "name": app.name,
        "redirect_uris": app.redirect_uris,
        "scopes": app.scopes,
    }


def _token_json(record: TokenRecord, now: float) -> dict[str, Any]:
    """Describe a token by its last four characters, never by its value."""
    return {
        "hint": record.hint,
        "kind": str(record.kind),
        "surface": None if record.surface is None else str(record.surface),
        "client_id": record.client_id,
        "account_id": record.account_id,
        "grant_id": record.grant_id,
        "issued_at": record.issued_at,
        "expires_at": record.expires_at,
        "revoked_at": record.revoked_at,
        "live": record.is_live(now),
    }


def _dc_site_json(site: DcSite, origin: str) -> dict[str, Any]:
    return {
        "name": site.name,
        "version": site.version,
        "url": f"{origin}/dc/{site.name}",
        "application_links": [
            {"consumer_key": link.consumer_key, "name": link.name}
            for link in site.application_links.values()
        ],
        "oauth2_clients": [
            {"client_id": client.client_id, "redirect_uris": client.redirect_uris}
            for client in site.oauth2_clients.values()
        ],
    }
