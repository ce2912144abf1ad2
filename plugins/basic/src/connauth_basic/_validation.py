"""Prerequisite checks of ``basic`` and ``pat`` configurations.

Every finding is returned at once, each naming the checklist step that fixes
it. A failure stops the login before anything is sent, which matters here:
each rejected Basic login counts towards Jira's CAPTCHA lock-out.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from connauth import CheckResult
from connauth import CheckStatus
from connauth_basic._checklist import STEP_API_TOKEN
from connauth_basic._checklist import STEP_COPY_CREDENTIALS
from connauth_basic._checklist import STEP_CREATE_TOKEN
from connauth_basic._config import BasicConfig
from connauth_basic._config import PatConfig
from connauth_basic._config import is_cloud_host
from connauth_basic._shapes import API_TOKEN_PREFIX
from connauth_basic._shapes import TokenShape
from connauth_basic._shapes import api_token_shape
from connauth_basic._shapes import email_problem

__all__ = ["validate_basic", "validate_pat"]


def validate_basic(config: BasicConfig) -> list[CheckResult]:
    """Check the email, the API token's form and the site of a ``basic`` config."""
    results: list[CheckResult] = []
    problem = email_problem(config.email)
    if problem is not None:
        results.append(
            _finding("email", CheckStatus.FAIL, problem, STEP_COPY_CREDENTIALS)
        )
    token = _api_token_finding(config)
    if token is not None:
        results.append(token)
    results.extend(_site_findings(config))
    return results


def _api_token_finding(config: BasicConfig) -> CheckResult | None:
    shape = api_token_shape(config.api_token.get_secret_value())
    if shape is TokenShape.CHECKSUM_MISMATCH:
        return _finding(
            "api-token-format",
            CheckStatus.WARN,
            f"api_token starts with {API_TOKEN_PREFIX} but its last 8 characters "
            "are not the checksum of the rest: it was probably cut short or "
            "changed when copied; copy it again",
            STEP_COPY_CREDENTIALS,
        )
    if shape is TokenShape.PASSWORD:
        return _finding(
            "api-token-format",
            CheckStatus.WARN,
            "api_token looks like an account password (short, or with spaces); "
            "Jira Cloud accepts only an API token here, so create one",
            STEP_API_TOKEN,
        )
    if shape is TokenShape.UNKNOWN:
        return _finding(
            "api-token-format",
            CheckStatus.WARN,
            f"api_token does not start with {API_TOKEN_PREFIX}, as current "
            "Atlassian API tokens do; check that it is an API token and not a "
            "password, or create a new token",
            STEP_API_TOKEN,
        )
    return None


def _site_findings(config: BasicConfig) -> list[CheckResult]:
    parts = urlsplit(config.site_url)
    if config.cloud_id is None and not is_cloud_host(config.site_url):
        return [
            _finding(
                "site-url",
                CheckStatus.WARN,
                f"site_url host {parts.hostname!r} is not a Jira Cloud site "
                "(*.atlassian.net); method 'basic' sends an email and API token "
                "for Jira Cloud. For Jira Data Center, use method 'pat'",
                STEP_COPY_CREDENTIALS,
            )
        ]
    if is_cloud_host(config.site_url) and parts.path.strip("/"):
        return [
            _finding(
                "site-url",
                CheckStatus.FAIL,
                f"site_url has the path {parts.path!r}, but Jira Cloud serves its "
                f"REST API at the site's root; use https://{parts.hostname}",
                STEP_COPY_CREDENTIALS,
            )
        ]
    return []


def validate_pat(config: PatConfig) -> list[CheckResult]:
    """Check the form of a ``pat`` config's token."""
    token = config.token.get_secret_value()
    shape = api_token_shape(token)
    if shape is TokenShape.API_TOKEN:
        return [
            _finding(
                "token-format",
                CheckStatus.FAIL,
                "token is a Jira Cloud API token, not a personal access token; "
                "use it with method 'basic' on Jira Cloud, or create a personal "
                "access token in Jira Data Center",
                STEP_CREATE_TOKEN,
            )
        ]
    if not all("!" <= character <= "~" for character in token):
        return [
            _finding(
                "token-format",
                CheckStatus.FAIL,
                "token contains spaces or characters outside printable ASCII, "
                "which a personal access token never has; copy it again",
                STEP_CREATE_TOKEN,
            )
        ]
    if shape is TokenShape.PASSWORD:
        return [
            _finding(
                "token-format",
                CheckStatus.WARN,
                "token is short for a personal access token and may be a "
                "password; Jira accepts only personal access tokens as Bearer "
                "tokens",
                STEP_CREATE_TOKEN,
            )
        ]
    return []


def _finding(
    check_id: str, status: CheckStatus, message: str, step: str
) -> CheckResult:
    return CheckResult(id=check_id, status=status, message=message, step=step)
