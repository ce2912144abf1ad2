"""What a method plugin tells the core about itself."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Any

from connauth._config import MethodConfig

__all__ = ["Deployment", "Lifecycle", "MethodInfo"]


class Deployment(enum.StrEnum):
    """Kinds of Jira deployment."""

    CLOUD = "cloud"
    DATA_CENTER = "datacenter"


class Lifecycle(enum.StrEnum):
    """Lifecycle phase of a method, in the order a method passes through them.

    A plugin declares its default phase in :class:`MethodInfo`; a host's
    lifecycle policy may set another phase and dates (see
    :class:`~connauth._lifecycle.LifecyclePolicy`).
    """

    RECOMMENDED = "recommended"
    SUPPORTED = "supported"
    DEPRECATED = "deprecated"
    """Works, but every login and use emits ``MethodDeprecationWarning``."""
    CLOSED = "closed"
    """No new connectors; connectors already stored with the method still work."""
    RETIRED = "retired"
    """Connectors of the method can no longer be used; they must be migrated."""
    REMOVED = "removed"
    """The method's plugin is not installed. Never declared by a plugin."""


@dataclass(frozen=True)
class MethodInfo:
    """Description of one authentication method.

    Attributes:
        name: stable identifier, equal to the entry-point name.
        title: human-readable name.
        summary: one sentence on when to use it.
        config_model: the pydantic model of the method's configuration.
        deployments: the Jira deployments it works with.
        lifecycle: the plugin's default lifecycle phase.
        replacement: the method to move to when this one is phased out.
        interactive: whether login needs an admin in a browser.
    """

    name: str
    title: str
    summary: str
    config_model: type[MethodConfig]
    deployments: frozenset[Deployment]
    lifecycle: Lifecycle = Lifecycle.SUPPORTED
    replacement: str | None = None
    interactive: bool = True

    def config_schema(self) -> dict[str, Any]:
        """Return the JSON Schema of the configuration; secret fields appear as
        ``writeOnly`` password strings, with no value or default."""
        return self.config_model.model_json_schema()
