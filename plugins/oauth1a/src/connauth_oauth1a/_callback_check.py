"""The ``oauth1a-callback`` check: can an authorization reach the host's callback?

The check first looks at the callback URL itself: it must be HTTPS and its host
must resolve (from this host; Jira's resolver may differ). Then it runs a probe
authorization: it obtains a request token with the host's callback, opens
Jira's authorization page anonymously and reads what comes back.

- A redirect to the callback: the authorization reached the callback.
- An error page about the callback, or no response within the probe's
  timeout: the firewall problem. Jira cannot open a connection to the host, which
  usually means its outbound firewall or proxy does not allow HTTPS to it.
- A login or consent page: Jira wants a signed-in user first, so the probe
  cannot tell, and the check is skipped with the callback URL's facts.

The probe's request token is never exchanged and expires in Jira after 10
minutes.
"""

from __future__ import annotations

import asyncio
import secrets
import socket
from urllib.parse import urlsplit

import httpx

from connauth import CheckContext
from connauth import CheckResult
from connauth import CheckStatus
from connauth import ConnauthError
from connauth import ConnectivityCheck
from connauth import run_exchange_async
from connauth_oauth1a._config import OAuth1aConfig
from connauth_oauth1a._flow import ApplicationLinkLogin

__all__ = ["CALLBACK_CHECK", "CALLBACK_CHECK_ID"]

CALLBACK_CHECK_ID = "oauth1a-callback"
STEP_OUTBOUND = "jira-outbound-https"

PROBE_TIMEOUT = 8.0
"""Seconds the probe waits for Jira's authorization page to respond; longer
counts as a callback that never arrived."""

_HTTPS_PORT = 443


async def _callback(context: CheckContext) -> CheckResult:
    config = context.config
    if not isinstance(config, OAuth1aConfig) or context.host is None:
        return _result(CheckStatus.SKIP, "the host's callback URL is not known here")
    callback = context.host.redirect_url
    parts = urlsplit(callback)
    port = parts.port or _HTTPS_PORT
    host = parts.hostname or ""
    if parts.scheme.lower() != "https":
        return _result(
            CheckStatus.FAIL,
            f"the callback URL {callback} is not HTTPS; configure an https:// "
            "redirect URL in the host",
        )
    unresolved = await _resolution_problem(host, port)
    if unresolved is not None:
        return _result(
            CheckStatus.FAIL,
            f"the callback host {host} does not resolve ({unresolved}); Jira "
            "cannot reach a callback whose name does not resolve",
        )
    return await _probe(context, config, callback, port)


async def _probe(
    context: CheckContext, config: OAuth1aConfig, callback: str, port: int
) -> CheckResult:
    login = ApplicationLinkLogin(config)
    state = "connauth-check-" + secrets.token_urlsafe(12)
    try:
        prompt = await run_exchange_async(
            context.anonymous, login.begin(state=state, callback_url=callback)
        )
    except ConnauthError as error:
        return _result(
            CheckStatus.SKIP,
            f"the probe could not obtain a request token ({error.message})",
        )
    if prompt.url is None:
        return _result(CheckStatus.SKIP, "Jira returned no authorization page")
    try:
        response = await asyncio.wait_for(
            context.anonymous.get(prompt.url), timeout=PROBE_TIMEOUT
        )
    except TimeoutError:
        return _unreachable(callback, f"no response within {PROBE_TIMEOUT:g} s")
    return _outcome(response, callback, port)


def _outcome(response: httpx.Response, callback: str, port: int) -> CheckResult:
    location = response.headers.get("Location", "")
    target = callback.split("?", 1)[0]
    if response.is_redirect and location.startswith(target):
        return _result(
            CheckStatus.PASS,
            f"a probe authorization was redirected to the callback {target}",
        )
    if response.status_code >= 400 and "callback" in response.text.lower():
        return _unreachable(callback, f"Jira responded with {response.status_code}")
    where = "on port 443" if port == _HTTPS_PORT else f"on port {port}, not 443"
    status = CheckStatus.SKIP if port == _HTTPS_PORT else CheckStatus.WARN
    message = (
        f"Jira responded to the probe authorization with {response.status_code} "
        "(a login or consent page), so whether it reaches the callback was not "
        f"tested. The callback URL is HTTPS {where}"
    )
    if status is CheckStatus.WARN:
        message += (
            "; firewalls in front of Jira often allow outbound HTTPS on port 443 only"
        )
    return _result(status, message)


def _unreachable(callback: str, cause: str) -> CheckResult:
    parts = urlsplit(callback)
    return _result(
        CheckStatus.FAIL,
        f"Jira could not reach the callback at {parts.scheme}://{parts.netloc} "
        f"({cause}). Allow Jira's server to open HTTPS connections to this host "
        "in its firewall or outbound proxy",
    )


async def _resolution_problem(host: str, port: int) -> str | None:
    loop = asyncio.get_running_loop()
    try:
        await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except OSError as error:
        return error.strerror or type(error).__name__
    return None


def _result(status: CheckStatus, message: str) -> CheckResult:
    step = STEP_OUTBOUND if status in (CheckStatus.FAIL, CheckStatus.WARN) else None
    return CheckResult(id=CALLBACK_CHECK_ID, status=status, message=message, step=step)


CALLBACK_CHECK = ConnectivityCheck(
    id=CALLBACK_CHECK_ID,
    title="Jira reaches the host's callback",
    description="Check that the host's callback URL is HTTPS and resolves, then "
    "run a probe authorization and see whether Jira redirects to the callback.",
    run=_callback,
    step=STEP_OUTBOUND,
    timeout=PROBE_TIMEOUT + 2,
    requires=("oauth1a-application-link",),
)
