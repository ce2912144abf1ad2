"""The migration journal: each connector's migration state, kept in the token store.

A migration writes three kinds of records beside the connector's own record,
under ids that no connector can have (connector ids may not contain ``:``):

- ``connauth:migration:<id>`` contains the journal entry, as JSON in ``data``;
- ``connauth:staged:<id>`` holds the new credentials until they are verified
  and switched in;
- ``connauth:previous:<id>`` holds a copy of the old record, from just before
  the switch until the rollback window ends.

Keeping them in the token store means they are encrypted like credentials,
work with every store backend, and are written with the same
compare-and-swap, so two workers cannot both advance one connector.
:func:`connector_records` lists the store without them.
"""

from __future__ import annotations

import enum
import json
from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field
from dataclasses import replace
from datetime import datetime
from typing import Any

from connauth._errors import ConnauthError
from connauth._store import RESERVED_ID_PREFIX
from connauth._store import CredentialRecord
from connauth._store import TokenStore

__all__ = [
    "RESERVED_PREFIX",
    "MigrationEntry",
    "MigrationError",
    "MigrationJournal",
    "MigrationState",
    "connector_records",
    "is_reserved_id",
    "journal_id",
    "previous_id",
    "staged_id",
]

RESERVED_PREFIX = RESERVED_ID_PREFIX

_HISTORY_LIMIT = 50
"""State changes kept per entry; older ones are dropped first."""


def journal_id(connector_id: str) -> str:
    """Return the store id of ``connector_id``'s journal entry."""
    return f"{RESERVED_PREFIX}migration:{connector_id}"


def staged_id(connector_id: str) -> str:
    """Return the store id of ``connector_id``'s new, not yet verified credentials."""
    return f"{RESERVED_PREFIX}staged:{connector_id}"


def previous_id(connector_id: str) -> str:
    """Return the store id of ``connector_id``'s old credentials kept for rollback."""
    return f"{RESERVED_PREFIX}previous:{connector_id}"


def is_reserved_id(record_id: str) -> bool:
    """Return whether a store id belongs to migration state, not to a connector."""
    return record_id.startswith(RESERVED_PREFIX)


def connector_records(store: TokenStore) -> list[CredentialRecord]:
    """Return the store's connector records, without migration state."""
    return [
        record for record in store.list() if not is_reserved_id(record.connector_id)
    ]


class MigrationError(ConnauthError):
    """A migration step could not run; the connector keeps a working method."""


class MigrationState(enum.StrEnum):
    """Step of a connector's migration, in the order of a successful run."""

    PLANNED = "planned"
    LOGIN_STARTED = "login_started"
    """An admin must approve the target method's login at ``login_url``."""
    CREDENTIALS_OBTAINED = "credentials_obtained"
    """The new credentials are stored aside, not yet verified."""
    VERIFIED = "verified"
    """The new credentials passed the target method's connectivity checks."""
    SWITCHED = "switched"
    """The connector uses the new method; the old credentials are kept until
    ``rollback_until``."""
    OLD_CREDENTIALS_REMOVED = "old_credentials_removed"
    """Finished: the old credentials are deleted."""
    FAILED = "failed"
    """A step failed; the connector still uses its old method. Running the
    migration again starts over with a new login."""
    BLOCKED = "blocked"
    """The plan blocks the move; ``message`` gives the reason."""
    ROLLED_BACK = "rolled_back"
    """The old credentials were restored within the rollback window."""


NEEDS_LOGIN = frozenset(
    {
        MigrationState.PLANNED,
        MigrationState.LOGIN_STARTED,
        MigrationState.FAILED,
        MigrationState.BLOCKED,
        MigrationState.ROLLED_BACK,
    }
)
"""States from which the migration continues with a (new) login."""


@dataclass(frozen=True)
class MigrationEntry:
    """One connector's migration, as the journal stores it.

    ``login_url`` carries the login's single-use ``state``, so it is left out
    of ``repr``. ``failed_step`` names the state the migration failed to
    reach. ``version`` is the store version of the entry.
    """

    connector_id: str
    migration_id: str
    source_method: str
    target_method: str
    site_url: str
    state: MigrationState
    started_at: datetime
    updated_at: datetime
    login_url: str | None = field(default=None, repr=False)
    login_state_hash: str | None = field(default=None, repr=False)
    login_expires_at: datetime | None = None
    rollback_until: datetime | None = None
    failed_step: MigrationState | None = None
    message: str | None = None
    checks: tuple[str, ...] = ()
    history: tuple[tuple[MigrationState, datetime], ...] = field(default=(), repr=False)
    version: int = 0

    def login_waiting(self, now: datetime) -> bool:
        """Return whether a started login can still be completed at ``now``."""
        return (
            self.state is MigrationState.LOGIN_STARTED
            and self.login_expires_at is not None
            and now < self.login_expires_at
        )

    def to_dict(self) -> dict[str, Any]:
        """Return the entry as JSON-compatible data, with the login URL."""
        return {
            "connector_id": self.connector_id,
            "migration_id": self.migration_id,
            "source_method": self.source_method,
            "target_method": self.target_method,
            "site_url": self.site_url,
            "state": self.state.value,
            "started_at": self.started_at.isoformat(),
            "updated_at": self.updated_at.isoformat(),
            "login_url": self.login_url,
            "login_state_hash": self.login_state_hash,
            "login_expires_at": _iso(self.login_expires_at),
            "rollback_until": _iso(self.rollback_until),
            "failed_step": self.failed_step.value if self.failed_step else None,
            "message": self.message,
            "checks": list(self.checks),
            "history": [[state.value, at.isoformat()] for state, at in self.history],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any], *, version: int) -> MigrationEntry:
        """Rebuild an entry written by :meth:`to_dict`."""
        failed = data.get("failed_step")
        return cls(
            connector_id=data["connector_id"],
            migration_id=data["migration_id"],
            source_method=data["source_method"],
            target_method=data["target_method"],
            site_url=data["site_url"],
            state=MigrationState(data["state"]),
            started_at=datetime.fromisoformat(data["started_at"]),
            updated_at=datetime.fromisoformat(data["updated_at"]),
            login_url=data.get("login_url"),
            login_state_hash=data.get("login_state_hash"),
            login_expires_at=_parse(data.get("login_expires_at")),
            rollback_until=_parse(data.get("rollback_until")),
            failed_step=MigrationState(failed) if failed else None,
            message=data.get("message"),
            checks=tuple(data.get("checks", ())),
            history=tuple(
                (MigrationState(state), datetime.fromisoformat(at))
                for state, at in data.get("history", ())
            ),
            version=version,
        )


class MigrationJournal:
    """Journal entries in a token store, one per connector.

    Every write is compare-and-swap on the entry's version, so a worker that
    read a stale entry gets :class:`~connauth.StoreConflict` instead of
    overwriting another worker's progress.
    """

    def __init__(self, store: TokenStore, *, clock: Callable[[], datetime]) -> None:
        self._store = store
        self._clock = clock

    def get(self, connector_id: str) -> MigrationEntry | None:
        """Return the entry of ``connector_id``, or ``None``."""
        record = self._store.get(journal_id(connector_id))
        return None if record is None else _entry_of(record)

    def entries(self) -> list[MigrationEntry]:
        """Return every entry, ordered by connector id."""
        # NOTE: the store protocol has no listing by id prefix, so this opens
        # every record in the store, connectors included.
        prefix = journal_id("")
        return [
            _entry_of(record)
            for record in self._store.list()
            if record.connector_id.startswith(prefix)
        ]

    def create(
        self,
        *,
        connector_id: str,
        migration_id: str,
        source_method: str,
        target_method: str,
        site_url: str,
        expected_version: int,
    ) -> MigrationEntry:
        """Write a new ``planned`` entry over any finished one of the connector."""
        now = self._clock()
        entry = MigrationEntry(
            connector_id=connector_id,
            migration_id=migration_id,
            source_method=source_method,
            target_method=target_method,
            site_url=site_url,
            state=MigrationState.PLANNED,
            started_at=now,
            updated_at=now,
            history=((MigrationState.PLANNED, now),),
            version=expected_version,
        )
        return self._write(entry)

    def advance(
        self, entry: MigrationEntry, state: MigrationState, **changes: Any
    ) -> MigrationEntry:
        """Write ``entry`` in ``state`` with ``changes`` applied; return it."""
        now = self._clock()
        history = (*entry.history, (state, now))[-_HISTORY_LIMIT:]
        updated = replace(
            entry, state=state, updated_at=now, history=history, **changes
        )
        return self._write(updated)

    def delete(self, connector_id: str) -> bool:
        """Delete the entry of ``connector_id``; return whether one existed."""
        return self._store.delete(journal_id(connector_id))

    def _write(self, entry: MigrationEntry) -> MigrationEntry:
        record = CredentialRecord(
            connector_id=journal_id(entry.connector_id),
            method=entry.target_method,
            site_url=entry.site_url,
            api_base_url="",
            tokens=None,
            updated_at=entry.updated_at,
            data={"entry": json.dumps(entry.to_dict())},
        )
        stored = self._store.put(record, expected_version=entry.version)
        return replace(entry, version=stored.version)


def _entry_of(record: CredentialRecord) -> MigrationEntry:
    return MigrationEntry.from_dict(
        json.loads(record.data["entry"]), version=record.version
    )


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _parse(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None
