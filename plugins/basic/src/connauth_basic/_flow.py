"""Login of the ``basic`` and ``pat`` methods: one ``myself`` call, no browser.

The credentials are the configuration itself, so a login stores no tokens.
It proves that Jira accepts the credentials by reading the account they
belong to, and records the API base URL and the account's id.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import httpx
from pydantic import SecretStr

from connauth import AuthenticationFailed
from connauth import AuthorizationPrompt
from connauth import ConfigError
from connauth import Deployment
from connauth import Exchange
from connauth import LoginResult
from connauth import ProtocolError
from connauth_basic._auth import auth_for
from connauth_basic._auth import origin_of
from connauth_basic._checklist import STEP_COPY_CREDENTIALS
from connauth_basic._checklist import STEP_COPY_TOKEN
from connauth_basic._classify import Credential
from connauth_basic._classify import classify_auth_failure
from connauth_basic._config import BasicConfig
from connauth_basic._config import PatConfig
from connauth_basic._config import api_base_url

__all__ = [
    "CLOUD_MYSELF_PATH",
    "DC_MYSELF_PATH",
    "CredentialLogin",
    "account_facts",
    "credential_of",
    "deployment_of",
    "myself_path",
]

CLOUD_MYSELF_PATH = "rest/api/3/myself"
DC_MYSELF_PATH = "rest/api/2/myself"
_MAX_REDIRECTS = 5


def deployment_of(config: BasicConfig | PatConfig) -> Deployment:
    """Return the deployment a config is for: ``basic`` is Cloud, ``pat`` is DC."""
    return (
        Deployment.CLOUD if isinstance(config, BasicConfig) else Deployment.DATA_CENTER
    )


def credential_of(config: BasicConfig | PatConfig) -> Credential:
    """Return the kind of credential a config sends."""
    return Credential.BASIC if isinstance(config, BasicConfig) else Credential.BEARER


def myself_path(config: BasicConfig | PatConfig) -> str:
    """Return the path of the ``myself`` resource, relative to the API base."""
    if deployment_of(config) is Deployment.CLOUD:
        return CLOUD_MYSELF_PATH
    return DC_MYSELF_PATH


class CredentialLogin:
    """The login flow of ``basic`` and ``pat``: nothing to open in a browser."""

    def __init__(self, config: BasicConfig | PatConfig) -> None:
        self._config = config

    def begin(self, *, state: str, callback_url: str) -> Exchange[AuthorizationPrompt]:
        """Return a prompt without a URL; no request is sent."""
        yield from ()
        return AuthorizationPrompt(url=None)

    def complete(
        self, *, pending: Mapping[str, SecretStr], callback: Mapping[str, str]
    ) -> Exchange[LoginResult]:
        """Read ``myself`` with the credentials, once, and return what it shows.

        Raises the error :func:`classify_auth_failure` returns for a rejected,
        locked-out or anonymous login. Nothing is retried.
        """
        config = self._config
        base = api_base_url(config)
        response = yield from _get_same_origin(f"{base}/{myself_path(config)}", config)
        error = classify_auth_failure(
            response, credential=credential_of(config), expect_user=True
        )
        if error is not None:
            raise error
        if response.status_code != 200:
            raise _unexpected_status(response, config)
        facts = account_facts(_json_object(response), deployment_of(config))
        data = {"deployment": str(deployment_of(config)), **facts}
        if isinstance(config, BasicConfig) and config.cloud_id is not None:
            data["cloud_id"] = config.cloud_id
        return LoginResult(tokens=None, api_base_url=base, data=data)


def account_facts(body: Mapping[str, Any], deployment: Deployment) -> dict[str, str]:
    """Return the account id (Cloud) or user name (Data Center) from ``myself``.

    Raises :class:`AuthenticationFailed` when the body names no account, as an
    anonymous response does.
    """
    key = "accountId" if deployment is Deployment.CLOUD else "name"
    value = body.get(key)
    if not isinstance(value, str) or not value:
        raise AuthenticationFailed(
            f"Jira's myself response has no {key!r}, so no account is logged in; "
            "check the credentials",
        )
    if deployment is Deployment.CLOUD:
        return {"account_id": value}
    return {"username": value}


def _get_same_origin(
    url: str, config: BasicConfig | PatConfig
) -> Exchange[httpx.Response]:
    """GET ``url`` with the credentials, following same-origin redirects only.

    A redirect to another origin stops the login: the credentials are not sent
    there, and a login without them could not succeed.
    """
    request = _authorized_get(url, config)
    for _ in range(_MAX_REDIRECTS + 1):
        response = yield request
        location = response.headers.get("Location")
        if not response.is_redirect or location is None:
            return response
        target = request.url.join(location)
        if origin_of(target) != origin_of(request.url):
            raise ConfigError(
                f"GET {request.url.copy_with(query=None)} redirected to "
                f"{origin_of(target)}. connauth does not send credentials to "
                "another origin, so the login stopped; if the site moved, set "
                "site_url to its new address",
                step=_site_step(config),
            )
        request = _authorized_get(str(target), config)
    raise ProtocolError(
        f"GET {url} redirected more than {_MAX_REDIRECTS} times; check site_url",
        step=_site_step(config),
    )


def _authorized_get(url: str, config: BasicConfig | PatConfig) -> httpx.Request:
    request = httpx.Request("GET", url, headers={"Accept": "application/json"})
    return auth_for(config).authorize(request)


def _unexpected_status(
    response: httpx.Response, config: BasicConfig | PatConfig
) -> ProtocolError:
    hint = "check that site_url is the Jira site's base URL"
    if response.status_code == 404 and isinstance(config, BasicConfig):
        hint = (
            "Jira Cloud serves REST API version 3 at the site's root, so check "
            "site_url; Jira Data Center has no version 3, so for Data Center "
            "use method 'pat'"
        )
    return ProtocolError(
        f"GET {response.request.url} returned {response.status_code}, where "
        f"Jira returns the logged-in account; {hint}",
        step=_site_step(config),
    )


def _json_object(response: httpx.Response) -> Mapping[str, Any]:
    try:
        body = response.json()
    except ValueError:
        body = None
    if not isinstance(body, dict):
        raise ProtocolError(
            f"GET {response.request.url} returned 200 without a JSON object; "
            "check that site_url is the Jira site itself and not a proxy or "
            "login page in front of it"
        )
    return body


def _site_step(config: BasicConfig | PatConfig) -> str:
    return STEP_COPY_CREDENTIALS if isinstance(config, BasicConfig) else STEP_COPY_TOKEN
