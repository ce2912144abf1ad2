"""Sealing store records: the encryption every store backend shares.

A sealed record holds the credentials and a copy of the columns a backend keeps
in clear (connector id, method, site URL, status, version). :meth:`RecordCodec.open`
compares the two, so an edited column or a record moved to another connector
raises :class:`~connauth.RecordTampered` instead of yielding a wrong record. The
clear ``expires_at`` column, which refresh scans query, is compared with the
sealed tokens' expiry in the same way.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import SecretStr

from connauth._config import dump_with_secrets
from connauth._errors import RecordTampered
from connauth._keys import KeyRing
from connauth._store import CredentialRecord
from connauth._store import PendingAuthorization
from connauth._store import RecordStatus
from connauth._tokens import TokenSet

__all__ = ["ClearColumns", "RecordCodec"]


@dataclass(frozen=True)
class ClearColumns:
    """The fields a backend stores unencrypted, for listing and querying."""

    connector_id: str
    method: str
    site_url: str
    status: str
    version: int
    updated_at: str
    expires_at: datetime | None
    """When the access token expires (aware); ``None`` when it never does or no
    tokens are stored."""

    @classmethod
    def of(cls, record: CredentialRecord) -> ClearColumns:
        """Return the clear columns of ``record``."""
        return cls(
            connector_id=record.connector_id,
            method=record.method,
            site_url=record.site_url,
            status=record.status.value,
            version=record.version,
            updated_at=record.updated_at.isoformat(),
            expires_at=record.tokens.expires_at if record.tokens else None,
        )


_CHECKED = ("connector_id", "method", "site_url", "status", "version")


class RecordCodec:
    """Seals and opens records and pending logins with a key ring."""

    def __init__(self, keys: KeyRing) -> None:
        self.keys = keys

    def __repr__(self) -> str:
        return f"RecordCodec({self.keys!r})"

    def seal(self, record: CredentialRecord) -> bytes:
        """Encrypt ``record`` with the key ring's first key."""
        columns = ClearColumns.of(record)
        payload: dict[str, Any] = {name: getattr(columns, name) for name in _CHECKED}
        payload["api_base_url"] = record.api_base_url
        payload["data"] = dict(record.data)
        payload["tokens"] = dump_with_secrets(record.tokens) if record.tokens else None
        return self.keys.encrypt(json.dumps(payload).encode())

    def open(
        self, columns: ClearColumns, sealed: bytes, *, check_expiry: bool = True
    ) -> tuple[CredentialRecord, bool]:
        """Decrypt a record and check it against its clear columns.

        Returns the record and whether a key other than the first opened it,
        in which case the backend should store it again sealed with the
        current key. ``check_expiry=False`` skips the ``expires_at`` check, for
        rows written before that column existed.
        """
        what = f"the record of connector {columns.connector_id!r}"
        plaintext, rotated = self.keys.decrypt(sealed, what=what)
        payload = json.loads(plaintext)
        tokens = payload["tokens"]
        token_set = TokenSet.model_validate(tokens) if tokens else None
        sealed_expiry = token_set.expires_at if token_set else None
        edited = any(payload[name] != getattr(columns, name) for name in _CHECKED)
        if check_expiry and sealed_expiry != columns.expires_at:
            edited = True
        if edited:
            raise RecordTampered(
                f"{what} does not match its sealed copy: a column was edited or "
                "records were swapped; restore the store from a backup",
                connector_id=columns.connector_id,
            )
        record = CredentialRecord(
            connector_id=columns.connector_id,
            method=columns.method,
            site_url=columns.site_url,
            api_base_url=payload["api_base_url"],
            tokens=token_set,
            updated_at=datetime.fromisoformat(columns.updated_at),
            data=payload["data"],
            status=RecordStatus(columns.status),
            version=columns.version,
        )
        return record, rotated

    @staticmethod
    def pending_key(state: str) -> str:
        """Return the key a pending login is stored under: the SHA-256 of its
        ``state`` in hex, so the store never contains a usable ``state``."""
        return hashlib.sha256(state.encode()).hexdigest()

    def seal_pending(self, pending: PendingAuthorization) -> bytes:
        """Encrypt a pending login."""
        payload = {
            "connector_id": pending.connector_id,
            "method": pending.method,
            "callback_url": pending.callback_url,
            "expires_at": pending.expires_at.isoformat(),
            "values": {k: v.get_secret_value() for k, v in pending.values.items()},
        }
        return self.keys.encrypt(json.dumps(payload).encode())

    def open_pending(self, sealed: bytes) -> PendingAuthorization:
        """Decrypt a pending login."""
        plaintext, _ = self.keys.decrypt(sealed, what="a pending login")
        payload = json.loads(plaintext)
        return PendingAuthorization(
            connector_id=payload["connector_id"],
            method=payload["method"],
            callback_url=payload["callback_url"],
            expires_at=datetime.fromisoformat(payload["expires_at"]),
            values={k: SecretStr(v) for k, v in payload["values"].items()},
        )
