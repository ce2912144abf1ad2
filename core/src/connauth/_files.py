"""Connector and host configuration files (TOML).

A connector file names its method and gives the method's fields under
``[auth]``. Secret fields must be references, never literal values, so the
file can be committed or shared::

    id = "acme"
    method = "oauth2"

    [auth]
    site_url = "https://acme.atlassian.net"
    deployment = "cloud"
    client_id = "3KcN9..."
    client_secret = { env = "ACME_JIRA_CLIENT_SECRET" }

    [http]
    timeout = 10

``{ env = "NAME" }`` reads an environment variable; ``{ file = "path" }``
reads a file (relative paths start at the TOML file's folder), which suits
PEM private keys.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path
from typing import Any

from connauth._errors import ConfigError

__all__ = ["ConnectorDocument", "HostDocument", "read_connector_file", "read_host_file"]


@dataclass(frozen=True)
class ConnectorDocument:
    """A connector file with its references resolved.

    ``referenced`` names the ``auth`` fields that came from a reference, so
    the caller can reject secrets given as literals.
    """

    path: Path
    id: str
    method: str
    auth: dict[str, Any]
    http: dict[str, Any]
    referenced: frozenset[str]


@dataclass(frozen=True)
class HostDocument:
    """The host configuration file: identity, store and plugin policy."""

    path: Path
    host: dict[str, Any]
    store_path: Path | None
    store_url: str | None
    connectors_dir: Path
    allow_plugins: tuple[str, ...] | None
    block_plugins: tuple[str, ...]
    lifecycle: dict[str, Any] = field(default_factory=dict)
    """The ``[lifecycle.<method>]`` tables, unparsed; see
    :meth:`connauth._lifecycle.LifecyclePolicy.from_tables`."""


def read_connector_file(path: Path, *, environ: Mapping[str, str]) -> ConnectorDocument:
    """Read and resolve a connector file; raise :class:`ConfigError` naming the
    file, the key and the fix for every problem found."""
    data = _read_toml(path)
    problems: list[tuple[str, str, str | None]] = []
    for key in ("id", "method"):
        if not isinstance(data.get(key), str):
            problems.append((key, f"'{key}' must be a string", None))
    auth = data.get("auth", {})
    http = data.get("http", {})
    if not isinstance(auth, dict):
        problems.append(("auth", "'[auth]' must be a table", None))
        auth = {}
    if not isinstance(http, dict):
        problems.append(("http", "'[http]' must be a table", None))
        http = {}
    unknown = sorted(set(data) - {"id", "method", "auth", "http"})
    if unknown:
        problems.append((unknown[0], f"unknown keys {unknown}", None))

    resolved: dict[str, Any] = {}
    referenced: set[str] = set()
    for name, value in auth.items():
        if isinstance(value, dict):
            try:
                resolved[name] = _resolve_reference(value, path.parent, environ)
            except ValueError as error:
                problems.append((f"auth.{name}", str(error), None))
            referenced.add(name)
        else:
            resolved[name] = value

    if problems:
        raise _file_error(path, problems)
    return ConnectorDocument(
        path=path,
        id=data["id"],
        method=data["method"],
        auth=resolved,
        http=dict(http),
        referenced=frozenset(referenced),
    )


def read_host_file(path: Path) -> HostDocument:
    """Read the host configuration file.

    ``[host]`` holds the host's identity; ``[store] path`` the SQLite store
    file, or ``[store] url`` a store URL for :func:`~connauth.open_store`
    (``postgresql://...``, ``redis://...``; put no password in it, use the
    backend's own environment variables or a password file);
    ``connectors_dir`` the folder searched for ``<id>.toml``; ``[plugins]``
    ``allow`` and ``block`` lists of plugin names.
    """
    data = _read_toml(path)
    host = data.get("host")
    if not isinstance(host, dict):
        raise _file_error(path, [("host", "a [host] table is required", None)])
    store = data.get("store", {})
    plugins = data.get("plugins", {})
    problems = _type_problems(
        store,
        plugins,
        {"store.path": (store, "path", str), "store.url": (store, "url", str)},
    )
    if not isinstance(data.get("connectors_dir", ""), str):
        problems.append(("connectors_dir", "must be a string (a folder path)", None))
    if problems:
        raise _file_error(path, problems)
    store_path = store.get("path")
    allow = plugins.get("allow")
    return HostDocument(
        path=path,
        host=host,
        store_path=(path.parent / store_path) if store_path else None,
        store_url=store.get("url"),
        connectors_dir=path.parent / data.get("connectors_dir", "connectors"),
        allow_plugins=tuple(allow) if allow is not None else None,
        block_plugins=tuple(plugins.get("block", ())),
        lifecycle=_lifecycle_tables(path, data),
    )


def _type_problems(
    store: Any, plugins: Any, fields: dict[str, tuple[Any, str, type]]
) -> list[tuple[str, str, str | None]]:
    problems: list[tuple[str, str, str | None]] = []
    for table, name in ((store, "[store]"), (plugins, "[plugins]")):
        if not isinstance(table, dict):
            problems.append((name, f"{name} must be a table", None))
    if problems:
        return problems
    for label, (table, key, kind) in fields.items():
        value = table.get(key)
        if value is not None and not isinstance(value, kind):
            problems.append((label, f"must be a {kind.__name__}, got {value!r}", None))
    return problems


def _lifecycle_tables(path: Path, data: dict[str, Any]) -> dict[str, Any]:
    tables = data.get("lifecycle", {})
    if not isinstance(tables, dict):
        raise _file_error(
            path, [("lifecycle", "use one [lifecycle.<method>] table per method", None)]
        )
    return tables


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except FileNotFoundError:
        raise ConfigError(f"configuration file {str(path)!r} not found") from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: invalid TOML: {error}") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: not UTF-8 text; save it as UTF-8") from None


def _resolve_reference(
    value: dict[str, Any], base: Path, environ: Mapping[str, str]
) -> str:
    if set(value) == {"env"}:
        name = value["env"]
        if name not in environ:
            raise ValueError(f"environment variable {name!r} is not set; export it")
        return environ[name]
    if set(value) == {"file"}:
        file = base / str(value["file"])
        try:
            return file.read_text(encoding="utf-8")
        except OSError as error:
            raise ValueError(f"cannot read {str(file)!r}: {error.strerror}") from None
    raise ValueError('a reference must be { env = "NAME" } or { file = "path" }')


def _file_error(path: Path, problems: list[tuple[str, str, str | None]]) -> ConfigError:
    lines = "; ".join(f"{field}: {message}" for field, message, _ in problems)
    return ConfigError(f"{path}: {lines}", problems=tuple(problems))
