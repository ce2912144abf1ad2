"""Configurations and constants shared by the oauth2 plugin's tests.

Every URL points at loopback or at reserved ``.test`` names.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC
from datetime import datetime
from pathlib import Path
from typing import Any
from typing import TypeVar

import httpx

from connauth import Exchange
from connauth_oauth2 import OAuth2Config

T = TypeVar("T")

DATA = Path(__file__).parent / "data"

NOW = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)

CLOUD_SITE = "https://acme.atlassian.net"
DC_SITE = "https://jira.corp.test/jira"
REDIRECT_URL = "https://host.example.test/oauth/callback"


def cloud_config(**overrides: Any) -> OAuth2Config:
    """Return a Cloud configuration whose endpoints all point at ``.test`` names."""
    fields: dict[str, Any] = {
        "deployment": "cloud",
        "site_url": CLOUD_SITE,
        "client_id": "CID",
        "client_secret": "SECRET",
        "authorize_url": "https://auth.example.test/authorize",
        "token_url": "https://auth.example.test/oauth/token",
        "accessible_resources_url": "https://api.example.test/oauth/token/accessible-resources",
        "api_gateway_url": "https://api.example.test",
    }
    fields.update(overrides)
    return OAuth2Config.model_validate(fields)


def dc_config(**overrides: Any) -> OAuth2Config:
    """Return a Data Center configuration for ``DC_SITE``."""
    fields: dict[str, Any] = {
        "deployment": "datacenter",
        "site_url": DC_SITE,
        "client_id": "dc-client",
        "client_secret": "dc-secret",
    }
    fields.update(overrides)
    return OAuth2Config.model_validate(fields)


Responder = Callable[[httpx.Request], httpx.Response]


def drive(
    exchange: Exchange[T], *responders: Responder
) -> tuple[T, list[httpx.Request]]:
    """Run ``exchange`` without a network, responding to its requests in order.

    Returns the exchange's result and the requests it yielded. Fails the test
    when the exchange sends more requests than there are responders.
    """
    sent: list[httpx.Request] = []
    pending = list(responders)
    try:
        request = next(exchange)
        while True:
            sent.append(request)
            if not pending:
                raise AssertionError(
                    f"unexpected request {request.method} {request.url}"
                )
            response = pending.pop(0)(request)
            response.request = request
            request = exchange.send(response)
    except StopIteration as stop:
        result: T = stop.value
        return result, sent


def reply(
    status: int,
    body: Any = None,
    *,
    headers: dict[str, str] | None = None,
    text: str | None = None,
) -> Responder:
    """Return a responder that returns ``status`` with a JSON ``body`` or ``text``."""

    def respond(request: httpx.Request) -> httpx.Response:
        if text is not None:
            return httpx.Response(status, text=text, headers=headers)
        return httpx.Response(status, json=body, headers=headers)

    return respond


def load_data(name: str) -> Any:
    """Return the parsed JSON file ``name`` from this folder's ``data``."""
    return json.loads((DATA / name).read_text(encoding="utf-8"))
