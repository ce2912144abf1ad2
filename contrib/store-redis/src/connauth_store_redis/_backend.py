"""The entry point that lets ``connauth.open_store`` open Redis URLs."""

from __future__ import annotations

from connauth import AsyncTokenStore
from connauth import KeyRing
from connauth import TokenStore
from connauth.store_backends import StoreBackend
from connauth_store_redis._async_store import AsyncRedisTokenStore
from connauth_store_redis._store import RedisTokenStore

__all__ = ["BACKEND"]


def _open(url: str, keys: KeyRing) -> TokenStore:
    return RedisTokenStore(url, keys=keys)


async def _open_async(url: str, keys: KeyRing) -> AsyncTokenStore:
    return await AsyncRedisTokenStore.connect(url, keys=keys)


BACKEND = StoreBackend(title="Redis", open=_open, open_async=_open_async)
"""Registered as entry points ``redis`` and ``rediss``."""
