"""Hook implementations: the plugin's interface to the connauth core.

Every method hook dispatches on ``method`` and returns ``None`` for a method
that is not ``basic`` or ``pat``.
"""

from __future__ import annotations

from collections.abc import Sequence

import httpx

from connauth import Authorization
from connauth import Checklist
from connauth import CheckResult
from connauth import ConnectivityCheck
from connauth import Deployment
from connauth import Exchange
from connauth import HostIdentity
from connauth import Lifecycle
from connauth import MethodConfig
from connauth import MethodInfo
from connauth import MigrationPlan
from connauth import MigrationSource
from connauth import TokenSession
from connauth import TokenSet
from connauth import hookimpl
from connauth_basic._auth import auth_for
from connauth_basic._checklist import basic_checklist
from connauth_basic._checklist import pat_checklist
from connauth_basic._checks import connectivity_checks
from connauth_basic._config import BasicConfig
from connauth_basic._config import PatConfig
from connauth_basic._flow import CredentialLogin
from connauth_basic._migration import plan_migration
from connauth_basic._validation import validate_basic
from connauth_basic._validation import validate_pat

__all__ = [
    "BASIC",
    "METHODS",
    "PAT",
    "connauth_authenticate",
    "connauth_checklist",
    "connauth_connectivity_checks",
    "connauth_describe_methods",
    "connauth_http_auth",
    "connauth_migrate",
    "connauth_refresh",
    "connauth_validate_prerequisites",
]

BASIC = "basic"
PAT = "pat"

METHODS = (
    MethodInfo(
        name=BASIC,
        title="Jira Cloud email and API token",
        summary="Jira Cloud with an Atlassian account's email and API token, sent "
        "as Basic authentication; use a dedicated service account, not a "
        "person's account.",
        config_model=BasicConfig,
        deployments=frozenset({Deployment.CLOUD}),
        lifecycle=Lifecycle.SUPPORTED,
        interactive=False,
    ),
    MethodInfo(
        name=PAT,
        title="Jira Data Center personal access token",
        summary="Jira Data Center 8.14 or later with a personal access token, sent "
        "as a Bearer token.",
        config_model=PatConfig,
        deployments=frozenset({Deployment.DATA_CENTER}),
        lifecycle=Lifecycle.SUPPORTED,
        interactive=False,
    ),
)


def _own_config(
    method: str, config: MethodConfig | None
) -> BasicConfig | PatConfig | None:
    """Return ``config`` when ``method`` is this plugin's and ``config`` matches it."""
    if method == BASIC and isinstance(config, BasicConfig):
        return config
    if method == PAT and isinstance(config, PatConfig):
        return config
    return None


@hookimpl
def connauth_describe_methods() -> Sequence[MethodInfo]:
    return METHODS


@hookimpl
def connauth_checklist(
    method: str, host: HostIdentity, config: MethodConfig | None
) -> Checklist | None:
    if method == BASIC:
        return basic_checklist(host)
    if method == PAT:
        return pat_checklist(host)
    return None


@hookimpl
def connauth_validate_prerequisites(
    method: str, config: MethodConfig, host: HostIdentity
) -> Sequence[CheckResult] | None:
    own = _own_config(method, config)
    if isinstance(own, BasicConfig):
        return validate_basic(own)
    if isinstance(own, PatConfig):
        return validate_pat(own)
    return None


@hookimpl
def connauth_connectivity_checks(
    method: str, config: MethodConfig
) -> Sequence[ConnectivityCheck] | None:
    own = _own_config(method, config)
    return connectivity_checks(own) if own is not None else None


@hookimpl
def connauth_authenticate(
    method: str, config: MethodConfig, host: HostIdentity
) -> Authorization | None:
    own = _own_config(method, config)
    return CredentialLogin(own) if own is not None else None


@hookimpl
def connauth_refresh(
    method: str, config: MethodConfig, tokens: TokenSet
) -> Exchange[TokenSet] | None:
    # Neither method has tokens to refresh: the credentials are the config.
    return None


@hookimpl
def connauth_http_auth(
    method: str, config: MethodConfig, session: TokenSession
) -> httpx.Auth | None:
    # The credentials come from the configuration, not from the token store.
    own = _own_config(method, config)
    return auth_for(own) if own is not None else None


@hookimpl
def connauth_migrate(
    method: str, source: MigrationSource, config: MethodConfig | None
) -> MigrationPlan | None:
    if method not in (BASIC, PAT):
        return None
    return plan_migration(method, source)
