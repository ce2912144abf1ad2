"""Plans for moving a connector from another method to ``basic`` or ``pat``."""

from __future__ import annotations

from connauth import MigrationPlan
from connauth import MigrationSource
from connauth_basic._config import is_cloud_host

__all__ = ["plan_migration"]

_NEEDS = {"basic": ("email", "api_token"), "pat": ("token",)}


def plan_migration(target: str, source: MigrationSource) -> MigrationPlan:
    """Plan moving ``source`` to ``target`` (``basic`` or ``pat``).

    The site URL carries over. The new credentials come from the admin, so the
    move needs no browser login. A ``pat`` target is blocked for a Jira Cloud
    site, because Cloud has no personal access tokens.
    """
    blocked = None
    if target == "pat" and is_cloud_host(source.site_url):
        blocked = (
            f"{source.site_url} is Jira Cloud, which does not accept personal "
            "access tokens; move the connector to 'basic' or 'oauth2' instead"
        )
    return MigrationPlan(
        source_method=source.method,
        target=target,
        carries_over=("site_url",),
        target_needs=_NEEDS[target],
        source_credentials=f"not used by {target}; revoke them in Jira once the "
        "connector works with the new credentials",
        requires_reauthorization=False,
        blocked=blocked,
    )
