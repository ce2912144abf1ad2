"""A connector's stored credentials in memory, refreshed under the store's lease.

Refresh order, the same for sync and async callers:

1. take this process's lock, then the store's per-connector lease;
2. re-read the store: if another worker already refreshed, use its tokens;
3. otherwise run the method's refresh exchange;
4. persist the new tokens (compare-and-swap) before releasing the lease and
   before anyone uses them. A failed write raises, and nothing continues with
   tokens that are not stored. Atlassian disables the old refresh token as
   soon as it issues a new one.

Failures are handled by kind:

- a dead grant (:class:`ReauthorizationRequired`) flags the record; no retry;
- a transient failure (429, 5xx, connection trouble) keeps the tokens and backs
  off, at least for the server's ``Retry-After``; while the access token is
  still valid the session keeps serving it;
- a refresh that may have reached the server (a read timeout) is retried once
  at once, inside the server's reuse window (Atlassian: 10 minutes), where
  sending the same refresh token again is allowed. If that fails too, the
  record is marked with the time of the uncertain attempt; after the reuse
  window has passed, the connector is flagged for re-authorization rather
  than risking a reuse that revokes the whole grant.
"""

from __future__ import annotations

import asyncio
import logging
import random
import threading
import time
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import replace
from datetime import UTC
from datetime import datetime
from datetime import timedelta

import httpx

from connauth._config import HttpSettings
from connauth._errors import ReauthorizationRequired
from connauth._errors import StoreConflict
from connauth._errors import TransientAuthError
from connauth._exchange import Exchange
from connauth._exchange import run_exchange
from connauth._exchange import run_exchange_async
from connauth._store import CredentialRecord
from connauth._store import RecordStatus
from connauth._store import TokenStore
from connauth._tokens import TokenSet

__all__ = ["RefreshPolicy", "SessionEvents", "TokenSession", "utc_now"]

logger = logging.getLogger(__name__)

Refresher = Callable[[TokenSet], Exchange[TokenSet]]

UNCERTAIN_SINCE = "refresh_uncertain_since"
"""Key in ``CredentialRecord.data``: when a refresh whose outcome is unknown
was sent (ISO 8601). Cleared by the next successful refresh."""


def utc_now() -> datetime:
    """Return the current time as an aware UTC datetime."""
    return datetime.now(UTC)


@dataclass(frozen=True)
class RefreshPolicy:
    """When and how tokens are refreshed. All values are in seconds.

    Attributes:
        margin: refresh this long before the access token expires.
        jitter: add up to this much, chosen once per session, to ``margin``,
            so that connectors logged in together do not refresh together.
        reuse_window: how long the server accepts a refresh token again after
            rotating it (Atlassian documents 10 minutes).
        backoff: first wait after a transient failure; it doubles per
            consecutive failure, up to ``max_backoff``. A server's
            ``Retry-After`` is a minimum on top of this.
        max_backoff: the maximum wait between refresh attempts.
    """

    margin: float = 60.0
    jitter: float = 30.0
    reuse_window: float = 600.0
    backoff: float = 1.0
    max_backoff: float = 300.0

    def __post_init__(self) -> None:
        if self.margin < 30:
            raise ValueError(
                f"margin must be at least 30 seconds, got {self.margin:g}: tokens "
                "used up to their last second fail in flight"
            )


class SessionEvents:
    """Receivers of a session's notifications; the defaults do nothing."""

    def tokens_refreshed(self, connector_id: str, method: str) -> None:
        """Called after refreshed tokens were persisted."""

    def reauthorization_required(
        self, connector_id: str, method: str, reason: str
    ) -> None:
        """Called after the connector was flagged as needing a new login."""


class TokenSession:
    """The credentials of one connector, shared by all its clients in a process.

    Reading the current tokens costs no I/O; the store is read again only
    under the lease, when a refresh may be needed.
    """

    def __init__(
        self,
        *,
        record: CredentialRecord,
        store: TokenStore,
        refresher: Refresher | None,
        http: HttpSettings,
        events: SessionEvents | None = None,
        clock: Callable[[], datetime] = utc_now,
        policy: RefreshPolicy | None = None,
    ) -> None:
        self._record = record
        self._store = store
        self._refresher = refresher
        self._http = http
        self._events = events or SessionEvents()
        self._clock = clock
        self.policy = policy or RefreshPolicy()
        self._margin = self.policy.margin + random.uniform(0, self.policy.jitter)  # noqa: S311
        # A refresh sends at most two requests, each bounded by the connect,
        # write and read timeouts. The lease must outlast all of that, or a
        # second worker could take it and send the same refresh token.
        self._lease_ttl = max(30.0, 6 * http.timeout + 10)
        self._failures = 0
        self._not_before = 0.0
        self._thread_lock = threading.Lock()
        self._loop_locks: weakref.WeakKeyDictionary[
            asyncio.AbstractEventLoop, asyncio.Lock
        ] = weakref.WeakKeyDictionary()

    @property
    def connector_id(self) -> str:
        """The connector's id."""
        return self._record.connector_id

    @property
    def record(self) -> CredentialRecord:
        """The record as last read or written by this session."""
        return self._record

    def tokens(self) -> TokenSet:
        """Return the current tokens without I/O.

        Raises :class:`ReauthorizationRequired` when the connector was flagged
        or has no tokens.
        """
        record = self._record
        if record.status is RecordStatus.REAUTHORIZATION_REQUIRED:
            raise self._reauthorization_error("the grant was revoked or expired")
        if record.tokens is None:
            raise self._reauthorization_error("no tokens are stored")
        return record.tokens

    def is_due(self, tokens: TokenSet) -> bool:
        """Whether ``tokens`` should be refreshed before the next request.

        Tokens with a refresh token are due ``margin`` (plus this session's
        jitter) before expiry. Tokens without one are due only once expired,
        so that the caller gets :class:`ReauthorizationRequired` instead of a
        401.
        """
        margin = self._margin if tokens.can_refresh else 0.0
        return tokens.expires_within(margin, now=self._clock())

    def is_stale(self, tokens: TokenSet) -> bool:
        """Whether ``tokens`` have expired according to their stored expiry."""
        return tokens.expires_within(0, now=self._clock())

    def refresh(self, stale: TokenSet) -> TokenSet:
        """Return tokens newer than ``stale``, refreshing them if no other
        worker has. Blocks while another thread or process holds the lease."""
        with self._thread_lock:
            ready = self._refreshed_in_memory(stale)
            if ready is not None:
                return ready
            with self._store.lease(self.connector_id, ttl=self._lease_ttl):
                return self._refresh_locked(stale)

    def _refresh_locked(self, stale: TokenSet) -> TokenSet:
        """Do :meth:`refresh`'s work while holding both locks."""
        record, ready = self._prepare(stale)
        if ready is not None:
            return ready
        exchange = self._start_refresh(record)
        with httpx.Client(**self._http.client_options()) as client:
            try:
                tokens = run_exchange(client, exchange)
            except TransientAuthError as error:
                if not error.maybe_processed:
                    return self._on_transient(record, error)
                try:
                    tokens = run_exchange(client, self._retry_refresh(record))
                except TransientAuthError as again:
                    return self._on_transient(record, again, uncertain=True)
                except ReauthorizationRequired as dead:
                    return self._on_dead_grant(record, dead)
            except ReauthorizationRequired as dead:
                return self._on_dead_grant(record, dead)
        return self._persist(record, tokens)

    async def refresh_async(self, stale: TokenSet) -> TokenSet:
        """Refresh like :meth:`refresh`, waiting without blocking the event loop."""
        async with self._loop_lock():
            ready = self._refreshed_in_memory(stale)
            if ready is not None:
                return ready
            async with self._store.lease_async(self.connector_id, ttl=self._lease_ttl):
                return await self._refresh_locked_async(stale)

    async def _refresh_locked_async(self, stale: TokenSet) -> TokenSet:
        """Do :meth:`refresh_async`'s work while holding both locks."""
        record, ready = self._prepare(stale)
        if ready is not None:
            return ready
        exchange = self._start_refresh(record)
        async with httpx.AsyncClient(**self._http.client_options()) as client:
            try:
                tokens = await run_exchange_async(client, exchange)
            except TransientAuthError as error:
                if not error.maybe_processed:
                    return self._on_transient(record, error)
                try:
                    tokens = await run_exchange_async(
                        client, self._retry_refresh(record)
                    )
                except TransientAuthError as again:
                    return self._on_transient(record, again, uncertain=True)
                except ReauthorizationRequired as dead:
                    return self._on_dead_grant(record, dead)
            except ReauthorizationRequired as dead:
                return self._on_dead_grant(record, dead)
        return self._persist(record, tokens)

    # -- the steps shared by refresh and refresh_async ---------------------------

    def _refreshed_in_memory(self, stale: TokenSet) -> TokenSet | None:
        """Return the session's tokens if another caller in this process already
        replaced ``stale``, so that waiters need not take the store's lease."""
        record = self._record
        tokens = record.tokens
        if record.status is not RecordStatus.ACTIVE or tokens is None:
            return None
        if _same_access_token(tokens, stale) or self.is_due(tokens):
            return None
        return tokens

    def _prepare(self, stale: TokenSet) -> tuple[CredentialRecord, TokenSet | None]:
        """Re-read the store and decide whether a refresh request is needed.

        Returns the record and, when no request is needed, the tokens to use.
        """
        record = self._reload()
        tokens = self.tokens()
        if not _same_access_token(tokens, stale) and not self.is_due(tokens):
            logger.debug(
                "connector %s: using tokens refreshed by another worker",
                record.connector_id,
            )
            return record, tokens

        uncertain = record.data.get(UNCERTAIN_SINCE)
        if uncertain is not None:
            sent_at = datetime.fromisoformat(uncertain)
            window = timedelta(seconds=self.policy.reuse_window)
            if self._clock() - sent_at > window:
                error = self._reauthorization_error(
                    "a refresh sent at "
                    f"{sent_at.isoformat(timespec='seconds')} got no answer and "
                    "the server's reuse window has passed, so sending the refresh "
                    "token again could revoke the grant"
                )
                raise self._flag(record, error)

        wait = self._not_before - time.monotonic()
        if wait > 0:
            if not self.is_stale(tokens):
                return record, tokens
            raise TransientAuthError(
                f"refreshing connector {record.connector_id!r} is backing off after "
                f"a transient failure; retry in {wait:.0f} s",
                retry_after=wait,
                connector_id=record.connector_id,
            )
        return record, None

    def _start_refresh(self, record: CredentialRecord) -> Exchange[TokenSet]:
        tokens = self.tokens()
        if self._refresher is None or not tokens.can_refresh:
            error = self._reauthorization_error(
                "the access token expired and no refresh token is stored"
            )
            raise self._flag(record, error)
        logger.info("connector %s: refreshing tokens", record.connector_id)
        return self._refresher(tokens)

    def _retry_refresh(self, record: CredentialRecord) -> Exchange[TokenSet]:
        """Return the exchange for the one retry after an uncertain attempt."""
        logger.info(
            "connector %s: refresh outcome unknown; retrying once inside the "
            "reuse window",
            record.connector_id,
        )
        return self._start_refresh(record)

    def _persist(self, record: CredentialRecord, tokens: TokenSet) -> TokenSet:
        data = {k: v for k, v in record.data.items() if k != UNCERTAIN_SINCE}
        updated = replace(record.with_tokens(tokens, now=self._clock()), data=data)
        try:
            self._record = self._store.put(updated, expected_version=record.version)
        except StoreConflict:
            # Another worker wrote while this one waited for the server, so this
            # lease lapsed. The tokens just received are the newest the server
            # issued. They replace whatever was written meanwhile, a flag too,
            # because dropping them could lose the grant.
            current = self._reload()
            logger.warning(
                "connector %s: the record changed during a refresh (the lease "
                "lapsed); storing the newly issued tokens over it",
                record.connector_id,
            )
            overwrite = replace(updated, status=RecordStatus.ACTIVE)
            self._record = self._store.put(overwrite, expected_version=current.version)
        self._failures = 0
        self._not_before = 0.0
        logger.info("connector %s: refreshed tokens persisted", record.connector_id)
        self._events.tokens_refreshed(record.connector_id, record.method)
        return tokens

    def _on_transient(
        self,
        record: CredentialRecord,
        error: TransientAuthError,
        *,
        uncertain: bool = False,
    ) -> TokenSet:
        """Back off after a transient failure; keep serving valid tokens."""
        # NOTE: the back-off lives in this session's memory, so each process (and
        # each restart) makes its own attempt after a 429. Only the uncertain-
        # outcome mark below is shared through the store.
        growth = self.policy.backoff * (2**self._failures)
        wait = max(error.retry_after or 0.0, min(growth, self.policy.max_backoff))
        self._failures += 1
        self._not_before = time.monotonic() + wait
        if uncertain and UNCERTAIN_SINCE not in record.data:
            marked = replace(
                record, data={**record.data, UNCERTAIN_SINCE: self._clock().isoformat()}
            )
            self._record = self._store.put(marked, expected_version=record.version)
        logger.warning(
            "connector %s: refresh failed (%s); next attempt in %.1f s",
            record.connector_id,
            error.message,
            wait,
        )
        tokens = self.tokens()
        if self.is_stale(tokens):
            error.connector_id = record.connector_id
            raise error
        return tokens

    def _on_dead_grant(
        self, record: CredentialRecord, error: ReauthorizationRequired
    ) -> TokenSet:
        """Flag the connector after the server rejected its refresh token, unless
        another worker stored working tokens in the meantime; then use those."""
        try:
            flagged = self._flag(record, error)
        except StoreConflict:
            current = self._reload()
            sent = record.tokens
            tokens = current.tokens
            if (
                current.status is RecordStatus.ACTIVE
                and tokens is not None
                and sent is not None
                and not _same_access_token(tokens, sent)
            ):
                logger.info(
                    "connector %s: refresh rejected, but another worker stored "
                    "new tokens meanwhile; using those",
                    record.connector_id,
                )
                return tokens
            flagged = self._flag(current, error)
        raise flagged

    def _flag(
        self, record: CredentialRecord, error: ReauthorizationRequired
    ) -> ReauthorizationRequired:
        """Mark the record as needing a new login; return ``error`` to raise."""
        flagged = replace(
            record,
            status=RecordStatus.REAUTHORIZATION_REQUIRED,
            updated_at=self._clock(),
        )
        self._record = self._store.put(flagged, expected_version=record.version)
        reason = error.reason or "refresh_failed"
        logger.warning(
            "connector %s: re-authorization required (%s)", record.connector_id, reason
        )
        self._events.reauthorization_required(
            record.connector_id, record.method, reason
        )
        error.connector_id = record.connector_id
        return error

    def _loop_lock(self) -> asyncio.Lock:
        loop = asyncio.get_running_loop()
        lock = self._loop_locks.get(loop)
        if lock is None:
            lock = self._loop_locks[loop] = asyncio.Lock()
        return lock

    def _reload(self) -> CredentialRecord:
        record = self._store.get(self.connector_id)
        if record is None:
            raise self._reauthorization_error("the stored record was deleted")
        self._record = record
        return record

    def _reauthorization_error(self, cause: str) -> ReauthorizationRequired:
        return ReauthorizationRequired(
            f"{cause}; an admin must log in again with 'connauth login "
            f"{self.connector_id}'",
            connector_id=self.connector_id,
        )


def _same_access_token(left: TokenSet, right: TokenSet) -> bool:
    return left.access_token.get_secret_value() == right.access_token.get_secret_value()
