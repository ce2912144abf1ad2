"""Connectivity checks that ``connauth check`` runs for ``oauth2`` connectors.

Every authenticated request goes through ``context.client``, whose auth is the
core's ``BearerAuth``. A refresh it triggers is persisted before the check
continues, so a check never spends a single-use refresh token and loses the
new one.
"""

from __future__ import annotations

from connauth import CheckContext
from connauth import CheckResult
from connauth import CheckStatus
from connauth import ConnectivityCheck
from connauth import Deployment
from connauth import ProtocolError
from connauth_oauth2._client_check import client_credentials_check
from connauth_oauth2._config import OAuth2Config
from connauth_oauth2._errors import SiteNotGranted
from connauth_oauth2._resources import parse_accessible_resources
from connauth_oauth2._resources import select_site
from connauth_oauth2._scopes import OFFLINE_ACCESS
from connauth_oauth2._steps import CLOUD_STEPS
from connauth_oauth2._steps import steps_for

__all__ = [
    "ACCESSIBLE_RESOURCES_CHECK",
    "GRANTED_SCOPES_CHECK",
    "MYSELF_CHECK",
    "connectivity_checks",
]

ACCESSIBLE_RESOURCES_CHECK = "oauth2-accessible-resources"
GRANTED_SCOPES_CHECK = "oauth2-granted-scopes"
MYSELF_CHECK = "myself"

_NO_CREDENTIALS = "no usable credentials are stored; log in first"


def connectivity_checks(config: OAuth2Config) -> list[ConnectivityCheck]:
    """Return the checks of an ``oauth2`` connector, in report order."""
    steps = steps_for(config.deployment)
    api = "3" if config.deployment is Deployment.CLOUD else "2"
    return [
        ConnectivityCheck(
            id=ACCESSIBLE_RESOURCES_CHECK,
            title="The grant covers the site",
            description="Cloud: the configured site is among the sites listed by "
            "accessible-resources, with the cloud id stored at login.",
            run=_accessible_resources,
            step=CLOUD_STEPS.site,
        ),
        ConnectivityCheck(
            id=GRANTED_SCOPES_CHECK,
            title="The granted scopes suffice",
            description="The scopes of the stored token include every scope the "
            "configuration requests.",
            run=_granted_scopes,
            step=steps.scopes,
        ),
        client_credentials_check(config),
        ConnectivityCheck(
            id=MYSELF_CHECK,
            title="Jira accepts the token",
            description=f"GET rest/api/{api}/myself with the stored token.",
            run=_myself,
            step=steps.credentials,
        ),
    ]


async def _accessible_resources(context: CheckContext) -> CheckResult:
    check_id = ACCESSIBLE_RESOURCES_CHECK
    config = _config(context)
    if config.deployment is Deployment.DATA_CENTER:
        return _skip(check_id, "Data Center has no accessible-resources list")
    if context.client is None:
        return _skip(check_id, _NO_CREDENTIALS)
    url = config.cloud_endpoints().accessible_resources_url
    response = await context.client.get(url)
    try:
        site = select_site(parse_accessible_resources(response), config.site_url)
    except (ProtocolError, SiteNotGranted) as error:
        return _fail(check_id, error.message, CLOUD_STEPS.site)
    stored = context.record.data.get("cloud_id") if context.record else None
    if stored is not None and stored != site.cloud_id:
        message = (
            f"{config.site_url} now has cloud id {site.cloud_id}, but the login "
            f"stored {stored}; log in again"
        )
        return _fail(check_id, message, CLOUD_STEPS.site)
    return CheckResult(
        id=check_id,
        status=CheckStatus.PASS,
        message=f"the grant covers {site.name} ({site.url})",
        details={"cloud_id": site.cloud_id},
    )


async def _granted_scopes(context: CheckContext) -> CheckResult:
    check_id = GRANTED_SCOPES_CHECK
    config = _config(context)
    step = steps_for(config.deployment).scopes
    record = context.record
    if record is None or record.tokens is None:
        return _skip(check_id, _NO_CREDENTIALS)
    granted = set(record.tokens.scope)
    if not granted:
        return CheckResult(
            id=check_id,
            status=CheckStatus.WARN,
            message="the token endpoint did not list the granted scopes, so they "
            "cannot be compared with the configuration",
            step=step,
        )
    missing = [scope for scope in config.requested_scopes() if scope not in granted]
    if missing:
        hint = (
            f"; without '{OFFLINE_ACCESS}' no refresh token is issued"
            if OFFLINE_ACCESS in missing
            else ""
        )
        message = (
            f"the token lacks the scopes {missing!r}{hint}; add them to the app in "
            "Jira, then log in again"
        )
        return _fail(check_id, message, step)
    return CheckResult(
        id=check_id,
        status=CheckStatus.PASS,
        message="the token carries every configured scope",
        details={"granted": " ".join(sorted(granted))},
    )


async def _myself(context: CheckContext) -> CheckResult:
    config = _config(context)
    steps = steps_for(config.deployment)
    if context.client is None:
        return _skip(MYSELF_CHECK, _NO_CREDENTIALS)
    api = "3" if config.deployment is Deployment.CLOUD else "2"
    path = f"rest/api/{api}/myself"
    response = await context.client.get(path)
    status = response.status_code
    if status == 200:
        try:
            body = response.json()
        except ValueError:
            body = None
        if _served_anonymously(response.headers.get("X-AUSERNAME"), body):
            message = (
                f"GET {path} returned 200 without a logged-in user: Jira (or a "
                "proxy in front of it) served it anonymously, so the token was "
                "not used; check site_url, then log in again"
            )
            return _fail(MYSELF_CHECK, message, steps.credentials, status)
        return _myself_passed(body)
    if status == 401 and "scope does not match" in response.text:
        message = f"GET {path} returned 401: the token lacks a scope this call needs"
        return _fail(MYSELF_CHECK, message, steps.scopes, status)
    if status == 401:
        message = f"GET {path} returned 401: Jira rejected the token; log in again"
        return _fail(MYSELF_CHECK, message, steps.credentials, status)
    if status == 403:
        message = (
            f"GET {path} returned 403: the user who authorized has no access to "
            "Jira; log in as a user with Jira access"
        )
        return _fail(MYSELF_CHECK, message, steps.credentials, status)
    message = f"GET {path} returned unexpected status {status}"
    return _fail(MYSELF_CHECK, message, steps.site, status)


def _served_anonymously(user_header: str | None, body: object) -> bool:
    """Check whether a 200 from ``myself`` names no user.

    Jira marks anonymous requests with ``X-AUSERNAME: anonymous``; a body
    without ``accountId`` (Cloud) or ``name`` (Data Center) names no user either.
    """
    if (user_header or "").strip().lower() == "anonymous":
        return True
    user = body if isinstance(body, dict) else {}
    return not (user.get("accountId") or user.get("name"))


def _myself_passed(body: object) -> CheckResult:
    user = body if isinstance(body, dict) else {}
    # Cloud identifies users by accountId, and Data Center by name.
    account = user.get("accountId") or user.get("name")
    return CheckResult(
        id=MYSELF_CHECK,
        status=CheckStatus.PASS,
        message="Jira accepted the token",
        details={"account": str(account) if account is not None else None},
    )


def _config(context: CheckContext) -> OAuth2Config:
    config = context.config
    if not isinstance(config, OAuth2Config):
        raise TypeError(f"expected OAuth2Config, got {type(config).__name__}")
    return config


def _skip(check_id: str, message: str) -> CheckResult:
    return CheckResult(id=check_id, status=CheckStatus.SKIP, message=message)


def _fail(
    check_id: str, message: str, step: str, status_code: int | None = None
) -> CheckResult:
    details = {"status_code": status_code} if status_code is not None else {}
    return CheckResult(
        id=check_id,
        status=CheckStatus.FAIL,
        message=message,
        step=step,
        details=details,
    )
