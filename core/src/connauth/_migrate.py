"""Running a migration: new credentials, verified, switched in, old ones retired.

One connector moves in these steps, each recorded in the journal before the
next begins (see :class:`~connauth._journal.MigrationState`):

1. **planned**: the target plugin's ``connauth_migrate`` plan, with the
   server's deployment and version probed, allows the move;
2. **login started**: the target method's login began; an admin approves it;
3. **credentials obtained**: the callback's credentials are stored aside
   (``connauth:staged:<id>``), never over the connector's record;
4. **verified**: the target method's connectivity checks pass with them;
5. **switched**: a copy of the old record goes to ``connauth:previous:<id>``,
   then the new record replaces the old one in one compare-and-swap write;
6. **old credentials removed**: the copy is deleted, at once or when the
   rollback window ends.

Until step 5 the connector's record is untouched, so a failure leaves the old
method working. Step 5 is a single write, so a crash at any point leaves the
old or the new method working, and the journal plus the records tell a rerun
where to continue: :meth:`MigrationRunner.resume` finishes steps 3 to 6; a
migration that still needs a login starts a new one.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime
from datetime import timedelta
from typing import TYPE_CHECKING

from connauth._config import HttpSettings
from connauth._config import MethodConfig
from connauth._connector import Connector
from connauth._errors import ConnauthError
from connauth._errors import StoreError
from connauth._flow import LoginResult
from connauth._journal import NEEDS_LOGIN
from connauth._journal import MigrationEntry
from connauth._journal import MigrationError
from connauth._journal import MigrationJournal
from connauth._journal import MigrationState
from connauth._journal import journal_id
from connauth._migrate_checks import plan_with_server_facts
from connauth._migrate_checks import run_blocking
from connauth._migrate_checks import verification_problem
from connauth._migrate_checks import verify_credentials
from connauth._migrate_records import LEASE_TTL
from connauth._migrate_records import LEASE_WAIT
from connauth._migrate_records import ChangeListener
from connauth._migrate_records import MigrationRecords
from connauth._migration import MigrationPlan
from connauth._store import CredentialRecord
from connauth._store import TokenStore

if TYPE_CHECKING:
    from connauth._connauth import Connauth
    from connauth._connauth import LoginPrompt

__all__ = ["MigrationBlocked", "MigrationRunner"]

logger = logging.getLogger(__name__)


class MigrationBlocked(MigrationError):
    """The target plugin's plan blocks the move; ``reason`` gives the cause."""

    def __init__(self, reason: str, *, connector_id: str) -> None:
        super().__init__(f"migration blocked: {reason}", connector_id=connector_id)
        self.reason = reason


class MigrationRunner:
    """Moves stored connectors to another method, one journaled step at a time.

    A target is a :class:`~connauth.Connector` with the connector's id and the
    target method's configuration (same site). The source method's plugin is
    never called, so connectors of an uninstalled method can move.

    Args:
        connauth: the host's :class:`~connauth.Connauth`. Its store keeps
            the journal.
        rollback_window: how long the old credentials are kept after the
            switch. ``None`` takes the source method's ``rollback_days`` from
            the lifecycle policy (0 when unset).
        on_change: called with each journal entry right after it is written.
        probe: whether planning asks the site's ``serverInfo`` for its
            deployment and version.
    """

    def __init__(
        self,
        connauth: Connauth,
        *,
        rollback_window: timedelta | None = None,
        on_change: ChangeListener | None = None,
        probe: bool = True,
    ) -> None:
        self._connauth = connauth
        self._store = connauth.store
        self._clock = connauth._clock
        self.journal = MigrationJournal(connauth.store, clock=connauth._clock)
        self._records = MigrationRecords(
            connauth.store,
            self.journal,
            clock=connauth._clock,
            on_change=on_change,
            forget_session=lambda connector_id: connauth._sessions.pop(
                connector_id, None
            ),
        )
        self._rollback_window = rollback_window
        self._probe = probe

    @property
    def store(self) -> TokenStore:
        """The token store with the connectors and the journal."""
        return self._store

    def now(self) -> datetime:
        """Return the current time by the host's clock."""
        return self._clock()

    # -- planning ------------------------------------------------------------

    def plan(self, target: Connector) -> MigrationPlan:
        """Return the plan for moving ``target.id`` to ``target.method`` with
        the target configuration ``target.config``."""
        return self.plan_move(
            target.id, target.method, config=target.config, http=target.http
        )

    def plan_move(
        self,
        connector_id: str,
        target_method: str,
        *,
        config: MethodConfig | None = None,
        http: HttpSettings | None = None,
    ) -> MigrationPlan:
        """Return the plan for moving a stored connector to ``target_method``.

        ``config`` is the target configuration when there is one; ``http``
        the transport settings for the ``serverInfo`` request (the defaults
        when ``None``).

        NOTE: the store keeps no transport settings, so without ``http`` a site
        behind a private CA or a proxy does not answer the probe, and the plan
        rests on the stored facts alone. Pass the target connector's settings
        (``connauth migrate --target-config``) to probe such a site.

        ``source_credentials`` is replaced with what the runner does with the
        stored old credentials.
        """
        record = self._records.live(connector_id)
        plan = plan_with_server_facts(
            self._connauth,
            record,
            target_method,
            config=config,
            http=http or HttpSettings(),
            probe=self._probe,
        )
        return replace(plan, source_credentials=self._old_credentials(record.method))

    def rollback_window(self, source_method: str) -> timedelta:
        """Return how long old credentials of ``source_method`` are kept."""
        if self._rollback_window is not None:
            return self._rollback_window
        days = self._connauth.lifecycle_status(source_method).rollback_days
        return timedelta(days=days)

    def _old_credentials(self, source_method: str) -> str:
        window = self.rollback_window(source_method)
        if window <= timedelta(0):
            return (
                "deleted from the store once the new credentials are verified and "
                "switched in"
            )
        return (
            f"kept in the store for {_duration(window)} after the switch for "
            "'connauth migrate rollback', then deleted"
        )

    # -- the login -------------------------------------------------------------

    def start(self, target: Connector) -> LoginPrompt:
        """Plan the move and start the target method's login.

        Raises :class:`MigrationBlocked` when the plan is blocked. Send the
        admin to the prompt's URL, then pass the callback to :meth:`complete`.
        """
        entry = self._prepare(target)
        try:
            prompt = self._connauth.begin_login(target)
        except ConnauthError as error:
            self._records.fail(entry, MigrationState.LOGIN_STARTED, error)
            raise
        return self._login_started(entry, prompt)

    async def start_async(self, target: Connector) -> LoginPrompt:
        """Start a migration like :meth:`start`, without blocking the event loop."""
        entry = self._prepare(target)
        try:
            prompt = await self._connauth.begin_login_async(target)
        except ConnauthError as error:
            self._records.fail(entry, MigrationState.LOGIN_STARTED, error)
            raise
        return self._login_started(entry, prompt)

    def complete(
        self, target: Connector, callback: str | Mapping[str, str]
    ) -> CredentialRecord:
        """Finish the login from its callback, verify, switch and return the
        connector's new record."""
        try:
            result = self._connauth._obtain_login(target, callback)
        except ConnauthError as error:
            self._records.fail_current(
                target.id, MigrationState.CREDENTIALS_OBTAINED, error
            )
            raise
        return self.finish(target, result)

    async def complete_async(
        self, target: Connector, callback: str | Mapping[str, str]
    ) -> CredentialRecord:
        """Complete a login like :meth:`complete`, without blocking the event loop."""
        try:
            result = await self._connauth._obtain_login_async(target, callback)
        except ConnauthError as error:
            self._records.fail_current(
                target.id, MigrationState.CREDENTIALS_OBTAINED, error
            )
            raise
        return await self.finish_async(target, result)

    def connector_for_callback(
        self, callback: str | Mapping[str, str]
    ) -> MigrationEntry | None:
        """Return the waiting migration whose login the callback completes."""
        from connauth._connauth import _callback_params

        state = _callback_params(callback).get("state")
        if not state:
            return None
        state_hash = _hash_state(state)
        for entry in self.journal.entries():
            if (
                entry.state is MigrationState.LOGIN_STARTED
                and entry.login_state_hash == state_hash
            ):
                return entry
        return None

    # -- verify, switch, settle ---------------------------------------------------

    def finish(self, target: Connector, result: LoginResult) -> CredentialRecord:
        """Store ``result`` aside, verify it, switch the connector to it and
        retire the old credentials; return the connector's new record."""
        return run_blocking(lambda: self.finish_async(target, result))

    async def finish_async(
        self, target: Connector, result: LoginResult
    ) -> CredentialRecord:
        """Finish a migration like :meth:`finish`, without blocking the event loop."""
        async with self._store.lease_async(
            journal_id(target.id), ttl=LEASE_TTL, wait=LEASE_WAIT
        ):
            record = self._records.live(target.id)
            entry = self._entry_for_result(target, record)
            try:
                staged = self._records.stage(target, entry, result)
            except StoreError as error:
                self._records.fail(entry, MigrationState.CREDENTIALS_OBTAINED, error)
                raise
            entry = self._records.advance(
                entry,
                MigrationState.CREDENTIALS_OBTAINED,
                failed_step=None,
                message=None,
            )
            entry = await self._verify(target, entry, staged)
            return await self._switch_and_settle(target, entry)

    def resume(self, target: Connector) -> MigrationEntry | None:
        """Continue a migration that has its new credentials (steps 3 to 6).

        Returns the entry as it ends, or ``None`` when the connector has no
        journal entry. An entry that still needs a login comes back unchanged:
        call :meth:`start` for it.
        """
        return run_blocking(lambda: self.resume_async(target))

    async def resume_async(self, target: Connector) -> MigrationEntry | None:
        """Resume migrations like :meth:`resume`, without blocking the event loop."""
        async with self._store.lease_async(
            journal_id(target.id), ttl=LEASE_TTL, wait=LEASE_WAIT
        ):
            entry = self.journal.get(target.id)
            if entry is None:
                return None
            if entry.state is MigrationState.SWITCHED:
                return self._records.settle_switched(entry)
            if entry.state is MigrationState.VERIFIED:
                await self._switch_and_settle(target, entry)
                return self.journal.get(target.id)
            staged = self._records.staged_of(entry)
            if staged is None:
                return entry
            if entry.state is not MigrationState.CREDENTIALS_OBTAINED:
                entry = self._records.advance(
                    entry, MigrationState.CREDENTIALS_OBTAINED
                )
            entry = await self._verify(target, entry, staged)
            await self._switch_and_settle(target, entry)
            return self.journal.get(target.id)

    # -- rollback and clean-up ---------------------------------------------------

    def rollback(self, connector_id: str) -> CredentialRecord:
        """Restore the old credentials of a switched connector within its window.

        The new credentials are discarded from the store; the grant behind them
        stays valid in Jira until an admin revokes it.
        """
        with (
            self._store.lease(journal_id(connector_id), ttl=LEASE_TTL, wait=LEASE_WAIT),
            self._store.lease(connector_id, wait=LEASE_WAIT),
        ):
            entry = self.journal.get(connector_id)
            return self._records.restore_previous(connector_id, entry)

    def remove_expired(self) -> list[MigrationEntry]:
        """Delete old credentials whose rollback window ended; return the entries."""
        now = self._clock()
        removed = []
        for entry in self.journal.entries():
            until = entry.rollback_until
            due = until is None or until <= now
            if entry.state is MigrationState.SWITCHED and due:
                with self._store.lease(
                    journal_id(entry.connector_id), ttl=LEASE_TTL, wait=LEASE_WAIT
                ):
                    current = self.journal.get(entry.connector_id)
                    if current is not None:
                        removed.append(self._records.settle_switched(current))
        return removed

    # -- internals -----------------------------------------------------------------

    def _prepare(self, target: Connector) -> MigrationEntry:
        record = self._records.live(target.id)
        entry = self.journal.get(target.id)
        if record.method == target.method:
            raise MigrationError(
                f"connector {target.id!r} already uses {target.method!r}; there is "
                "nothing to migrate",
                connector_id=target.id,
            )
        if entry is not None and entry.state not in NEEDS_LOGIN:
            raise MigrationError(
                f"the migration of connector {target.id!r} is at step "
                f"{entry.state.value}; resume it instead of starting a new login",
                connector_id=target.id,
            )
        plan = self.plan(target)
        if (
            entry is None
            or entry.state
            not in (
                MigrationState.PLANNED,
                MigrationState.LOGIN_STARTED,
            )
            or entry.target_method != target.method
        ):
            entry = self._records.create(target, record, entry)
        if plan.blocked is not None:
            self._records.advance(entry, MigrationState.BLOCKED, message=plan.blocked)
            raise MigrationBlocked(plan.blocked, connector_id=target.id)
        return entry

    def _entry_for_result(
        self, target: Connector, record: CredentialRecord
    ) -> MigrationEntry:
        """Return the entry a completed login continues, creating one for a login
        that was started outside the runner."""
        entry = self.journal.get(target.id)
        if record.method == target.method:
            raise MigrationError(
                f"connector {target.id!r} already uses {target.method!r}; log in "
                "without migrating",
                connector_id=target.id,
            )
        if (
            entry is None
            or entry.state not in NEEDS_LOGIN
            or (entry.target_method != target.method)
        ):
            entry = self._records.create(target, record, entry)
        return entry

    def _login_started(self, entry: MigrationEntry, prompt: LoginPrompt) -> LoginPrompt:
        self._records.advance(
            entry,
            MigrationState.LOGIN_STARTED,
            login_url=prompt.url,
            login_state_hash=_hash_state(prompt.state),
            login_expires_at=prompt.expires_at,
            failed_step=None,
            message=None,
        )
        return prompt

    async def _verify(
        self, target: Connector, entry: MigrationEntry, staged: CredentialRecord
    ) -> MigrationEntry:
        results = await verify_credentials(self._connauth, target, staged)
        summary = tuple(f"{result.id}: {result.status.value}" for result in results)
        problem = verification_problem(results)
        if problem is None:
            return self._records.advance(entry, MigrationState.VERIFIED, checks=summary)
        self._records.discard_staged(target.id)
        self._records.advance(
            entry,
            MigrationState.FAILED,
            failed_step=MigrationState.VERIFIED,
            message=problem,
            checks=summary,
        )
        raise MigrationError(
            f"the new {target.method} credentials failed verification ({problem}); "
            f"the connector still uses {entry.source_method}: fix the cause and run "
            "the migration again",
            connector_id=target.id,
        )

    async def _switch_and_settle(
        self, target: Connector, entry: MigrationEntry
    ) -> CredentialRecord:
        live = await self._records.switch(target, entry)
        window = self.rollback_window(entry.source_method)
        until = self._clock() + window if window > timedelta(0) else None
        entry = self._records.advance(
            entry, MigrationState.SWITCHED, rollback_until=until
        )
        try:
            self._records.settle_switched(entry)
        except StoreError as error:
            # The connector works with its new method; the old credentials stay
            # until resume() or remove_expired() runs again.
            logger.warning(
                "connector %s: switched, but removing the old credentials failed: %s",
                target.id,
                error.message,
            )
        return live


def _hash_state(state: str) -> str:
    return hashlib.sha256(state.encode()).hexdigest()


def _duration(window: timedelta) -> str:
    days = window / timedelta(days=1)
    if days >= 1:
        return f"{days:g} days"
    return f"{window.total_seconds():g} seconds"
