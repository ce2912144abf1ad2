"""Plans for moving a connector from another method to ``oauth2``.

Typical moves are OAuth 1.0a application links on Data Center and Basic API
tokens on Cloud. The plan rests only on what the core stores about the
source connector (method, site URL, non-secret ``data``), so it works even
when the source method's plugin is gone.
"""

from __future__ import annotations

from connauth import Deployment
from connauth import MigrationPlan
from connauth import MigrationSource
from connauth_oauth2._checklist import METHOD_NAME
from connauth_oauth2._config import OAuth2Config
from connauth_oauth2._urls import is_atlassian_cloud_host
from connauth_oauth2._urls import site_key
from connauth_oauth2._versions import DC_PROVIDER_SINCE
from connauth_oauth2._versions import parse_version

__all__ = ["SOURCE_CREDENTIALS", "plan_migration"]

SOURCE_CREDENTIALS = "deleted after the new credentials are verified"

# Values other plugins store as data["deployment"]; Jira Server counts as
# Data Center here because both run the same provider.
_DEPLOYMENTS = {
    "cloud": Deployment.CLOUD,
    "datacenter": Deployment.DATA_CENTER,
    "server": Deployment.DATA_CENTER,
}


def plan_migration(
    source: MigrationSource, config: OAuth2Config | None
) -> MigrationPlan:
    """Return the plan for moving ``source`` to ``oauth2``.

    The deployment comes from ``source.data["deployment"]``, else from the
    site's host name (``*.atlassian.net`` is Cloud), else from ``config``. A
    Data Center site older than the OAuth 2.0 provider blocks the move, as
    does a ``config`` for another site or deployment.
    """
    recorded = _recorded_deployment(source)
    deployment = recorded or _deployment_from_host(source.site_url)
    if deployment is None and config is not None:
        deployment = config.deployment

    carries_over = ["site_url"]
    if recorded is not None:
        carries_over.append("deployment")
    if config is not None:
        target_needs: tuple[str, ...] = ()
    elif deployment is None:
        target_needs = ("deployment", "client_id", "client_secret")
    else:
        target_needs = ("client_id", "client_secret")

    return MigrationPlan(
        source_method=source.method,
        target=METHOD_NAME,
        carries_over=tuple(carries_over),
        target_needs=target_needs,
        source_credentials=SOURCE_CREDENTIALS,
        requires_reauthorization=True,
        blocked=_blocked(source, config, deployment),
    )


def _recorded_deployment(source: MigrationSource) -> Deployment | None:
    value = source.data.get("deployment", "").strip().lower()
    return _DEPLOYMENTS.get(value)


def _deployment_from_host(site_url: str) -> Deployment | None:
    return Deployment.CLOUD if is_atlassian_cloud_host(site_url) else None


def _blocked(
    source: MigrationSource, config: OAuth2Config | None, deployment: Deployment | None
) -> str | None:
    if source.method == METHOD_NAME:
        return (
            f"connector {source.connector_id!r} already uses {METHOD_NAME}; log in "
            "again instead of migrating"
        )
    if config is not None and site_key(config.site_url) != site_key(source.site_url):
        return (
            f"the new configuration's site_url {config.site_url} differs from the "
            f"connector's site {source.site_url}; a migration keeps the site"
        )
    if config is not None and deployment is not config.deployment:
        return (
            f"the connector's site is a {deployment} deployment, but the new "
            f"configuration says deployment {config.deployment.value!r}; correct it"
        )
    if deployment is Deployment.DATA_CENTER:
        return _too_old(source)
    return None


def _too_old(source: MigrationSource) -> str | None:
    text = source.data.get("server_version")
    version = parse_version(text) if text else None
    if version is None or version >= DC_PROVIDER_SINCE:
        return None
    since = ".".join(str(part) for part in DC_PROVIDER_SINCE)
    return (
        f"Jira {text} at {source.site_url} predates the OAuth 2.0 provider, which "
        f"Jira Data Center has from version {since}; upgrade Jira first, or keep "
        f"method {source.method!r}"
    )
