"""Scope names of Atlassian Cloud 3LO and of the Jira Data Center OAuth 2.0 provider.

Names and titles follow Atlassian's scope documentation: for Cloud, the titles
are those the developer console and the consent screen show; for Data Center,
those Jira shows when an admin creates an incoming application link.
"""

from __future__ import annotations

import re

__all__ = [
    "CLOUD_BASE_SCOPES",
    "CLOUD_SCOPE_TITLES",
    "DC_DEFAULT_SCOPES",
    "DC_KNOWN_SCOPES",
    "DC_SCOPE_TITLES",
    "OFFLINE_ACCESS",
    "is_jira_cloud_scope",
    "is_scope_token",
]

OFFLINE_ACCESS = "offline_access"
"""Cloud scope that makes the token endpoint issue a refresh token. It is
requested in the authorization URL only: the developer console does not list it."""

CLOUD_BASE_SCOPES: tuple[str, ...] = (
    "read:jira-work",
    "read:jira-user",
    "write:jira-work",
)
"""Cloud scopes requested when the configuration leaves ``scopes`` unset
(``offline_access`` is added to them when refresh is enabled)."""

CLOUD_SCOPE_TITLES: dict[str, str] = {
    "read:jira-work": "View Jira issue data",
    "read:jira-user": "View user profiles",
    "write:jira-work": "Create and manage issues",
    "manage:jira-project": "Manage project settings",
    "manage:jira-configuration": "Manage Jira global settings",
    "manage:jira-webhook": "Manage Jira webhooks",
}
"""Classic Jira scopes and the titles that the developer console shows for them."""

DC_DEFAULT_SCOPES: tuple[str, ...] = ("WRITE",)
"""Data Center scopes requested when the configuration leaves ``scopes`` unset."""
# NOTE: this assumes a WRITE token may also read (GET myself, issues). The
# sandbox behaves so, but Atlassian's scope list does not state it.

DC_SCOPE_TITLES: dict[str, str] = {
    "READ": "View projects and issues",
    "WRITE": "Create, update, and delete projects and issues",
    "ADMIN": "Administer Jira",
    "SYSTEM_ADMIN": "Administer Jira system",
}
"""Data Center scopes and the titles Jira shows when an admin creates the link."""

DC_KNOWN_SCOPES: frozenset[str] = frozenset(
    {*DC_SCOPE_TITLES, "READ_ALL", "MANAGE_SUBSCRIPTIONS"}
)
"""Every Data Center scope that connauth recognizes; the last two exist from
Jira 10.3 on."""

# RFC 6749 §3.3: scope-token = 1*( %x21 / %x23-5B / %x5D-7E ).
_SCOPE_TOKEN = re.compile(r"[\x21\x23-\x5b\x5d-\x7e]+")


def is_scope_token(value: str) -> bool:
    """Return True when ``value`` is one scope token as RFC 6749 §3.3 defines it."""
    return _SCOPE_TOKEN.fullmatch(value) is not None


def is_jira_cloud_scope(scope: str) -> bool:
    """Return True when ``scope`` grants access to Jira on Cloud.

    Classic scopes end in ``jira-<something>`` (``read:jira-work``); granular
    ones end in ``:jira`` or ``:jira-<product>`` (``read:issue:jira``,
    ``read:sprint:jira-software``).
    """
    last = scope.rsplit(":", 1)[-1]
    return last == "jira" or last.startswith("jira-")
