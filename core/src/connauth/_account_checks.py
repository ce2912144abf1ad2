"""The checks of ``connauth check`` that ask Jira as the connector's account.

``expected-account`` reads ``myself`` and ``permissions`` reads
``mypermissions``, both through the connector's authenticated client, so an
access token due for refresh is refreshed and persisted by the session as for
any other request. Both run after the method's own checks and are skipped
when one of those failed: with Basic credentials, every rejected request
counts towards Jira's CAPTCHA lock-out, so a credential the method's checks
found bad is not sent again.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import httpx

from connauth._check_options import CheckOptions
from connauth._checks import CheckContext
from connauth._checks import CheckResult
from connauth._checks import CheckStatus
from connauth._checks import ConnectivityCheck
from connauth._responses import error_for_response

__all__ = [
    "EXPECTED_ACCOUNT_CHECK_ID",
    "PERMISSIONS_CHECK_ID",
    "expected_account_check",
    "permissions_check",
]

EXPECTED_ACCOUNT_CHECK_ID = "expected-account"
PERMISSIONS_CHECK_ID = "permissions"

# Version 2 of the REST API serves both paths on Jira Cloud and Data Center.
_MYSELF_PATH = "rest/api/2/myself"
_PERMISSIONS_PATH = "rest/api/2/mypermissions"

# Fields of a myself response that identify the account: accountId on Cloud,
# name and key on Data Center, and the email address on both (Cloud may hide it).
_IDENTIFIERS = ("accountId", "name", "key")


def expected_account_check(
    options: CheckOptions, step: str | None, requires: tuple[str, ...]
) -> ConnectivityCheck:
    """Build the check that the connector acts as the configured account."""

    async def run(context: CheckContext) -> CheckResult:
        expected = options.expected_account
        if expected is None:
            return _skip(
                EXPECTED_ACCOUNT_CHECK_ID,
                "no expected account is configured; pass --expect-account to "
                "check which account the connector acts as",
            )
        if context.client is None:
            return _skip(EXPECTED_ACCOUNT_CHECK_ID, _no_credentials(context))
        response = await context.client.get(_MYSELF_PATH)
        body = _json_object(response)
        if response.status_code != 200 or body is None:
            return _unexpected(EXPECTED_ACCOUNT_CHECK_ID, response, step)
        return _account_result(body, expected, step)

    return ConnectivityCheck(
        id=EXPECTED_ACCOUNT_CHECK_ID,
        title="The connector acts as the expected account",
        description="GET rest/api/2/myself with the connector's credentials and "
        "compare the account with --expect-account.",
        run=run,
        step=step,
        requires=requires,
    )


def permissions_check(
    options: CheckOptions, step: str | None, requires: tuple[str, ...]
) -> ConnectivityCheck:
    """Build the check that the account has the needed project permissions."""

    async def run(context: CheckContext) -> CheckResult:
        if context.client is None:
            return _skip(PERMISSIONS_CHECK_ID, _no_credentials(context))
        params = {"permissions": ",".join(options.permissions)}
        if options.project_key is not None:
            params["projectKey"] = options.project_key
        response = await context.client.get(_PERMISSIONS_PATH, params=params)
        return _permissions_result(response, options, step)

    return ConnectivityCheck(
        id=PERMISSIONS_CHECK_ID,
        title="The account has the project permissions",
        description="GET rest/api/2/mypermissions for the configured permissions "
        "(default BROWSE_PROJECTS, CREATE_ISSUES, EDIT_ISSUES, ADD_COMMENTS), in "
        "the project given with --project.",
        run=run,
        step=step,
        requires=requires,
    )


def _account_result(
    body: Mapping[str, Any], expected: str, step: str | None
) -> CheckResult:
    identifiers = {
        field: str(body[field])
        for field in _IDENTIFIERS
        if isinstance(body.get(field), str)
    }
    email = body.get("emailAddress")
    display_name = str(body.get("displayName") or next(iter(identifiers.values()), "?"))
    ids = ", ".join(f"{field} {value}" for field, value in identifiers.items())
    details: dict[str, str | None] = {"display_name": display_name, **identifiers}
    matches = expected in identifiers.values() or (
        isinstance(email, str) and email.lower() == expected.lower()
    )
    if not matches:
        return CheckResult(
            id=EXPECTED_ACCOUNT_CHECK_ID,
            status=CheckStatus.FAIL,
            message=f"the connector acts as {display_name} ({ids}), not as {expected}; "
            f"give the credentials of {expected}, or log in again as {expected}",
            step=step,
            details=details,
        )
    return CheckResult(
        id=EXPECTED_ACCOUNT_CHECK_ID,
        status=CheckStatus.PASS,
        message=f"the connector acts as {display_name} ({ids})",
        details=details,
    )


def _permissions_result(
    response: httpx.Response, options: CheckOptions, step: str | None
) -> CheckResult:
    project = options.project_key
    where = f"in project {project}" if project else "in at least one project"
    if response.status_code == 404 and project is not None:
        return _fail(
            PERMISSIONS_CHECK_ID,
            f"Jira knows no project {project} that the account can see; check the "
            "project key, and that the account may browse the project",
            step,
            response.status_code,
        )
    body = _json_object(response)
    granted = body.get("permissions") if body is not None else None
    if response.status_code != 200 or not isinstance(granted, dict):
        return _unexpected(PERMISSIONS_CHECK_ID, response, step)
    missing = [key for key in options.permissions if not _has(granted, key)]
    details = {key: _has(granted, key) for key in options.permissions}
    if missing:
        return CheckResult(
            id=PERMISSIONS_CHECK_ID,
            status=CheckStatus.FAIL,
            message=f"the account lacks {', '.join(missing)} {where}; in Jira, grant "
            "them to the account or to one of its groups in the project's "
            "permission scheme",
            step=step,
            details=details,
        )
    return CheckResult(
        id=PERMISSIONS_CHECK_ID,
        status=CheckStatus.PASS,
        message=f"the account has {', '.join(options.permissions)} {where}",
        details=details,
    )


def _has(granted: Mapping[str, Any], key: str) -> bool:
    entry = granted.get(key)
    return isinstance(entry, dict) and entry.get("havePermission") is True


def _json_object(response: httpx.Response) -> Mapping[str, Any] | None:
    try:
        body = response.json()
    except ValueError:
        return None
    return body if isinstance(body, dict) else None


def _unexpected(
    check_id: str, response: httpx.Response, step: str | None
) -> CheckResult:
    error = error_for_response(response, step=step)
    if error is not None:
        return _fail(check_id, error.message, error.step or step, response.status_code)
    detail = _error_messages(response)
    return _fail(
        check_id,
        f"GET {response.request.url.copy_with(query=None)} returned "
        f"{response.status_code}{detail}",
        step,
        response.status_code,
    )


def _error_messages(response: httpx.Response) -> str:
    """Return Jira's ErrorCollection messages, shortened, or an empty string."""
    body = _json_object(response)
    messages = body.get("errorMessages") if body is not None else None
    if not isinstance(messages, list) or not messages:
        return ""
    text = "; ".join(str(message) for message in messages[:3])
    return f": {text[:200]}"


def _fail(
    check_id: str, message: str, step: str | None, status_code: int
) -> CheckResult:
    return CheckResult(
        id=check_id,
        status=CheckStatus.FAIL,
        message=message,
        step=step,
        details={"status_code": status_code},
    )


def _skip(check_id: str, message: str) -> CheckResult:
    return CheckResult(id=check_id, status=CheckStatus.SKIP, message=message)


def _no_credentials(context: CheckContext) -> str:
    return (
        "no stored credentials, or the connector needs a new login; run "
        f"'connauth login {context.connector_id}' first"
    )
