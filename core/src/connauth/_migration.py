"""Plans for moving a connector from one method to another."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field

__all__ = ["MigrationPlan", "MigrationSource"]


@dataclass(frozen=True)
class MigrationSource:
    """A connector as the core stores it, independent of its method's plugin."""

    connector_id: str
    method: str
    site_url: str
    data: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class MigrationPlan:
    """What moving a connector to ``target`` involves.

    Attributes:
        source_method: the method the connector uses now.
        target: the method it moves to.
        carries_over: settings kept as they are, by name.
        target_needs: configuration fields the admin must supply, by name.
        source_credentials: what happens to the old credentials.
        requires_reauthorization: whether an admin must log in again.
        blocked: why the move cannot happen, or ``None`` when it can.
    """

    source_method: str
    target: str
    carries_over: tuple[str, ...]
    target_needs: tuple[str, ...]
    source_credentials: str
    requires_reauthorization: bool
    blocked: str | None = None
