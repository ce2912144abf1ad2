"""Running a migration: verified switch, rollback window, and the login paths."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import UTC
from datetime import datetime
from datetime import timedelta

import pytest

from connauth import ConfigError
from connauth import Connauth
from connauth import PluginRegistry
from connauth import SqliteTokenStore
from connauth._journal import MigrationError
from connauth._journal import MigrationState
from connauth._journal import connector_records
from connauth._journal import previous_id
from connauth._journal import staged_id
from connauth._migrate import MigrationRunner

from .migration_support import METHODS
from .migration_support import Jira
from .migration_support import dc_target
from .migration_support import log_in_pat
from .migration_support import myself_status


@dataclass
class MovableClock:
    now: datetime

    def __call__(self) -> datetime:
        return self.now


def test_switch_keeps_old_credentials_for_window(
    connauth: Connauth, jira: Jira
) -> None:
    old = log_in_pat(connauth, jira, "corp")
    target = dc_target(connauth, jira, "corp")
    runner = MigrationRunner(connauth, rollback_window=timedelta(days=7))

    prompt = runner.start(target)
    record = runner.complete(target, jira.approve(prompt.url))

    entry = runner.journal.get("corp")
    assert entry is not None
    assert entry.state is MigrationState.SWITCHED
    assert entry.rollback_until is not None
    assert record.method == "oauth2"
    assert record.data["migrated_from"] == "pat"
    assert "myself: pass" in entry.checks
    assert connauth.store.get(previous_id("corp")) is not None
    assert connauth.store.get(staged_id("corp")) is None
    assert [r.connector_id for r in connector_records(connauth.store)] == ["corp"]
    assert myself_status(connauth, target) == 200
    with pytest.raises(ConfigError, match="stored with method 'oauth2'"):
        connauth.client(old)


def test_rollback_restores_old_method(connauth: Connauth, jira: Jira) -> None:
    old = log_in_pat(connauth, jira, "corp")
    target = dc_target(connauth, jira, "corp")
    runner = MigrationRunner(connauth, rollback_window=timedelta(days=7))
    runner.complete(target, jira.approve(runner.start(target).url))

    restored = runner.rollback("corp")

    entry = runner.journal.get("corp")
    assert restored.method == "pat"
    assert entry is not None
    assert entry.state is MigrationState.ROLLED_BACK
    assert connauth.store.get(previous_id("corp")) is None
    assert myself_status(connauth, old) == 200


def test_window_end_removes_old_credentials(
    jira: Jira, real_store: SqliteTokenStore
) -> None:
    clock = MovableClock(datetime.now(UTC))
    connauth = Connauth(
        jira.host,
        store=real_store,
        registry=PluginRegistry.from_environment(allow=METHODS),
        clock=clock,
    )
    log_in_pat(connauth, jira, "corp")
    target = dc_target(connauth, jira, "corp")
    runner = MigrationRunner(connauth, rollback_window=timedelta(days=7))
    runner.complete(target, jira.approve(runner.start(target).url))
    clock.now += timedelta(days=8)

    with pytest.raises(MigrationError, match="rollback window"):
        runner.rollback("corp")
    removed = runner.remove_expired()

    assert [entry.connector_id for entry in removed] == ["corp"]
    assert removed[0].state is MigrationState.OLD_CREDENTIALS_REMOVED
    assert real_store.get(previous_id("corp")) is None
    assert myself_status(connauth, target) == 200


def test_no_window_removes_old_credentials_at_once(
    connauth: Connauth, jira: Jira
) -> None:
    log_in_pat(connauth, jira, "corp")
    target = dc_target(connauth, jira, "corp")
    runner = MigrationRunner(connauth)

    runner.complete(target, jira.approve(runner.start(target).url))

    entry = runner.journal.get("corp")
    assert entry is not None
    assert entry.state is MigrationState.OLD_CREDENTIALS_REMOVED
    assert [state for state, _ in entry.history] == [
        MigrationState.PLANNED,
        MigrationState.LOGIN_STARTED,
        MigrationState.CREDENTIALS_OBTAINED,
        MigrationState.VERIFIED,
        MigrationState.SWITCHED,
        MigrationState.OLD_CREDENTIALS_REMOVED,
    ]
    assert connauth.store.get(previous_id("corp")) is None
    with pytest.raises(MigrationError, match="no switched migration"):
        runner.rollback("corp")


def test_complete_login_migrating_from_verifies(connauth: Connauth, jira: Jira) -> None:
    log_in_pat(connauth, jira, "corp")
    target = dc_target(connauth, jira, "corp")
    prompt = connauth.begin_login(target)

    record = connauth.complete_login(
        target, jira.approve(prompt.url), migrating_from="pat"
    )

    entry = MigrationRunner(connauth).journal.get("corp")
    assert record.method == "oauth2"
    assert entry is not None
    assert entry.state is MigrationState.OLD_CREDENTIALS_REMOVED
    assert "myself: pass" in entry.checks


def test_method_change_without_migrating_from_rejected(
    connauth: Connauth, jira: Jira
) -> None:
    log_in_pat(connauth, jira, "corp")
    target = dc_target(connauth, jira, "corp")
    prompt = connauth.begin_login(target)
    callback = jira.approve(prompt.url)

    with pytest.raises(ConfigError, match="connauth migrate --from pat --to oauth2"):
        connauth.complete_login(target, callback)
    record = connauth.complete_login(target, callback, migrating_from="pat")

    assert record.method == "oauth2"


def test_async_completion(connauth: Connauth, jira: Jira) -> None:
    log_in_pat(connauth, jira, "corp")
    target = dc_target(connauth, jira, "corp")
    runner = MigrationRunner(connauth)

    async def migrate() -> str:
        prompt = await runner.start_async(target)
        callback = await asyncio.to_thread(jira.approve, prompt.url)
        record = await runner.complete_async(target, callback)
        return record.method

    assert asyncio.run(migrate()) == "oauth2"


def test_sync_api_inside_event_loop(connauth: Connauth, jira: Jira) -> None:
    log_in_pat(connauth, jira, "corp")
    target = dc_target(connauth, jira, "corp")
    runner = MigrationRunner(connauth)
    callback = jira.approve(runner.start(target).url)

    async def inside_loop() -> str:
        return runner.complete(target, callback).method

    assert asyncio.run(inside_loop()) == "oauth2"


def test_cloud_connector_moves_to_3lo(connauth: Connauth, jira: Jira) -> None:
    old = connauth.connector("acme", "basic", jira.basic_auth(), jira.http)
    connauth.login(old)
    target = connauth.connector("acme", "oauth2", jira.cloud_oauth2_auth(), jira.http)
    runner = MigrationRunner(connauth)

    record = runner.complete(target, jira.approve(runner.start(target).url))

    assert record.data["deployment"] == "cloud"
    assert record.data["cloud_id"] == jira.cloud.cloud_id
    assert record.api_base_url.startswith(jira.server.gateway_url)
    assert myself_status(connauth, target) == 200


def test_callback_finds_its_connector(connauth: Connauth, jira: Jira) -> None:
    log_in_pat(connauth, jira, "corp")
    log_in_pat(connauth, jira, "ops")
    runner = MigrationRunner(connauth)
    first = runner.start(dc_target(connauth, jira, "corp"))
    second = runner.start(dc_target(connauth, jira, "ops"))

    corp = runner.connector_for_callback(jira.approve(first.url))
    ops = runner.connector_for_callback(jira.approve(second.url))

    assert corp is not None
    assert ops is not None
    assert corp.connector_id == "corp"
    assert ops.connector_id == "ops"
    assert runner.connector_for_callback("https://host.example/cb?state=x") is None


def test_restarted_login_replaces_the_first(connauth: Connauth, jira: Jira) -> None:
    log_in_pat(connauth, jira, "corp")
    target = dc_target(connauth, jira, "corp")
    runner = MigrationRunner(connauth)
    first = runner.start(target)
    entry = runner.journal.get("corp")
    second = runner.start(target)

    assert entry is not None
    assert runner.journal.get("corp").migration_id == entry.migration_id  # type: ignore[union-attr]
    assert runner.connector_for_callback(jira.approve(first.url)) is None
    record = runner.complete(target, jira.approve(second.url))
    assert record.method == "oauth2"


def test_already_migrated_connector_rejected(connauth: Connauth, jira: Jira) -> None:
    log_in_pat(connauth, jira, "corp")
    target = dc_target(connauth, jira, "corp")
    runner = MigrationRunner(connauth)
    runner.complete(target, jira.approve(runner.start(target).url))

    with pytest.raises(MigrationError, match="already uses 'oauth2'"):
        runner.start(target)
