"""connauth-basic: credentials that Jira checks on every request.

Two methods, from one plugin registered under the entry point ``basic``:

- ``basic``: Jira Cloud, ``Authorization: Basic base64(email:api_token)``.
  Classic API tokens go to the site; scoped API tokens go to Atlassian's API
  gateway with the site's ``cloud_id``.
- ``pat``: Jira Data Center, ``Authorization: Bearer <personal access token>``.

Both are HTTPS only and never retry a rejected request, because Jira counts
each rejected Basic login towards a CAPTCHA lock-out. A single entry point
describes both methods, because pluggy rejects registering one module under
two names.
"""

from __future__ import annotations

from connauth_basic._auth import JiraBasicAuth
from connauth_basic._auth import PersonalAccessTokenAuth
from connauth_basic._auth import basic_authorization
from connauth_basic._auth import bearer_authorization
from connauth_basic._classify import Credential
from connauth_basic._classify import classify_auth_failure
from connauth_basic._config import BasicConfig
from connauth_basic._config import PatConfig
from connauth_basic._errors import CredentialsNotForwarded
from connauth_basic._hooks import BASIC
from connauth_basic._hooks import PAT
from connauth_basic._hooks import connauth_authenticate
from connauth_basic._hooks import connauth_checklist
from connauth_basic._hooks import connauth_connectivity_checks
from connauth_basic._hooks import connauth_describe_methods
from connauth_basic._hooks import connauth_http_auth
from connauth_basic._hooks import connauth_migrate
from connauth_basic._hooks import connauth_refresh
from connauth_basic._hooks import connauth_validate_prerequisites
from connauth_basic._shapes import TokenShape
from connauth_basic._shapes import api_token_shape
from connauth_basic._shapes import email_problem

CONNAUTH_HOOK_API = "1.0"

__all__ = [
    "BASIC",
    "CONNAUTH_HOOK_API",
    "PAT",
    "BasicConfig",
    "Credential",
    "CredentialsNotForwarded",
    "JiraBasicAuth",
    "PatConfig",
    "PersonalAccessTokenAuth",
    "TokenShape",
    "api_token_shape",
    "basic_authorization",
    "bearer_authorization",
    "classify_auth_failure",
    "connauth_authenticate",
    "connauth_checklist",
    "connauth_connectivity_checks",
    "connauth_describe_methods",
    "connauth_http_auth",
    "connauth_migrate",
    "connauth_refresh",
    "connauth_validate_prerequisites",
    "email_problem",
]
