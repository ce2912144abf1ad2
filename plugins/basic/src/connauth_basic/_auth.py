"""``httpx.Auth`` classes for Basic (email and API token) and Bearer (PAT).

Both work with ``httpx.Client`` and ``httpx.AsyncClient`` because they do no
I/O of their own. Neither replays a request: a rejected Basic login counts
towards Jira's CAPTCHA lock-out, and a rejected PAT stays rejected.

Redirects: httpx drops ``Authorization`` when a redirect changes the scheme,
host or port, except an ``http`` to ``https`` upgrade on default ports
(``BaseClient._redirect_headers`` in httpx 0.28). These classes
rely on that, and raise :class:`CredentialsNotForwarded` when the other origin
then responds with 401, so the caller learns why.
"""

from __future__ import annotations

import base64
from collections.abc import Generator
from urllib.parse import urlsplit

import httpx
from pydantic import SecretStr

from connauth import ConfigError
from connauth import InsecureTransportError
from connauth_basic._config import BasicConfig
from connauth_basic._config import PatConfig
from connauth_basic._config import is_cloud_host
from connauth_basic._errors import CredentialsNotForwarded

__all__ = [
    "JiraBasicAuth",
    "PersonalAccessTokenAuth",
    "auth_for",
    "basic_authorization",
    "bearer_authorization",
    "origin_of",
]


def basic_authorization(email: str, api_token: str) -> str:
    """Build the ``Authorization`` value ``Basic base64(email:api_token)``.

    RFC 7617 §2: the user-id must not contain a colon, and neither part may
    contain control characters. Both are encoded as UTF-8 before base64.
    """
    if ":" in email:
        raise ConfigError(
            "email must not contain ':', because Basic authentication separates "
            "the user name from the password with it (RFC 7617 section 2)",
            problems=(("email", "contains ':'", None),),
        )
    for field, value in (("email", email), ("api_token", api_token)):
        if _has_control_character(value):
            raise ConfigError(
                f"{field} contains a control character, which Basic authentication "
                "cannot carry (RFC 7617 section 2); copy it again",
                problems=((field, "contains a control character", None),),
            )
    user_pass = f"{email}:{api_token}".encode()
    return "Basic " + base64.b64encode(user_pass).decode("ascii")


def bearer_authorization(token: str) -> str:
    """Build the ``Authorization`` value ``Bearer <token>`` (RFC 6750 §2.1).

    Spaces and characters outside printable ASCII are rejected, because no
    personal access token contains them. The narrower ``b64token`` alphabet
    of RFC 6750 section 2.1 is not enforced.
    """
    if not token or not all("!" <= character <= "~" for character in token):
        raise ConfigError(
            "token contains spaces or characters outside printable ASCII, which "
            "a personal access token never has; copy it again from Jira",
            problems=(("token", "invalid characters", None),),
        )
    return f"Bearer {token}"


def origin_of(url: httpx.URL | str) -> str:
    """Return ``scheme://host:port`` of ``url``, with the default port filled in."""
    parsed = httpx.URL(str(url))
    port = parsed.port or {"http": 80, "https": 443}.get(parsed.scheme)
    return f"{parsed.scheme}://{parsed.host}:{port}"


class _CredentialAuth(httpx.Auth):
    """An ``httpx.Auth`` that sets one fixed ``Authorization`` value on HTTPS
    requests and never replays a request."""

    def __init__(self, authorization: SecretStr) -> None:
        self._authorization = authorization

    def authorize(self, request: httpx.Request) -> httpx.Request:
        """Set ``Authorization`` on ``request`` after checking its destination.

        Raises :class:`InsecureTransportError` for a URL that is not HTTPS.
        """
        self._check_destination(request)
        request.headers["Authorization"] = self._authorization.get_secret_value()
        return request

    def auth_flow(
        self, request: httpx.Request
    ) -> Generator[httpx.Request, httpx.Response, None]:
        response = yield self.authorize(request)
        error = credentials_not_forwarded(request, response)
        if error is not None:
            raise error

    def _check_destination(self, request: httpx.Request) -> None:
        if request.url.scheme != "https":
            url = request.url.copy_with(query=None)
            raise InsecureTransportError(
                f"credentials are sent only over HTTPS, and {request.method} {url} "
                "is not; use an https:// URL"
            )


class JiraBasicAuth(_CredentialAuth):
    """``Authorization: Basic`` with an Atlassian account's email and API token."""

    def __init__(self, email: str, api_token: SecretStr) -> None:
        value = basic_authorization(email, api_token.get_secret_value())
        super().__init__(SecretStr(value))
        self.email = email

    def __repr__(self) -> str:
        return f"JiraBasicAuth(email={self.email!r}, api_token='**********')"


class PersonalAccessTokenAuth(_CredentialAuth):
    """``Authorization: Bearer`` with a Jira Data Center personal access token.

    Requests to Jira Cloud hosts are rejected before sending, because Cloud
    has no personal access tokens and would only log a failed login.
    """

    def __init__(self, token: SecretStr) -> None:
        super().__init__(SecretStr(bearer_authorization(token.get_secret_value())))

    def __repr__(self) -> str:
        return "PersonalAccessTokenAuth(token='**********')"

    def _check_destination(self, request: httpx.Request) -> None:
        super()._check_destination(request)
        if is_cloud_host(str(request.url)):
            raise ConfigError(
                f"{request.url.host} is Jira Cloud, which does not accept personal "
                "access tokens; use method 'basic' with an API token instead",
                problems=(("site_url", "Jira Cloud host", None),),
            )


def auth_for(
    config: BasicConfig | PatConfig,
) -> JiraBasicAuth | PersonalAccessTokenAuth:
    """Return the ``httpx.Auth`` for ``config``'s credentials."""
    if isinstance(config, BasicConfig):
        return JiraBasicAuth(config.email, config.api_token)
    return PersonalAccessTokenAuth(config.token)


def credentials_not_forwarded(
    request: httpx.Request, response: httpx.Response
) -> CredentialsNotForwarded | None:
    """Return the error for a 401 from an origin that httpx sent no credentials to.

    ``request`` is the request as the auth flow sent it; ``response`` is the
    final response after httpx followed any redirects.
    """
    if response.status_code != 401 or not response.history:
        return None
    final = response.request
    if "Authorization" not in request.headers or "Authorization" in final.headers:
        return None
    hops = [item.request.url for item in response.history] + [final.url]
    origin = origin_of(request.url)
    foreign = next((url for url in hops if origin_of(url) != origin), final.url)
    redirect_origin = origin_of(foreign)
    return CredentialsNotForwarded(
        f"{request.method} {_without_query(request.url)} was redirected to "
        f"{redirect_origin}, which responded with 401. connauth intentionally "
        f"did not forward the credentials for {origin} to another origin. If "
        f"the site moved to {redirect_origin}, set site_url to the new address "
        "and log in again",
        origin=origin,
        redirect_origin=redirect_origin,
        status_code=401,
    )


def _without_query(url: httpx.URL) -> str:
    parts = urlsplit(str(url))
    return parts._replace(query="", fragment="").geturl()


def _has_control_character(value: str) -> bool:
    return any(ord(character) < 0x20 or ord(character) == 0x7F for character in value)
