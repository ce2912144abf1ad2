"""Opening a token store by URL, and the asyncio interface for sync stores.

Backends register a :class:`StoreBackend` under the entry-point group
``connauth.stores``, named after the URL scheme they serve. The core registers
``sqlite``; ``connauth-store-postgres`` registers ``postgresql`` and
``postgres``, and ``connauth-store-redis`` registers ``redis`` and ``rediss``.

Keys come from the caller, else from ``CONNAUTH_STORE_KEY``. Only the embedded
SQLite store falls back to a key file beside the database: a shared store has
no such file, because every worker on every host must use the same keys.
"""

from __future__ import annotations

import asyncio
import builtins
from collections.abc import AsyncIterator
from collections.abc import Awaitable
from collections.abc import Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime
from importlib.metadata import entry_points
from pathlib import Path
from urllib.parse import unquote
from urllib.parse import urlsplit
from urllib.parse import urlunsplit

from connauth._errors import ConfigError
from connauth._errors import StoreKeyError
from connauth._keys import KEY_ENV
from connauth._keys import KeyRing
from connauth._sqlite_store import SqliteTokenStore
from connauth._sqlite_store import default_home
from connauth._store import AsyncTokenStore
from connauth._store import CredentialRecord
from connauth._store import PendingAuthorization
from connauth._store import TokenStore

__all__ = [
    "ENTRY_POINT_GROUP",
    "SQLITE_BACKEND",
    "AsyncTokenStoreAdapter",
    "StoreBackend",
    "open_async_store",
    "open_store",
    "redact_url",
    "remove_password",
    "sqlite_path",
]

ENTRY_POINT_GROUP = "connauth.stores"
"""Entry-point group of store backends; each entry is named after a URL scheme."""

_DISTRIBUTIONS = {
    "sqlite": "connauth",
    "postgresql": "connauth-store-postgres",
    "postgres": "connauth-store-postgres",
    "redis": "connauth-store-redis",
    "rediss": "connauth-store-redis",
}
"""The distribution that provides each known scheme, named in install hints."""


@dataclass(frozen=True)
class StoreBackend:
    """A token-store implementation that :func:`open_store` picks by URL scheme.

    Both factories receive the full URL and a resolved key ring; they connect,
    create the schema if missing, and raise :class:`~connauth.StoreError` (or
    :class:`~connauth.ConfigError` for an invalid URL) naming the server
    without its password.
    """

    title: str
    """The backend's name in messages, such as ``PostgreSQL``."""

    open: Callable[[str, KeyRing], TokenStore]
    open_async: Callable[[str, KeyRing], Awaitable[AsyncTokenStore]]

    key_file: Callable[[str], Path] | None = None
    """For embedded stores only: the key file to use when no key is given.
    ``None`` marks a shared store, which opens only with a given key."""


def open_store(url: str, *, keys: KeyRing | None = None) -> TokenStore:
    """Open the token store at ``url``, choosing the backend by its scheme.

    ``sqlite:///abs/path.db`` (an absolute path after three slashes; SQLAlchemy's
    four also work), ``sqlite://`` for the default per-user store,
    ``postgresql://user@host/db?schema=connauth`` and
    ``redis://host:6379/0?prefix=connauth``.

    Raises :class:`~connauth.ConfigError` for an unknown scheme or a backend
    that is not installed, and :class:`~connauth.StoreKeyError` when a shared
    store gets no key.
    """
    backend = _load_backend(url)
    return backend.open(url, _resolve_keys(backend, url, keys))


async def open_async_store(url: str, *, keys: KeyRing | None = None) -> AsyncTokenStore:
    """Open the asyncio form of the token store at ``url``; see :func:`open_store`."""
    backend = _load_backend(url)
    return await backend.open_async(url, _resolve_keys(backend, url, keys))


def redact_url(url: str) -> str:
    """Return ``url`` with its password, if any, replaced by ``***``, for
    messages and logs."""
    parts = urlsplit(url)
    userinfo, at, hostport = parts.netloc.rpartition("@")
    if at and ":" in userinfo:
        user = userinfo.split(":", 1)[0]
        parts = parts._replace(netloc=f"{user}:***@{hostport}")
    if "password=" in parts.query.lower():
        query = "&".join(
            f"{pair.split('=', 1)[0]}=***"
            if pair.lower().startswith("password=")
            else pair
            for pair in parts.query.split("&")
        )
        parts = parts._replace(query=query)
    return urlunsplit(parts)


def remove_password(text: str, url: str) -> str:
    """Return ``text`` with the password of ``url`` replaced by ``***``.

    Client libraries may quote parts of a URL in their errors: libpq, for one,
    quotes a malformed percent-encoded password in full. The password is
    replaced both as written in the URL and percent-decoded.
    """
    parts = urlsplit(url)
    userinfo, at, _ = parts.netloc.rpartition("@")
    written = []
    if at and ":" in userinfo:
        written.append(userinfo.split(":", 1)[1])
    for pair in parts.query.split("&"):
        name, _, value = pair.partition("=")
        if name.lower() == "password":
            written.append(value)
    secrets = {form for raw in written for form in (raw, unquote(raw)) if form}
    for secret in sorted(secrets, key=len, reverse=True):
        text = text.replace(secret, "***")
    return text


def sqlite_path(url: str) -> Path:
    """Return the database file a ``sqlite:`` URL names.

    ``sqlite:///var/lib/app/tokens.db`` is absolute, ``sqlite:tokens.db`` is
    relative to the working folder, and ``sqlite://`` is the default store in
    ``$CONNAUTH_HOME`` or the per-user data folder.
    """
    parts = urlsplit(url)
    if parts.netloc not in ("", "localhost") or parts.query or parts.fragment:
        raise ConfigError(
            f"invalid SQLite store URL {url!r}: give 'sqlite:///absolute/path.db' "
            "or 'sqlite:relative/path.db', with no host and no query"
        )
    if not parts.path:
        return default_home() / "tokens.sqlite3"
    path = unquote(parts.path)
    if path.startswith("//"):
        # SQLAlchemy spells an absolute path with four slashes; accept that too.
        path = "/" + path.lstrip("/")
    return Path(path)


class AsyncTokenStoreAdapter:
    """An :class:`~connauth.AsyncTokenStore` over a sync :class:`~connauth.TokenStore`.

    Each call runs in the default executor's threads through
    :func:`asyncio.to_thread`. Leases use the sync store's ``lease_async``,
    which waits without holding a thread. The async store of the embedded
    SQLite backend is this adapter, because :mod:`sqlite3` has no asyncio API.
    """

    def __init__(self, store: TokenStore) -> None:
        self.store = store

    def __repr__(self) -> str:
        return f"AsyncTokenStoreAdapter({self.store!r})"

    async def get(self, connector_id: str) -> CredentialRecord | None:
        return await asyncio.to_thread(self.store.get, connector_id)

    async def put(
        self, record: CredentialRecord, *, expected_version: int
    ) -> CredentialRecord:
        return await asyncio.to_thread(
            self.store.put, record, expected_version=expected_version
        )

    async def delete(self, connector_id: str) -> bool:
        return await asyncio.to_thread(self.store.delete, connector_id)

    async def list(self) -> list[CredentialRecord]:
        return await asyncio.to_thread(self.store.list)

    @asynccontextmanager
    async def lease(
        self, connector_id: str, *, ttl: float = 30.0, wait: float = 60.0
    ) -> AsyncIterator[None]:
        async with self.store.lease_async(connector_id, ttl=ttl, wait=wait):
            yield

    async def put_pending(self, state: str, pending: PendingAuthorization) -> None:
        await asyncio.to_thread(self.store.put_pending, state, pending)

    async def take_pending(
        self, state: str, *, now: datetime
    ) -> PendingAuthorization | None:
        return await asyncio.to_thread(self.store.take_pending, state, now=now)

    async def due_for_refresh(
        self, before: datetime, *, limit: int = 1000
    ) -> builtins.list[str]:
        return await asyncio.to_thread(self.store.due_for_refresh, before, limit=limit)

    async def rekey(self) -> int:
        return await asyncio.to_thread(self.store.rekey)

    async def close(self) -> None:
        # NOTE: SqliteTokenStore keeps one connection per thread and closes only
        # the calling thread's; the executor threads' connections close when
        # those threads end.
        await asyncio.to_thread(self.store.close)


def _open_sqlite(url: str, keys: KeyRing) -> TokenStore:
    return SqliteTokenStore(sqlite_path(url), keys=keys)


async def _open_sqlite_async(url: str, keys: KeyRing) -> AsyncTokenStore:
    store = await asyncio.to_thread(_open_sqlite, url, keys)
    return AsyncTokenStoreAdapter(store)


def _sqlite_key_file(url: str) -> Path:
    return sqlite_path(url).parent / "store.key"


SQLITE_BACKEND = StoreBackend(
    title="SQLite",
    open=_open_sqlite,
    open_async=_open_sqlite_async,
    key_file=_sqlite_key_file,
)
"""The embedded backend, registered as entry point ``sqlite``."""


def _load_backend(url: str) -> StoreBackend:
    try:
        scheme = urlsplit(url).scheme.lower()
    except ValueError as error:
        raise ConfigError(
            f"invalid token store URL: {error}; give one such as "
            "'postgresql://user@host/db'"
        ) from None
    redacted = redact_url(url)
    distribution = _DISTRIBUTIONS.get(scheme)
    found = [ep for ep in entry_points(group=ENTRY_POINT_GROUP) if ep.name == scheme]
    if not found:
        if distribution is not None:
            raise ConfigError(
                f"no token store backend for {scheme!r} URLs is installed "
                f"({redacted}); install it with 'pip install {distribution}'"
            )
        installed = sorted({ep.name for ep in entry_points(group=ENTRY_POINT_GROUP)})
        raise ConfigError(
            f"unknown token store URL scheme {scheme!r} in {redacted!r}; use one of "
            f"{', '.join(installed)}, or install the backend that serves it"
        )
    try:
        backend = found[0].load()
    except Exception as error:
        hint = distribution or found[0].value.split(":")[0]
        raise ConfigError(
            f"the token store backend for {scheme!r} URLs failed to load "
            f"({type(error).__name__}: {error}); reinstall it with "
            f"'pip install --force-reinstall {hint}'"
        ) from error
    if not isinstance(backend, StoreBackend):
        raise ConfigError(
            f"entry point {found[0].value!r} in group {ENTRY_POINT_GROUP!r} is a "
            f"{type(backend).__name__}, not a StoreBackend; fix or uninstall the "
            "distribution that registers it"
        )
    return backend


def _resolve_keys(backend: StoreBackend, url: str, keys: KeyRing | None) -> KeyRing:
    if keys is not None:
        return keys
    from_environment = KeyRing.from_environment()
    if from_environment is not None:
        return from_environment
    if backend.key_file is not None:
        return KeyRing.from_file(backend.key_file(url), create=True)
    raise StoreKeyError(
        f"no key for the shared {backend.title} store at {redact_url(url)}: set "
        f"{KEY_ENV} to the same keys on every worker (create one with 'connauth "
        "keygen --store-key'). A shared store never uses a key file, because "
        "each host would create a different one"
    )
