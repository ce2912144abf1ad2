"""Checks of an ``oauth2`` configuration against the host, before any request.

The config model already rejects malformed fields. These checks repeat the
ones a hand-built model (``model_construct``) could skip, and add those that
need the host or several fields at once. Each finding names the checklist
step that fixes it.
"""

from __future__ import annotations

from connauth import CheckResult
from connauth import CheckStatus
from connauth import Deployment
from connauth import HostIdentity
from connauth import check_url
from connauth_oauth2._config import OAuth2Config
from connauth_oauth2._scopes import DC_KNOWN_SCOPES
from connauth_oauth2._scopes import OFFLINE_ACCESS
from connauth_oauth2._steps import StepIds
from connauth_oauth2._steps import steps_for
from connauth_oauth2._urls import is_atlassian_cloud_host
from connauth_oauth2._urls import is_under

__all__ = ["DC_REDIRECT_URL_MAX_LENGTH", "validate_prerequisites"]

DC_REDIRECT_URL_MAX_LENGTH = 450
"""Maximum length of a redirect URL that Jira Data Center's provider accepts."""


def validate_prerequisites(
    config: OAuth2Config, host: HostIdentity
) -> list[CheckResult]:
    """Return every finding about ``config`` and ``host``; empty when all is well."""
    steps = steps_for(config.deployment)
    return [
        *_redirect_url(config, host, steps),
        *_client_id(config, steps),
        *_site_url(config, steps),
        *_scopes(config, steps),
        *_endpoints(config, steps),
    ]


def _redirect_url(
    config: OAuth2Config, host: HostIdentity, steps: StepIds
) -> list[CheckResult]:
    check_id = "oauth2-redirect-url"
    url = host.redirect_url
    try:
        check_url(url, field="the host's redirect URL")
    except ValueError as error:
        return [_fail(check_id, str(error), steps.callback)]
    too_long = len(url) > DC_REDIRECT_URL_MAX_LENGTH
    if config.deployment is Deployment.DATA_CENTER and too_long:
        message = (
            f"the host's redirect URL has {len(url)} characters; Jira Data Center "
            f"accepts at most {DC_REDIRECT_URL_MAX_LENGTH}, so configure a "
            "shorter one in the host"
        )
        return [_fail(check_id, message, steps.callback)]
    return []


def _client_id(config: OAuth2Config, steps: StepIds) -> list[CheckResult]:
    client_id = config.client_id
    if client_id and not any(character.isspace() for character in client_id):
        return []
    message = (
        "client_id is empty or contains whitespace; copy the Client ID again from Jira"
    )
    return [_fail("oauth2-client-id", message, steps.credentials)]


def _site_url(config: OAuth2Config, steps: StepIds) -> list[CheckResult]:
    check_id = "oauth2-site-url"
    try:
        check_url(config.site_url, field="site_url")
    except ValueError as error:
        return [_fail(check_id, str(error), steps.site)]
    if config.deployment is Deployment.DATA_CENTER and is_atlassian_cloud_host(
        config.site_url
    ):
        message = (
            f"site_url {config.site_url} is a Jira Cloud address, but deployment "
            "is 'datacenter'; set deployment to 'cloud', because Jira Cloud has "
            "no Data Center OAuth 2.0 provider"
        )
        return [_fail(check_id, message, steps.site)]
    if config.deployment is Deployment.CLOUD and not is_atlassian_cloud_host(
        config.site_url
    ):
        message = (
            f"site_url {config.site_url} is not an *.atlassian.net address; "
            "for Jira Cloud, use the site's atlassian.net URL, or set deployment "
            "to 'datacenter' for a self-hosted Jira"
        )
        return [_result(check_id, CheckStatus.WARN, message, steps.site)]
    return []


def _scopes(config: OAuth2Config, steps: StepIds) -> list[CheckResult]:
    check_id = "oauth2-scopes"
    scopes = config.requested_scopes()
    if not scopes:
        return [_fail(check_id, "no scopes are configured; list them", steps.scopes)]
    if config.deployment is Deployment.CLOUD:
        if config.refresh and OFFLINE_ACCESS not in scopes:
            message = (
                f"refresh is on but scopes lacks '{OFFLINE_ACCESS}', so Atlassian "
                "would issue no refresh token; add it, or set refresh to false"
            )
            return [_fail(check_id, message, steps.scopes)]
        return []
    unknown = [scope for scope in scopes if scope not in DC_KNOWN_SCOPES]
    if unknown:
        message = (
            f"scopes {unknown!r} are not Jira Data Center scopes known to "
            "connauth (READ, WRITE, ADMIN, SYSTEM_ADMIN, READ_ALL, "
            "MANAGE_SUBSCRIPTIONS); Jira rejects the login if it does not know them"
        )
        return [_result(check_id, CheckStatus.WARN, message, steps.scopes)]
    return []


def _endpoints(config: OAuth2Config, steps: StepIds) -> list[CheckResult]:
    findings = []
    if config.deployment is Deployment.DATA_CENTER:
        endpoints = config.dc_endpoints()
        named = {
            "authorize_url": endpoints.authorize_url,
            "token_url": endpoints.token_url,
        }
        for field, url in named.items():
            if not is_under(url, config.site_url):
                message = (
                    f"{field} {url} is not under site_url {config.site_url}; Jira "
                    "Data Center serves OAuth 2.0 on the site itself, so remove "
                    f"{field} or correct it"
                )
                findings.append(_fail("oauth2-endpoints", message, steps.site))
        return findings
    cloud = config.cloud_endpoints()
    for field, url in vars(cloud).items():
        try:
            check_url(url, field=field)
        except ValueError as error:
            findings.append(_fail("oauth2-endpoints", str(error), steps.create))
    return findings


def _fail(check_id: str, message: str, step: str) -> CheckResult:
    return _result(check_id, CheckStatus.FAIL, message, step)


def _result(check_id: str, status: CheckStatus, message: str, step: str) -> CheckResult:
    return CheckResult(id=check_id, status=status, message=message, step=step)
