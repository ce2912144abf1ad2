"""Control endpoints for the faults that ``connauth check`` must detect.

- ``GET /_sandbox/faults``: the current switches.
- ``PUT /_sandbox/faults`` with any of ``clock_offset`` (seconds),
  ``withheld_scopes`` (list), ``captcha_after_failed_logins`` (integer or
  null), ``anonymous_on_bad_credentials``, ``oauth1_callback_unreachable``
  (booleans) and ``server_certificate_expires_in`` (seconds or null).
- ``POST /_sandbox/permissions`` with ``site``, ``account_id``, ``project``
  (a key, or ``"*"`` for every project) and ``deny`` or ``allow`` lists of
  permission keys.
- ``POST /_sandbox/lockouts`` with ``account_id`` and ``locked`` (boolean).
- ``PUT /_sandbox/dc/{site}/application-links/{consumer_key}/public-key`` with
  ``public_key_pem``: put another key into the link.

Like the other control endpoints they take no credentials: the server listens
on 127.0.0.1 only.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.responses import Response
from starlette.routing import BaseRoute
from starlette.routing import Route

from connauth_sandbox._http import decode_json_object
from connauth_sandbox._models import Site
from connauth_sandbox._models import User
from connauth_sandbox._settings import SandboxSettings
from connauth_sandbox._state import Sandbox

logger = logging.getLogger("connauth_sandbox")


def _number(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError("must be a number")
    return float(value)


def _optional_number(value: Any) -> float | None:
    return None if value is None else _number(value)


def _optional_count(value: Any) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError("must be a positive integer or null")
    return value


def _flag(value: Any) -> bool:
    if not isinstance(value, bool):
        raise ValueError("must be true or false")
    return value


def _scopes(value: Any) -> frozenset[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValueError("must be a list of strings")
    return frozenset(value)


_FAULTS: dict[str, Callable[[Any], Any]] = {
    "clock_offset": _number,
    "withheld_scopes": _scopes,
    "captcha_after_failed_logins": _optional_count,
    "anonymous_on_bad_credentials": _flag,
    "oauth1_callback_unreachable": _flag,
    "server_certificate_expires_in": _optional_number,
}


def _bad_request(message: str) -> JSONResponse:
    logger.info("fault control request rejected: %s", message)
    return JSONResponse({"error": message}, status_code=400)


def faults_json(settings: SandboxSettings) -> dict[str, Any]:
    """Return the fault switches as JSON values."""
    values = {name: getattr(settings, name) for name in _FAULTS}
    values["withheld_scopes"] = sorted(settings.withheld_scopes)
    return values


class FaultControlEndpoints:
    """Handlers that switch the faults of a running sandbox."""

    def __init__(self, sandbox: Sandbox) -> None:
        self.sandbox = sandbox

    def routes(self) -> list[BaseRoute]:
        link_key = "/_sandbox/dc/{site}/application-links/{consumer_key}/public-key"
        return [
            Route("/_sandbox/faults", self.get_faults, methods=["GET"]),
            Route("/_sandbox/faults", self.set_faults, methods=["PUT"]),
            Route("/_sandbox/permissions", self.set_permissions, methods=["POST"]),
            Route("/_sandbox/lockouts", self.set_lockout, methods=["POST"]),
            Route(link_key, self.replace_link_key, methods=["PUT"]),
        ]

    async def get_faults(self, request: Request) -> Response:
        with self.sandbox.lock:
            return JSONResponse(faults_json(self.sandbox.settings))

    async def set_faults(self, request: Request) -> Response:
        """Change the switches named in the body; the others keep their value."""
        payload = decode_json_object(await request.body())
        if payload is None:
            return _bad_request("Body must be a JSON object of fault switches.")
        unknown = sorted(set(payload) - set(_FAULTS))
        if unknown:
            return _bad_request(
                f"Unknown switches {', '.join(unknown)}; known: {', '.join(_FAULTS)}."
            )
        try:
            changes = {name: _FAULTS[name](value) for name, value in payload.items()}
        except ValueError as error:
            return _bad_request(f"A switch value {error}.")
        with self.sandbox.lock:
            for name, value in changes.items():
                setattr(self.sandbox.settings, name, value)
            body = faults_json(self.sandbox.settings)
        logger.info("fault switches changed: %s", ", ".join(sorted(changes)))
        return JSONResponse(body)

    async def set_permissions(self, request: Request) -> Response:
        """Deny or allow project permissions of one user on one site."""
        payload = decode_json_object(await request.body()) or {}
        found = self._user_and_site(payload)
        if isinstance(found, Response):
            return found
        user, site = found
        project = payload.get("project", "*")
        deny, allow = payload.get("deny", []), payload.get("allow", [])
        lists = (deny, allow)
        if not isinstance(project, str) or not all(
            isinstance(keys, list) and all(isinstance(k, str) for k in keys)
            for keys in lists
        ):
            return _bad_request("Send project as a string and deny/allow as lists.")
        faults = self.sandbox.faults
        faults.deny_permissions(user, site, project, set(deny))
        faults.allow_permissions(user, site, project, set(allow))
        denied = sorted(faults.denied_permissions(user, site, project))
        return JSONResponse({"project": project, "denied": denied})

    async def set_lockout(self, request: Request) -> Response:
        """Lock a user out behind a CAPTCHA, or lift the lock-out."""
        payload = decode_json_object(await request.body()) or {}
        user = self.sandbox.users.get(str(payload.get("account_id")))
        locked = payload.get("locked")
        if user is None or not isinstance(locked, bool):
            return _bad_request("Send a known account_id and locked: true or false.")
        if locked:
            self.sandbox.faults.lock_out(user)
        else:
            self.sandbox.faults.clear_lockout(user)
        return JSONResponse({"account_id": user.account_id, "locked": locked})

    async def replace_link_key(self, request: Request) -> Response:
        site = self.sandbox.dc_sites.get(request.path_params["site"])
        payload = decode_json_object(await request.body()) or {}
        public_key_pem = payload.get("public_key_pem")
        if site is None or not isinstance(public_key_pem, str):
            return _bad_request("Send public_key_pem for a known Data Center site.")
        try:
            self.sandbox.replace_application_link_key(
                site, request.path_params["consumer_key"], public_key_pem
            )
        except KeyError:
            return JSONResponse(
                {"error": "Application link not found."}, status_code=404
            )
        except ValueError as error:
            return _bad_request(str(error))
        return Response(status_code=204)

    def _user_and_site(self, payload: dict[str, Any]) -> tuple[User, Site] | Response:
        user = self.sandbox.users.get(str(payload.get("account_id")))
        name = payload.get("site")
        site: Site | None = self.sandbox.cloud_sites.get(str(name))
        if site is None:
            site = self.sandbox.dc_sites.get(str(name))
        if user is None or site is None:
            return _bad_request("Send a known account_id and site name.")
        return user, site
