"""Running a connector's checks: prerequisites first, then connectivity.

The connectivity checks of one run, in the order they are reported:

1. the core's network checks: ``dns``, ``tcp``, ``tls``;
2. the core's anonymous Jira checks: ``http``, ``server-info``,
   ``deployment``, ``clock-skew``;
3. the method's checks (``connauth_connectivity_checks``);
4. the core's account checks: ``expected-account``, ``permissions``.

All of them start at once and run concurrently, each under its own timeout.
A check waits for the checks its ``requires`` names and is skipped, without
running, when one of them failed. A method check that names no requirement
waits for ``http``, because nothing a method sends can work when the site
does not respond. The account checks wait for every method check, so a
credential that a method check found bad is not sent again. A method check
with the id of a core check replaces the core check.

A check that raises is reported as failed with the error's message
(connauth's errors never carry secrets) or, for any other exception, with its
type only.
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

import httpx

from connauth._account_checks import expected_account_check
from connauth._account_checks import permissions_check
from connauth._check_options import CheckOptions
from connauth._checks import CheckContext
from connauth._checks import CheckResult
from connauth._checks import CheckStatus
from connauth._checks import ConnectivityCheck
from connauth._connector import Connector
from connauth._errors import ConnauthError
from connauth._jira_checks import HTTP_CHECK_ID
from connauth._jira_checks import clock_skew_check
from connauth._jira_checks import deployment_check
from connauth._jira_checks import http_check
from connauth._jira_checks import server_info_check
from connauth._network_checks import NetworkProbe
from connauth._network_checks import Resolver
from connauth._network_checks import dns_check
from connauth._network_checks import endpoints_of
from connauth._network_checks import system_resolver
from connauth._network_checks import tcp_check
from connauth._prerequisites import CheckSteps
from connauth._prerequisites import validate_prerequisites
from connauth._server_probe import ServerProbe
from connauth._store import CredentialRecord
from connauth._store import RecordStatus
from connauth._tls_check import tls_check

if TYPE_CHECKING:
    from connauth._connauth import Connauth

__all__ = ["plan_checks", "run_checks"]

logger = logging.getLogger(__name__)


async def run_checks(
    connauth: Connauth,
    connector: Connector,
    *,
    options: CheckOptions | None = None,
    resolver: Resolver | None = None,
) -> list[CheckResult]:
    """Return the prerequisite results followed by the connectivity results.

    When a prerequisite failed, nothing is sent and only the prerequisite
    results are returned. ``resolver`` replaces the operating system's
    resolver for the ``dns`` and ``tcp`` checks.
    """
    options = options or CheckOptions()
    steps = CheckSteps.of(connauth, connector)
    results = validate_prerequisites(connauth, connector, steps)
    if any(result.failed for result in results):
        logger.info("connector %s: prerequisites failed; nothing sent", connector.id)
        return results

    record = connauth.store.get(connector.id)
    if record is not None and record.site_url != connector.config.site_url:
        results.append(_stored_site_changed(record.site_url, connector, steps))
    method_checks: Sequence[ConnectivityCheck] = connauth._call(
        "connauth_connectivity_checks", connector.method, config=connector.config
    )
    probe = NetworkProbe(
        endpoints=endpoints_of(_urls_of(connector, record)),
        http=connector.http,
        resolver=resolver or system_resolver,
        site_step=steps.site,
    )
    checks = plan_checks(
        _core_before(connauth, connector, probe, options, steps),
        method_checks,
        _core_after(options, steps, method_checks),
    )
    async with httpx.AsyncClient(**connector.http.client_options()) as anonymous:
        client = None
        if record is not None and record.status is RecordStatus.ACTIVE:
            client = connauth.diagnostic_client(connector)
        try:
            context = CheckContext(
                connector_id=connector.id,
                method=connector.method,
                config=connector.config,
                http=connector.http,
                record=record,
                client=client,
                anonymous=anonymous,
                server=ServerProbe(connector.config.site_url, anonymous),
                host=connauth.host,
            )
            outcomes = await _run_graph(checks, context)
        finally:
            if client is not None:
                await client.aclose()
    _log_summary(connector, outcomes)
    return [*results, *outcomes]


def plan_checks(
    core_before: Sequence[ConnectivityCheck],
    method_checks: Sequence[ConnectivityCheck],
    core_after: Sequence[ConnectivityCheck],
) -> list[ConnectivityCheck]:
    """Return the checks of a run in report order.

    A method check whose id equals a core check's takes that check's place.
    A method check without ``requires`` is given ``("http",)``.
    """
    own = {check.id: check for check in method_checks}
    planned: list[ConnectivityCheck] = []
    for check in core_before:
        planned.append(own.pop(check.id, check))
    for check in method_checks:
        if check.id not in own:
            continue
        if not check.requires:
            check = replace(check, requires=(HTTP_CHECK_ID,))
        planned.append(check)
        del own[check.id]
    for check in core_after:
        planned.append(own.pop(check.id, check))
    return planned


def _core_before(
    connauth: Connauth,
    connector: Connector,
    probe: NetworkProbe,
    options: CheckOptions,
    steps: CheckSteps,
) -> list[ConnectivityCheck]:
    info = connauth.registry.method(connector.method)
    timeout = connector.http.timeout
    deployment_step = steps.by_field.get("deployment", steps.site)
    return [
        dns_check(probe),
        tcp_check(probe),
        tls_check(probe, options),
        http_check(steps.site, timeout),
        server_info_check(steps.site, timeout),
        deployment_check(info, connauth.methods(), deployment_step),
        clock_skew_check(warn_beyond=options.clock_skew_warning, timeout=timeout),
    ]


def _core_after(
    options: CheckOptions,
    steps: CheckSteps,
    method_checks: Sequence[ConnectivityCheck],
) -> list[ConnectivityCheck]:
    requires = tuple(check.id for check in method_checks) or (HTTP_CHECK_ID,)
    return [
        expected_account_check(options, steps.account, requires),
        permissions_check(options, steps.account, requires),
    ]


async def _run_graph(
    checks: Sequence[ConnectivityCheck], context: CheckContext
) -> list[CheckResult]:
    """Run every check concurrently, each after the checks it requires."""
    loop = asyncio.get_running_loop()
    done: dict[str, asyncio.Future[CheckResult]] = {}
    waits: dict[str, list[tuple[str, asyncio.Future[CheckResult]]]] = {}
    for check in checks:
        # Only earlier checks can be required, so the waits form no cycle.
        waits[check.id] = [(i, done[i]) for i in check.requires if i in done]
        ignored = [i for i in check.requires if i not in done]
        if ignored:
            logger.warning(
                "check %s requires %s, which is not an earlier check; ignored",
                check.id,
                ", ".join(ignored),
            )
        done.setdefault(check.id, loop.create_future())

    # Failed checks that keep each skipped check from running, so that a skip
    # passes on to the checks that require the skipped one.
    blocked_by: dict[str, list[str]] = {}

    async def run(check: ConnectivityCheck) -> CheckResult:
        causes: list[str] = []
        for required_id, future in waits[check.id]:
            required = await future
            found = (
                [required_id] if required.failed else blocked_by.get(required_id, [])
            )
            causes += [cause for cause in found if cause not in causes]
        if causes:
            blocked_by[check.id] = causes
            result = CheckResult(
                id=check.id,
                status=CheckStatus.SKIP,
                message=f"skipped because the {', '.join(causes)} check failed",
                details={"blocked_by": ", ".join(causes)},
            )
        else:
            result = await _run_one(check, context)
        if not done[check.id].done():
            done[check.id].set_result(result)
        return result

    return list(await asyncio.gather(*(run(check) for check in checks)))


async def _run_one(check: ConnectivityCheck, context: CheckContext) -> CheckResult:
    try:
        return await asyncio.wait_for(check.run(context), timeout=check.timeout)
    except TimeoutError:
        logger.info("check %s timed out after %g s", check.id, check.timeout)
        message = f"timed out after {check.timeout:g} s"
    except ConnauthError as error:
        logger.info("check %s failed: %s", check.id, type(error).__name__)
        message = error.message
        return CheckResult(
            id=check.id,
            status=CheckStatus.FAIL,
            message=message,
            step=error.step or check.step,
            details={"error": type(error).__name__},
        )
    except httpx.HTTPError as error:
        logger.info("check %s failed: %s", check.id, type(error).__name__)
        message = f"{type(error).__name__} while contacting Jira"
    except Exception as error:
        logger.warning("check %s raised %s", check.id, type(error).__name__)
        message = f"the check raised {type(error).__name__}"
    return CheckResult(
        id=check.id, status=CheckStatus.FAIL, message=message, step=check.step
    )


def _urls_of(connector: Connector, record: CredentialRecord | None) -> list[str]:
    urls = [connector.config.site_url]
    if record is not None and record.api_base_url:
        urls.append(record.api_base_url)
    return urls


def _log_summary(connector: Connector, outcomes: Sequence[CheckResult]) -> None:
    counts = Counter(result.status.value for result in outcomes)
    logger.info(
        "connector %s: checks finished: %d pass, %d warn, %d fail, %d skip",
        connector.id,
        counts["pass"],
        counts["warn"],
        counts["fail"],
        counts["skip"],
    )


def _stored_site_changed(
    granted: str, connector: Connector, steps: CheckSteps
) -> CheckResult:
    """Report credentials granted for another site than the connector names."""
    return CheckResult(
        id="stored-site",
        status=CheckStatus.FAIL,
        message=(
            f"the stored credentials were granted for {granted}, but the connector "
            f"now names {connector.config.site_url}; log in again with "
            f"'connauth login {connector.id}'"
        ),
        step=steps.site,
    )
