"""A connector's stored credentials in memory, refreshed under the store's lease.

Refresh order, the same for sync and async callers:

1. take this process's lock, then the store's per-connector lease;
2. re-read the store: if another worker already refreshed, use its tokens;
3. otherwise run the method's refresh exchange;
4. persist the new tokens (compare-and-swap) before releasing the lease and
   before anyone uses them. A failed write raises; nothing continues with
   tokens that are not stored, because Atlassian disables the old refresh
   token as soon as it issues a new one.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import weakref
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC
from datetime import datetime

import httpx

from connauth._config import HttpSettings
from connauth._errors import ReauthorizationRequired
from connauth._exchange import Exchange
from connauth._exchange import run_exchange
from connauth._exchange import run_exchange_async
from connauth._store import CredentialRecord
from connauth._store import RecordStatus
from connauth._store import TokenStore
from connauth._tokens import TokenSet

__all__ = ["DEFAULT_REFRESH_MARGIN", "SessionEvents", "TokenSession", "utc_now"]

logger = logging.getLogger(__name__)

DEFAULT_REFRESH_MARGIN = 60.0
"""Seconds before expiry at which a token is refreshed ahead of use."""

Refresher = Callable[[TokenSet], Exchange[TokenSet]]


def utc_now() -> datetime:
    """Return the current time as an aware UTC datetime."""
    return datetime.now(UTC)


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
        margin: float = DEFAULT_REFRESH_MARGIN,
    ) -> None:
        self._record = record
        self._store = store
        self._refresher = refresher
        self._http = http
        self._events = events or SessionEvents()
        self._clock = clock
        self._margin = margin
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
        or holds no tokens.
        """
        record = self._record
        if record.status is RecordStatus.REAUTHORIZATION_REQUIRED:
            raise self._reauthorization_error("the grant was revoked or expired")
        if record.tokens is None:
            raise self._reauthorization_error("no tokens are stored")
        return record.tokens

    def is_due(self, tokens: TokenSet) -> bool:
        """Whether ``tokens`` should be refreshed before the next request.

        Tokens with a refresh token are due ``margin`` seconds before expiry.
        Tokens without one are due only once expired, so that the caller gets
        :class:`ReauthorizationRequired` instead of a 401.
        """
        margin = self._margin if tokens.can_refresh else 0.0
        return tokens.expires_within(margin, now=self._clock())

    def refresh(self, stale: TokenSet) -> TokenSet:
        """Return tokens newer than ``stale``, refreshing them if no other
        worker has. Blocks while another thread or process holds the lease."""
        with self._thread_lock, self._store.lease(self.connector_id):
            record = self._reload()
            fresh = self._newer_than(record, stale)
            if fresh is not None:
                return fresh
            exchange = self._start_refresh(record)
            with httpx.Client(**self._http.client_options()) as client:
                try:
                    tokens = run_exchange(client, exchange)
                except ReauthorizationRequired as error:
                    self._flag(record, error)
                    raise
            return self._persist(record, tokens)

    async def refresh_async(self, stale: TokenSet) -> TokenSet:
        """The asynchronous form of :meth:`refresh`."""
        async with self._loop_lock(), self._store.lease_async(self.connector_id):
            record = self._reload()
            fresh = self._newer_than(record, stale)
            if fresh is not None:
                return fresh
            exchange = self._start_refresh(record)
            async with httpx.AsyncClient(**self._http.client_options()) as client:
                try:
                    tokens = await run_exchange_async(client, exchange)
                except ReauthorizationRequired as error:
                    self._flag(record, error)
                    raise
            return self._persist(record, tokens)

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

    def _newer_than(self, record: CredentialRecord, stale: TokenSet) -> TokenSet | None:
        """Return the stored tokens if another worker replaced ``stale``."""
        tokens = self.tokens()
        if (
            tokens.access_token.get_secret_value()
            == stale.access_token.get_secret_value()
        ):
            return None
        if self.is_due(tokens):
            return None
        logger.debug(
            "connector %s: using tokens refreshed by another worker",
            record.connector_id,
        )
        return tokens

    def _start_refresh(self, record: CredentialRecord) -> Exchange[TokenSet]:
        tokens = self.tokens()
        if self._refresher is None or not tokens.can_refresh:
            error = self._reauthorization_error(
                "the access token expired and no refresh token is stored"
            )
            self._flag(record, error)
            raise error
        logger.info("connector %s: refreshing tokens", record.connector_id)
        return self._refresher(tokens)

    def _persist(self, record: CredentialRecord, tokens: TokenSet) -> TokenSet:
        updated = record.with_tokens(tokens, now=self._clock())
        self._record = self._store.put(updated, expected_version=record.version)
        logger.info("connector %s: refreshed tokens persisted", record.connector_id)
        self._events.tokens_refreshed(record.connector_id, record.method)
        return tokens

    def _flag(self, record: CredentialRecord, error: ReauthorizationRequired) -> None:
        flagged = replace(
            record,
            status=RecordStatus.REAUTHORIZATION_REQUIRED,
            updated_at=self._clock(),
        )
        self._record = self._store.put(flagged, expected_version=record.version)
        reason = getattr(error, "reason", None) or "refresh_failed"
        logger.warning(
            "connector %s: re-authorization required (%s)", record.connector_id, reason
        )
        self._events.reauthorization_required(
            record.connector_id, record.method, reason
        )

    def _reauthorization_error(self, cause: str) -> ReauthorizationRequired:
        return ReauthorizationRequired(
            f"{cause}; an admin must log in again with 'connauth login "
            f"{self.connector_id}'",
            connector_id=self.connector_id,
        )
