"""The client-credentials check: is the client id and secret still accepted?

The secret matters only when tokens are refreshed, so a wrong or rotated
secret would otherwise pass every check and fail an hour later. The check
sends a refresh request with a made-up refresh token. RFC 6749 §6 has the
server authenticate the client before it looks at the refresh token: a wrong
client gets ``invalid_client`` (Atlassian: 401 ``access_denied``), a right
one gets ``invalid_grant`` for the made-up token. No real token is spent, and
the made-up one belongs to no grant, so it cannot count as a reuse.
"""

from __future__ import annotations

from datetime import UTC
from datetime import datetime

from connauth import CheckContext
from connauth import CheckResult
from connauth import CheckStatus
from connauth import ClientCredentialsInvalid
from connauth import ConnectivityCheck
from connauth import ReauthorizationRequired
from connauth import TransientAuthError
from connauth_oauth2._config import OAuth2Config
from connauth_oauth2._steps import steps_for
from connauth_oauth2._token_errors import Grant
from connauth_oauth2._token_errors import token_endpoint_error
from connauth_oauth2._token_requests import refresh_request

__all__ = ["CLIENT_CREDENTIALS_CHECK", "client_credentials_check"]

CLIENT_CREDENTIALS_CHECK = "oauth2-client-credentials"
PROBE_REFRESH_TOKEN = "connauth-client-check-not-a-refresh-token"


def client_credentials_check(config: OAuth2Config) -> ConnectivityCheck:
    """Return the check for ``config``'s deployment."""
    return ConnectivityCheck(
        id=CLIENT_CREDENTIALS_CHECK,
        title="The token endpoint accepts the client id and secret",
        description="POST a refresh request with a made-up refresh token: a wrong "
        "client is rejected as such; a right one gets invalid_grant for the token.",
        run=_client_credentials,
        step=steps_for(config.deployment).credentials,
    )


async def _client_credentials(context: CheckContext) -> CheckResult:
    config = context.config
    if not isinstance(config, OAuth2Config):
        raise TypeError("the oauth2 client check needs an OAuth2Config")
    steps = steps_for(config.deployment)
    response = await context.anonymous.send(
        refresh_request(config, PROBE_REFRESH_TOKEN)
    )
    if response.is_success:
        return _result(
            CheckStatus.WARN,
            "the token endpoint accepted a made-up refresh token; check token_url",
            None,
        )
    error = token_endpoint_error(
        response,
        grant=Grant.REFRESH_TOKEN,
        steps=steps,
        redact=(config.client_secret.get_secret_value(), PROBE_REFRESH_TOKEN),
        now=datetime.now(UTC),
    )
    if isinstance(error, ClientCredentialsInvalid):
        return _result(CheckStatus.FAIL, error.message, steps.credentials)
    if isinstance(error, ReauthorizationRequired):
        return _result(
            CheckStatus.PASS,
            "the token endpoint accepted the client id and secret (it rejected "
            "only the check's made-up refresh token)",
            None,
        )
    status = (
        CheckStatus.WARN if isinstance(error, TransientAuthError) else CheckStatus.FAIL
    )
    return _result(status, f"could not confirm the client: {error.message}", None)


def _result(status: CheckStatus, message: str, step: str | None) -> CheckResult:
    return CheckResult(
        id=CLIENT_CREDENTIALS_CHECK, status=status, message=message, step=step
    )
