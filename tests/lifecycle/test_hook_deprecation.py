"""Phasing out a hook or a hook argument with pluggy's ``warn_on_impl``.

The spec below is thrown away after the tests: it shows the pattern that the
hook API follows when one of its hooks or arguments goes away.
"""

from __future__ import annotations

import types

import pluggy
import pytest

from connauth._hookspec import PROJECT_NAME
from connauth._hookspec import hookimpl
from connauth._hookspec import hookspec
from connauth._notices import HookDeprecationWarning
from connauth._notices import hook_argument_deprecation
from connauth._notices import hook_deprecation


class ThrowawaySpec:
    @hookspec(
        firstresult=True,
        warn_on_impl=hook_deprecation(
            "connauth_old_hook", since="1.1", removed_in="2.0", instead="connauth_new"
        ),
    )
    def connauth_old_hook(self, method: str) -> str | None:
        """A hook on its way out."""
        raise NotImplementedError

    @hookspec(
        firstresult=True,
        warn_on_impl_args={
            "legacy_flag": hook_argument_deprecation(
                "connauth_new",
                "legacy_flag",
                since="1.1",
                removed_in="2.0",
                instead="config.flag",
            )
        },
    )
    def connauth_new(self, method: str, legacy_flag: bool) -> str | None:
        """A hook whose ``legacy_flag`` argument is on its way out."""
        raise NotImplementedError


def manager() -> pluggy.PluginManager:
    pm = pluggy.PluginManager(PROJECT_NAME)
    pm.add_hookspecs(ThrowawaySpec)
    return pm


def plugin(**hooks: object) -> types.ModuleType:
    module = types.ModuleType("throwaway_plugin")
    for name, function in hooks.items():
        setattr(module, name, hookimpl(function))
    return module


def old_hook(method: str) -> str:
    return "old"


def new_with_flag(method: str, legacy_flag: bool) -> str:
    return "flag"


def new_without_flag(method: str) -> str:
    return "new"


def test_implementing_deprecated_hook_warns_at_plugin() -> None:
    pm = manager()

    with pytest.warns(HookDeprecationWarning, match="connauth_old_hook") as caught:
        pm.register(plugin(connauth_old_hook=old_hook))

    assert caught[0].filename == __file__
    assert caught[0].lineno == old_hook.__code__.co_firstlineno
    assert "removed in 2.0" in str(caught[0].message)
    assert "implement connauth_new instead" in str(caught[0].message)


def test_deprecated_argument_warns_only_when_named() -> None:
    with pytest.warns(HookDeprecationWarning, match="'legacy_flag'"):
        manager().register(plugin(connauth_new=new_with_flag))

    pm = manager()
    pm.register(plugin(connauth_new=new_without_flag))

    assert pm.hook.connauth_new(method="m", legacy_flag=True) == "new"


def test_deprecated_hook_still_called() -> None:
    pm = manager()
    with pytest.warns(HookDeprecationWarning):
        pm.register(plugin(connauth_old_hook=old_hook))

    assert pm.hook.connauth_old_hook(method="m") == "old"


def test_warning_is_a_deprecation_warning() -> None:
    warning = hook_deprecation("h", since="1.1", removed_in="2.0", instead="g")

    assert isinstance(warning, DeprecationWarning)
