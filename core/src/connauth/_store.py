"""The token store interface and its records.

A store keeps, per connector, the credentials a login produced. Writes are
compare-and-swap on ``version`` so that two writers can never silently
overwrite each other; a per-connector lease serialises refreshes across
threads, processes and hosts. The embedded default is
:class:`~connauth.SqliteTokenStore`; shared backends implement the same
protocol. :class:`AsyncTokenStore` is its asyncio form, with the same
guarantees.
"""

from __future__ import annotations

import abc
import asyncio
import builtins
import enum
import os
import random
import socket
import threading
import time
import uuid
from collections.abc import AsyncIterator
from collections.abc import Awaitable
from collections.abc import Callable
from collections.abc import Iterator
from collections.abc import Mapping
from contextlib import AbstractAsyncContextManager
from contextlib import AbstractContextManager
from contextlib import asynccontextmanager
from contextlib import contextmanager
from dataclasses import dataclass
from dataclasses import field
from dataclasses import replace
from datetime import datetime
from typing import Protocol

from pydantic import SecretStr

from connauth._errors import StoreConflict
from connauth._errors import StoreError
from connauth._tokens import TokenSet

__all__ = [
    "MAX_PENDING_LOGINS",
    "RESERVED_ID_PREFIX",
    "AsyncTokenStore",
    "CredentialRecord",
    "LeaseTimeout",
    "LeasingStore",
    "PendingAuthorization",
    "PendingLimitReached",
    "RecordStatus",
    "StoreUnavailable",
    "TokenStore",
    "VersionConflict",
    "wait_for_lease",
    "wait_for_lease_async",
]

RESERVED_ID_PREFIX = "connauth:"
"""Prefix of store ids that hold the core's own state (migration journals and
staged credentials), not a connector. Connector ids cannot contain ``:``.
:meth:`TokenStore.due_for_refresh` leaves these ids out."""

MAX_PENDING_LOGINS = 10_000
"""Pending logins a store keeps at most; :meth:`TokenStore.put_pending` raises
:class:`~connauth.StoreError` beyond it until older ones expire or are taken."""


class RecordStatus(enum.StrEnum):
    """Whether a connector's stored credentials can be used."""

    ACTIVE = "active"
    REAUTHORIZATION_REQUIRED = "reauthorization_required"


@dataclass(frozen=True)
class CredentialRecord:
    """A connector's stored credentials and the facts the core needs about it.

    ``method``, ``site_url`` and ``data`` stay readable to the core even when
    the method's plugin is not installed, so an orphaned connector can still
    be listed and migrated. ``version`` is 0 for a record never written.
    """

    connector_id: str
    method: str
    site_url: str
    api_base_url: str
    tokens: TokenSet | None
    updated_at: datetime
    data: Mapping[str, str] = field(default_factory=dict)
    status: RecordStatus = RecordStatus.ACTIVE
    version: int = 0

    def with_tokens(self, tokens: TokenSet, *, now: datetime) -> CredentialRecord:
        """Return a copy holding ``tokens``, marked active."""
        return replace(self, tokens=tokens, updated_at=now, status=RecordStatus.ACTIVE)


@dataclass(frozen=True)
class PendingAuthorization:
    """A login between its two halves, keyed by its single-use ``state``."""

    connector_id: str
    method: str
    callback_url: str
    expires_at: datetime
    values: Mapping[str, SecretStr] = field(default_factory=dict)


class TokenStore(Protocol):
    """Storage of connector credentials. Implementations must be thread-safe."""

    def get(self, connector_id: str) -> CredentialRecord | None:
        """Return the record of ``connector_id``, or ``None`` if there is none."""
        ...

    def put(
        self, record: CredentialRecord, *, expected_version: int
    ) -> CredentialRecord:
        """Write ``record`` if the stored version equals ``expected_version``
        (0 when no record may exist yet), and return it with the new version.

        Raises :class:`~connauth.StoreConflict` when another writer got there
        first; nothing is written then.
        """
        ...

    def delete(self, connector_id: str) -> bool:
        """Delete the record; return whether one existed."""
        ...

    def list(self) -> list[CredentialRecord]:
        """Return every record, ordered by connector id."""
        ...

    def lease(
        self, connector_id: str, *, ttl: float = 30.0, wait: float = 60.0
    ) -> AbstractContextManager[None]:
        """Hold the connector's lease: one holder at a time across threads and
        processes. The lease lapses after ``ttl`` seconds if its holder dies.
        Raises :class:`~connauth.StoreError` after ``wait`` seconds."""
        ...

    def lease_async(
        self, connector_id: str, *, ttl: float = 30.0, wait: float = 60.0
    ) -> AbstractAsyncContextManager[None]:
        """Hold the lease from asyncio code, waiting without blocking the loop."""
        ...

    def put_pending(self, state: str, pending: PendingAuthorization) -> None:
        """Keep ``pending`` until it expires or is taken."""
        ...

    def take_pending(self, state: str, *, now: datetime) -> PendingAuthorization | None:
        """Remove and return the pending login for ``state``; ``None`` when it is
        unknown, already taken or expired. Each state can be taken once."""
        ...

    def due_for_refresh(
        self, before: datetime, *, limit: int = 1000
    ) -> builtins.list[str]:
        """Return the ids of active connectors whose access token expires at or
        before ``before``, soonest first, at most ``limit`` of them.

        Records without an expiry (API tokens, OAuth 1.0a) are never due. The
        expiry is a clear, indexed column checked against the sealed tokens.
        """
        ...

    def rekey(self) -> int:
        """Seal every record again with the current key; return how many."""
        ...

    def close(self) -> None:
        """Release the store's resources."""
        ...


class AsyncTokenStore(Protocol):
    """The asyncio form of :class:`TokenStore`, with the same guarantees.

    Implementations must be safe to use from many tasks of one event loop.
    """

    async def get(self, connector_id: str) -> CredentialRecord | None:
        """Return the record of ``connector_id``, or ``None`` if there is none."""
        ...

    async def put(
        self, record: CredentialRecord, *, expected_version: int
    ) -> CredentialRecord:
        """Write ``record`` by compare-and-swap; see :meth:`TokenStore.put`."""
        ...

    async def delete(self, connector_id: str) -> bool:
        """Delete the record; return whether one existed."""
        ...

    async def list(self) -> list[CredentialRecord]:
        """Return every record, ordered by connector id."""
        ...

    def lease(
        self, connector_id: str, *, ttl: float = 30.0, wait: float = 60.0
    ) -> AbstractAsyncContextManager[None]:
        """Hold the connector's lease; see :meth:`TokenStore.lease`."""
        ...

    async def put_pending(self, state: str, pending: PendingAuthorization) -> None:
        """Keep ``pending`` until it expires or is taken."""
        ...

    async def take_pending(
        self, state: str, *, now: datetime
    ) -> PendingAuthorization | None:
        """Remove and return the pending login for ``state``, once."""
        ...

    async def due_for_refresh(
        self, before: datetime, *, limit: int = 1000
    ) -> builtins.list[str]:
        """Return the connectors due for refresh; see
        :meth:`TokenStore.due_for_refresh`."""
        ...

    async def rekey(self) -> int:
        """Seal every record again with the current key; return how many."""
        ...

    async def close(self) -> None:
        """Release the store's resources."""
        ...


class VersionConflict(StoreConflict):
    """A compare-and-swap write found a version other than the expected one."""

    def __init__(self, connector_id: str, *, current: int, expected: int) -> None:
        super().__init__(
            f"record of connector {connector_id!r} is at version {current}, not "
            f"{expected}: another worker wrote it; re-read the record and retry",
            connector_id=connector_id,
        )
        self.current = current
        self.expected = expected


class LeaseTimeout(StoreError):
    """Another holder kept a connector's lease for longer than the caller waits."""

    def __init__(self, connector_id: str, *, wait: float) -> None:
        super().__init__(
            f"timed out after {wait:g} s waiting for the lease of connector "
            f"{connector_id!r}; another worker holds it, or died holding it (the "
            "lease lapses after its ttl)",
            connector_id=connector_id,
        )
        self.wait = wait


class PendingLimitReached(StoreError):
    """A store already keeps its maximum number of pending logins."""

    def __init__(self, maximum: int) -> None:
        super().__init__(
            f"{maximum} logins are pending, the maximum; wait for them to expire "
            "(10 minutes) or be completed before starting more"
        )
        self.maximum = maximum


class StoreUnavailable(StoreError):
    """The store's server could not be reached or did not respond in time.

    The operation may be retried later. Messages name the server with any
    password removed.
    """


_FIRST_RETRY_DELAY = 0.005
_MAX_RETRY_DELAY = 0.1


def wait_for_lease(
    try_acquire: Callable[[], bool], connector_id: str, *, wait: float
) -> None:
    """Call ``try_acquire`` until it returns ``True``, sleeping with jittered
    exponential backoff (5 ms to 100 ms) between attempts.

    Raises :class:`LeaseTimeout` once ``wait`` seconds have passed. One attempt
    is always made, so ``wait=0`` means "only if free now".
    """
    deadline = time.monotonic() + wait
    delay = _FIRST_RETRY_DELAY
    while not try_acquire():
        if time.monotonic() >= deadline:
            raise LeaseTimeout(connector_id, wait=wait)
        time.sleep(delay * random.uniform(0.5, 1.5))  # noqa: S311 - jitter only
        delay = min(delay * 2, _MAX_RETRY_DELAY)


async def wait_for_lease_async(
    try_acquire: Callable[[], Awaitable[bool]], connector_id: str, *, wait: float
) -> None:
    """Wait as :func:`wait_for_lease` does, but sleep without blocking the event
    loop."""
    deadline = time.monotonic() + wait
    delay = _FIRST_RETRY_DELAY
    while not await try_acquire():
        if time.monotonic() >= deadline:
            raise LeaseTimeout(connector_id, wait=wait)
        await asyncio.sleep(delay * random.uniform(0.5, 1.5))  # noqa: S311
        delay = min(delay * 2, _MAX_RETRY_DELAY)


class LeasingStore(abc.ABC):
    """Base class of sync stores whose leases are records with an owner and an expiry.

    A subclass implements :meth:`_try_acquire` (take the lease if it is free or
    expired, atomically) and :meth:`_release` (drop it if this owner still
    holds it); this class provides :meth:`lease` and :meth:`lease_async`.
    """

    @abc.abstractmethod
    def _try_acquire(self, connector_id: str, owner: str, ttl: float) -> bool:
        """Take the lease for ``ttl`` seconds if it is free; return whether it was."""

    @abc.abstractmethod
    def _release(self, connector_id: str, owner: str) -> None:
        """Drop the lease if ``owner`` still holds it."""

    @contextmanager
    def lease(
        self, connector_id: str, *, ttl: float = 30.0, wait: float = 60.0
    ) -> Iterator[None]:
        """Hold the connector's lease; see :meth:`TokenStore.lease`."""
        owner = new_lease_owner()
        wait_for_lease(
            lambda: self._try_acquire(connector_id, owner, ttl), connector_id, wait=wait
        )
        try:
            yield
        finally:
            self._release(connector_id, owner)

    @asynccontextmanager
    async def lease_async(
        self, connector_id: str, *, ttl: float = 30.0, wait: float = 60.0
    ) -> AsyncIterator[None]:
        """Hold the lease from asyncio code; see :meth:`TokenStore.lease_async`."""
        # NOTE: each attempt is one short blocking call on the event loop's
        # thread; only the waits between attempts yield to the loop. The async
        # stores await their round trips instead.
        owner = new_lease_owner()

        async def attempt() -> bool:
            return self._try_acquire(connector_id, owner, ttl)

        await wait_for_lease_async(attempt, connector_id, wait=wait)
        try:
            yield
        finally:
            self._release(connector_id, owner)


def new_lease_owner() -> str:
    """Return an owner id unique to this host, process, thread and lease."""
    host = socket.gethostname()
    return f"{host}:{os.getpid()}:{threading.get_ident()}:{uuid.uuid4().hex}"
