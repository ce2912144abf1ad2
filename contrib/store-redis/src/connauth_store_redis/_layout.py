"""The key layout of a Redis store, and its URL with the ``prefix`` parameter.

For a prefix ``P`` the store writes these keys:

- ``P:record:<connector id>``: a hash with the clear columns and ``sealed``;
- ``P:ids``: a sorted set of every connector id, all with score 0, so that
  ``ZRANGE`` returns them in byte order;
- ``P:due``: a sorted set of active connectors scored by the Unix time at
  which their access token expires, for refresh scans;
- ``P:lease:<connector id>``: the lease holder's id, with a TTL;
- ``P:pending:<state hash>``: a sealed pending login, with a TTL;
- ``P:pending-expiry``: a sorted set of pending state hashes scored by expiry,
  which bounds how many logins may be pending.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import parse_qsl
from urllib.parse import urlencode
from urllib.parse import urlsplit

from connauth import ConfigError
from connauth.store_backends import redact_url

__all__ = ["DEFAULT_PREFIX", "RedisLocation"]

DEFAULT_PREFIX = "connauth"

_SCHEMES = ("redis", "rediss")
_PREFIX = re.compile(r"[A-Za-z0-9_.:-]{1,100}")


@dataclass(frozen=True)
class RedisLocation:
    """The server of a store and the prefix of its keys."""

    url: str
    """The URL handed to redis-py, without connauth's own parameters."""

    prefix: str
    redacted: str
    """The URL with its password replaced, for messages and logs."""

    @classmethod
    def parse(cls, url: str, *, prefix: str | None = None) -> RedisLocation:
        """Split ``url`` into redis-py's URL and the key prefix.

        The query parameter ``prefix`` (default ``connauth``) starts every key;
        ``prefix`` given here takes precedence.
        """
        parts = urlsplit(url)
        redacted = redact_url(url)
        if parts.scheme not in _SCHEMES:
            raise ConfigError(
                f"invalid Redis store URL {redacted!r}: it must start with 'redis://' "
                "or 'rediss://'"
            )
        query = parse_qsl(parts.query, keep_blank_values=True)
        from_url = [value for name, value in query if name == "prefix"]
        name = prefix or (from_url[-1] if from_url else DEFAULT_PREFIX)
        if not _PREFIX.fullmatch(name):
            raise ConfigError(
                f"invalid key prefix {name!r} for the Redis store {redacted!r}: use 1 "
                "to 100 letters, digits and the characters '_.:-'"
            )
        rest = urlencode([(key, value) for key, value in query if key != "prefix"])
        plain = parts._replace(query=rest).geturl()
        return cls(url=plain, prefix=name, redacted=redact_url(plain))

    def record(self, connector_id: str) -> str:
        """Return the key of a connector's record hash."""
        return f"{self.prefix}:record:{connector_id}"

    def lease(self, connector_id: str) -> str:
        """Return the key of a connector's lease."""
        return f"{self.prefix}:lease:{connector_id}"

    def pending(self, state_hash: str) -> str:
        """Return the key of a pending login."""
        return f"{self.prefix}:pending:{state_hash}"

    @property
    def ids(self) -> str:
        """The key of the sorted set of connector ids."""
        return f"{self.prefix}:ids"

    @property
    def due(self) -> str:
        """The key of the sorted set of token expiries."""
        return f"{self.prefix}:due"

    @property
    def pending_expiry(self) -> str:
        """The key of the sorted set of pending logins' expiries."""
        return f"{self.prefix}:pending-expiry"
