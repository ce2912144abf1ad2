"""The URLs each deployment talks to, with Atlassian's published defaults.

Nothing in this module sends a request. The Cloud defaults are Atlassian's
documented endpoints. connauth's tests override every one of them with
sandbox URLs on 127.0.0.1.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "ATLASSIAN_ACCESSIBLE_RESOURCES_URL",
    "ATLASSIAN_API_GATEWAY_URL",
    "ATLASSIAN_AUTHORIZE_URL",
    "ATLASSIAN_TOKEN_URL",
    "DC_OAUTH2_PATH",
    "CloudEndpoints",
    "DataCenterEndpoints",
    "cloud_api_base_url",
    "dc_endpoint",
]

ATLASSIAN_AUTHORIZE_URL = "https://auth.atlassian.com/authorize"
ATLASSIAN_TOKEN_URL = "https://auth.atlassian.com/oauth/token"
ATLASSIAN_ACCESSIBLE_RESOURCES_URL = (
    "https://api.atlassian.com/oauth/token/accessible-resources"
)
ATLASSIAN_API_GATEWAY_URL = "https://api.atlassian.com"

DC_OAUTH2_PATH = "rest/oauth2/latest"
"""Path of Jira Data Center's OAuth 2.0 provider, relative to the site URL."""


@dataclass(frozen=True)
class CloudEndpoints:
    """Endpoints of Atlassian Cloud 3LO.

    Attributes:
        authorize_url: the consent page the admin opens.
        token_url: the token endpoint, for code exchange and refresh.
        accessible_resources_url: lists the sites a grant covers, with their
            cloud ids.
        api_gateway_url: the gateway that REST calls go through.
    """

    authorize_url: str
    token_url: str
    accessible_resources_url: str
    api_gateway_url: str


@dataclass(frozen=True)
class DataCenterEndpoints:
    """Endpoints of a Jira Data Center site's OAuth 2.0 provider.

    Attributes:
        authorize_url: the consent page the admin opens.
        token_url: the token endpoint, for code exchange and refresh.
        api_base_url: the site itself, which REST paths are joined to.
    """

    authorize_url: str
    token_url: str
    api_base_url: str


def dc_endpoint(site_url: str, name: str) -> str:
    """Return the URL of the Data Center provider's ``name`` endpoint on the site."""
    return f"{site_url.rstrip('/')}/{DC_OAUTH2_PATH}/{name}"


def cloud_api_base_url(api_gateway_url: str, cloud_id: str) -> str:
    """Return the gateway URL that a Cloud site's REST paths are joined to."""
    return f"{api_gateway_url.rstrip('/')}/ex/jira/{cloud_id}"
