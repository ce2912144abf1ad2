"""Hook implementations of the ``oauth2`` method.

Every method hook returns ``None`` for a method other than ``oauth2``, as the
hook contract requires, and raises ``TypeError`` if the core hands it a
configuration of another model.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import httpx

from connauth import Authorization
from connauth import BearerAuth
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
from connauth_oauth2._checklist import METHOD_NAME
from connauth_oauth2._checklist import build_checklist
from connauth_oauth2._checklist import checklist_for_config
from connauth_oauth2._checks import connectivity_checks
from connauth_oauth2._config import OAuth2Config
from connauth_oauth2._flow import OAuth2Authorization
from connauth_oauth2._migration import plan_migration
from connauth_oauth2._refresh import refresh_exchange
from connauth_oauth2._validation import validate_prerequisites

__all__ = [
    "METHOD_INFO",
    "connauth_authenticate",
    "connauth_checklist",
    "connauth_connectivity_checks",
    "connauth_describe_methods",
    "connauth_http_auth",
    "connauth_migrate",
    "connauth_refresh",
    "connauth_validate_prerequisites",
]

METHOD_INFO = MethodInfo(
    name=METHOD_NAME,
    title="OAuth 2.0",
    summary="Recommended: an admin authorizes once in the browser; works with "
    "Jira Cloud (Atlassian 3LO) and with Jira Data Center's OAuth 2.0 provider.",
    config_model=OAuth2Config,
    deployments=frozenset({Deployment.CLOUD, Deployment.DATA_CENTER}),
    lifecycle=Lifecycle.RECOMMENDED,
    interactive=True,
)


@hookimpl
def connauth_describe_methods() -> Sequence[MethodInfo]:
    """Describe the ``oauth2`` method."""
    return [METHOD_INFO]


@hookimpl
def connauth_checklist(
    method: str,
    host: HostIdentity,
    config: MethodConfig | None,
    deployment: Deployment | None,
) -> Checklist | None:
    """Return the checklist of the configured or chosen deployment, else Cloud's."""
    if method != METHOD_NAME:
        return None
    oauth2_config = _optional_config(config)
    if oauth2_config is None and deployment is not None:
        return build_checklist(host, deployment)
    return checklist_for_config(host, oauth2_config)


@hookimpl
def connauth_validate_prerequisites(
    method: str, config: MethodConfig, host: HostIdentity
) -> Sequence[CheckResult] | None:
    """Check the configuration against the host without sending anything."""
    if method != METHOD_NAME:
        return None
    return validate_prerequisites(_config(config), host)


@hookimpl
def connauth_connectivity_checks(
    method: str, config: MethodConfig
) -> Sequence[ConnectivityCheck] | None:
    """List the accessible-resources, granted-scopes and myself checks."""
    if method != METHOD_NAME:
        return None
    return connectivity_checks(_config(config))


@hookimpl
def connauth_authenticate(
    method: str, config: MethodConfig, host: HostIdentity
) -> Authorization | None:
    """Return the authorization-code flow of the connector."""
    if method != METHOD_NAME:
        return None
    return OAuth2Authorization(_config(config), host)


@hookimpl
def connauth_refresh(
    method: str, config: MethodConfig, tokens: TokenSet, now: datetime
) -> Exchange[TokenSet] | None:
    """Return the refresh exchange, or ``None`` when ``refresh`` is off."""
    if method != METHOD_NAME:
        return None
    oauth2_config = _config(config)
    if not oauth2_config.refresh:
        return None
    return refresh_exchange(oauth2_config, tokens, clock=lambda: now)


@hookimpl
def connauth_http_auth(
    method: str, config: MethodConfig, session: TokenSession
) -> httpx.Auth | None:
    """Return Bearer auth that refreshes through the core's session."""
    if method != METHOD_NAME:
        return None
    return BearerAuth(session)


@hookimpl
def connauth_migrate(
    method: str, source: MigrationSource, config: MethodConfig | None
) -> MigrationPlan | None:
    """Plan moving ``source`` to ``oauth2``."""
    if method != METHOD_NAME:
        return None
    return plan_migration(source, _optional_config(config))


def _config(config: MethodConfig) -> OAuth2Config:
    if not isinstance(config, OAuth2Config):
        raise TypeError(
            f"the oauth2 method needs an OAuth2Config, got {type(config).__name__}"
        )
    return config


def _optional_config(config: MethodConfig | None) -> OAuth2Config | None:
    return None if config is None else _config(config)
