"""Jira Data Center versions that matter to the OAuth 2.0 provider."""

from __future__ import annotations

import re

__all__ = ["DC_PROVIDER_SINCE", "parse_version"]

# NOTE: 8.22 comes from third-party setup guides, not from Atlassian's release
# notes.
DC_PROVIDER_SINCE: tuple[int, int] = (8, 22)
"""First Jira Data Center version with the OAuth 2.0 provider (incoming links)."""

_VERSION = re.compile(r"\s*(\d+)\.(\d+)")


def parse_version(text: str) -> tuple[int, int] | None:
    """Return the major and minor numbers of a version such as ``9.12.3``."""
    match = _VERSION.match(text)
    if match is None:
        return None
    return int(match.group(1)), int(match.group(2))
