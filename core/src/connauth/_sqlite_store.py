"""The embedded token store: one encrypted SQLite file in WAL mode.

Each record's secrets and facts are sealed together with the key ring. The
columns kept in clear (method, site URL, status, version, token expiry) are
repeated inside the sealed payload and compared on every read, so an edited
column shows up as :class:`~connauth.RecordTampered` rather than as a silently
wrong record.
"""

from __future__ import annotations

import builtins
import contextlib
import os
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from pathlib import Path
from typing import Any

import platformdirs

from connauth._codec import ClearColumns
from connauth._codec import RecordCodec
from connauth._errors import RecordTampered
from connauth._errors import StoreError
from connauth._errors import StoreKeyError
from connauth._keys import KEY_ENV
from connauth._keys import KeyRing
from connauth._store import MAX_PENDING_LOGINS
from connauth._store import RESERVED_ID_PREFIX
from connauth._store import CredentialRecord
from connauth._store import LeasingStore
from connauth._store import PendingAuthorization
from connauth._store import PendingLimitReached
from connauth._store import VersionConflict

__all__ = ["HOME_ENV", "SqliteTokenStore", "default_home"]

HOME_ENV = "CONNAUTH_HOME"
"""Environment variable naming the folder of the default store and key file."""

_SELECT = (
    "SELECT connector_id, method, site_url, status, version, updated_at,"
    " expires_at, sealed FROM credentials"
)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS credentials (
    connector_id TEXT PRIMARY KEY,
    method TEXT NOT NULL,
    site_url TEXT NOT NULL,
    status TEXT NOT NULL,
    version INTEGER NOT NULL,
    updated_at TEXT NOT NULL,
    sealed BLOB NOT NULL,
    expires_at INTEGER
);
CREATE TABLE IF NOT EXISTS leases (
    connector_id TEXT PRIMARY KEY,
    owner TEXT NOT NULL,
    expires_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS pending (
    state_hash TEXT PRIMARY KEY,
    expires_at REAL NOT NULL,
    sealed BLOB NOT NULL
);
"""

_INDEXES = """
CREATE INDEX IF NOT EXISTS credentials_due
    ON credentials (expires_at) WHERE status = 'active';
"""

_LEGACY_EXPIRY = -1
"""``expires_at`` of rows written before the column existed, until a read with
the right key fills it in."""

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def default_home() -> Path:
    """Return the folder of the default store: ``$CONNAUTH_HOME``, else the
    per-user data folder (``~/.local/share/connauth`` on Linux)."""
    configured = os.environ.get(HOME_ENV)
    if configured:
        return Path(configured)
    return Path(platformdirs.user_data_dir("connauth", appauthor=False))


class SqliteTokenStore(LeasingStore):
    """Encrypted, versioned credential records in one SQLite file.

    Args:
        path: the database file; created with its folder if missing.
        keys: the key ring. ``None`` loads ``CONNAUTH_STORE_KEY`` or the key
            file ``store.key`` beside the database, creating it (mode 0600).
        max_pending: pending logins kept at most; expired ones are purged on
            every new login.
    """

    def __init__(
        self,
        path: Path | str | None = None,
        *,
        keys: KeyRing | None = None,
        max_pending: int = MAX_PENDING_LOGINS,
    ):
        self.path = (
            Path(path) if path is not None else default_home() / "tokens.sqlite3"
        )
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        self._codec = RecordCodec(keys or self._default_keys())
        self._max_pending = max_pending
        self._local = threading.local()
        # executescript commits on its own, so it runs outside _transaction.
        try:
            self._db().executescript(_SCHEMA)
        except sqlite3.DatabaseError as error:
            raise StoreError(
                f"{self.path} is not a connauth SQLite store ({error}); give the "
                "path of a store file, or a path where a new one may be created"
            ) from None
        self._add_expiry_column()
        self._db().executescript(_INDEXES)
        self._fill_legacy_expiry()

    def _default_keys(self) -> KeyRing:
        """Load the environment's keys, else the key file beside the database.

        A missing key file is created only for a store without records: a new
        key could not open existing ones, so creating it would hide the loss.
        """
        key_file = self.path.parent / "store.key"
        if (
            not os.environ.get(KEY_ENV)
            and not key_file.exists()
            and _has_records(self.path)
        ):
            raise StoreKeyError(
                f"the key file {key_file} is missing, but {self.path} already "
                f"holds records; restore the key file or set {KEY_ENV}"
            )
        return KeyRing.from_environment_or_file(key_file)

    def __repr__(self) -> str:
        return f"SqliteTokenStore({str(self.path)!r})"

    # -- records -----------------------------------------------------------

    def get(self, connector_id: str) -> CredentialRecord | None:
        row = (
            self._db()
            .execute(
                _SELECT + " WHERE connector_id = ?",
                (connector_id,),
            )
            .fetchone()
        )
        return None if row is None else self._open(row)

    def put(
        self, record: CredentialRecord, *, expected_version: int
    ) -> CredentialRecord:
        new_version = expected_version + 1
        stored = CredentialRecord(
            connector_id=record.connector_id,
            method=record.method,
            site_url=record.site_url,
            api_base_url=record.api_base_url,
            tokens=record.tokens,
            updated_at=record.updated_at,
            data=dict(record.data),
            status=record.status,
            version=new_version,
        )
        sealed = self._codec.seal(stored)
        with self._transaction() as db:
            row = db.execute(
                "SELECT version FROM credentials WHERE connector_id = ?",
                (record.connector_id,),
            ).fetchone()
            current = 0 if row is None else int(row[0])
            if current != expected_version:
                raise VersionConflict(
                    record.connector_id, current=current, expected=expected_version
                )
            db.execute(
                "INSERT OR REPLACE INTO credentials (connector_id, method, site_url,"
                " status, version, updated_at, sealed, expires_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    stored.connector_id,
                    stored.method,
                    stored.site_url,
                    stored.status.value,
                    new_version,
                    stored.updated_at.isoformat(),
                    sealed,
                    _expiry_column(stored),
                ),
            )
        return stored

    def delete(self, connector_id: str) -> bool:
        with self._transaction() as db:
            cursor = db.execute(
                "DELETE FROM credentials WHERE connector_id = ?", (connector_id,)
            )
        return cursor.rowcount > 0

    def list(self) -> list[CredentialRecord]:
        rows = self._db().execute(_SELECT + " ORDER BY connector_id").fetchall()
        return [self._open(row) for row in rows]

    def due_for_refresh(
        self, before: datetime, *, limit: int = 1000
    ) -> builtins.list[str]:
        rows = (
            self._db()
            .execute(
                "SELECT connector_id FROM credentials WHERE status = 'active'"
                " AND expires_at BETWEEN 0 AND ? AND connector_id NOT LIKE ?"
                " ORDER BY expires_at LIMIT ?",
                (_to_microseconds(before), f"{RESERVED_ID_PREFIX}%", limit),
            )
            .fetchall()
        )
        return [row[0] for row in rows]

    # -- leases ------------------------------------------------------------

    # -- pending logins ------------------------------------------------------

    def put_pending(self, state: str, pending: PendingAuthorization) -> None:
        sealed = self._codec.seal_pending(pending)
        with self._transaction() as db:
            db.execute("DELETE FROM pending WHERE expires_at < ?", (time.time(),))
            (count,) = db.execute("SELECT COUNT(*) FROM pending").fetchone()
            if count >= self._max_pending:
                raise PendingLimitReached(self._max_pending)
            db.execute(
                "INSERT INTO pending VALUES (?, ?, ?)",
                (
                    self._codec.pending_key(state),
                    pending.expires_at.timestamp(),
                    sealed,
                ),
            )

    def take_pending(self, state: str, *, now: datetime) -> PendingAuthorization | None:
        with self._transaction() as db:
            row = db.execute(
                "DELETE FROM pending WHERE state_hash = ? RETURNING expires_at, sealed",
                (self._codec.pending_key(state),),
            ).fetchone()
        if row is None or row[0] < now.timestamp():
            return None
        return self._codec.open_pending(row[1])

    def rekey(self) -> int:
        """Seal every record again with the first key; return how many.

        Run it after putting a new key first in the key ring, then drop the
        old key once this returns.
        """
        count = 0
        for record in self.list():
            self._reseal(record)
            count += 1
        return count

    def close(self) -> None:
        connection = getattr(self._local, "connection", None)
        if connection is not None:
            connection.close()
            self._local.connection = None

    # -- internals -----------------------------------------------------------

    def _db(self) -> sqlite3.Connection:
        connection: sqlite3.Connection | None = getattr(self._local, "connection", None)
        if connection is None:
            connection = sqlite3.connect(self.path, isolation_level=None, timeout=30.0)
            connection.execute("PRAGMA journal_mode=WAL")
            connection.execute("PRAGMA synchronous=NORMAL")
            self._local.connection = connection
            os.chmod(self.path, 0o600)
        return connection

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        db = self._db()
        db.execute("BEGIN IMMEDIATE")
        try:
            yield db
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")

    def _open(self, row: tuple[Any, ...]) -> CredentialRecord:
        connector_id, method, site_url, status, version, updated_at, expiry, sealed = (
            row
        )
        legacy = expiry == _LEGACY_EXPIRY
        columns = ClearColumns(
            connector_id,
            method,
            site_url,
            status,
            version,
            updated_at,
            None if expiry is None or legacy else _from_microseconds(expiry),
        )
        record, rotated = self._codec.open(columns, sealed, check_expiry=not legacy)
        if rotated or legacy:
            self._reseal(record)
        return record

    def _reseal(self, record: CredentialRecord) -> None:
        """Re-encrypt a record opened by an older key with the current key, and
        fill in its expiry column if it predates that column."""
        sealed = self._codec.seal(record)
        with self._transaction() as db:
            db.execute(
                "UPDATE credentials SET sealed = ?, expires_at = ?"
                " WHERE connector_id = ? AND version = ?",
                (sealed, _expiry_column(record), record.connector_id, record.version),
            )

    def _add_expiry_column(self) -> None:
        """Add ``expires_at`` to a database created before it existed."""
        with self._transaction() as db:
            names = {row[1] for row in db.execute("PRAGMA table_info(credentials)")}
            if "expires_at" not in names:
                db.execute(
                    "ALTER TABLE credentials ADD COLUMN expires_at INTEGER"
                    f" DEFAULT {_LEGACY_EXPIRY}"
                )

    def _fill_legacy_expiry(self) -> None:
        """Fill in the expiry of rows that predate the column, where this key
        ring opens them; the others are filled in by a later read."""
        rows = (
            self._db()
            .execute(_SELECT + " WHERE expires_at = ?", (_LEGACY_EXPIRY,))
            .fetchall()
        )
        for row in rows:
            try:
                self._open(row)
            except RecordTampered:
                continue

    def _try_acquire(self, connector_id: str, owner: str, ttl: float) -> bool:
        now = time.time()
        with self._transaction() as db:
            row = db.execute(
                "SELECT expires_at FROM leases WHERE connector_id = ?", (connector_id,)
            ).fetchone()
            if row is not None and row[0] > now:
                return False
            db.execute(
                "INSERT OR REPLACE INTO leases VALUES (?, ?, ?)",
                (connector_id, owner, now + ttl),
            )
        return True

    def _release(self, connector_id: str, owner: str) -> None:
        with self._transaction() as db:
            db.execute(
                "DELETE FROM leases WHERE connector_id = ? AND owner = ?",
                (connector_id, owner),
            )


def _to_microseconds(moment: datetime) -> int:
    """Return ``moment`` as whole microseconds since the Unix epoch, exactly."""
    return (moment - _EPOCH) // timedelta(microseconds=1)


def _from_microseconds(value: int) -> datetime:
    return _EPOCH + timedelta(microseconds=value)


def _expiry_column(record: CredentialRecord) -> int | None:
    if record.tokens is None or record.tokens.expires_at is None:
        return None
    return _to_microseconds(record.tokens.expires_at)


def _has_records(path: Path) -> bool:
    """Whether ``path`` is an SQLite file with at least one credential record."""
    if not path.is_file() or path.stat().st_size == 0:
        return False
    try:
        with contextlib.closing(
            sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        ) as db:
            (count,) = db.execute("SELECT COUNT(*) FROM credentials").fetchone()
    except sqlite3.Error:
        return False
    return bool(count)
