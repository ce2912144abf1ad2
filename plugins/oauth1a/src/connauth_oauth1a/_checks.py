"""Connectivity checks of an OAuth 1.0a connector."""

from __future__ import annotations

import httpx

from connauth import CheckContext
from connauth import CheckResult
from connauth import CheckStatus
from connauth import ConnectivityCheck
from connauth import MethodConfig
from connauth.diagnostics import OAUTH1_TIMESTAMP_WINDOW
from connauth.diagnostics import clock_skew_check
from connauth_oauth1a._callback_check import CALLBACK_CHECK
from connauth_oauth1a._config import OAuth1aConfig
from connauth_oauth1a._config import signer_for
from connauth_oauth1a._problems import oauth_problem_error

__all__ = ["APPLICATION_LINK_CHECK", "MYSELF_CHECK", "connectivity_checks"]


def connectivity_checks(config: MethodConfig) -> list[ConnectivityCheck]:
    """Return the checks in the order ``connauth check`` reports them.

    The clock check replaces the core's: Jira rejects a signed request whose
    timestamp is outside its window, so skew beyond it fails rather than warns.
    """
    return [
        clock_skew_check(fail_beyond=OAUTH1_TIMESTAMP_WINDOW),
        APPLICATION_LINK_CHECK,
        CALLBACK_CHECK,
        MYSELF_CHECK,
    ]


async def _application_link(context: CheckContext) -> CheckResult:
    check_id = APPLICATION_LINK_CHECK.id
    config = context.config
    if not isinstance(config, OAuth1aConfig):
        return _result(check_id, CheckStatus.FAIL, "not an oauth1a configuration")

    # A request token with the out-of-band callback (RFC 5849 §2.1) proves that
    # Jira has a link for the consumer key and verifies this key's signatures. The token
    # is never used and expires in Jira after 10 minutes.
    request = httpx.Request("POST", config.request_token_url)
    signer_for(config).sign_request(request, extra={"oauth_callback": "oob"})
    response = await context.anonymous.send(request)
    await response.aread()

    if response.status_code == 200 and "oauth_token=" in response.text:
        return _result(
            check_id,
            CheckStatus.PASS,
            f"Jira issued a request token for consumer key {config.consumer_key!r}",
            status_code=200,
        )
    failure = _oauth_problem_result(check_id, response, context)
    if failure is not None:
        return failure
    return _result(
        check_id,
        CheckStatus.FAIL,
        f"POST {config.request_token_url} returned HTTP {response.status_code} "
        "without an oauth_problem; check site_url and request_token_path",
        status_code=response.status_code,
        step="jira-base-url",
    )


def _oauth_problem_result(
    check_id: str, response: httpx.Response, context: CheckContext
) -> CheckResult | None:
    """Return a failed result naming Jira's ``oauth_problem``, if it sent one."""
    problem = oauth_problem_error(response, connector_id=context.connector_id)
    if problem is None:
        return None
    return CheckResult(
        id=check_id,
        status=CheckStatus.FAIL,
        message=problem.message,
        step=problem.step,
        details={"status_code": response.status_code, "oauth_problem": problem.problem},
    )


async def _myself(context: CheckContext) -> CheckResult:
    check_id = MYSELF_CHECK.id
    if context.client is None:
        return _result(
            check_id,
            CheckStatus.SKIP,
            f"no stored credentials; run 'connauth login {context.connector_id}' first",
        )
    response = await context.client.get("rest/api/2/myself")
    if response.status_code == 200:
        name = _user_name(response)
        return _result(
            check_id,
            CheckStatus.PASS,
            f"the access token works and acts as {name}",
            status_code=200,
        )
    failure = _oauth_problem_result(check_id, response, context)
    if failure is not None:
        return failure
    return _result(
        check_id,
        CheckStatus.FAIL,
        f"GET rest/api/2/myself returned HTTP {response.status_code}",
        status_code=response.status_code,
    )


def _user_name(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return "an unnamed user"
    if not isinstance(body, dict):
        return "an unnamed user"
    name = body.get("name") or body.get("key") or body.get("displayName")
    return repr(name) if name else "an unnamed user"


def _result(
    check_id: str,
    status: CheckStatus,
    message: str,
    *,
    status_code: int | None = None,
    step: str | None = None,
) -> CheckResult:
    details = {} if status_code is None else {"status_code": status_code}
    return CheckResult(
        id=check_id, status=status, message=message, step=step, details=details
    )


APPLICATION_LINK_CHECK = ConnectivityCheck(
    id="oauth1a-application-link",
    title="Jira accepts the application link's consumer key and signatures",
    description="POST to the request-token endpoint, signed with RSA-SHA1: fails "
    "with consumer_key_unknown when Jira has no link with this consumer key, and "
    "with signature_invalid when site_url or the public key does not match.",
    run=_application_link,
    step="incoming-authentication",
)

MYSELF_CHECK = ConnectivityCheck(
    id="myself",
    title="The access token works",
    description="GET rest/api/2/myself with the stored access token; skipped "
    "before the first login.",
    run=_myself,
)
