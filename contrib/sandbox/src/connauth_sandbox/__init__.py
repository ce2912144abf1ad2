"""A local stand-in for Jira's authentication surface, for demos and tests.

One HTTPS origin on 127.0.0.1 serves every emulated host under a path prefix:

- ``/auth``: Atlassian's authorization server (auth.atlassian.com): 3LO
  ``GET /auth/authorize`` and ``POST /auth/oauth/token``.
- ``/gateway``: Atlassian's API gateway (api.atlassian.com):
  ``/gateway/oauth/token/accessible-resources`` and
  ``/gateway/ex/jira/{cloudid}/rest/api/{2,3}/...`` with 3LO Bearer tokens.
- ``/cloud/{site}``: a Jira Cloud site (``{site}.atlassian.net``):
  ``rest/api/{2,3}/...`` with Basic email and API token, and ``_edge/tenant_info``.
- ``/dc/{site}``: a Jira Data Center instance: the OAuth 2.0 provider under
  ``rest/oauth2/latest/``, the OAuth 1.0a servlets under ``plugins/servlet/oauth/``
  and ``rest/api/2/...`` with OAuth 1.0a, Bearer (OAuth 2.0 or personal access
  token) or Basic username and password.

oauthlib's provider endpoints verify every OAuth request. The sandbox adapts
requests and responses around oauthlib where Jira differs from it.

Control endpoints (JSON, no credentials, for a person driving a running server):

- ``GET /_sandbox/state``: settings, counters, users, sites, clients and tokens.
  Tokens appear as their last four characters, never in full.
- ``GET /_sandbox/counters``: token-endpoint calls, keyed ``<surface>.<grant_type>``,
  for example ``cloud.refresh_token`` or ``oauth1.access_token``.
- ``PUT /_sandbox/consent`` with ``{"policy": "approve"|"deny"|"prompt"}`` and an
  optional ``"account_id"`` of the user who consents.
- ``POST /_sandbox/dc/{site}/application-links`` with ``{"consumer_key": ...,
  "public_key_pem": ..., "name": ...}`` registers an OAuth 1.0a link.
- ``DELETE /_sandbox/dc/{site}/application-links/{consumer_key}`` removes it.
- ``POST /_sandbox/tokens/expire`` with ``{"token": ...}`` or ``{"all": true}``.
- ``POST /_sandbox/token-failures`` with ``{"status": 429, "retry_after": 5}``
  queues a failure for the next token-endpoint call. ``"body"`` and
  ``"surfaces"`` (a list of ``cloud``, ``dc``, ``oauth1``) are optional.
"""

from __future__ import annotations

from connauth_sandbox._app import create_app
from connauth_sandbox._models import ApplicationLink
from connauth_sandbox._models import CloudApp
from connauth_sandbox._models import CloudSite
from connauth_sandbox._models import DcClient
from connauth_sandbox._models import DcSite
from connauth_sandbox._models import Issue
from connauth_sandbox._models import Project
from connauth_sandbox._models import TokenKind
from connauth_sandbox._models import TokenRecord
from connauth_sandbox._models import User
from connauth_sandbox._server import SandboxServer
from connauth_sandbox._settings import ConsentPolicy
from connauth_sandbox._settings import InjectedFailure
from connauth_sandbox._settings import SandboxSettings
from connauth_sandbox._settings import Surface
from connauth_sandbox._state import Sandbox

__all__ = [
    "ApplicationLink",
    "CloudApp",
    "CloudSite",
    "ConsentPolicy",
    "DcClient",
    "DcSite",
    "InjectedFailure",
    "Issue",
    "Project",
    "Sandbox",
    "SandboxServer",
    "SandboxSettings",
    "Surface",
    "TokenKind",
    "TokenRecord",
    "User",
    "create_app",
]
