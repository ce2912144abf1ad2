"""Authentication of REST calls on Cloud sites, the API gateway and Data Center.

Each function returns the calling user, None for an anonymous call, or raises
AuthenticationRejected with the response that the emulated host sends. As on
Jira, bad credentials are rejected even on resources open to anonymous users.
"""

from __future__ import annotations

import base64
import binascii
import hmac

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.responses import PlainTextResponse
from starlette.responses import Response

from connauth_sandbox._credentials import is_api_token_format
from connauth_sandbox._http import origin_of
from connauth_sandbox._models import CloudSite
from connauth_sandbox._models import DcSite
from connauth_sandbox._models import Site
from connauth_sandbox._models import TokenKind
from connauth_sandbox._models import TokenRecord
from connauth_sandbox._models import User
from connauth_sandbox._oauth1 import verify_resource_request
from connauth_sandbox._oauth2_flow import verify_bearer
from connauth_sandbox._state import Sandbox

CLOUD_UNAUTHENTICATED = "Client must be authenticated to access this resource."
# Atlassian disabled password Basic auth on Cloud in 2019 and responds with a
# deprecation notice. This wording is the sandbox's own.
CLOUD_PASSWORD_REJECTED = (
    "Basic authentication with passwords is deprecated. "
    "Use an API token in place of the password."
)
DC_UNAUTHENTICATED = (
    "You are not authenticated. Authentication required to perform this operation."
)
LOGIN_FAILED = {"X-Seraph-LoginReason": "AUTHENTICATED_FAILED"}
CAPTCHA_REQUIRED = "CAPTCHA required: log in through the browser first."


class AuthenticationRejected(Exception):
    """Raised with the response a host sends for missing or bad credentials."""

    def __init__(self, response: Response) -> None:
        super().__init__(response.status_code)
        self.response = response


def cloud_unauthenticated(*, failed: bool) -> AuthenticationRejected:
    headers = LOGIN_FAILED if failed else {}
    response = PlainTextResponse(
        CLOUD_UNAUTHENTICATED, status_code=401, headers=headers
    )
    return AuthenticationRejected(response)


def gateway_unauthorized(message: str = "Unauthorized") -> AuthenticationRejected:
    return AuthenticationRejected(
        JSONResponse({"code": 401, "message": message}, status_code=401)
    )


def dc_unauthenticated(*, failed: bool) -> AuthenticationRejected:
    body = {"errorMessages": [DC_UNAUTHENTICATED], "errors": {}}
    headers = LOGIN_FAILED if failed else {}
    return AuthenticationRejected(JSONResponse(body, status_code=401, headers=headers))


def captcha_challenge(login_url: str) -> AuthenticationRejected:
    """Return Jira's response to a Basic login of a locked-out user.

    Jira rejects the login "without even checking the password" and names the
    page where the user must solve the CAPTCHA (Atlassian's REST authentication
    docs; the header format is the one clients parse).
    """
    headers = {
        "X-Seraph-LoginReason": "AUTHENTICATION_DENIED",
        "X-Authentication-Denied-Reason": f"CAPTCHA_CHALLENGE; login-url={login_url}",
    }
    return AuthenticationRejected(
        PlainTextResponse(CAPTCHA_REQUIRED, status_code=403, headers=headers)
    )


def _login_url(request: Request, site: Site) -> str:
    prefix = "cloud" if isinstance(site, CloudSite) else "dc"
    return f"{origin_of(request)}/{prefix}/{site.name}/login.jsp"


def _start_basic_login(
    sandbox: Sandbox, user: User, request: Request, site: Site
) -> None:
    """Count a Basic login of ``user``; reject it when the user is locked out."""
    sandbox.faults.record_attempt(user)
    if sandbox.faults.is_locked_out(user):
        raise captcha_challenge(_login_url(request, site))


def _login_failed(sandbox: Sandbox, user: User) -> None:
    sandbox.faults.record_failed_login(
        user, sandbox.settings.captcha_after_failed_logins
    )


def _split_authorization(request: Request) -> tuple[str, str]:
    scheme, _, credentials = request.headers.get("authorization", "").partition(" ")
    return scheme.lower(), credentials.strip()


def _decode_basic(credentials: str) -> tuple[str, str] | None:
    try:
        decoded = base64.b64decode(credentials, validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    name, separator, secret = decoded.partition(":")
    return (name, secret) if separator else None


def _member(sandbox: Sandbox, site: Site, record: TokenRecord) -> User | None:
    user = sandbox.users.get(record.account_id)
    if user is None or user.account_id not in site.member_account_ids:
        return None
    return user


def authenticate_cloud_site(
    sandbox: Sandbox, site: CloudSite, request: Request
) -> User | None:
    """Accept Basic with an account email and an API token."""
    scheme, credentials = _split_authorization(request)
    if not scheme:
        return None
    pair = _decode_basic(credentials) if scheme == "basic" else None
    if pair is None:
        raise cloud_unauthenticated(failed=True)

    email, secret = pair
    with sandbox.lock:
        user = next((u for u in sandbox.users.values() if u.email == email), None)
        record = sandbox.find_token(secret, TokenKind.API_TOKEN)
    if user is None:
        raise cloud_unauthenticated(failed=True)
    _start_basic_login(sandbox, user, request, site)
    if is_api_token_format(secret) and record is not None:
        valid = record.account_id == user.account_id and record.is_live(sandbox.now())
        if valid and user.account_id in site.member_account_ids:
            sandbox.faults.record_successful_login(user)
            return user
    elif hmac.compare_digest(secret.encode(), user.password.encode()):
        _login_failed(sandbox, user)
        response = PlainTextResponse(
            CLOUD_PASSWORD_REJECTED, status_code=401, headers=LOGIN_FAILED
        )
        raise AuthenticationRejected(response)
    _login_failed(sandbox, user)
    raise cloud_unauthenticated(failed=True)


def authenticate_gateway(
    sandbox: Sandbox, site: CloudSite, request: Request, scope: str | None
) -> User | None:
    """Accept a 3LO access token whose grant covers the site and has scope."""
    scheme, _ = _split_authorization(request)
    if not scheme:
        return None
    if scheme != "bearer":
        raise gateway_unauthorized()

    required = [scope] if scope else []
    check = verify_bearer(
        sandbox, None, str(request.url), request.method, dict(request.headers), required
    )
    if check.token is None or site.name not in check.token.site_names:
        raise gateway_unauthorized()
    if check.missing_scope:
        raise gateway_unauthorized("Unauthorized; scope does not match")
    user = _member(sandbox, site, check.token)
    if user is None:
        raise gateway_unauthorized()
    return user


async def authenticate_dc(
    sandbox: Sandbox, site: DcSite, request: Request, scope: str | None
) -> User | None:
    """Accept OAuth 1.0a, an OAuth 2.0 or personal access token, or Basic."""
    scheme, credentials = _split_authorization(request)
    if not scheme:
        return None

    record: TokenRecord | None = None
    if scheme == "oauth":
        outcome = await verify_resource_request(sandbox, site, request)
        if isinstance(outcome, Response):
            raise AuthenticationRejected(outcome)
        record = outcome
    elif scheme == "bearer":
        record = _dc_bearer_token(sandbox, site, request, credentials, scope)
    elif scheme == "basic":
        return _dc_basic_user(sandbox, site, request, credentials)

    user = None if record is None else _member(sandbox, site, record)
    if user is None:
        raise dc_unauthenticated(failed=True)
    return user


def _dc_bearer_token(
    sandbox: Sandbox,
    site: DcSite,
    request: Request,
    credentials: str,
    scope: str | None,
) -> TokenRecord | None:
    record = sandbox.find_token(credentials, TokenKind.PERSONAL_ACCESS_TOKEN)
    if record is not None:
        if site.name in record.site_names and record.is_live(sandbox.now()):
            return record
        return None

    required = [scope] if scope else []
    check = verify_bearer(
        sandbox, site, str(request.url), request.method, dict(request.headers), required
    )
    # NOTE: the status Jira sends for a token without the needed scope is not
    # documented; the sandbox treats it like any failed login.
    if check.missing_scope:
        return None
    return check.token


def _dc_basic_user(
    sandbox: Sandbox, site: DcSite, request: Request, credentials: str
) -> User:
    """Accept a username and password. A PAT as the password fails, as on Jira."""
    pair = _decode_basic(credentials)
    if pair is None:
        raise dc_unauthenticated(failed=True)
    username, password = pair
    with sandbox.lock:
        user = next((u for u in sandbox.users.values() if u.username == username), None)
    if user is None or user.account_id not in site.member_account_ids:
        raise dc_unauthenticated(failed=True)
    _start_basic_login(sandbox, user, request, site)
    if not hmac.compare_digest(password.encode(), user.password.encode()):
        _login_failed(sandbox, user)
        raise dc_unauthenticated(failed=True)
    sandbox.faults.record_successful_login(user)
    return user
