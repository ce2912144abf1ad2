"""Lifecycle phases from a plugin's default, a host's dates and a set clock."""

from __future__ import annotations

import tomllib
from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import timedelta
from datetime import timezone
from pathlib import Path

import pytest

from connauth import ConfigError
from connauth import Connauth
from connauth import Lifecycle
from connauth import PluginRegistry
from connauth import SqliteTokenStore
from connauth._files import read_host_file
from connauth._lifecycle import LifecyclePolicy
from connauth._lifecycle import MethodPolicy
from connauth._lifecycle import method_status

from .lifecycle_support import HOST
from .lifecycle_support import SetClock
from .lifecycle_support import method_plugin

DATES = MethodPolicy(
    deprecation_date=date(2030, 3, 1),
    closing_date=date(2030, 6, 1),
    sunset_date=date(2030, 9, 1),
)


def make_connauth(
    store: SqliteTokenStore,
    registry: PluginRegistry,
    clock: SetClock,
    policy: LifecyclePolicy,
) -> Connauth:
    return Connauth(HOST, store=store, registry=registry, clock=clock, lifecycle=policy)


@pytest.mark.parametrize(
    ("day", "phase"),
    [
        (date(2030, 2, 28), Lifecycle.SUPPORTED),
        (date(2030, 3, 1), Lifecycle.DEPRECATED),
        (date(2030, 5, 31), Lifecycle.DEPRECATED),
        (date(2030, 6, 1), Lifecycle.CLOSED),
        (date(2030, 8, 31), Lifecycle.CLOSED),
        (date(2030, 9, 1), Lifecycle.RETIRED),
        (date(2031, 1, 1), Lifecycle.RETIRED),
    ],
)
def test_phase_follows_dates(
    store: SqliteTokenStore,
    registry: PluginRegistry,
    clock: SetClock,
    day: date,
    phase: Lifecycle,
) -> None:
    connauth = make_connauth(store, registry, clock, LifecyclePolicy({"legacy": DATES}))
    clock.set_day(day)

    assert connauth.lifecycle_status("legacy").phase is phase


def test_phase_changes_at_utc_midnight(
    store: SqliteTokenStore, registry: PluginRegistry, clock: SetClock
) -> None:
    connauth = make_connauth(store, registry, clock, LifecyclePolicy({"legacy": DATES}))
    new_york = timezone(timedelta(hours=-5))
    clock.now = datetime(2030, 2, 28, 18, 59, tzinfo=new_york)
    assert connauth.lifecycle_status("legacy").phase is Lifecycle.SUPPORTED

    clock.now = datetime(2030, 2, 28, 19, 0, tzinfo=new_york)
    assert connauth.lifecycle_status("legacy").phase is Lifecycle.DEPRECATED


def test_one_injected_clock_walks_every_transition(
    store: SqliteTokenStore, registry: PluginRegistry, clock: SetClock
) -> None:
    connauth = make_connauth(store, registry, clock, LifecyclePolicy({"legacy": DATES}))
    clock.set_day(date(2030, 2, 1))
    seen = []
    for _ in range(250):
        phase = connauth.lifecycle_status("legacy").phase
        if not seen or seen[-1] is not phase:
            seen.append(phase)
        clock.advance(timedelta(days=1))

    assert seen == [
        Lifecycle.SUPPORTED,
        Lifecycle.DEPRECATED,
        Lifecycle.CLOSED,
        Lifecycle.RETIRED,
    ]


def test_plugin_default_applies_without_policy(
    store: SqliteTokenStore, clock: SetClock
) -> None:
    registry = PluginRegistry()
    plugin = method_plugin("old", lifecycle=Lifecycle.DEPRECATED, replacement="new")
    assert registry.register(plugin, "old")
    connauth = make_connauth(store, registry, clock, LifecyclePolicy())

    status = connauth.lifecycle_status("old")

    assert status.phase is Lifecycle.DEPRECATED
    assert status.default_phase is Lifecycle.DEPRECATED
    assert status.replacement == "new"
    assert status.sunset_date is None
    assert status.days_to_sunset is None


def test_policy_phase_delays_plugin_default(
    store: SqliteTokenStore, clock: SetClock
) -> None:
    registry = PluginRegistry()
    plugin = method_plugin("old", lifecycle=Lifecycle.DEPRECATED, replacement="new")
    assert registry.register(plugin, "old")
    policy = MethodPolicy(phase=Lifecycle.SUPPORTED, deprecation_date=date(2030, 3, 1))
    connauth = make_connauth(store, registry, clock, LifecyclePolicy({"old": policy}))

    clock.set_day(date(2030, 2, 28))
    assert connauth.lifecycle_status("old").phase is Lifecycle.SUPPORTED
    clock.set_day(date(2030, 3, 1))
    assert connauth.lifecycle_status("old").phase is Lifecycle.DEPRECATED


def test_policy_never_moves_a_phase_back_by_dates(
    store: SqliteTokenStore, clock: SetClock
) -> None:
    registry = PluginRegistry()
    plugin = method_plugin("old", lifecycle=Lifecycle.CLOSED)
    assert registry.register(plugin, "old")
    late = MethodPolicy(deprecation_date=date(2030, 1, 1))
    connauth = make_connauth(store, registry, clock, LifecyclePolicy({"old": late}))

    assert connauth.lifecycle_status("old").phase is Lifecycle.CLOSED


def test_uninstalled_method_is_removed(
    store: SqliteTokenStore, registry: PluginRegistry, clock: SetClock
) -> None:
    policy = LifecyclePolicy({"gone": MethodPolicy(replacement="modern")})
    connauth = make_connauth(store, registry, clock, policy)

    status = connauth.lifecycle_status("gone")

    assert status.phase is Lifecycle.REMOVED
    assert not status.installed
    assert status.replacement == "modern"
    assert status.migrate_command == "connauth migrate --from gone --to modern"


def test_days_to_sunset_counts_calendar_days(
    store: SqliteTokenStore, registry: PluginRegistry, clock: SetClock
) -> None:
    connauth = make_connauth(store, registry, clock, LifecyclePolicy({"legacy": DATES}))
    clock.set_day(date(2030, 8, 2))
    assert connauth.lifecycle_status("legacy").days_to_sunset == 30

    clock.set_day(date(2030, 9, 3))
    assert connauth.lifecycle_status("legacy").days_to_sunset == -2


def test_policy_replacement_overrides_plugin(
    store: SqliteTokenStore, registry: PluginRegistry, clock: SetClock
) -> None:
    policy = LifecyclePolicy({"legacy": MethodPolicy(replacement="other")})
    connauth = make_connauth(store, registry, clock, policy)

    assert connauth.lifecycle_status("legacy").replacement == "other"


def test_dates_out_of_order_rejected() -> None:
    with pytest.raises(ValueError, match="sunset_date 2030-02-01 is before"):
        MethodPolicy(
            deprecation_date=date(2030, 1, 1),
            sunset_date=date(2030, 2, 1),
            closing_date=date(2030, 3, 1),
        )


def test_removed_phase_cannot_be_set() -> None:
    with pytest.raises(ValueError, match="uninstall the plugin"):
        MethodPolicy(phase=Lifecycle.REMOVED)


def test_tables_parse_toml_dates(tmp_path: Path) -> None:
    text = """
    [lifecycle.legacy]
    deprecation_date = 2030-03-01
    closing_date = "2030-06-01"
    sunset_date = 2030-09-01
    replacement = "modern"
    rollback_days = 14
    """
    tables = tomllib.loads(text)["lifecycle"]

    policy = LifecyclePolicy.from_tables(tables, source="connauth.toml")
    legacy = policy.for_method("legacy")

    assert legacy.deprecation_date == date(2030, 3, 1)
    assert legacy.closing_date == date(2030, 6, 1)
    assert legacy.sunset_date == date(2030, 9, 1)
    assert legacy.replacement == "modern"
    assert legacy.rollback_days == 14
    assert policy.for_method("other") == MethodPolicy()


def test_tables_errors_name_file_and_key() -> None:
    tables = {
        "legacy": {"sunset_date": "next week", "rollback_days": -1},
        "other": "deprecated",
    }

    with pytest.raises(ConfigError) as caught:
        LifecyclePolicy.from_tables(tables, source="/etc/host.toml")

    message = str(caught.value)
    keys = [problem[0] for problem in caught.value.problems]
    assert message.startswith("/etc/host.toml: ")
    assert "lifecycle.legacy.sunset_date" in keys
    assert "lifecycle.legacy.rollback_days" in keys
    assert "lifecycle.other" in keys


def test_host_file_keeps_lifecycle_tables(tmp_path: Path) -> None:
    path = tmp_path / "connauth.toml"
    path.write_text(
        '[host]\nname = "Host"\n[lifecycle.oauth1a]\nsunset_date = 2030-09-01\n',
        encoding="utf-8",
    )

    document = read_host_file(path)

    assert document.lifecycle == {"oauth1a": {"sunset_date": date(2030, 9, 1)}}


def test_host_file_rejects_lifecycle_value(tmp_path: Path) -> None:
    path = tmp_path / "connauth.toml"
    path.write_text('lifecycle = "soon"\n[host]\nname = "Host"\n', encoding="utf-8")

    with pytest.raises(ConfigError, match="lifecycle"):
        read_host_file(path)


def test_status_dates_are_utc_days() -> None:
    now = datetime(2030, 3, 1, 0, 0, tzinfo=UTC)

    status = method_status("legacy", None, DATES, now)

    assert status.today == date(2030, 3, 1)
    assert status.phase is Lifecycle.REMOVED
