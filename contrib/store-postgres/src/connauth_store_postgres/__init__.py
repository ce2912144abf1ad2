"""A PostgreSQL token store for connauth, shared by every worker of a host.

Open it by URL with ``connauth.open_store("postgresql://user@host/db")``, or
construct :class:`PostgresTokenStore` (or :class:`AsyncPostgresTokenStore`)
directly. Records are sealed with the keys in ``CONNAUTH_STORE_KEY``.
"""

from __future__ import annotations

from connauth_store_postgres._async_store import AsyncPostgresTokenStore
from connauth_store_postgres._store import PostgresTokenStore
from connauth_store_postgres._url import DEFAULT_SCHEMA

__all__ = ["DEFAULT_SCHEMA", "AsyncPostgresTokenStore", "PostgresTokenStore"]
