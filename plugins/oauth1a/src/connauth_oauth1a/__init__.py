"""connauth-oauth1a: OAuth 1.0a (RSA-SHA1) for Jira Data Center application links.

A deprecated method, kept for sites that already have an OAuth 1.0a application
link; new connections use ``oauth2``. The plugin registers under the
``connauth.methods`` entry point as ``oauth1a``.

Besides the hooks, the package offers what hosts and tools use directly:
:class:`OAuth1Signer` and :class:`OAuth1Auth` to sign requests,
:func:`generate_key_pair` and :func:`load_private_key` for keys, and
:func:`raise_for_oauth_problem` to turn Jira's ``oauth_problem`` replies into
the typed errors of :mod:`connauth_oauth1a._errors`.
"""

from __future__ import annotations

from connauth_oauth1a._auth import OAuth1Auth
from connauth_oauth1a._config import OAuth1aConfig
from connauth_oauth1a._config import signer_for
from connauth_oauth1a._errors import ConsumerKeyUnknown
from connauth_oauth1a._errors import NonceUsed
from connauth_oauth1a._errors import OAuth1aProblem
from connauth_oauth1a._errors import PermissionDenied
from connauth_oauth1a._errors import SignatureInvalid
from connauth_oauth1a._errors import SignatureMethodRejected
from connauth_oauth1a._errors import TimestampRefused
from connauth_oauth1a._errors import TokenExpired
from connauth_oauth1a._errors import TokenRejected
from connauth_oauth1a._flow import ApplicationLinkLogin
from connauth_oauth1a._hooks import METHOD
from connauth_oauth1a._hooks import connauth_authenticate
from connauth_oauth1a._hooks import connauth_checklist
from connauth_oauth1a._hooks import connauth_connectivity_checks
from connauth_oauth1a._hooks import connauth_describe_methods
from connauth_oauth1a._hooks import connauth_http_auth
from connauth_oauth1a._hooks import connauth_migrate
from connauth_oauth1a._hooks import connauth_refresh
from connauth_oauth1a._hooks import connauth_validate_prerequisites
from connauth_oauth1a._keys import KeyPair
from connauth_oauth1a._keys import generate_key_pair
from connauth_oauth1a._keys import load_private_key
from connauth_oauth1a._keys import public_key_pem
from connauth_oauth1a._problems import oauth_problem_error
from connauth_oauth1a._problems import parse_oauth_problem
from connauth_oauth1a._problems import raise_for_oauth_problem
from connauth_oauth1a._signer import SIGNATURE_METHOD
from connauth_oauth1a._signer import OAuth1Signer
from connauth_oauth1a._signer import SignedRequest

CONNAUTH_HOOK_API = "1.0"
"""The connauth hook API version this plugin was written for."""

__all__ = [
    "CONNAUTH_HOOK_API",
    "METHOD",
    "SIGNATURE_METHOD",
    "ApplicationLinkLogin",
    "ConsumerKeyUnknown",
    "KeyPair",
    "NonceUsed",
    "OAuth1Auth",
    "OAuth1Signer",
    "OAuth1aConfig",
    "OAuth1aProblem",
    "PermissionDenied",
    "SignatureInvalid",
    "SignatureMethodRejected",
    "SignedRequest",
    "TimestampRefused",
    "TokenExpired",
    "TokenRejected",
    "connauth_authenticate",
    "connauth_checklist",
    "connauth_connectivity_checks",
    "connauth_describe_methods",
    "connauth_http_auth",
    "connauth_migrate",
    "connauth_refresh",
    "connauth_validate_prerequisites",
    "generate_key_pair",
    "load_private_key",
    "oauth_problem_error",
    "parse_oauth_problem",
    "public_key_pem",
    "raise_for_oauth_problem",
    "signer_for",
]
