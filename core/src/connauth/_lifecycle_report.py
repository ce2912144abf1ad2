"""The lifecycle report: which connectors use which method, in which phase.

It gives an operator who retires a method what they need to know: how many
connectors each method still has, how many days remain to each sunset,
which connectors keep a method's plugin from being uninstalled, and which
connectors are orphaned because their method's plugin is already gone.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING
from typing import Any

from connauth._journal import MigrationJournal
from connauth._journal import MigrationState
from connauth._journal import connector_records
from connauth._lifecycle import MethodStatus
from connauth._method import Lifecycle
from connauth._notices import LifecycleNotice
from connauth._notices import lifecycle_notice

if TYPE_CHECKING:
    from connauth._connauth import Connauth

__all__ = [
    "METHOD_NOT_INSTALLED",
    "ConnectorLifecycle",
    "LifecycleReport",
    "MethodLifecycle",
    "build_lifecycle_report",
]

METHOD_NOT_INSTALLED = "method not installed"
"""The status shown for a connector whose method's plugin is not installed."""


@dataclass(frozen=True)
class MethodLifecycle:
    """One method's lifecycle and the connectors stored with it.

    Every connector in ``connectors`` blocks uninstalling the method's plugin:
    it would be orphaned.
    """

    status: MethodStatus
    notice: LifecycleNotice
    connectors: tuple[str, ...]
    record_statuses: dict[str, int]

    def to_dict(self) -> dict[str, Any]:
        """Return the method's part of the report as JSON-compatible data."""
        return {
            **self.notice.to_dict(),
            "installed": self.status.installed,
            "default_phase": (
                self.status.default_phase.value if self.status.default_phase else None
            ),
            "connector_count": len(self.connectors),
            "record_statuses": self.record_statuses,
            "blocks_removal": list(self.connectors),
        }


@dataclass(frozen=True)
class ConnectorLifecycle:
    """One stored connector with its method's phase and its migration state."""

    connector_id: str
    method: str
    phase: Lifecycle
    status: str
    site_url: str
    migration: MigrationState | None

    def to_dict(self) -> dict[str, Any]:
        """Return the connector's row as JSON-compatible data."""
        return {
            "id": self.connector_id,
            "method": self.method,
            "phase": self.phase.value,
            "status": self.status,
            "site_url": self.site_url,
            "migration": self.migration.value if self.migration else None,
        }


@dataclass(frozen=True)
class LifecycleReport:
    """Methods and connectors at ``generated_at``, both ordered by name."""

    generated_at: datetime
    methods: tuple[MethodLifecycle, ...]
    connectors: tuple[ConnectorLifecycle, ...]

    @property
    def orphans(self) -> list[ConnectorLifecycle]:
        """Connectors whose method's plugin is not installed."""
        return [row for row in self.connectors if row.status == METHOD_NOT_INSTALLED]

    def to_dict(self) -> dict[str, Any]:
        """Return the report as JSON-compatible data."""
        return {
            "generated_at": self.generated_at.isoformat(),
            "methods": [method.to_dict() for method in self.methods],
            "connectors": [row.to_dict() for row in self.connectors],
            "orphans": [row.to_dict() for row in self.orphans],
        }


def build_lifecycle_report(connauth: Connauth) -> LifecycleReport:
    """Build the report from the registry, the lifecycle policy and the store.

    Lists every installed method, every method a stored connector uses, and
    every method the policy names.
    """
    records = connector_records(connauth.store)
    journal = MigrationJournal(connauth.store, clock=connauth._clock)
    migrations = {entry.connector_id: entry.state for entry in journal.entries()}
    names = {info.name for info in connauth.methods()}
    names |= {record.method for record in records}
    names |= set(connauth.lifecycle_policy.methods())
    statuses = {name: connauth.lifecycle_status(name) for name in names}

    methods = []
    for name in sorted(names):
        mine = [record for record in records if record.method == name]
        methods.append(
            MethodLifecycle(
                status=statuses[name],
                notice=lifecycle_notice(statuses[name]),
                connectors=tuple(record.connector_id for record in mine),
                record_statuses=dict(Counter(record.status.value for record in mine)),
            )
        )
    connectors = [
        ConnectorLifecycle(
            connector_id=record.connector_id,
            method=record.method,
            phase=statuses[record.method].phase,
            status=(
                record.status.value
                if statuses[record.method].installed
                else METHOD_NOT_INSTALLED
            ),
            site_url=record.site_url,
            migration=migrations.get(record.connector_id),
        )
        for record in records
    ]
    return LifecycleReport(
        generated_at=connauth._clock(),
        methods=tuple(methods),
        connectors=tuple(connectors),
    )
