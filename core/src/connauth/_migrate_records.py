"""The store side of migrations: journal steps, staged and old credentials, the switch.

Every write here goes to the token store with compare-and-swap, in an order
that keeps a working record for the connector at every moment:

- the new credentials are written to ``connauth:staged:<id>``, never over the
  connector's record;
- before the switch, the old record is copied to ``connauth:previous:<id>``;
- the switch replaces the connector's record in one write;
- the copies are deleted only after the journal records ``switched``.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime

from connauth._connector import Connector
from connauth._errors import ConnauthError
from connauth._errors import StoreConflict
from connauth._flow import LoginResult
from connauth._journal import NEEDS_LOGIN
from connauth._journal import MigrationEntry
from connauth._journal import MigrationError
from connauth._journal import MigrationJournal
from connauth._journal import MigrationState
from connauth._journal import previous_id
from connauth._journal import staged_id
from connauth._store import CredentialRecord
from connauth._store import RecordStatus
from connauth._store import TokenStore

__all__ = ["LEASE_TTL", "LEASE_WAIT", "ChangeListener", "MigrationRecords"]

logger = logging.getLogger(__name__)

LEASE_TTL = 60.0
"""Seconds a worker keeps a connector's migration lease. A crashed worker's
lease lapses after this time, so a rerun right after a crash waits that long."""

LEASE_WAIT = 90.0
"""Seconds a worker waits for another worker's migration lease."""

_SWITCH_ATTEMPTS = 3
"""Switch attempts when another writer (a token refresh) changes the record."""

ChangeListener = Callable[[MigrationEntry], None]


class MigrationRecords:
    """Reads and writes the records of migrations in one token store.

    Args:
        store: the token store.
        journal: the migration journal in that store.
        clock: returns the current aware UTC time.
        on_change: called with each journal entry right after it is written.
        forget_session: drops a connector's cached session after its record
            was replaced.
    """

    def __init__(
        self,
        store: TokenStore,
        journal: MigrationJournal,
        *,
        clock: Callable[[], datetime],
        on_change: ChangeListener | None,
        forget_session: Callable[[str], object],
    ) -> None:
        self._store = store
        self._journal = journal
        self._clock = clock
        self._on_change = on_change
        self._forget_session = forget_session

    def live(self, connector_id: str) -> CredentialRecord:
        """Return the connector's record; raise :class:`MigrationError` if none."""
        record = self._store.get(connector_id)
        if record is None:
            raise MigrationError(
                f"connector {connector_id!r} has no stored record to migrate; "
                "check the id with 'connauth connectors'",
                connector_id=connector_id,
            )
        return record

    # -- journal -------------------------------------------------------------

    def create(
        self,
        target: Connector,
        record: CredentialRecord,
        previous: MigrationEntry | None,
    ) -> MigrationEntry:
        """Start a new journal entry, over ``previous`` when there is one."""
        entry = self._journal.create(
            connector_id=target.id,
            migration_id=secrets.token_hex(8),
            source_method=record.method,
            target_method=target.method,
            site_url=record.site_url,
            expected_version=previous.version if previous else 0,
        )
        self._notify(entry)
        return entry

    def advance(
        self, entry: MigrationEntry, state: MigrationState, **changes: object
    ) -> MigrationEntry:
        """Write ``entry`` in ``state`` and tell the listener."""
        updated = self._journal.advance(entry, state, **changes)
        self._notify(updated)
        return updated

    def fail(
        self, entry: MigrationEntry, step: MigrationState, error: ConnauthError
    ) -> None:
        """Record that the migration failed before reaching ``step``."""
        logger.warning(
            "connector %s: migration to %s failed before step %s: %s",
            entry.connector_id,
            entry.target_method,
            step.value,
            error.message,
        )
        current = self._journal.get(entry.connector_id) or entry
        self.advance(
            current, MigrationState.FAILED, failed_step=step, message=error.message
        )

    def fail_current(
        self, connector_id: str, step: MigrationState, error: ConnauthError
    ) -> None:
        """Record a failed login step of the connector's journaled migration."""
        entry = self._journal.get(connector_id)
        if entry is not None and entry.state in NEEDS_LOGIN:
            self.fail(entry, step, error)

    def _notify(self, entry: MigrationEntry) -> None:
        if self._on_change is not None:
            self._on_change(entry)

    # -- staged credentials --------------------------------------------------

    def stage(
        self, target: Connector, entry: MigrationEntry, result: LoginResult
    ) -> CredentialRecord:
        """Store a login's credentials aside, marked with the migration's id."""
        data = {
            **result.data,
            "migrated_from": entry.source_method,
            "migration_id": entry.migration_id,
        }
        staged = CredentialRecord(
            connector_id=staged_id(target.id),
            method=target.method,
            site_url=target.config.site_url,
            api_base_url=result.api_base_url,
            tokens=result.tokens,
            updated_at=self._clock(),
            data=data,
        )
        existing = self._store.get(staged_id(target.id))
        return self._store.put(
            staged, expected_version=existing.version if existing else 0
        )

    def staged_of(self, entry: MigrationEntry) -> CredentialRecord | None:
        """Return the staged credentials of this migration, if they are stored."""
        staged = self._store.get(staged_id(entry.connector_id))
        if staged is None or staged.data.get("migration_id") != entry.migration_id:
            return None
        return staged

    def discard_staged(self, connector_id: str) -> None:
        """Delete the connector's staged credentials."""
        self._store.delete(staged_id(connector_id))

    # -- the switch ------------------------------------------------------------

    async def switch(
        self, target: Connector, entry: MigrationEntry
    ) -> CredentialRecord:
        """Replace the connector's record with the staged one and return it.

        Holds the connector's lease, so a token refresh cannot interleave, and
        retries when another writer changed the record anyway. A record already
        switched by this migration (before a crash) is returned as it is.
        """
        async with self._store.lease_async(target.id, wait=LEASE_WAIT):
            for _attempt in range(_SWITCH_ATTEMPTS):
                live = self.live(target.id)
                if _switched_by(live, entry):
                    return live
                staged = self._staged_or_fail(entry)
                if live.method != entry.source_method:
                    raise self._switch_failed(
                        entry,
                        f"its stored method changed to {live.method!r} during the "
                        "migration",
                    )
                self._keep_previous(live)
                switched = replace(
                    staged,
                    connector_id=target.id,
                    status=RecordStatus.ACTIVE,
                    updated_at=self._clock(),
                )
                try:
                    stored = self._store.put(switched, expected_version=live.version)
                except StoreConflict:
                    continue
                self._forget_session(target.id)
                logger.info(
                    "connector %s: switched from %s to %s",
                    target.id,
                    entry.source_method,
                    target.method,
                )
                return stored
        raise self._switch_failed(entry, "other workers kept writing its record")

    def _staged_or_fail(self, entry: MigrationEntry) -> CredentialRecord:
        staged = self.staged_of(entry)
        if staged is None:
            raise self._switch_failed(
                entry, "its new credentials are no longer stored; log in again"
            )
        return staged

    def _switch_failed(self, entry: MigrationEntry, reason: str) -> MigrationError:
        error = MigrationError(
            f"connector {entry.connector_id!r} was not switched to "
            f"{entry.target_method!r}: {reason}; it still uses "
            f"{entry.source_method!r}",
            connector_id=entry.connector_id,
        )
        self._store.delete(previous_id(entry.connector_id))
        self._store.delete(staged_id(entry.connector_id))
        self.fail(entry, MigrationState.SWITCHED, error)
        return error

    def _keep_previous(self, live: CredentialRecord) -> None:
        key = previous_id(live.connector_id)
        existing = self._store.get(key)
        copy = replace(live, connector_id=key)
        self._store.put(copy, expected_version=existing.version if existing else 0)

    # -- after the switch ------------------------------------------------------

    def settle_switched(self, entry: MigrationEntry) -> MigrationEntry:
        """Remove the old credentials once the window allows; detect a rollback
        that was interrupted after restoring the old record."""
        live = self._store.get(entry.connector_id)
        if live is not None and live.method == entry.source_method:
            return self.advance(entry, MigrationState.ROLLED_BACK, rollback_until=None)
        self._store.delete(staged_id(entry.connector_id))
        until = entry.rollback_until
        if until is not None and self._clock() < until:
            return entry
        self._store.delete(previous_id(entry.connector_id))
        logger.info(
            "connector %s: old %s credentials removed",
            entry.connector_id,
            entry.source_method,
        )
        return self.advance(entry, MigrationState.OLD_CREDENTIALS_REMOVED)

    def restore_previous(
        self, connector_id: str, entry: MigrationEntry | None
    ) -> CredentialRecord:
        """Put the kept old record back in place of the connector's record.

        The caller holds the journal and connector leases.
        """
        previous = self._rollback_source(connector_id, entry)
        assert entry is not None  # _rollback_source raised otherwise
        live = self._store.get(connector_id)
        restored = replace(
            previous, connector_id=connector_id, updated_at=self._clock()
        )
        stored = self._store.put(restored, expected_version=live.version if live else 0)
        self._forget_session(connector_id)
        self._store.delete(previous_id(connector_id))
        self._store.delete(staged_id(connector_id))
        self.advance(entry, MigrationState.ROLLED_BACK, rollback_until=None)
        logger.info(
            "connector %s: rolled back from %s to %s",
            connector_id,
            entry.target_method,
            entry.source_method,
        )
        return stored

    def _rollback_source(
        self, connector_id: str, entry: MigrationEntry | None
    ) -> CredentialRecord:
        if entry is None or entry.state is not MigrationState.SWITCHED:
            state = entry.state.value if entry else "none"
            raise MigrationError(
                f"connector {connector_id!r} has no switched migration to roll back "
                f"(journal state: {state})",
                connector_id=connector_id,
            )
        until = entry.rollback_until
        if until is None or self._clock() >= until:
            raise MigrationError(
                f"the rollback window of connector {connector_id!r} has ended, so "
                f"its old {entry.source_method} credentials are not kept; log in "
                f"with {entry.source_method!r} again if you need it",
                connector_id=connector_id,
            )
        previous = self._store.get(previous_id(connector_id))
        if previous is None:
            raise MigrationError(
                f"the old credentials of connector {connector_id!r} are missing from "
                "the store; they cannot be restored",
                connector_id=connector_id,
            )
        return previous


def _switched_by(live: CredentialRecord, entry: MigrationEntry) -> bool:
    return (
        live.method == entry.target_method
        and live.data.get("migration_id") == entry.migration_id
    )
