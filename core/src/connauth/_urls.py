"""Validation of the URLs that admins paste into configuration.

URLs are checked but never rewritten: an OAuth ``redirect_uri`` must reach the
server byte for byte as registered, so a trailing slash added by a URL type
(pydantic's ``HttpUrl`` adds one) would break the code exchange.
"""

from __future__ import annotations

from urllib.parse import urlsplit

__all__ = ["check_url", "origin_of"]


def check_url(value: str, *, field: str, allow_http: bool = False) -> str:
    """Check that ``value`` is an absolute HTTPS URL without credentials or fragment.

    Returns ``value`` unchanged. Raises ``ValueError`` naming ``field`` and
    the fix; the message repeats the URL with any user-info removed.
    """
    parts = urlsplit(value)
    shown = value if parts.username is None else _without_userinfo(value)
    allowed = ("https", "http") if allow_http else ("https",)
    if parts.scheme.lower() not in allowed or not parts.hostname:
        wanted = "an absolute http(s) URL" if allow_http else "an absolute https:// URL"
        raise ValueError(f"{field} must be {wanted}, got {shown!r}")
    if parts.username is not None or parts.password is not None:
        raise ValueError(
            f"{field} must not contain a user name or password; remove them from "
            f"{shown!r} and give credentials in their own fields"
        )
    if parts.fragment or value.endswith("#"):
        raise ValueError(f"{field} must not contain a fragment ('#...'): {shown!r}")
    return value


def origin_of(url: str) -> tuple[str, str, int]:
    """Return the (scheme, host, port) origin of ``url``, filling in default ports."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    port = parts.port or (443 if scheme == "https" else 80)
    return scheme, (parts.hostname or "").lower(), port


def _without_userinfo(value: str) -> str:
    parts = urlsplit(value)
    host = parts.hostname or ""
    netloc = f"{host}:{parts.port}" if parts.port else host
    return parts._replace(netloc=netloc).geturl()
