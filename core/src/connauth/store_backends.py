"""The public API for writing a token-store backend.

A backend is a distribution with an entry point in the group
``connauth.stores``, named after the URL scheme it serves, that points at a
:class:`StoreBackend`. It seals records with :class:`RecordCodec` so that every
backend has the same encryption and tamper checks, and waits for leases with
:func:`wait_for_lease` / :func:`wait_for_lease_async`. ``connauth-store-postgres``
and ``connauth-store-redis`` are written against this module only.
"""

from __future__ import annotations

from connauth._codec import ClearColumns
from connauth._codec import RecordCodec
from connauth._store import MAX_PENDING_LOGINS
from connauth._store import RESERVED_ID_PREFIX
from connauth._store import LeasingStore
from connauth._store import wait_for_lease
from connauth._store import wait_for_lease_async
from connauth._store_backends import ENTRY_POINT_GROUP
from connauth._store_backends import StoreBackend
from connauth._store_backends import redact_url
from connauth._store_backends import remove_password

__all__ = [
    "ENTRY_POINT_GROUP",
    "MAX_PENDING_LOGINS",
    "RESERVED_ID_PREFIX",
    "ClearColumns",
    "LeasingStore",
    "RecordCodec",
    "StoreBackend",
    "redact_url",
    "remove_password",
    "wait_for_lease",
    "wait_for_lease_async",
]
