"""Loading plugins and calling their hooks, one plugin's failure at a time.

pluggy's own ``load_setuptools_entrypoints`` stops at the first plugin that
fails to import. Here each entry point is loaded on its own: a failure is
recorded in :attr:`PluginRegistry.failures` with the plugin's name and cause,
logged, and the other plugins keep working.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from collections.abc import Collection
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import metadata
from typing import Any

import pluggy

from connauth import _hookspec
from connauth._errors import ConnauthError
from connauth._errors import MethodNotInstalled
from connauth._errors import PluginError
from connauth._errors import PluginLoadError
from connauth._hookspec import HOOK_API_VERSION
from connauth._hookspec import PROJECT_NAME
from connauth._method import MethodInfo

__all__ = [
    "EXTENSION_GROUP",
    "METHOD_GROUP",
    "PluginFailure",
    "PluginRegistry",
]

logger = logging.getLogger(__name__)

METHOD_GROUP = "connauth.methods"
EXTENSION_GROUP = "connauth.extensions"
ALLOW_ENV = "CONNAUTH_PLUGINS"
BLOCK_ENV = "CONNAUTH_BLOCK_PLUGINS"


@dataclass(frozen=True)
class PluginFailure:
    """A plugin that could not be loaded or failed in a hook."""

    plugin: str
    cause: str
    hook: str | None = None


class PluginRegistry:
    """The plugin manager of one host application.

    Args:
        allow: if given, only plugins with these names load.
        block: plugins with these names never load.
    """

    def __init__(
        self, *, allow: Collection[str] | None = None, block: Collection[str] = ()
    ) -> None:
        self._pm = pluggy.PluginManager(PROJECT_NAME)
        self._pm.add_hookspecs(_hookspec)
        self._allow = frozenset(allow) if allow is not None else None
        self._block = frozenset(block)
        for name in self._block:
            self._pm.set_blocked(name)
        self._owners: dict[str, str] = {}
        self._infos: dict[str, MethodInfo] = {}
        self._callers: dict[tuple[str, str], Any] = {}
        self.failures: list[PluginFailure] = []

    @classmethod
    def from_environment(
        cls,
        *,
        allow: Collection[str] | None = None,
        block: Collection[str] = (),
    ) -> PluginRegistry:
        """Create a registry with every installed plugin loaded.

        ``CONNAUTH_PLUGINS`` (comma-separated) restricts loading to the names
        listed; ``CONNAUTH_BLOCK_PLUGINS`` adds names never to load.
        """
        env_allow = _names(os.environ.get(ALLOW_ENV))
        env_block = _names(os.environ.get(BLOCK_ENV))
        registry = cls(
            allow=allow if allow is not None else (env_allow or None),
            block={*block, *env_block},
        )
        registry.load_entry_points()
        return registry

    def load_entry_points(self) -> None:
        """Load every plugin of the method and extension entry-point groups."""
        for group in (METHOD_GROUP, EXTENSION_GROUP):
            for entry_point in metadata.entry_points(group=group):
                self._load_entry_point(entry_point)

    def register(self, plugin: object, name: str) -> bool:
        """Register ``plugin`` under ``name``; return whether it was accepted.

        A rejected plugin is recorded in :attr:`failures`.
        """
        if not self._allowed(name):
            return False
        try:
            self._check_api_version(plugin, name)
            self._pm.register(plugin, name=name)
        except (PluginLoadError, pluggy.PluginValidationError, ValueError) as error:
            self._fail(name, str(error))
            return False
        try:
            self._check_hooks_known(plugin, name)
            self._record_methods(plugin, name)
        except PluginLoadError as error:
            self._pm.unregister(plugin)
            self._fail(name, error.message)
            return False
        return True

    def methods(self) -> list[MethodInfo]:
        """Return the installed methods, ordered by name."""
        return [self._infos[name] for name in sorted(self._infos)]

    def method(self, name: str) -> MethodInfo:
        """Return the method called ``name``; raise :class:`MethodNotInstalled`."""
        try:
            return self._infos[name]
        except KeyError:
            raise MethodNotInstalled(name) from None

    def call(self, hook: str, method: str, **kwargs: Any) -> Any:
        """Call a firstresult method hook on the plugin that provides ``method``.

        Errors of connauth's tree pass through. Any other exception is wrapped
        in :class:`PluginError` naming the plugin and hook; its message is not
        copied, because a third party's message might contain a secret.
        """
        owner = self._owners.get(method)
        if owner is None:
            raise MethodNotInstalled(method)
        caller = self._caller(hook, owner)
        try:
            return caller(method=method, **kwargs)
        except ConnauthError:
            raise
        except Exception as error:
            self._fail(owner, type(error).__name__, hook=hook)
            raise PluginError(
                f"plugin {owner!r} raised {type(error).__name__} in {hook}; "
                "see the chained exception, and report it to the plugin's authors",
                plugin=owner,
            ) from error

    def broadcast(self, hook: str, **kwargs: Any) -> list[Any]:
        """Call a hook on every plugin, one at a time, and collect the results.

        A plugin that raises is recorded in :attr:`failures` and logged; the
        others are still called.
        """
        results = []
        for name, _plugin in self._pm.list_name_plugin():
            if name is None or self._pm.is_blocked(name):
                continue
            try:
                result = self._caller(hook, name)(**kwargs)
            except Exception as error:
                self._fail(name, type(error).__name__, hook=hook)
                continue
            if isinstance(result, list):
                results.extend(result)
        return results

    def _caller(self, hook: str, plugin_name: str) -> Callable[..., Any]:
        key = (hook, plugin_name)
        caller = self._callers.get(key)
        if caller is None:
            others = [
                plugin
                for name, plugin in self._pm.list_name_plugin()
                if name != plugin_name and plugin is not None
            ]
            caller = self._pm.subset_hook_caller(hook, remove_plugins=others)
            self._callers[key] = caller
        return caller

    def _load_entry_point(self, entry_point: metadata.EntryPoint) -> None:
        name = entry_point.name
        if not self._allowed(name) or self._pm.has_plugin(name):
            return
        try:
            plugin = entry_point.load()
        except Exception as error:
            self._fail(name, f"import failed: {type(error).__name__}: {error}")
            return
        self.register(plugin, name)

    def _allowed(self, name: str) -> bool:
        if name in self._block:
            return False
        return self._allow is None or name in self._allow

    def _check_api_version(self, plugin: object, name: str) -> None:
        declared = getattr(plugin, "CONNAUTH_HOOK_API", None)
        if not isinstance(declared, str):
            raise PluginLoadError(
                f"plugin {name!r} does not declare CONNAUTH_HOOK_API; add "
                f'CONNAUTH_HOOK_API = "{HOOK_API_VERSION}" to the module',
                plugin=name,
            )
        if not _compatible(declared, HOOK_API_VERSION):
            raise PluginLoadError(
                f"plugin {name!r} was written for hook API {declared}, but this "
                f"connauth provides hook API {HOOK_API_VERSION}; install a version "
                "of the plugin made for this connauth",
                plugin=name,
            )

    def _check_hooks_known(self, plugin: object, name: str) -> None:
        for caller in self._pm.get_hookcallers(plugin) or ():
            if caller.spec is None:
                raise PluginLoadError(
                    f"plugin {name!r} implements unknown hook {caller.name!r}; "
                    f"check its name against hook API {HOOK_API_VERSION}",
                    plugin=name,
                )

    def _record_methods(self, plugin: object, name: str) -> None:
        try:
            answers: list[Sequence[MethodInfo]] = self._caller(
                "connauth_describe_methods", name
            )()
        except Exception as error:
            raise PluginLoadError(
                f"plugin {name!r} failed to describe its methods: "
                f"{type(error).__name__}",
                plugin=name,
            ) from error
        flat = [info for answer in answers for info in answer]
        for info in flat:
            if info.name in self._owners:
                raise PluginLoadError(
                    f"plugin {name!r} provides method {info.name!r}, which plugin "
                    f"{self._owners[info.name]!r} already provides; block one of them",
                    plugin=name,
                )
        for info in flat:
            self._owners[info.name] = name
            self._infos[info.name] = info
        self._callers.clear()

    def _fail(self, plugin: str, cause: str, *, hook: str | None = None) -> None:
        self.failures.append(PluginFailure(plugin=plugin, cause=cause, hook=hook))
        where = f" in {hook}" if hook else ""
        logger.warning("plugin %s failed%s: %s", plugin, where, cause)


def _compatible(declared: str, provided: str) -> bool:
    try:
        major, minor = (int(part) for part in declared.split(".", 1))
    except ValueError:
        return False
    core_major, core_minor = (int(part) for part in provided.split(".", 1))
    return major == core_major and minor <= core_minor


def _names(value: str | None) -> set[str]:
    return {name.strip() for name in (value or "").split(",") if name.strip()}
