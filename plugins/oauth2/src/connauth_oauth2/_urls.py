"""Comparison of the URLs admins type, without rewriting them."""

from __future__ import annotations

from urllib.parse import urlsplit

__all__ = ["is_atlassian_cloud_host", "is_under", "site_key"]

_CLOUD_SITE_SUFFIXES = (".atlassian.net", ".jira.com")


def site_key(url: str) -> tuple[str, str, int, str]:
    """Return ``url``'s scheme, host, port and path in comparable form.

    Scheme and host are lower-cased, the default port is filled in, and a
    trailing slash is removed from the path. An invalid port gives -1.
    """
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    try:
        port = parts.port or (443 if scheme == "https" else 80)
    except ValueError:
        port = -1
    return scheme, (parts.hostname or "").lower(), port, parts.path.rstrip("/")


def is_under(url: str, base_url: str) -> bool:
    """Return True when ``url`` is an HTTPS URL on ``base_url``'s origin, below
    its path."""
    scheme, host, port, path = site_key(url)
    base_scheme, base_host, base_port, base_path = site_key(base_url)
    return (
        scheme == base_scheme == "https"
        and host == base_host
        and port == base_port != -1
        and path.startswith(base_path + "/")
    )


def is_atlassian_cloud_host(url: str) -> bool:
    """Return True when ``url``'s host is an Atlassian Cloud site (``*.atlassian.net``,
    or ``*.jira.com`` for older sites)."""
    host = (urlsplit(url).hostname or "").lower()
    return host.endswith(_CLOUD_SITE_SUFFIXES)
