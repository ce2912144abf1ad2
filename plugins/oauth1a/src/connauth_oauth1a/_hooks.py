"""Hook implementations: how the core reaches this plugin.

Every method hook returns ``None`` when ``method`` is not ``oauth1a``.
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
from connauth_oauth1a._auth import OAuth1Auth
from connauth_oauth1a._checklist import build_checklist
from connauth_oauth1a._checks import connectivity_checks
from connauth_oauth1a._config import OAuth1aConfig
from connauth_oauth1a._config import signer_for
from connauth_oauth1a._flow import ApplicationLinkLogin
from connauth_oauth1a._validation import validate_prerequisites

__all__ = [
    "METHOD",
    "connauth_authenticate",
    "connauth_checklist",
    "connauth_connectivity_checks",
    "connauth_describe_methods",
    "connauth_http_auth",
    "connauth_migrate",
    "connauth_refresh",
    "connauth_validate_prerequisites",
]

METHOD = "oauth1a"

BLOCKED_MIGRATION = (
    "OAuth 1.0a is deprecated, so no connector is moved to it; move connectors "
    "to oauth2 instead"
)


@hookimpl
def connauth_describe_methods() -> Sequence[MethodInfo]:
    return [
        MethodInfo(
            name=METHOD,
            title="OAuth 1.0a application link",
            summary="Jira Data Center sites with an existing OAuth 1.0a (RSA-SHA1) "
            "application link; use OAuth 2.0 for new connections.",
            config_model=OAuth1aConfig,
            deployments=frozenset({Deployment.DATA_CENTER}),
            lifecycle=Lifecycle.DEPRECATED,
            replacement="oauth2",
            interactive=True,
        )
    ]


@hookimpl
def connauth_checklist(
    method: str, host: HostIdentity, config: MethodConfig | None
) -> Checklist | None:
    if method != METHOD:
        return None
    return build_checklist(host, config)


@hookimpl
def connauth_validate_prerequisites(
    method: str, config: MethodConfig, host: HostIdentity
) -> Sequence[CheckResult] | None:
    if method != METHOD:
        return None
    return validate_prerequisites(config, host)


@hookimpl
def connauth_connectivity_checks(
    method: str, config: MethodConfig
) -> Sequence[ConnectivityCheck] | None:
    if method != METHOD:
        return None
    return connectivity_checks(config)


@hookimpl
def connauth_authenticate(
    method: str, config: MethodConfig, host: HostIdentity
) -> Authorization | None:
    if method != METHOD:
        return None
    return ApplicationLinkLogin(_own(config))


@hookimpl
def connauth_refresh(
    method: str, config: MethodConfig, tokens: TokenSet
) -> Exchange[TokenSet] | None:
    # NOTE: Jira can renew an access token with oauth_session_handle, but its
    # tokens live five years by default, so connauth does not renew them: an
    # expired token means a new login.
    return None


@hookimpl
def connauth_http_auth(
    method: str, config: MethodConfig, session: TokenSession
) -> httpx.Auth | None:
    if method != METHOD:
        return None
    return OAuth1Auth(signer_for(_own(config)), session=session)


@hookimpl
def connauth_migrate(
    method: str, source: MigrationSource, config: MethodConfig | None
) -> MigrationPlan | None:
    if method != METHOD:
        return None
    return MigrationPlan(
        source_method=source.method,
        target=METHOD,
        carries_over=(),
        target_needs=("site_url", "consumer_key", "private_key"),
        source_credentials="kept unchanged; nothing moves",
        requires_reauthorization=True,
        blocked=BLOCKED_MIGRATION,
    )


def _own(config: MethodConfig) -> OAuth1aConfig:
    if not isinstance(config, OAuth1aConfig):
        raise TypeError(f"expected an OAuth1aConfig, got {type(config).__name__}")
    return config
