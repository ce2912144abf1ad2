"""Atlassian's accessible-resources list, and picking the configured site in it.

``GET {accessible_resources_url}`` returns a JSON array with one entry per
site and product the grant covers: ``id`` (the cloud id), ``name``, ``url``,
``scopes`` and ``avatarUrl``. Atlassian notes that ``id`` is not unique across
containers, so when several entries share the site's URL the one whose scopes
are Jira scopes wins.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import httpx

from connauth import ProtocolError
from connauth_oauth2._errors import SiteNotGranted
from connauth_oauth2._scopes import is_jira_cloud_scope
from connauth_oauth2._steps import CLOUD_STEPS
from connauth_oauth2._urls import site_key

__all__ = [
    "CloudResource",
    "accessible_resources_request",
    "parse_accessible_resources",
    "same_site",
    "select_site",
]

# Cloud ids are UUIDs. The id becomes part of the API base URL's path, so only
# letters, digits and "-" are accepted.
_CLOUD_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9-]{0,63}")


@dataclass(frozen=True)
class CloudResource:
    """One entry of the accessible-resources list."""

    cloud_id: str
    name: str
    url: str
    scopes: tuple[str, ...]

    @property
    def has_jira_scope(self) -> bool:
        """True when any of the entry's scopes grants access to Jira."""
        return any(is_jira_cloud_scope(scope) for scope in self.scopes)


def accessible_resources_request(url: str, access_token: str) -> httpx.Request:
    """Build the request that lists the sites an access token's grant covers."""
    headers = {"Authorization": f"Bearer {access_token}", "Accept": "application/json"}
    return httpx.Request("GET", url, headers=headers)


def parse_accessible_resources(response: httpx.Response) -> list[CloudResource]:
    """Return the entries of an accessible-resources response.

    Raises :class:`ProtocolError` for any status but 200 or a body that is not
    a list of objects with string ``id``, ``name`` and ``url``.
    """
    where = f"GET {response.request.url}"
    if response.status_code != 200:
        raise ProtocolError(
            f"{where} returned {response.status_code}, so the new access token was "
            "not accepted, so start the login again"
        )
    try:
        body = response.json()
    except ValueError:
        body = None
    if not isinstance(body, list):
        raise ProtocolError(f"{where} did not return a JSON array")
    return [_resource(entry, where) for entry in body]


def same_site(left: str, right: str) -> bool:
    """Return True when two site URLs name the same site.

    Scheme and host compare without regard to case, default ports are filled
    in, and a trailing slash on the path is ignored.
    """
    return site_key(left) == site_key(right)


def select_site(resources: Sequence[CloudResource], site_url: str) -> CloudResource:
    """Return the entry of ``site_url``, preferring one with Jira scopes.

    Raises :class:`SiteNotGranted` listing the covered sites when none matches.
    """
    matches = [resource for resource in resources if same_site(resource.url, site_url)]
    for resource in matches:
        if resource.has_jira_scope:
            return resource
    if matches:
        return matches[0]
    raise _not_granted(resources, site_url)


def _resource(entry: Any, where: str) -> CloudResource:
    if not isinstance(entry, dict):
        raise ProtocolError(f"{where} listed an entry that is not a JSON object")
    fields = [entry.get(key) for key in ("id", "name", "url")]
    if not all(isinstance(value, str) for value in fields):
        raise ProtocolError(f"{where} listed an entry without string id, name and url")
    cloud_id, name, url = (str(value) for value in fields)
    if _CLOUD_ID.fullmatch(cloud_id) is None:
        raise ProtocolError(
            f"{where} listed site {name} with an invalid cloud id; a cloud id "
            "contains only letters, digits and '-'"
        )
    scopes = entry.get("scopes")
    if not isinstance(scopes, list):
        scopes = []
    return CloudResource(
        cloud_id=cloud_id,
        name=name,
        url=url,
        scopes=tuple(scope for scope in scopes if isinstance(scope, str)),
    )


def _not_granted(resources: Sequence[CloudResource], site_url: str) -> SiteNotGranted:
    granted = tuple(
        dict.fromkeys((resource.name, resource.url) for resource in resources)
    )
    if granted:
        listed = ", ".join(f"{name} ({url})" for name, url in granted)
        covered = f"it covers {listed}"
    else:
        covered = "it covers no site"
    return SiteNotGranted(
        f"the grant does not include the configured site_url {site_url} ({covered}); "
        f"start the login again and choose {site_url} on Atlassian's consent "
        "screen, or correct site_url",
        granted=granted,
        step=CLOUD_STEPS.site,
    )
