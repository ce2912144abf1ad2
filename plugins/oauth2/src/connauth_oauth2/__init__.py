"""connauth-oauth2: OAuth 2.0 for Jira Cloud (Atlassian 3LO) and Data Center.

The package is a connauth method plugin, registered under the entry point
``connauth.methods`` as ``oauth2``. Hosts use it through
:class:`connauth.Connauth`. The names below serve hosts that need single pieces,
such as the Data Center checklist before any configuration exists, and tests.
"""

from __future__ import annotations

from connauth_oauth2._checklist import METHOD_NAME
from connauth_oauth2._checklist import build_checklist
from connauth_oauth2._checks import ACCESSIBLE_RESOURCES_CHECK
from connauth_oauth2._checks import GRANTED_SCOPES_CHECK
from connauth_oauth2._checks import MYSELF_CHECK
from connauth_oauth2._config import OAuth2Config
from connauth_oauth2._endpoints import ATLASSIAN_ACCESSIBLE_RESOURCES_URL
from connauth_oauth2._endpoints import ATLASSIAN_API_GATEWAY_URL
from connauth_oauth2._endpoints import ATLASSIAN_AUTHORIZE_URL
from connauth_oauth2._endpoints import ATLASSIAN_TOKEN_URL
from connauth_oauth2._errors import SiteNotGranted
from connauth_oauth2._flow import AUDIENCE
from connauth_oauth2._flow import OAuth2Authorization
from connauth_oauth2._hooks import METHOD_INFO
from connauth_oauth2._hooks import connauth_authenticate
from connauth_oauth2._hooks import connauth_checklist
from connauth_oauth2._hooks import connauth_connectivity_checks
from connauth_oauth2._hooks import connauth_describe_methods
from connauth_oauth2._hooks import connauth_http_auth
from connauth_oauth2._hooks import connauth_migrate
from connauth_oauth2._hooks import connauth_refresh
from connauth_oauth2._hooks import connauth_validate_prerequisites
from connauth_oauth2._pkce import create_code_challenge
from connauth_oauth2._pkce import create_code_verifier
from connauth_oauth2._refresh import refresh_exchange
from connauth_oauth2._resources import CloudResource
from connauth_oauth2._resources import select_site
from connauth_oauth2._scopes import CLOUD_BASE_SCOPES
from connauth_oauth2._scopes import DC_DEFAULT_SCOPES
from connauth_oauth2._scopes import OFFLINE_ACCESS
from connauth_oauth2._token_errors import parse_retry_after

CONNAUTH_HOOK_API = "1.0"
"""Version of connauth's hook API this plugin implements."""

__all__ = [
    "ACCESSIBLE_RESOURCES_CHECK",
    "ATLASSIAN_ACCESSIBLE_RESOURCES_URL",
    "ATLASSIAN_API_GATEWAY_URL",
    "ATLASSIAN_AUTHORIZE_URL",
    "ATLASSIAN_TOKEN_URL",
    "AUDIENCE",
    "CLOUD_BASE_SCOPES",
    "CONNAUTH_HOOK_API",
    "DC_DEFAULT_SCOPES",
    "GRANTED_SCOPES_CHECK",
    "METHOD_INFO",
    "METHOD_NAME",
    "MYSELF_CHECK",
    "OFFLINE_ACCESS",
    "CloudResource",
    "OAuth2Authorization",
    "OAuth2Config",
    "SiteNotGranted",
    "build_checklist",
    "connauth_authenticate",
    "connauth_checklist",
    "connauth_connectivity_checks",
    "connauth_describe_methods",
    "connauth_http_auth",
    "connauth_migrate",
    "connauth_refresh",
    "connauth_validate_prerequisites",
    "create_code_challenge",
    "create_code_verifier",
    "parse_retry_after",
    "refresh_exchange",
    "select_site",
]
