"""A Redis token store for connauth, shared by every worker of a host.

Open it by URL with ``connauth.open_store("redis://host:6379/0")``, or construct
:class:`RedisTokenStore` (or :class:`AsyncRedisTokenStore`) directly. Records
are sealed with the keys in ``CONNAUTH_STORE_KEY``.
"""

from __future__ import annotations

from connauth_store_redis._async_store import AsyncRedisTokenStore
from connauth_store_redis._failures import durability_problems
from connauth_store_redis._layout import DEFAULT_PREFIX
from connauth_store_redis._store import CLIENT_NAME
from connauth_store_redis._store import RedisTokenStore

__all__ = [
    "CLIENT_NAME",
    "DEFAULT_PREFIX",
    "AsyncRedisTokenStore",
    "RedisTokenStore",
    "durability_problems",
]
