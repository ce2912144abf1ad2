"""The PostgreSQL store URL: libpq's connection URI plus connauth's ``schema``."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import parse_qsl
from urllib.parse import urlencode
from urllib.parse import urlsplit

from connauth import ConfigError
from connauth.store_backends import redact_url

__all__ = ["DEFAULT_SCHEMA", "PostgresLocation"]

DEFAULT_SCHEMA = "connauth"

_SCHEMES = ("postgresql", "postgres")
_SCHEMA_NAME = re.compile(r"[a-z_][a-z0-9_]{0,62}")


@dataclass(frozen=True)
class PostgresLocation:
    """The location of a store: server, database and the schema of its tables."""

    conninfo: str
    """The URL handed to libpq, without connauth's own parameters."""

    schema: str
    redacted: str
    """The URL with its password replaced, for messages and logs."""

    @classmethod
    def parse(cls, url: str, *, schema: str | None = None) -> PostgresLocation:
        """Split ``url`` into libpq's URI and the schema name.

        The query parameter ``schema`` (default ``connauth``) names the schema
        of the store's tables; ``schema`` given here takes precedence. Every
        other parameter goes to libpq unchanged.
        """
        parts = urlsplit(url)
        redacted = redact_url(url)
        if parts.scheme not in _SCHEMES:
            raise ConfigError(
                f"invalid PostgreSQL store URL {redacted!r}: it must start with "
                "'postgresql://'"
            )
        query = parse_qsl(parts.query, keep_blank_values=True)
        from_url = [value for name, value in query if name == "schema"]
        name = schema or (from_url[-1] if from_url else DEFAULT_SCHEMA)
        if not _SCHEMA_NAME.fullmatch(name):
            raise ConfigError(
                f"invalid schema name {name!r} for the PostgreSQL store {redacted!r}: "
                "use 1 to 63 lowercase letters, digits and underscores, not "
                "starting with a digit"
            )
        rest = urlencode([(key, value) for key, value in query if key != "schema"])
        conninfo = parts._replace(scheme="postgresql", query=rest).geturl()
        return cls(conninfo=conninfo, schema=name, redacted=redact_url(conninfo))
