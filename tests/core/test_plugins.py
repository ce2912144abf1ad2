"""Loading plugins: versions, unknown hooks, isolation of failures, policy."""

from __future__ import annotations

import types
from collections.abc import Sequence
from importlib import metadata

import pytest

from connauth import HOOK_API_VERSION
from connauth import Deployment
from connauth import MethodConfig
from connauth import MethodInfo
from connauth import MethodNotInstalled
from connauth import PluginError
from connauth import PluginRegistry
from connauth import hookimpl


def make_plugin(
    name: str, *, api: str | None = HOOK_API_VERSION, **hooks: object
) -> types.ModuleType:
    module = types.ModuleType(f"plugin_{name}")
    if api is not None:
        module.CONNAUTH_HOOK_API = api  # type: ignore[attr-defined]

    @hookimpl
    def connauth_describe_methods() -> Sequence[MethodInfo]:
        return [
            MethodInfo(
                name=name,
                title=name.title(),
                summary="test method",
                config_model=MethodConfig,
                deployments=frozenset({Deployment.CLOUD}),
            )
        ]

    module.connauth_describe_methods = connauth_describe_methods  # type: ignore[attr-defined]
    for hook_name, function in hooks.items():
        setattr(module, hook_name, hookimpl(function))
    return module


def test_register_records_method() -> None:
    registry = PluginRegistry()
    assert registry.register(make_plugin("alpha"), "alpha")
    assert [info.name for info in registry.methods()] == ["alpha"]
    assert registry.failures == []


def test_missing_api_version_rejected() -> None:
    registry = PluginRegistry()
    assert not registry.register(make_plugin("alpha", api=None), "alpha")
    assert registry.failures[0].plugin == "alpha"
    assert "CONNAUTH_HOOK_API" in registry.failures[0].cause
    assert registry.methods() == []


@pytest.mark.parametrize("declared", ["2.0", "0.9", "1.99", "one"])
def test_incompatible_api_version_names_both(declared: str) -> None:
    registry = PluginRegistry()
    assert not registry.register(make_plugin("alpha", api=declared), "alpha")
    cause = registry.failures[0].cause
    assert declared in cause
    assert HOOK_API_VERSION in cause


def test_older_minor_version_accepted() -> None:
    registry = PluginRegistry()
    assert registry.register(make_plugin("alpha", api="1.0"), "alpha")


def test_unknown_hook_rejected() -> None:
    def connauth_authenticat(method: str) -> None:  # misspelled on purpose
        return None

    registry = PluginRegistry()
    assert not registry.register(
        make_plugin("alpha", connauth_authenticat=connauth_authenticat), "alpha"
    )
    assert "connauth_authenticat" in registry.failures[0].cause
    assert registry.methods() == []


def test_wrong_hook_signature_rejected() -> None:
    def connauth_checklist(method: str, nonsense: int) -> None:
        return None

    registry = PluginRegistry()
    assert not registry.register(
        make_plugin("alpha", connauth_checklist=connauth_checklist), "alpha"
    )
    assert registry.failures[0].plugin == "alpha"


def test_duplicate_method_rejected() -> None:
    registry = PluginRegistry()
    assert registry.register(make_plugin("alpha"), "alpha")
    assert not registry.register(make_plugin("alpha"), "alpha-copy")
    assert "already provides" in registry.failures[0].cause


def test_raising_hook_isolated_to_its_plugin() -> None:
    def broken_checklist(
        method: str, host: object, config: object, deployment: object
    ) -> None:
        raise RuntimeError("secret-looking text that must not be copied")

    def good_checklist(
        method: str, host: object, config: object, deployment: object
    ) -> str:
        return f"checklist of {method}"

    registry = PluginRegistry()
    registry.register(
        make_plugin("broken", connauth_checklist=broken_checklist), "broken"
    )
    registry.register(make_plugin("good", connauth_checklist=good_checklist), "good")

    with pytest.raises(PluginError) as caught:
        registry.call(
            "connauth_checklist", "broken", host=None, config=None, deployment=None
        )
    assert caught.value.plugin == "broken"
    assert "RuntimeError" in str(caught.value)
    assert "secret-looking" not in str(caught.value)

    answer = registry.call(
        "connauth_checklist", "good", host=None, config=None, deployment=None
    )
    assert answer == "checklist of good"


def test_call_reaches_only_owner() -> None:
    calls: list[str] = []

    def first(method: str, host: object, config: object, deployment: object) -> str:
        calls.append("first")
        return "first"

    def second(method: str, host: object, config: object, deployment: object) -> str:
        calls.append("second")
        return "second"

    registry = PluginRegistry()
    registry.register(make_plugin("one", connauth_checklist=first), "one")
    registry.register(make_plugin("two", connauth_checklist=second), "two")
    assert (
        registry.call(
            "connauth_checklist", "two", host=None, config=None, deployment=None
        )
        == "second"
    )
    assert calls == ["second"]


def test_unknown_method_raises() -> None:
    registry = PluginRegistry()
    with pytest.raises(MethodNotInstalled) as caught:
        registry.method("oauth1a")
    assert "oauth1a" in str(caught.value)
    assert "migrate" in str(caught.value)


def test_block_and_allow_policy() -> None:
    blocked = PluginRegistry(block={"alpha"})
    assert not blocked.register(make_plugin("alpha"), "alpha")
    assert blocked.methods() == []

    allowed = PluginRegistry(allow={"beta"})
    assert not allowed.register(make_plugin("alpha"), "alpha")
    assert allowed.register(make_plugin("beta"), "beta")
    assert [info.name for info in allowed.methods()] == ["beta"]


def test_broken_entry_point_reported_others_load(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    good = make_plugin("good")
    module_name = "connauth_test_good_plugin"
    monkeypatch.setitem(__import__("sys").modules, module_name, good)
    entry_points = [
        metadata.EntryPoint("missing", "connauth_no_such_module", "connauth.methods"),
        metadata.EntryPoint("good", module_name, "connauth.methods"),
    ]

    def fake_entry_points(*, group: str) -> list[metadata.EntryPoint]:
        return [ep for ep in entry_points if ep.group == group]

    # NOTE: the entry-point table is replaced so that the test does not depend
    # on what happens to be installed; loading and registration are real.
    monkeypatch.setattr(metadata, "entry_points", fake_entry_points)
    registry = PluginRegistry()
    registry.load_entry_points()
    assert [info.name for info in registry.methods()] == ["good"]
    assert [failure.plugin for failure in registry.failures] == ["missing"]
    assert "ModuleNotFoundError" in registry.failures[0].cause


def test_broadcast_survives_raising_plugin() -> None:
    seen: list[str] = []

    def boom(connector_id: str, method: str) -> None:
        raise ValueError("boom")

    def record(connector_id: str, method: str) -> None:
        seen.append(connector_id)

    registry = PluginRegistry()
    registry.register(make_plugin("a", connauth_tokens_refreshed=boom), "a")
    registry.register(make_plugin("b", connauth_tokens_refreshed=record), "b")
    registry.broadcast("connauth_tokens_refreshed", connector_id="c1", method="a")
    assert seen == ["c1"]
    assert [(f.plugin, f.hook) for f in registry.failures] == [
        ("a", "connauth_tokens_refreshed")
    ]
