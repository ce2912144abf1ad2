"""What the CLI commands share: the host configuration and how to find connectors."""

from __future__ import annotations

import os
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path

from pydantic import ValidationError
from rich.console import Console

from connauth._connauth import Connauth
from connauth._connector import Connector
from connauth._errors import ConfigError
from connauth._files import HostDocument
from connauth._files import read_host_file
from connauth._host import HostIdentity
from connauth._lifecycle import LifecyclePolicy
from connauth._plugins import PluginRegistry
from connauth._sqlite_store import SqliteTokenStore
from connauth._store import TokenStore
from connauth._store_backends import open_store

__all__ = ["CONFIG_ENV", "CliContext"]

CONFIG_ENV = "CONNAUTH_CONFIG"
DEFAULT_CONFIG = Path("connauth.toml")


@dataclass
class CliContext:
    """Lazily built state of one CLI invocation."""

    config_path: Path | None
    store_path: Path | None
    environment_registry: PluginRegistry | None = None
    console: Console = field(default_factory=Console)
    errors: Console = field(default_factory=lambda: Console(stderr=True))
    _document: HostDocument | None = None
    _registry: PluginRegistry | None = None
    _connauth: Connauth | None = None

    def document(self) -> HostDocument:
        """Return the host configuration file, read once."""
        if self._document is None:
            path = self.config_path or _default_config()
            if path is None:
                raise ConfigError(
                    "no host configuration: create connauth.toml with a [host] table "
                    f"(name, redirect_url, privacy_policy_url, public_base_url), or "
                    f"pass --config or set {CONFIG_ENV}"
                )
            self._document = read_host_file(path)
        return self._document

    def registry(self) -> PluginRegistry:
        """Return the plugin registry, honouring the config file's plugin policy."""
        if self._registry is None:
            path = self.config_path or _default_config()
            document = self.document() if path is not None else None
            has_policy = document is not None and (
                document.allow_plugins is not None or document.block_plugins
            )
            if document is not None and has_policy:
                self._registry = PluginRegistry.from_environment(
                    allow=document.allow_plugins, block=document.block_plugins
                )
            else:
                self._registry = (
                    self.environment_registry or PluginRegistry.from_environment()
                )
        return self._registry

    def connauth(self) -> Connauth:
        """Return the host's :class:`Connauth`, built on first use."""
        if self._connauth is None:
            document = self.document()
            try:
                host = HostIdentity(**document.host)
            except ValidationError as error:
                listed = "; ".join(
                    ".".join(str(part) for part in item["loc"])
                    + ": "
                    + item["msg"].removeprefix("Value error, ")
                    for item in error.errors()
                )
                raise ConfigError(
                    f"{document.path}: invalid [host]: {listed}"
                ) from None
            lifecycle = LifecyclePolicy.from_tables(
                document.lifecycle, source=str(document.path)
            )
            self._connauth = Connauth(
                host,
                store=self._open_store(document),
                registry=self.registry(),
                lifecycle=lifecycle,
            )
        return self._connauth

    def _open_store(self, document: HostDocument) -> TokenStore:
        """Open ``--store``, else the config's ``[store] url`` or ``path``, else
        the per-user SQLite store."""
        if self.store_path is None and document.store_url is not None:
            return open_store(document.store_url)
        return SqliteTokenStore(self.store_path or document.store_path)

    def connector(self, reference: str) -> Connector:
        """Load a connector from a file path, or by id from the connectors folder."""
        path = Path(reference)
        if not path.is_file():
            path = self.document().connectors_dir / f"{reference}.toml"
            if not path.is_file():
                raise ConfigError(
                    f"connector {reference!r} not found: no file {reference!r} and no "
                    f"{path}; give a path or an id from the connectors folder"
                )
        return self.connauth().load_connector(path)


def _default_config() -> Path | None:
    configured = os.environ.get(CONFIG_ENV)
    if configured:
        return Path(configured)
    return DEFAULT_CONFIG if DEFAULT_CONFIG.is_file() else None
