"""The checks of ``connauth check`` that ask Jira anonymously.

``http``, ``server-info``, ``deployment`` and ``clock-skew`` read one shared
``GET rest/api/2/serverInfo`` (see :mod:`connauth._server_probe`), so a run
sends that request once.
"""

from __future__ import annotations

from email.utils import parsedate_to_datetime
from urllib.parse import urlsplit

import httpx

from connauth._checks import CheckContext
from connauth._checks import CheckResult
from connauth._checks import CheckStatus
from connauth._checks import ConnectivityCheck
from connauth._method import Deployment
from connauth._method import MethodInfo
from connauth._server_probe import ServerInfo
from connauth._server_probe import ServerInfoResult
from connauth._server_probe import ServerProbe
from connauth._server_probe import parse_server_info
from connauth._tls_check import TLS_CHECK_ID

__all__ = [
    "CLOCK_SKEW_CHECK_ID",
    "DEPLOYMENT_CHECK_ID",
    "HTTP_CHECK_ID",
    "OAUTH1_TIMESTAMP_WINDOW",
    "OAUTH2_PROVIDER_SINCE",
    "PERSONAL_ACCESS_TOKENS_SINCE",
    "SERVER_INFO_CHECK_ID",
    "clock_skew_check",
    "deployment_check",
    "http_check",
    "server_info_check",
]

HTTP_CHECK_ID = "http"
SERVER_INFO_CHECK_ID = "server-info"
DEPLOYMENT_CHECK_ID = "deployment"
CLOCK_SKEW_CHECK_ID = "clock-skew"

# NOTE: 8.22 comes from third-party setup guides; Atlassian's provider
# documentation starts at Jira 9 and does not name the first version.
OAUTH2_PROVIDER_SINCE = (8, 22)
"""First Jira Data Center version with the OAuth 2.0 provider (incoming links)."""

PERSONAL_ACCESS_TOKENS_SINCE = (8, 14)
"""First Jira Data Center version with personal access tokens (Atlassian's docs)."""

OAUTH1_TIMESTAMP_WINDOW = 300.0
"""Seconds by which an OAuth 1.0a timestamp may differ from Jira's clock: the
default window of the net.oauth validator that Jira's service provider uses."""

_DEPLOYMENT_NAMES = {
    Deployment.CLOUD: "Jira Cloud",
    Deployment.DATA_CENTER: "Jira Data Center",
}


def http_check(site_step: str | None, timeout: float) -> ConnectivityCheck:
    """Build the check that the site responds to HTTP at all."""

    async def run(context: CheckContext) -> CheckResult:
        result = await server_of(context).fetch()
        if result.response is None:
            return CheckResult(
                id=HTTP_CHECK_ID,
                status=CheckStatus.FAIL,
                message=f"GET {result.url} failed ({result.error}); "
                f"{_transport_hint(result.error, context)}",
                step=site_step,
            )
        status = result.response.status_code
        elapsed_ms = round((result.received_at - result.sent_at) * 1000, 1)
        details = {"status_code": status, "elapsed_ms": elapsed_ms}
        if status >= 500:
            return CheckResult(
                id=HTTP_CHECK_ID,
                status=CheckStatus.FAIL,
                message=f"GET {result.url} returned {status}: the site is up but "
                "failing; try again later or ask the site's admin",
                step=site_step,
                details=details,
            )
        return CheckResult(
            id=HTTP_CHECK_ID,
            status=CheckStatus.PASS,
            message=f"GET {result.url} returned {status}",
            details=details,
        )

    return ConnectivityCheck(
        id=HTTP_CHECK_ID,
        title="The site responds to HTTP",
        description="GET rest/api/2/serverInfo on site_url without credentials, "
        "through the connector's proxy and CA settings.",
        run=run,
        step=site_step,
        timeout=timeout,
        requires=(TLS_CHECK_ID,),
    )


def server_info_check(site_step: str | None, timeout: float) -> ConnectivityCheck:
    """Build the check that the site is a Jira, with its deployment and version."""

    async def run(context: CheckContext) -> CheckResult:
        result = await server_of(context).fetch()
        response = result.response
        if response is None:
            return _fail(SERVER_INFO_CHECK_ID, f"GET {result.url} failed", site_step)
        problem = _server_info_problem(result, response, site_step)
        if problem is not None:
            return problem
        info = parse_server_info(response)
        if info is None:
            return _fail(
                SERVER_INFO_CHECK_ID,
                f"GET {result.url} returned 200 without Jira's serverInfo JSON: "
                "site_url is not a Jira site, or a proxy or login page responds in "
                "its place; check site_url",
                site_step,
            )
        return _server_info_result(info, context.config.site_url, site_step)

    return ConnectivityCheck(
        id=SERVER_INFO_CHECK_ID,
        title="The site is a Jira",
        description="Read the deployment type, version and base URL from the "
        "serverInfo result.",
        run=run,
        step=site_step,
        timeout=timeout,
        requires=(HTTP_CHECK_ID,),
    )


def deployment_check(
    info: MethodInfo, alternatives: list[MethodInfo], step: str | None
) -> ConnectivityCheck:
    """Build the check that the connector's method fits the site's deployment.

    ``alternatives`` are the installed methods, for the hint on a mismatch.
    """

    async def run(context: CheckContext) -> CheckResult:
        result = await server_of(context).fetch()
        server = parse_server_info(result.response) if result.response else None
        if server is None or server.deployment is None:
            return CheckResult(
                id=DEPLOYMENT_CHECK_ID,
                status=CheckStatus.SKIP,
                message="the site did not report a known deployment type",
            )
        actual = server.deployment
        name = _DEPLOYMENT_NAMES[actual]
        configured = getattr(context.config, "deployment", None)
        if isinstance(configured, Deployment) and configured is not actual:
            return _fail(
                DEPLOYMENT_CHECK_ID,
                f"the connector is configured for {_DEPLOYMENT_NAMES[configured]}, "
                f"but the site is {name} (deploymentType {server.deployment_type!r}); "
                f"set deployment to {actual.value!r}",
                step,
            )
        if actual not in info.deployments:
            fitting = [m.name for m in alternatives if actual in m.deployments]
            hint = f"; use method {' or '.join(fitting)}" if fitting else ""
            return _fail(
                DEPLOYMENT_CHECK_ID,
                f"the site is {name} (deploymentType {server.deployment_type!r}), "
                f"but method {info.name!r} ({info.title}) works only with "
                f"{_deployment_list(info)}{hint}",
                step,
            )
        return CheckResult(
            id=DEPLOYMENT_CHECK_ID,
            status=CheckStatus.PASS,
            message=f"method {info.name!r} works with {name}",
            details={"deployment": actual.value},
        )

    return ConnectivityCheck(
        id=DEPLOYMENT_CHECK_ID,
        title="The method fits the deployment",
        description="Compare the site's deployment type with the deployments the "
        "connector's method supports and with a configured deployment.",
        run=run,
        step=step,
        requires=(SERVER_INFO_CHECK_ID,),
    )


def clock_skew_check(
    *,
    warn_beyond: float = 60.0,
    fail_beyond: float | None = None,
    timeout: float = 5.0,
) -> ConnectivityCheck:
    """Build the check that compares Jira's clock with this host's.

    The skew comes from the ``Date`` header of the shared ``serverInfo``
    response, against the middle of this host's send and receive times. It is
    exact to about a second plus half the request's round trip. A method whose
    requests carry signed timestamps passes ``fail_beyond`` (OAuth 1.0a:
    :data:`OAUTH1_TIMESTAMP_WINDOW`) and returns the check from its
    ``connauth_connectivity_checks`` hook, which replaces the core's.
    """

    async def run(context: CheckContext) -> CheckResult:
        result = await server_of(context).fetch()
        skew = _skew_seconds(result)
        if skew is None:
            return CheckResult(
                id=CLOCK_SKEW_CHECK_ID,
                status=CheckStatus.SKIP,
                message="the site sent no readable Date header, so its clock is "
                "unknown",
            )
        return _skew_result(skew, warn_beyond, fail_beyond)

    return ConnectivityCheck(
        id=CLOCK_SKEW_CHECK_ID,
        title="Clocks agree",
        description="Compare the Date header of Jira's response with this host's "
        "clock.",
        run=run,
        timeout=timeout,
        requires=(HTTP_CHECK_ID,),
    )


def server_of(context: CheckContext) -> ServerProbe:
    """Return the run's shared ``serverInfo`` request, or a new one outside a run."""
    if context.server is not None:
        return context.server
    return ServerProbe(context.config.site_url, context.anonymous)


def _server_info_problem(
    result: ServerInfoResult, response: httpx.Response, step: str | None
) -> CheckResult | None:
    status = response.status_code
    if response.is_redirect:
        location = response.headers.get("Location", "another address")
        return _fail(
            SERVER_INFO_CHECK_ID,
            f"GET {result.url} redirected to {location}: site_url is not the site's "
            "base URL; use the base URL from Jira's general configuration",
            step,
        )
    if status in (401, 403):
        return CheckResult(
            id=SERVER_INFO_CHECK_ID,
            status=CheckStatus.WARN,
            message=f"GET {result.url} returned {status}: the site does not serve "
            "serverInfo anonymously, so its deployment and version are unknown",
            details={"status_code": status},
        )
    if status != 200:
        return _fail(
            SERVER_INFO_CHECK_ID,
            f"GET {result.url} returned {status}, so site_url has no Jira REST API; "
            "use the site's base URL, without a path such as /secure/Dashboard.jspa",
            step,
        )
    return None


def _server_info_result(
    info: ServerInfo, site_url: str, step: str | None
) -> CheckResult:
    details: dict[str, str | bool | None] = {
        "deployment_type": info.deployment_type,
        "version": info.version,
        "base_url": info.base_url,
    }
    summary = f"{_deployment_text(info)} {info.version}"
    if info.deployment is Deployment.DATA_CENTER and info.version_numbers:
        has_oauth2 = info.version_numbers[:2] >= OAUTH2_PROVIDER_SINCE
        has_pats = info.version_numbers[:2] >= PERSONAL_ACCESS_TOKENS_SINCE
        details |= {"oauth2_provider": has_oauth2, "personal_access_tokens": has_pats}
        summary += (
            f"; {'has' if has_oauth2 else 'lacks'} the OAuth 2.0 provider (Jira "
            f"{_dotted(OAUTH2_PROVIDER_SINCE)} or later according to third-party "
            "setup guides, not Atlassian's release notes), and "
            f"{'has' if has_pats else 'lacks'} personal access tokens (Jira "
            f"{_dotted(PERSONAL_ACCESS_TOKENS_SINCE)} or later)"
        )
    if info.base_url and not _same_location(info.base_url, site_url):
        return CheckResult(
            id=SERVER_INFO_CHECK_ID,
            status=CheckStatus.WARN,
            message=f"{summary}. Jira's base URL is {info.base_url}, but site_url is "
            f"{site_url}: set site_url to Jira's base URL, because Jira checks "
            "OAuth 1.0a signatures against it and its links point to it",
            step=step,
            details=details,
        )
    return CheckResult(
        id=SERVER_INFO_CHECK_ID,
        status=CheckStatus.PASS,
        message=summary,
        details=details,
    )


def _skew_seconds(result: ServerInfoResult) -> float | None:
    """Return Jira's clock minus this host's, in seconds, from the Date header."""
    if result.response is None:
        return None
    value = result.response.headers.get("Date")
    if not value:
        return None
    try:
        # The header counts whole seconds, so the server's time lies somewhere
        # in the second it names: take the middle of that second.
        server_time = parsedate_to_datetime(value).timestamp() + 0.5
    except (TypeError, ValueError):
        return None
    local_time = (result.sent_at + result.received_at) / 2
    return server_time - local_time


def _skew_result(
    skew: float, warn_beyond: float, fail_beyond: float | None
) -> CheckResult:
    ahead = "ahead of" if skew > 0 else "behind"
    text = f"Jira's clock is {abs(skew):.0f} s {ahead} this host's"
    if abs(skew) < 1:
        text = "Jira's clock and this host's agree within a second"
    details = {"skew_seconds": round(skew, 1)}
    if fail_beyond is not None and abs(skew) > fail_beyond:
        return CheckResult(
            id=CLOCK_SKEW_CHECK_ID,
            status=CheckStatus.FAIL,
            message=f"{text}, more than the {fail_beyond:.0f} s that Jira accepts "
            "for a signed request's timestamp, so it rejects every request with "
            "timestamp_refused; synchronise both clocks with NTP",
            details=details,
        )
    if abs(skew) > warn_beyond:
        return CheckResult(
            id=CLOCK_SKEW_CHECK_ID,
            status=CheckStatus.WARN,
            message=f"{text}, more than {warn_beyond:.0f} s: token expiry and "
            "signed timestamps are judged by both clocks; synchronise both with NTP",
            details=details,
        )
    return CheckResult(
        id=CLOCK_SKEW_CHECK_ID,
        status=CheckStatus.PASS,
        message=f"{text} (within {warn_beyond:.0f} s)",
        details=details,
    )


def _transport_hint(error: str | None, context: CheckContext) -> str:
    text = error or ""
    if "Timeout" in text:
        return (
            f"the site did not respond within {context.http.timeout:g} s; check the "
            "network path and http.timeout"
        )
    if "Proxy" in text:
        return "the proxy refused or failed the request; check http.proxy"
    return "check site_url, http.proxy and http.verify"


def _fail(check_id: str, message: str, step: str | None) -> CheckResult:
    return CheckResult(id=check_id, status=CheckStatus.FAIL, message=message, step=step)


def _same_location(left: str, right: str) -> bool:
    return _location_key(left) == _location_key(right)


def _location_key(url: str) -> tuple[str, str, int, str]:
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    port = parts.port or (443 if scheme == "https" else 80)
    return scheme, (parts.hostname or "").lower(), port, parts.path.rstrip("/")


def _deployment_text(info: ServerInfo) -> str:
    if info.deployment is None:
        return f"Jira of unknown deployment type {info.deployment_type!r}"
    name = _DEPLOYMENT_NAMES[info.deployment]
    if info.deployment is Deployment.DATA_CENTER:
        # Data Center reports "Server"; the report names what it sent.
        return f"{name} (deploymentType {info.deployment_type!r})"
    return name


def _deployment_list(info: MethodInfo) -> str:
    names = sorted(_DEPLOYMENT_NAMES[d] for d in info.deployments)
    return " and ".join(names) or "no deployment"


def _dotted(version: tuple[int, int]) -> str:
    return ".".join(str(part) for part in version)
