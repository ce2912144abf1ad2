"""The anonymous ``serverInfo`` request of a check run, sent once and shared.

Jira serves ``GET rest/api/2/serverInfo`` without credentials (Atlassian's REST
reference: "This operation can be accessed anonymously"). Its response tells
whether the site is reachable over HTTP, whether it is a Jira, its deployment
type and version, and through the ``Date`` header its clock. Several checks
need that response, so one request serves all of them.
"""

from __future__ import annotations

import asyncio
import re
import time
from dataclasses import dataclass

import httpx

from connauth._method import Deployment

__all__ = [
    "SERVER_INFO_PATH",
    "ServerInfo",
    "ServerInfoResult",
    "ServerProbe",
    "parse_server_info",
]

SERVER_INFO_PATH = "rest/api/2/serverInfo"

_VERSION = re.compile(r"\s*(\d+)\.(\d+)(?:\.(\d+))?")


@dataclass(frozen=True)
class ServerInfo:
    """The fields of a ``serverInfo`` body that checks use.

    ``deployment`` is ``None`` when Jira sent a deployment type connauth does
    not know. Jira Data Center reports ``"Server"``, so both map to
    :attr:`Deployment.DATA_CENTER`.
    """

    deployment_type: str
    deployment: Deployment | None
    version: str
    version_numbers: tuple[int, int, int] | None
    base_url: str | None


@dataclass(frozen=True)
class ServerInfoResult:
    """The outcome of the ``serverInfo`` request.

    Exactly one of ``response`` and ``error`` is set. ``error`` names the
    exception type and carries no secret, because the request has no
    credentials. ``sent_at`` and ``received_at`` are this host's clock
    (seconds since the epoch) around the exchange.
    """

    url: str
    response: httpx.Response | None
    error: str | None
    sent_at: float
    received_at: float


class ServerProbe:
    """The anonymous ``serverInfo`` request of a run, sent on first use and shared.

    Concurrent callers await one request. A caller cancelled by its own
    timeout does not cancel the request that other callers wait for.
    """

    def __init__(self, site_url: str, client: httpx.AsyncClient) -> None:
        self.url = site_url.rstrip("/") + "/" + SERVER_INFO_PATH
        self._client = client
        self._task: asyncio.Task[ServerInfoResult] | None = None

    async def fetch(self) -> ServerInfoResult:
        """Return the result, sending the request if no caller has yet."""
        if self._task is None:
            self._task = asyncio.ensure_future(self._fetch())
        return await asyncio.shield(self._task)

    async def _fetch(self) -> ServerInfoResult:
        sent_at = time.time()
        try:
            response = await self._client.get(
                self.url, headers={"Accept": "application/json"}
            )
        except httpx.HTTPError as error:
            return ServerInfoResult(
                url=self.url,
                response=None,
                error=_describe(error),
                sent_at=sent_at,
                received_at=time.time(),
            )
        return ServerInfoResult(
            url=self.url,
            response=response,
            error=None,
            sent_at=sent_at,
            received_at=time.time(),
        )


def parse_server_info(response: httpx.Response) -> ServerInfo | None:
    """Return the facts of a 200 ``serverInfo`` response, or ``None`` when the
    body is not a JSON object with a string ``deploymentType`` or ``version``."""
    try:
        body = response.json()
    except ValueError:
        return None
    if not isinstance(body, dict):
        return None
    deployment_type = body.get("deploymentType")
    version = body.get("version")
    if not isinstance(deployment_type, str) and not isinstance(version, str):
        return None
    deployment_type = deployment_type if isinstance(deployment_type, str) else ""
    version = version if isinstance(version, str) else ""
    base_url = body.get("baseUrl")
    return ServerInfo(
        deployment_type=deployment_type,
        deployment=_deployment(deployment_type),
        version=version,
        version_numbers=_version_numbers(version),
        base_url=base_url if isinstance(base_url, str) else None,
    )


def _deployment(deployment_type: str) -> Deployment | None:
    kind = deployment_type.strip().lower()
    if kind == "cloud":
        return Deployment.CLOUD
    # Jira Data Center reports "Server"; some clients also accept "DataCenter".
    if kind in ("server", "datacenter", "data center"):
        return Deployment.DATA_CENTER
    return None


def _version_numbers(version: str) -> tuple[int, int, int] | None:
    match = _VERSION.match(version)
    if match is None:
        return None
    major, minor, patch = match.groups()
    return int(major), int(minor), int(patch or 0)


def _describe(error: httpx.HTTPError) -> str:
    """Name a transport error without its text, which may quote a URL."""
    cause = error.__cause__ or error.__context__
    if cause is not None and type(cause).__name__ != type(error).__name__:
        return f"{type(error).__name__} ({type(cause).__name__})"
    return type(error).__name__
