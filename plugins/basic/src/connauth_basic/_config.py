"""Configuration models of the ``basic`` and ``pat`` methods.

``site_url`` is always the Jira site itself, as the admin's browser shows it.
A Cloud API token with scopes (the tokens of Atlassian service accounts) only
works through Atlassian's API gateway, so :class:`BasicConfig` takes the
site's ``cloud_id`` for those, and requests then go to
``{api_gateway_url}/ex/jira/{cloud_id}``.

Surrounding whitespace is stripped from the email, the tokens and the cloud
id, because none of them can contain it and a token read from a file usually
ends with a newline.
"""

from __future__ import annotations

import re
import uuid
from typing import Any
from urllib.parse import urlsplit

from pydantic import Field
from pydantic import SecretStr
from pydantic import field_validator

from connauth import MethodConfig
from connauth import check_url

__all__ = [
    "DEFAULT_API_GATEWAY_URL",
    "BasicConfig",
    "PatConfig",
    "api_base_url",
    "is_cloud_host",
]

DEFAULT_API_GATEWAY_URL = "https://api.atlassian.com"
"""Atlassian's API gateway, where scoped API tokens must be sent."""

# Jira Cloud sites are served at <name>.atlassian.net. The API gateway serves
# OAuth 2.0 and scoped-token traffic for Cloud sites, never Data Center.
_CLOUD_HOST_SUFFIX = ".atlassian.net"
_CLOUD_GATEWAY_HOST = "api.atlassian.com"

_GATEWAY_PATH = re.compile(r"/ex/jira/(?P<cloud_id>[^/]+)")


def is_cloud_host(url: str) -> bool:
    """Check whether ``url``'s host is Jira Cloud (a site or the API gateway)."""
    host = (urlsplit(url).hostname or "").lower().rstrip(".")
    return host.endswith(_CLOUD_HOST_SUFFIX) or host == _CLOUD_GATEWAY_HOST


def _strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


class BasicConfig(MethodConfig):
    """Jira Cloud: an Atlassian account's email and one of its API tokens."""

    email: str = Field(description="Email address of the Atlassian account.")
    api_token: SecretStr = Field(description="API token of that account.")
    cloud_id: str | None = Field(
        default=None,
        description="Cloud id of the site; set it only for scoped API tokens, "
        "which Jira accepts only through the API gateway.",
    )
    api_gateway_url: str = Field(
        default=DEFAULT_API_GATEWAY_URL,
        description="Base URL of Atlassian's API gateway, used with cloud_id.",
    )

    @field_validator("email", "api_token", "cloud_id", mode="before")
    @classmethod
    def _strip_whitespace(cls, value: Any) -> Any:
        return _strip(value)

    @field_validator("site_url")
    @classmethod
    def _site_not_gateway(cls, value: str) -> str:
        match = _GATEWAY_PATH.search(urlsplit(value).path)
        if match is not None:
            raise ValueError(
                "site_url is an API gateway URL; set site_url to the site's own "
                "address (https://<name>.atlassian.net) and cloud_id to "
                f"{match['cloud_id']!r}"
            )
        return value

    @field_validator("cloud_id")
    @classmethod
    def _cloud_id_shape(cls, value: str | None) -> str | None:
        if value is None:
            return None
        try:
            parsed = uuid.UUID(value)
        except ValueError:
            raise ValueError(
                f"cloud_id {value!r} is not a cloud id: expected a UUID such as "
                "1324a887-45db-1bf4-1e99-ef0ff456d421"
            ) from None
        return str(parsed)

    @field_validator("api_gateway_url")
    @classmethod
    def _gateway_shape(cls, value: str) -> str:
        return check_url(value, field="api_gateway_url")


class PatConfig(MethodConfig):
    """Jira Data Center: a personal access token, sent as a Bearer token."""

    token: SecretStr = Field(description="Personal access token.")

    @field_validator("token", mode="before")
    @classmethod
    def _strip_whitespace(cls, value: Any) -> Any:
        return _strip(value)

    @field_validator("site_url")
    @classmethod
    def _not_cloud(cls, value: str) -> str:
        # Jira Cloud has no personal access tokens: it takes API tokens as a
        # Basic password, and OAuth 2.0 Bearer tokens only at the API gateway.
        if is_cloud_host(value):
            raise ValueError(
                f"site_url host {urlsplit(value).hostname!r} is Jira Cloud, which "
                "does not accept personal access tokens; use method 'basic' with "
                "the account's email and an API token, or method 'oauth2'"
            )
        return value


def api_base_url(config: BasicConfig | PatConfig) -> str:
    """Return the URL that REST paths such as ``rest/api/3/myself`` are joined to."""
    if isinstance(config, BasicConfig) and config.cloud_id is not None:
        gateway = config.api_gateway_url.rstrip("/")
        return f"{gateway}/ex/jira/{config.cloud_id}"
    return config.site_url.rstrip("/")
