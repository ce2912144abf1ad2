"""Running a connector's checks: prerequisites first, then connectivity.

Connectivity checks run concurrently, each under its own timeout. A check that
raises is reported as failed with the error's message (connauth's errors never
carry secrets) or, for any other exception, with its type only.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING

import httpx

from connauth._checks import CheckContext
from connauth._checks import CheckResult
from connauth._checks import CheckStatus
from connauth._checks import ConnectivityCheck
from connauth._connector import Connector
from connauth._errors import ConnauthError
from connauth._store import RecordStatus

if TYPE_CHECKING:
    from connauth._connauth import Connauth

__all__ = ["SERVER_INFO_CHECK", "run_checks"]

logger = logging.getLogger(__name__)


async def _server_info(context: CheckContext) -> CheckResult:
    url = context.config.site_url.rstrip("/") + "/rest/api/2/serverInfo"
    response = await context.anonymous.get(url)
    if response.status_code != 200:
        return CheckResult(
            id="server-info",
            status=CheckStatus.FAIL,
            message=f"GET {url} answered {response.status_code}; check site_url",
            details={"status_code": response.status_code},
        )
    body = response.json()
    deployment = str(body.get("deploymentType", "unknown"))
    version = str(body.get("version", "unknown"))
    return CheckResult(
        id="server-info",
        status=CheckStatus.PASS,
        message=f"Jira {deployment} {version} answered at {context.config.site_url}",
        details={"deployment_type": deployment, "version": version},
    )


SERVER_INFO_CHECK = ConnectivityCheck(
    id="server-info",
    title="Jira answers",
    description="GET rest/api/2/serverInfo on the site without credentials: "
    "the site is reachable over TLS and is a Jira.",
    run=_server_info,
)


async def run_checks(connauth: Connauth, connector: Connector) -> list[CheckResult]:
    """Return the prerequisite results followed by the connectivity results."""
    results = connauth.validate(connector)
    if any(result.failed for result in results):
        return results

    checks: Sequence[ConnectivityCheck] = (
        SERVER_INFO_CHECK,
        *connauth._call(
            "connauth_connectivity_checks", connector.method, config=connector.config
        ),
    )
    record = connauth.store.get(connector.id)
    options = connector.http.client_options()
    async with httpx.AsyncClient(**options) as anonymous:
        client = None
        if record is not None and record.status is RecordStatus.ACTIVE:
            client = connauth.async_client(connector)
        try:
            context = CheckContext(
                connector_id=connector.id,
                method=connector.method,
                config=connector.config,
                http=connector.http,
                record=record,
                client=client,
                anonymous=anonymous,
            )
            outcomes = await asyncio.gather(*(_run_one(c, context) for c in checks))
        finally:
            if client is not None:
                await client.aclose()
    return [*results, *outcomes]


async def _run_one(check: ConnectivityCheck, context: CheckContext) -> CheckResult:
    try:
        return await asyncio.wait_for(check.run(context), timeout=check.timeout)
    except TimeoutError:
        message = f"timed out after {check.timeout:g} s"
    except ConnauthError as error:
        message = error.message
    except httpx.HTTPError as error:
        message = f"{type(error).__name__} while contacting Jira"
    except Exception as error:
        logger.warning("check %s raised %s", check.id, type(error).__name__)
        message = f"the check raised {type(error).__name__}"
    return CheckResult(
        id=check.id, status=CheckStatus.FAIL, message=message, step=check.step
    )
