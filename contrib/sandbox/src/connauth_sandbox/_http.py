"""Request parsing and response helpers shared by the emulated endpoints."""

from __future__ import annotations

import asyncio
import html
import json
import urllib.parse
from collections.abc import Mapping
from email.utils import formatdate
from typing import Any

from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.responses import JSONResponse
from starlette.responses import Response
from starlette.types import ASGIApp
from starlette.types import Message
from starlette.types import Receive
from starlette.types import Scope
from starlette.types import Send

from connauth_sandbox._settings import Surface
from connauth_sandbox._state import Sandbox

FORM_CONTENT_TYPE = "application/x-www-form-urlencoded"
NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


def origin_of(request: Request) -> str:
    """Return ``scheme://host[:port]`` as the client addressed this server."""
    url = request.url
    return f"{url.scheme}://{url.netloc}"


def url_without_query(request: Request) -> str:
    return str(request.url.replace(query=""))


def parse_form(body: bytes) -> list[tuple[str, str]]:
    """Decode an application/x-www-form-urlencoded body, keeping blank values."""
    return urllib.parse.parse_qsl(body.decode("utf-8"), keep_blank_values=True)


def is_form(request: Request) -> bool:
    content_type = request.headers.get("content-type", "")
    return content_type.split(";", 1)[0].strip().lower() == FORM_CONTENT_TYPE


def is_json(request: Request) -> bool:
    content_type = request.headers.get("content-type", "")
    return content_type.split(";", 1)[0].strip().lower() == "application/json"


def oauthlib_response(
    headers: Mapping[str, str] | None, body: str | None, status: int
) -> Response:
    """Convert the (headers, body, status) triple of an oauthlib endpoint."""
    return Response(
        content=body or b"", status_code=status, headers=dict(headers or {})
    )


def json_response(
    payload: Any, status: int = 200, headers: Mapping[str, str] | None = None
) -> JSONResponse:
    return JSONResponse(payload, status_code=status, headers=dict(headers or {}))


def error_page(status: int, title: str, message: str) -> HTMLResponse:
    """Render an error page for a browser, as an authorization server does.

    Used where RFC 6749 section 4.1.2.1 forbids redirecting to the client, for
    example when the client id or the redirect URI is invalid.
    """
    title, message = html.escape(title), html.escape(message)
    body = (
        f"<!doctype html><html><head><title>{title}</title></head>"
        f"<body><h1>{title}</h1><p>{message}</p></body></html>"
    )
    return HTMLResponse(body, status_code=status)


def append_query(uri: str, params: list[tuple[str, str]]) -> str:
    """Append params to uri's query, encoding spaces as ``%20``."""
    encoded = urllib.parse.urlencode(params, quote_via=urllib.parse.quote)
    separator = "&" if urllib.parse.urlsplit(uri).query else "?"
    if uri.endswith(("?", "&")):
        separator = ""
    return f"{uri}{separator}{encoded}"


async def apply_token_endpoint_faults(
    sandbox: Sandbox, surface: Surface
) -> Response | None:
    """Wait out the configured latency and return an injected failure, if any."""
    latency = sandbox.settings.token_endpoint_latency
    if latency > 0:
        await asyncio.sleep(latency)

    with sandbox.lock:
        failure = sandbox.settings.take_failure(surface)
    if failure is None:
        return None

    headers = dict(NO_STORE)
    if failure.retry_after is not None:
        headers["Retry-After"] = str(failure.retry_after)
    return Response(
        failure.render_body(),
        status_code=failure.status,
        media_type=failure.content_type,
        headers=headers,
    )


async def delay_token_response(sandbox: Sandbox) -> None:
    """Hold a token response whose request the server has already acted on,
    for the first of ``token_response_delays``, if any is queued."""
    with sandbox.lock:
        delays = sandbox.settings.token_response_delays
        delay = delays.popleft() if delays else 0.0
    if delay > 0:
        await asyncio.sleep(delay)


def decode_json_object(body: bytes) -> dict[str, Any] | None:
    """Return the JSON object in body, or None if body is not one."""
    try:
        value = json.loads(body or b"null")
    except (UnicodeDecodeError, json.JSONDecodeError):
        return None
    return value if isinstance(value, dict) else None


class HostDateMiddleware:
    """Set the ``Date`` header of every response from the emulated hosts' clock.

    The server must not add its own ``Date`` header (uvicorn's ``date_header``
    off), so that ``clock_offset`` shows in the one header clients read.
    """

    def __init__(self, app: ASGIApp, sandbox: Sandbox) -> None:
        self.app = app
        self.sandbox = sandbox

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_date(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [
                    (name, value)
                    for name, value in message.get("headers", [])
                    if name.lower() != b"date"
                ]
                date = formatdate(self.sandbox.host_now(), usegmt=True)
                headers.append((b"date", date.encode("ascii")))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_date)
