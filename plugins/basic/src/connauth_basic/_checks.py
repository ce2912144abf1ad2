"""Connectivity checks of the ``basic`` and ``pat`` methods.

Both checks read the same single ``myself`` response: with Basic, every
rejected request counts towards Jira's CAPTCHA lock-out, so the checks must
not log in twice.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import httpx

from connauth import CheckContext
from connauth import CheckResult
from connauth import CheckStatus
from connauth import ConnauthError
from connauth import ConnectivityCheck
from connauth import Deployment
from connauth_basic._auth import auth_for
from connauth_basic._checklist import STEP_API_TOKEN
from connauth_basic._checklist import STEP_COPY_CREDENTIALS
from connauth_basic._checklist import STEP_COPY_TOKEN
from connauth_basic._checklist import STEP_CREATE_TOKEN
from connauth_basic._checklist import STEP_SERVICE_ACCOUNT
from connauth_basic._classify import classify_auth_failure
from connauth_basic._config import BasicConfig
from connauth_basic._config import PatConfig
from connauth_basic._config import api_base_url
from connauth_basic._flow import credential_of
from connauth_basic._flow import deployment_of
from connauth_basic._flow import myself_path

__all__ = ["connectivity_checks"]


@dataclass(frozen=True)
class _Myself:
    """The outcome of one ``myself`` request: the body, or the failure."""

    body: Mapping[str, Any] | None
    failure: CheckResult | None


class _MyselfProbe:
    """Sends ``myself`` once per check run and shares the outcome."""

    def __init__(self, config: BasicConfig | PatConfig) -> None:
        self._config = config
        self._context: CheckContext | None = None
        self._task: asyncio.Task[_Myself] | None = None

    async def fetch(self, context: CheckContext) -> _Myself:
        # No await between the test and the assignment, so concurrent checks
        # of one run share a single task. The shield keeps one check's timeout
        # from cancelling the request that the other check is waiting for.
        if self._task is None or self._context is not context:
            self._context = context
            self._task = asyncio.ensure_future(self._request(context))
        return await asyncio.shield(self._task)

    async def _request(self, context: CheckContext) -> _Myself:
        path = myself_path(self._config)
        if context.client is not None:
            response = await context.client.get(path)
        else:
            async with httpx.AsyncClient(
                base_url=api_base_url(self._config) + "/",
                auth=auth_for(self._config),
                **context.http.client_options(),
            ) as client:
                response = await client.get(path)
        return self._outcome_of(response)

    def _outcome_of(self, response: httpx.Response) -> _Myself:
        error: ConnauthError | None = classify_auth_failure(
            response, credential=credential_of(self._config), expect_user=True
        )
        if error is not None:
            return _Myself(
                body=None, failure=_failed(error.message, error.step, response)
            )
        body = _json_or_none(response) if response.status_code == 200 else None
        if not isinstance(body, dict):
            message = (
                f"GET {response.request.url} returned {response.status_code} "
                "without the account's details; check site_url"
            )
            return _Myself(body=None, failure=_failed(message, self._step, response))
        return _Myself(body=body, failure=None)

    @property
    def _step(self) -> str:
        if isinstance(self._config, BasicConfig):
            return STEP_COPY_CREDENTIALS
        return STEP_COPY_TOKEN

    async def credentials(self, context: CheckContext) -> CheckResult:
        outcome = await self.fetch(context)
        if outcome.failure is not None:
            return outcome.failure
        return CheckResult(
            id="credentials",
            status=CheckStatus.PASS,
            message="Jira accepted the credentials and returned the logged-in account",
            details={"deployment": str(deployment_of(self._config))},
        )

    async def account(self, context: CheckContext) -> CheckResult:
        outcome = await self.fetch(context)
        if outcome.body is None:
            return CheckResult(
                id="account",
                status=CheckStatus.SKIP,
                message="skipped because the credentials check failed",
            )
        return _account_result(outcome.body, deployment_of(self._config))


def _json_or_none(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None


def _failed(message: str, step: str | None, response: httpx.Response) -> CheckResult:
    return CheckResult(
        id="credentials",
        status=CheckStatus.FAIL,
        message=message,
        step=step,
        details={"status_code": response.status_code},
    )


def _account_result(body: Mapping[str, Any], deployment: Deployment) -> CheckResult:
    key = "accountId" if deployment is Deployment.CLOUD else "name"
    identifier = str(body.get(key) or "unknown")
    display_name = str(body.get("displayName") or identifier)
    details: dict[str, str | bool | None] = {
        key: identifier,
        "display_name": display_name,
        "active": body.get("active") if isinstance(body.get("active"), bool) else None,
    }
    if body.get("active") is False:
        return CheckResult(
            id="account",
            status=CheckStatus.FAIL,
            message=f"the account {display_name} ({identifier}) is deactivated; "
            "reactivate it or connect with another account",
            # The pat checklist has no account step: its token names the user.
            step=STEP_SERVICE_ACCOUNT
            if deployment is Deployment.CLOUD
            else STEP_CREATE_TOKEN,
            details=details,
        )
    return CheckResult(
        id="account",
        status=CheckStatus.PASS,
        message=f"connected as {display_name} ({key} {identifier})",
        details=details,
    )


async def _token_expiry(context: CheckContext) -> CheckResult:
    # NOTE: Jira exposes no token expiry that connauth can read with the token
    # itself, so this check cannot warn. The sandbox does not invent a signal.
    if isinstance(context.config, BasicConfig):
        reason = (
            "Jira Cloud's REST API does not report when an API token expires; see "
            "the expiry date on the account's API token page "
            "(id.atlassian.com, Security, API tokens) and replace the token "
            "before then"
        )
    else:
        reason = (
            "Jira Data Center's REST API does not report a personal access "
            "token's expiry to the token itself; see it under the user's "
            "profile, Personal Access Tokens, and replace the token before then"
        )
    return CheckResult(id="token-expiry", status=CheckStatus.SKIP, message=reason)


def connectivity_checks(config: BasicConfig | PatConfig) -> list[ConnectivityCheck]:
    """Return the ``credentials``, ``account`` and ``token-expiry`` checks."""
    probe = _MyselfProbe(config)
    step = STEP_COPY_CREDENTIALS if isinstance(config, BasicConfig) else STEP_COPY_TOKEN
    token_step = (
        STEP_API_TOKEN if isinstance(config, BasicConfig) else STEP_CREATE_TOKEN
    )
    return [
        ConnectivityCheck(
            id="credentials",
            title="Jira accepts the credentials",
            description=f"GET {myself_path(config)} with the credentials: Jira "
            "returns 200 with a logged-in user, not anonymously.",
            run=probe.credentials,
            step=step,
        ),
        ConnectivityCheck(
            id="account",
            title="The account that acts for the host",
            description="The display name and id of the account from the same "
            "myself response, and whether it is active.",
            run=probe.account,
            step=STEP_SERVICE_ACCOUNT
            if isinstance(config, BasicConfig)
            else token_step,
        ),
        ConnectivityCheck(
            id="token-expiry",
            title="The token does not expire soon",
            description="Always skipped: Jira reports no token expiry through its "
            "REST API, so the reason names where to look instead.",
            run=_token_expiry,
            step=token_step,
        ),
    ]
