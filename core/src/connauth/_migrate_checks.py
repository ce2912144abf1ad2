"""What a migration learns from Jira: the server's facts before, the checks after.

The plan comes from the target method's plugin. Before asking it, an anonymous
``rest/api/2/serverInfo`` request returns the deployment type and version,
which decide the target flow (Jira Cloud: 3LO; Data Center: its own OAuth 2.0
provider, when its version has one). After the
new credentials are obtained, the target method's connectivity checks run with
them while they are still stored aside, so credentials that do not work are
never switched in.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable
from collections.abc import Callable
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from typing import TYPE_CHECKING
from typing import Any
from typing import TypeVar

import httpx

from connauth._checks import CheckContext
from connauth._checks import CheckResult
from connauth._checks import CheckStatus
from connauth._config import HttpSettings
from connauth._config import MethodConfig
from connauth._connector import Connector
from connauth._diagnostics import _run_one
from connauth._migration import MigrationPlan
from connauth._migration import MigrationSource
from connauth._session import SessionEvents
from connauth._session import TokenSession
from connauth._store import CredentialRecord

if TYPE_CHECKING:
    from connauth._connauth import Connauth

__all__ = [
    "plan_with_server_facts",
    "probe_server",
    "run_blocking",
    "source_of",
    "verification_problem",
    "verify_credentials",
    "with_server_facts",
]

logger = logging.getLogger(__name__)

T = TypeVar("T")

SERVER_INFO_PATH = "rest/api/2/serverInfo"


def probe_server(
    site_url: str, http: HttpSettings, *, connector_id: str
) -> dict[str, str]:
    """Return the deployment and version that ``site_url`` reports, or ``{}``.

    The request carries no credentials and uses the transport settings
    ``http``. A failure is logged and yields ``{}``, so that the plan rests on
    the stored facts alone.
    """
    url = _server_info_url(site_url)
    try:
        with httpx.Client(**http.client_options()) as client:
            response = client.get(url)
    except httpx.HTTPError as error:
        # The exception's text names the cause (for example a certificate that
        # failed verification); it contains no secret, because the request has none.
        return _probe_failed(connector_id, url, f"{type(error).__name__}: {error}")
    return _server_facts(connector_id, url, response)


def source_of(record: CredentialRecord) -> MigrationSource:
    """Return the migration source of a stored connector record."""
    return MigrationSource(
        connector_id=record.connector_id,
        method=record.method,
        site_url=record.site_url,
        data=dict(record.data),
    )


def plan_with_server_facts(
    connauth: Connauth,
    record: CredentialRecord,
    target_method: str,
    *,
    config: MethodConfig | None,
    http: HttpSettings,
    probe: bool,
) -> MigrationPlan:
    """Ask the target method's plugin to plan moving ``record``.

    With ``probe``, the site's ``serverInfo`` fills in the deployment and
    version that the record lacks.
    """
    source = source_of(record)
    if probe:
        facts = probe_server(record.site_url, http, connector_id=record.connector_id)
        source = with_server_facts(source, facts)
    plan: MigrationPlan = connauth._call(
        "connauth_migrate", target_method, source=source, config=config
    )
    return plan


def with_server_facts(
    source: MigrationSource, facts: Mapping[str, str]
) -> MigrationSource:
    """Return ``source`` with the probed facts added where the record has none.

    Stored facts win, because the source method learned them at login.
    """
    data = {**facts, **source.data}
    return replace(source, data=data)


def _server_info_url(site_url: str) -> str:
    return site_url.rstrip("/") + "/" + SERVER_INFO_PATH


def _server_facts(
    connector_id: str, url: str, response: httpx.Response
) -> dict[str, str]:
    if response.status_code != 200:
        return _probe_failed(connector_id, url, f"HTTP {response.status_code}")
    try:
        body = response.json()
    except ValueError:
        return _probe_failed(connector_id, url, "a body that is not JSON")
    if not isinstance(body, dict):
        return _probe_failed(connector_id, url, "a body that is not a JSON object")
    facts: dict[str, str] = {}
    deployment = body.get("deploymentType")
    if isinstance(deployment, str) and deployment:
        # Jira reports "Cloud" or "Server"; Data Center also reports "Server".
        facts["deployment"] = deployment.lower()
    version = body.get("version")
    if isinstance(version, str) and version:
        facts["server_version"] = version
    return facts


def _probe_failed(connector_id: str, url: str, cause: str) -> dict[str, str]:
    logger.warning(
        "connector %s: GET %s failed (%s); planning from the stored facts only",
        connector_id,
        url,
        cause,
    )
    return {}


async def verify_credentials(
    connauth: Connauth, target: Connector, staged: CredentialRecord
) -> list[CheckResult]:
    """Run the target method's connectivity checks with the staged credentials.

    A refresh during the checks is written back to the staged record, not to
    the connector's live record, and notifies no plugin.
    """
    session = TokenSession(
        record=staged,
        store=connauth.store,
        refresher=connauth._refresher(target),
        http=target.http,
        events=SessionEvents(),
        clock=connauth._clock,
    )
    auth = connauth._call(
        "connauth_http_auth", target.method, config=target.config, session=session
    )
    checks = connauth._call(
        "connauth_connectivity_checks", target.method, config=target.config
    )
    options: dict[str, Any] = target.http.client_options()
    base_url = staged.api_base_url.rstrip("/") + "/"
    async with (
        httpx.AsyncClient(**options) as anonymous,
        httpx.AsyncClient(base_url=base_url, auth=auth, **options) as client,
    ):
        context = CheckContext(
            connector_id=target.id,
            method=target.method,
            config=target.config,
            http=target.http,
            record=staged,
            client=client,
            anonymous=anonymous,
        )
        return list(await asyncio.gather(*(_run_one(c, context) for c in checks)))


def verification_problem(results: list[CheckResult]) -> str | None:
    """Return why ``results`` do not verify the credentials, or ``None``.

    Credentials count as verified when no check failed and at least one
    passed: a run in which every check skipped proves nothing.
    """
    failed = [result for result in results if result.failed]
    if failed:
        return "; ".join(f"check {r.id} failed: {r.message}" for r in failed)
    if not any(result.status is CheckStatus.PASS for result in results):
        return (
            "no connectivity check of the target method passed, so the new "
            "credentials could not be verified"
        )
    return None


def run_blocking(factory: Callable[[], Awaitable[T]]) -> T:
    """Run the coroutine that ``factory`` makes to completion and return its result.

    Inside a running event loop the coroutine runs on a new loop in a worker
    thread, so synchronous callers work from async code too.
    """
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(_awaited(factory))
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, _awaited(factory)).result()


async def _awaited(factory: Callable[[], Awaitable[T]]) -> T:
    return await factory()
