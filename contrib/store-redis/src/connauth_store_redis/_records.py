"""Conversion between records and the fields of a record hash, shared by the
sync and async stores."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC
from datetime import datetime

from connauth import CredentialRecord
from connauth import RecordStatus
from connauth.store_backends import ClearColumns

__all__ = ["FIELDS", "as_bytes", "columns_of", "put_arguments", "timestamp"]

FIELDS = (
    "method",
    "site_url",
    "status",
    "version",
    "updated_at",
    "expires_at",
    "sealed",
)
"""The fields of a record hash, in the order :func:`columns_of` reads them."""


def timestamp(moment: datetime) -> float:
    """Return ``moment`` as Unix seconds, the score of the sorted sets."""
    return moment.astimezone(UTC).timestamp()


def as_bytes(value: object) -> bytes:
    """Return a reply value as bytes; the stores' clients never decode replies."""
    if isinstance(value, bytes):
        return value
    if isinstance(value, str):
        return value.encode()
    raise TypeError(f"expected a Redis bulk string, got {type(value).__name__}")


def columns_of(
    connector_id: str, values: Sequence[object]
) -> tuple[ClearColumns, bytes] | None:
    """Return the clear columns and sealed payload of an ``HMGET`` of
    :data:`FIELDS`, or ``None`` when the record does not exist."""
    if values[-1] is None:
        return None
    method, site_url, status, version, updated_at, expires_at, sealed = (
        b"" if value is None else as_bytes(value) for value in values
    )
    columns = ClearColumns(
        connector_id=connector_id,
        method=method.decode(),
        site_url=site_url.decode(),
        status=status.decode(),
        version=int(version or b"0"),
        updated_at=updated_at.decode(),
        expires_at=datetime.fromisoformat(expires_at.decode()) if expires_at else None,
    )
    return columns, sealed


def put_arguments(
    record: CredentialRecord, sealed: bytes, *, expected_version: int
) -> list[str | int | bytes]:
    """Return the ``ARGV`` of the ``PUT`` script that stores ``record``."""
    expires_at = record.tokens.expires_at if record.tokens else None
    due = expires_at is not None and record.status is RecordStatus.ACTIVE
    return [
        expected_version,
        record.version,
        record.connector_id,
        record.method,
        record.site_url,
        record.status.value,
        record.updated_at.isoformat(),
        expires_at.isoformat() if expires_at else "",
        repr(timestamp(expires_at)) if due and expires_at else "",
        sealed,
    ]
