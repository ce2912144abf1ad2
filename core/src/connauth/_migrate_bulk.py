"""Migrating every connector of one method: concurrent, resumable, reported.

Moving from OAuth 1.0a to OAuth 2.0 needs an admin's consent per connector,
so a bulk run cannot finish in one pass by itself. Each run does, per
connector, whatever can be done now:

- finish migrations whose new credentials are stored (verify, switch, remove
  the old credentials when the rollback window allows);
- leave a login that an admin can still approve alone;
- start a login for every other connector, and complete it at once when an
  ``approve`` function returns the callback (a sandbox, a host's callback
  queue, or a person pasting the URL).

Everything is journaled, so running it again resumes where an interruption
or a crash stopped it. The ``migrate`` command of the CLI is this run.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from collections.abc import Collection
from collections.abc import Mapping
from concurrent.futures import Future
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import as_completed
from dataclasses import dataclass
from dataclasses import field
from datetime import datetime
from typing import TYPE_CHECKING
from typing import Any

from connauth._connector import Connector
from connauth._errors import ConfigError
from connauth._errors import ConnauthError
from connauth._journal import MigrationEntry
from connauth._journal import MigrationError
from connauth._journal import MigrationState
from connauth._journal import connector_records
from connauth._migrate import MigrationRunner
from connauth._migration import MigrationPlan
from connauth._store import CredentialRecord

if TYPE_CHECKING:
    from connauth._connauth import LoginPrompt

__all__ = [
    "Approver",
    "BulkMigration",
    "BulkOutcome",
    "BulkReport",
    "PlannedMove",
    "TargetFactory",
]

logger = logging.getLogger(__name__)

Approver = Callable[["LoginPrompt"], "str | Mapping[str, str] | None"]
"""Returns the callback of a started login, or ``None`` when none arrived."""

TargetFactory = Callable[[CredentialRecord], Connector]
"""Builds the target connector (same id and site, target method) for a record."""

_FINISHED = frozenset({MigrationState.SWITCHED, MigrationState.OLD_CREDENTIALS_REMOVED})
_IN_FLIGHT = frozenset(
    {
        MigrationState.CREDENTIALS_OBTAINED,
        MigrationState.VERIFIED,
        MigrationState.SWITCHED,
    }
)


@dataclass(frozen=True)
class PlannedMove:
    """The plan of one connector in a dry run; ``error`` when none could be made."""

    connector_id: str
    site_url: str
    plan: MigrationPlan | None
    error: str | None = None


@dataclass(frozen=True)
class BulkOutcome:
    """The state of one connector after a bulk run.

    ``state`` is ``None`` when no journal entry could be written, for
    example because the target configuration is invalid; ``message`` gives
    the reason. ``login_url`` is set while a login waits for an admin.
    """

    connector_id: str
    state: MigrationState | None
    message: str | None = None
    login_url: str | None = field(default=None, repr=False)
    login_expires_at: datetime | None = None

    @property
    def finished(self) -> bool:
        """Whether the connector now uses the target method."""
        return self.state in _FINISHED

    @property
    def waiting(self) -> bool:
        """Whether a login waits for an admin's approval."""
        return self.state is MigrationState.LOGIN_STARTED

    def to_dict(self) -> dict[str, Any]:
        """Return the outcome as JSON-compatible data."""
        return {
            "connector_id": self.connector_id,
            "state": self.state.value if self.state else None,
            "message": self.message,
            "login_url": self.login_url,
            "login_expires_at": (
                self.login_expires_at.isoformat() if self.login_expires_at else None
            ),
        }


@dataclass(frozen=True)
class BulkReport:
    """The outcome of every connector of a bulk run, ordered by connector id."""

    source: str
    target: str
    outcomes: tuple[BulkOutcome, ...]

    @property
    def finished(self) -> list[BulkOutcome]:
        """Connectors that use the target method now."""
        return [outcome for outcome in self.outcomes if outcome.finished]

    @property
    def waiting(self) -> list[BulkOutcome]:
        """Connectors whose login waits for an admin."""
        return [outcome for outcome in self.outcomes if outcome.waiting]

    @property
    def failed(self) -> list[BulkOutcome]:
        """Connectors that failed, are blocked, or could not start."""
        return [
            outcome
            for outcome in self.outcomes
            if not outcome.finished
            and not outcome.waiting
            and outcome.state is not MigrationState.ROLLED_BACK
        ]

    def counts(self) -> dict[str, int]:
        """Return how many connectors ended in each state."""
        counts: dict[str, int] = {}
        for outcome in self.outcomes:
            key = outcome.state.value if outcome.state else "not_started"
            counts[key] = counts.get(key, 0) + 1
        return counts

    def to_dict(self) -> dict[str, Any]:
        """Return the report as JSON-compatible data."""
        return {
            "source": self.source,
            "target": self.target,
            "counts": self.counts(),
            "connectors": [outcome.to_dict() for outcome in self.outcomes],
        }


class BulkMigration:
    """Moves every stored connector of method ``source`` to ``target``.

    Args:
        runner: runs each connector's steps and keeps the journal.
        source: the method to move away from.
        target: the method to move to.
        targets: builds each connector's target connector. ``None`` allows
            only :meth:`plan`, which then plans without a target
            configuration.
        connector_ids: only these connectors; ``None`` for all of ``source``.
            Rolled-back connectors are skipped unless named here.
        concurrency: connectors worked on at the same time, at least 1.
    """

    def __init__(
        self,
        runner: MigrationRunner,
        *,
        source: str,
        target: str,
        targets: TargetFactory | None,
        connector_ids: Collection[str] | None = None,
        concurrency: int = 4,
    ) -> None:
        if concurrency < 1:
            raise ConfigError(
                f"concurrency must be at least 1, got {concurrency}",
                problems=(("concurrency", "must be at least 1", None),),
            )
        if source == target:
            raise ConfigError(
                f"source and target are both {source!r}; name two different methods"
            )
        self._runner = runner
        self._store = runner.store
        self._source = source
        self._target = target
        self._targets = targets
        self._only = frozenset(connector_ids) if connector_ids is not None else None
        self._concurrency = concurrency

    def connector_ids(self) -> list[str]:
        """Return the connectors this run covers: those stored with ``source``,
        plus those whose migration to ``target`` is past the login."""
        ids = {
            record.connector_id
            for record in connector_records(self._store)
            if record.method == self._source
        }
        for entry in self._runner.journal.entries():
            if self._continues(entry):
                ids.add(entry.connector_id)
        if self._only is not None:
            ids &= self._only
        return sorted(ids)

    def plan(self) -> list[PlannedMove]:
        """Return the plan of every connector; sends only ``serverInfo`` requests."""
        return self._map(self._plan_one, self.connector_ids(), None)

    def run(
        self,
        approve: Approver | None = None,
        *,
        on_outcome: Callable[[BulkOutcome], None] | None = None,
    ) -> BulkReport:
        """Advance every connector as far as it can go now; return the report.

        Without ``approve``, logins are started (or left waiting) and their
        URLs are in the report. An exception that is not an ``Exception``
        (a ``KeyboardInterrupt``, for instance) cancels the connectors not yet
        started and propagates; the journal keeps what was done.
        """
        if self._targets is None:
            raise ConfigError(
                f"migrating to {self._target!r} needs each connector's target "
                "configuration; pass targets"
            )
        targets = self._targets
        outcomes = self._map(
            lambda connector_id: self._advance(connector_id, targets, approve),
            self.connector_ids(),
            on_outcome,
        )
        return BulkReport(self._source, self._target, tuple(outcomes))

    def _map(
        self,
        work: Callable[[str], Any],
        connector_ids: list[str],
        on_result: Callable[[Any], None] | None,
    ) -> list[Any]:
        results: dict[str, Any] = {}
        executor = ThreadPoolExecutor(
            max_workers=self._concurrency, thread_name_prefix="connauth-migrate"
        )
        try:
            futures: dict[Future[Any], str] = {
                executor.submit(work, connector_id): connector_id
                for connector_id in connector_ids
            }
            for future in as_completed(futures):
                result = future.result()
                results[futures[future]] = result
                if on_result is not None:
                    on_result(result)
        finally:
            executor.shutdown(wait=True, cancel_futures=True)
        return [results[connector_id] for connector_id in connector_ids]

    def _continues(self, entry: MigrationEntry) -> bool:
        return (
            entry.source_method == self._source
            and entry.target_method == self._target
            and entry.state in _IN_FLIGHT
        )

    def _plan_one(self, connector_id: str) -> PlannedMove:
        record = self._store.get(connector_id)
        if record is None:
            return PlannedMove(connector_id, "", None, "no stored record")
        try:
            if self._targets is None:
                plan = self._runner.plan_move(connector_id, self._target)
            else:
                plan = self._runner.plan(self._targets(record))
        except ConnauthError as error:
            return PlannedMove(connector_id, record.site_url, None, error.message)
        return PlannedMove(connector_id, record.site_url, plan)

    def _advance(
        self, connector_id: str, targets: TargetFactory, approve: Approver | None
    ) -> BulkOutcome:
        try:
            return self._advance_one(connector_id, targets, approve)
        except ConnauthError as error:
            message = error.message
        except Exception as error:
            # Any other exception is a bug in a plugin or in ``approve``; its
            # text is not shown because it might contain a secret.
            message = f"unexpected {type(error).__name__}; see the log"
            logger.exception("connector %s: migration step raised", connector_id)
        logger.warning("connector %s: migration stopped: %s", connector_id, message)
        entry = self._runner.journal.get(connector_id)
        state = entry.state if entry is not None else None
        return BulkOutcome(connector_id, state, message)

    def _advance_one(
        self, connector_id: str, targets: TargetFactory, approve: Approver | None
    ) -> BulkOutcome:
        record = self._store.get(connector_id)
        if record is None:
            return BulkOutcome(connector_id, None, "no stored record")
        target = targets(record)
        entry = self._runner.resume(target)
        if entry is not None and self._settled(entry, record):
            return _outcome_of(entry)
        now = self._runner.now()
        if approve is None and entry is not None and entry.login_waiting(now):
            return _outcome_of(entry)
        prompt = self._runner.start(target)
        if prompt.url is None:
            callback: str | Mapping[str, str] | None = {"state": prompt.state}
        elif approve is None:
            callback = None
        else:
            callback = approve(prompt)
        if callback is not None:
            self._runner.complete(target, callback)
        return _outcome_of(self._runner.journal.get(connector_id))

    def _settled(self, entry: MigrationEntry, record: CredentialRecord) -> bool:
        """Return whether the run leaves this connector as it is."""
        if entry.state in _FINISHED:
            return True
        rolled_back = entry.state is MigrationState.ROLLED_BACK
        return rolled_back and (
            self._only is None or record.connector_id not in self._only
        )


def _outcome_of(entry: MigrationEntry | None) -> BulkOutcome:
    if entry is None:
        raise MigrationError("the migration journal lost an entry during the run")
    waiting = entry.state is MigrationState.LOGIN_STARTED
    return BulkOutcome(
        connector_id=entry.connector_id,
        state=entry.state,
        message=entry.message,
        login_url=entry.login_url if waiting else None,
        login_expires_at=entry.login_expires_at if waiting else None,
    )
