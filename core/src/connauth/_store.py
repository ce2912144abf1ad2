"""The token store interface and its records.

A store keeps, per connector, the credentials a login produced. Writes are
compare-and-swap on ``version`` so that two writers can never silently
overwrite each other; a per-connector lease serialises refreshes across
threads, processes and hosts. The embedded default is
:class:`~connauth.SqliteTokenStore`; shared backends implement the same
protocol.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from contextlib import AbstractAsyncContextManager
from contextlib import AbstractContextManager
from dataclasses import dataclass
from dataclasses import field
from dataclasses import replace
from datetime import datetime
from typing import Protocol

from pydantic import SecretStr

from connauth._tokens import TokenSet

__all__ = [
    "CredentialRecord",
    "PendingAuthorization",
    "RecordStatus",
    "TokenStore",
]


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
        """The same lease for asyncio code, waiting without blocking the loop."""
        ...

    def put_pending(self, state: str, pending: PendingAuthorization) -> None:
        """Keep ``pending`` until it expires or is taken."""
        ...

    def take_pending(self, state: str, *, now: datetime) -> PendingAuthorization | None:
        """Remove and return the pending login for ``state``; ``None`` when it is
        unknown, already taken or expired. Each state can be taken once."""
        ...

    def rekey(self) -> int:
        """Seal every record again with the current key; return how many."""
        ...

    def close(self) -> None:
        """Release the store's resources."""
        ...
