"""The network checks of ``connauth check``: name resolution and TCP connection.

Each check covers every origin of a connector's requests that connauth
records: the site (``site_url``) and, once logged in, the API base when it is
on another origin (Atlassian's gateway for OAuth 2.0 on Cloud). When a proxy
carries the connector's requests, this host never connects to the site
itself, so these checks are skipped and the ``http`` check speaks for the
path through the proxy.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
import time
import urllib.request
from collections.abc import Awaitable
from collections.abc import Callable
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field
from urllib.parse import urlsplit

from connauth._checks import CheckContext
from connauth._checks import CheckResult
from connauth._checks import CheckStatus
from connauth._checks import ConnectivityCheck
from connauth._config import HttpSettings

__all__ = [
    "DNS_CHECK_ID",
    "TCP_CHECK_ID",
    "Endpoint",
    "NetworkProbe",
    "Resolver",
    "dns_check",
    "endpoints_of",
    "system_resolver",
    "tcp_check",
]

DNS_CHECK_ID = "dns"
TCP_CHECK_ID = "tcp"

Resolver = Callable[[str, int], Awaitable[list[str]]]
"""Returns the IP addresses of a host name; raises ``OSError`` when it has none."""


async def system_resolver(host: str, port: int) -> list[str]:
    """Resolve ``host`` with the operating system's resolver, as httpx does."""
    loop = asyncio.get_running_loop()
    infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


@dataclass(frozen=True)
class Endpoint:
    """One origin a connector sends requests to."""

    scheme: str
    host: str
    port: int

    @property
    def address(self) -> str:
        """``host:port``, with IPv6 literals in brackets."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{host}:{self.port}"

    @property
    def is_ip_literal(self) -> bool:
        """Whether the host is an IP address, which needs no resolution."""
        try:
            ipaddress.ip_address(self.host)
        except ValueError:
            return False
        return True


def endpoints_of(urls: Sequence[str]) -> list[Endpoint]:
    """Return the distinct origins of ``urls``, in order, with default ports."""
    endpoints: list[Endpoint] = []
    for url in urls:
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        port = parts.port or (443 if scheme == "https" else 80)
        endpoint = Endpoint(scheme=scheme, host=(parts.hostname or ""), port=port)
        if endpoint not in endpoints:
            endpoints.append(endpoint)
    return endpoints


@dataclass
class NetworkProbe:
    """The state that the network checks of one run share.

    ``addresses`` maps each resolved host to its addresses, filled by the
    ``dns`` check and read by the ``tcp`` check, so a host is resolved once.
    """

    endpoints: list[Endpoint]
    http: HttpSettings
    resolver: Resolver
    site_step: str | None
    addresses: dict[str, list[str]] = field(default_factory=dict)

    def proxy_for(self, endpoint: Endpoint) -> str | None:
        """Return the proxy that carries requests to ``endpoint``, if any.

        An explicit ``http.proxy`` wins; otherwise httpx honours the
        ``HTTPS_PROXY``, ``HTTP_PROXY``, ``ALL_PROXY`` and ``NO_PROXY``
        environment variables, and so does this.
        """
        if self.http.proxy is not None:
            return self.http.proxy
        proxies = urllib.request.getproxies_environment()
        proxy = proxies.get(endpoint.scheme) or proxies.get("all")
        if proxy is None or urllib.request.proxy_bypass(endpoint.host):
            return None
        return proxy

    def direct_endpoints(self) -> list[Endpoint]:
        """Return the endpoints this host connects to without a proxy."""
        return [endpoint for endpoint in self.endpoints if not self.proxy_for(endpoint)]

    async def resolve(self, endpoint: Endpoint) -> list[str]:
        """Return the addresses of ``endpoint``'s host, resolving it once."""
        if endpoint.is_ip_literal:
            return [endpoint.host]
        known = self.addresses.get(endpoint.host)
        if known is None:
            known = await self.resolver(endpoint.host, endpoint.port)
            if not known:
                raise OSError(f"no address for {endpoint.host}")
            self.addresses[endpoint.host] = known
        return known


def dns_check(probe: NetworkProbe) -> ConnectivityCheck:
    """Build the check that resolves every endpoint's host name."""

    async def run(context: CheckContext) -> CheckResult:
        direct = probe.direct_endpoints()
        if not direct:
            return _skipped_for_proxy(DNS_CHECK_ID)
        found: dict[str, str] = {}
        for endpoint in direct:
            try:
                addresses = await probe.resolve(endpoint)
            except OSError as error:
                return CheckResult(
                    id=DNS_CHECK_ID,
                    status=CheckStatus.FAIL,
                    message=f"the host name {endpoint.host} does not resolve "
                    f"({_os_error_text(error)}); check the host in site_url, and "
                    "that this host's DNS servers can resolve it",
                    step=probe.site_step,
                    details={"host": endpoint.host},
                )
            found[endpoint.host] = ", ".join(addresses)
        listed = "; ".join(_resolution_text(host, found[host]) for host in found)
        return CheckResult(
            id=DNS_CHECK_ID,
            status=CheckStatus.PASS,
            message=listed,
            details=found,
        )

    return ConnectivityCheck(
        id=DNS_CHECK_ID,
        title="Host names resolve",
        description="Resolve the host of site_url and of the API base with this "
        "host's resolver.",
        run=run,
        step=probe.site_step,
        timeout=5.0,
    )


def tcp_check(probe: NetworkProbe) -> ConnectivityCheck:
    """Build the check that opens a TCP connection to every endpoint."""

    async def run(context: CheckContext) -> CheckResult:
        direct = probe.direct_endpoints()
        if not direct:
            return _skipped_for_proxy(TCP_CHECK_ID)
        timings: dict[str, float] = {}
        for endpoint in direct:
            try:
                addresses = await probe.resolve(endpoint)
            except OSError as error:
                outcome: float | str = _os_error_text(error)
            else:
                outcome = await _connect_any(addresses, endpoint.port)
            if isinstance(outcome, str):
                return CheckResult(
                    id=TCP_CHECK_ID,
                    status=CheckStatus.FAIL,
                    message=f"cannot connect to {endpoint.address} ({outcome}); "
                    "check the port in site_url, and that no firewall between this "
                    "host and the site blocks it",
                    step=probe.site_step,
                    details={"address": endpoint.address},
                )
            timings[f"{endpoint.address} connect_ms"] = round(outcome * 1000, 1)
        connected = ", ".join(endpoint.address for endpoint in direct)
        return CheckResult(
            id=TCP_CHECK_ID,
            status=CheckStatus.PASS,
            message=f"connected to {connected}",
            details=timings,
        )

    return ConnectivityCheck(
        id=TCP_CHECK_ID,
        title="TCP connections open",
        description="Open a TCP connection to each endpoint's port.",
        run=run,
        step=probe.site_step,
        timeout=5.0,
        requires=(DNS_CHECK_ID,),
    )


async def _connect_any(addresses: Sequence[str], port: int) -> float | str:
    """Connect to the first address that accepts; return the seconds it took, or
    why every address failed."""
    failures = []
    for address in addresses:
        started = time.perf_counter()
        try:
            _, writer = await asyncio.open_connection(address, port)
        except OSError as error:
            failures.append(f"{address}: {_os_error_text(error)}")
            continue
        elapsed = time.perf_counter() - started
        writer.close()
        await writer.wait_closed()
        return elapsed
    return "; ".join(failures) or "no address to connect to"


def _resolution_text(host: str, addresses: str) -> str:
    if host == addresses:
        return f"{host} is an IP address"
    return f"{host} resolves to {addresses}"


def _skipped_for_proxy(check_id: str) -> CheckResult:
    return CheckResult(
        id=check_id,
        status=CheckStatus.SKIP,
        message="requests go through a proxy, so this host does not connect to "
        "the site itself; the http check tests the path through the proxy",
    )


def _os_error_text(error: OSError) -> str:
    if isinstance(error, socket.gaierror):
        return error.strerror or "name resolution failed"
    if error.strerror:
        return error.strerror
    return type(error).__name__
