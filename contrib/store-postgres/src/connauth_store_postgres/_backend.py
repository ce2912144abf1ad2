"""The entry point that lets ``connauth.open_store`` open PostgreSQL URLs."""

from __future__ import annotations

from connauth import AsyncTokenStore
from connauth import KeyRing
from connauth import TokenStore
from connauth.store_backends import StoreBackend
from connauth_store_postgres._async_store import AsyncPostgresTokenStore
from connauth_store_postgres._store import PostgresTokenStore

__all__ = ["BACKEND"]


def _open(url: str, keys: KeyRing) -> TokenStore:
    return PostgresTokenStore(url, keys=keys)


async def _open_async(url: str, keys: KeyRing) -> AsyncTokenStore:
    return await AsyncPostgresTokenStore.connect(url, keys=keys)


BACKEND = StoreBackend(title="PostgreSQL", open=_open, open_async=_open_async)
"""Registered as entry points ``postgresql`` and ``postgres``."""
