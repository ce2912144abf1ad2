"""Translation of psycopg errors into connauth's store errors."""

from __future__ import annotations

import psycopg
from psycopg_pool import PoolTimeout

from connauth import ConfigError
from connauth import StoreError
from connauth import StoreUnavailable
from connauth.store_backends import remove_password
from connauth_store_postgres._url import PostgresLocation

__all__ = ["ConnectionLost", "connect_error", "store_error"]


class ConnectionLost(Exception):
    """A pooled connection broke during an operation; the caller may retry once
    on a fresh connection."""

    def __init__(self, error: psycopg.OperationalError) -> None:
        super().__init__(str(error))
        self.error = error


def connect_error(
    location: PostgresLocation, timeout: float, error: psycopg.Error
) -> StoreError | ConfigError:
    """Return the connauth error for a failed first connection: libpq raises
    ``ProgrammingError`` for a URL it cannot parse."""
    if isinstance(error, psycopg.ProgrammingError):
        detail = remove_password(_first_line(error), location.conninfo)
        return ConfigError(
            f"invalid PostgreSQL store URL {location.redacted!r}: {detail}"
        )
    return store_error(location, timeout, error)


def store_error(
    location: PostgresLocation, timeout: float, error: psycopg.Error
) -> StoreError:
    """Return the connauth error for ``error``, naming the server without its
    password, which is also removed from libpq's message."""
    server = f"PostgreSQL at {location.redacted} (schema {location.schema})"
    if isinstance(error, PoolTimeout):
        return StoreUnavailable(
            f"no connection to {server} became free within {timeout:g} s; the "
            "server is down or every pooled connection is busy: check the "
            "server, or raise max_connections"
        )
    if isinstance(error, psycopg.errors.QueryCanceled):
        return StoreUnavailable(
            f"a statement on {server} timed out after {timeout:g} s; check the "
            "server's load and locks"
        )
    detail = remove_password(_first_line(error), location.conninfo)
    if isinstance(error, psycopg.OperationalError):
        return StoreUnavailable(
            f"{server} is unreachable ({detail}); check that it runs and that the "
            "URL is right"
        )
    return StoreError(f"{server} failed: {type(error).__name__}: {detail}")


def _first_line(error: Exception) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__
