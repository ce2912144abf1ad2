"""Translation of redis-py errors into connauth's store errors, and the check
that the server will keep what the store writes."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from collections.abc import Mapping
from contextlib import contextmanager
from typing import Any

import redis

from connauth import ConfigError
from connauth import StoreError
from connauth import StoreUnavailable
from connauth.store_backends import remove_password
from connauth_store_redis._layout import RedisLocation

__all__ = [
    "durability_problems",
    "invalid_url",
    "translated_errors",
    "warn_about_durability",
]

logger = logging.getLogger(__name__)


def invalid_url(location: RedisLocation, error: ValueError | TypeError) -> ConfigError:
    """Return the error for a URL whose options redis-py rejects: a ValueError
    for an invalid value, a TypeError (on connecting) for an unknown option."""
    detail = remove_password(str(error), location.url)
    return ConfigError(f"invalid Redis store URL {location.redacted!r}: {detail}")


@contextmanager
def translated_errors(location: RedisLocation, timeout: float) -> Iterator[None]:
    """Raise redis-py's errors inside the block as connauth store errors that
    name the server without its password, which is also removed from
    redis-py's message."""
    server = f"Redis at {location.redacted} (prefix {location.prefix})"
    try:
        yield
    except redis.TimeoutError:
        raise StoreUnavailable(
            f"{server} timed out after {timeout:g} s; check the server's load and "
            "the network"
        ) from None
    except redis.ConnectionError as error:
        detail = remove_password(str(error), location.url)
        raise StoreUnavailable(
            f"{server} is unreachable ({detail}); check that it runs and that the "
            "URL is right"
        ) from None
    except redis.RedisError as error:
        detail = remove_password(str(error), location.url)
        raise StoreError(f"{server} failed: {type(error).__name__}: {detail}") from None


def durability_problems(config: Mapping[str, str]) -> list[str]:
    """Return why a server with this ``CONFIG GET`` output could lose records.

    Records have no TTL, so only ``noeviction`` and the ``volatile-*`` policies
    never evict them; without RDB snapshots or an AOF a restart empties the
    server.
    """
    problems = []
    policy = config.get("maxmemory-policy", "noeviction")
    if policy != "noeviction" and not policy.startswith("volatile-"):
        problems.append(
            f"maxmemory-policy is {policy!r}, which may evict records; use "
            "'noeviction' or a 'volatile-*' policy"
        )
    if config.get("appendonly") == "no" and config.get("save") == "":
        problems.append(
            "neither RDB snapshots ('save') nor the AOF ('appendonly') are on, so a "
            "restart loses every record and every connector must log in again"
        )
    return problems


def warn_about_durability(location: RedisLocation, config: Mapping[Any, Any]) -> None:
    """Log a warning for each of :func:`durability_problems` of the server whose
    ``CONFIG GET`` returned ``config`` (bytes or text)."""
    decoded = {_text(name): _text(value) for name, value in config.items()}
    for problem in durability_problems(decoded):
        logger.warning("Redis store %s: %s", location.redacted, problem)


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)
