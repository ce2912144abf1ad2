"""Bulk migration: concurrency limit, callbacks as they arrive, resume, report."""

from __future__ import annotations

import json
import threading
from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from connauth import ConfigError
from connauth import Connauth
from connauth import Connector
from connauth import CredentialRecord
from connauth import PluginRegistry
from connauth import SqliteTokenStore
from connauth._connauth import LoginPrompt
from connauth._journal import MigrationState
from connauth._migrate import MigrationRunner
from connauth._migrate_bulk import BulkMigration
from connauth._migrate_bulk import BulkOutcome
from connauth._migrate_bulk import TargetFactory
from connauth.cli._app import cli

from .migration_support import METHODS
from .migration_support import Jira
from .migration_support import SimulatedCrash
from .migration_support import cli_environment
from .migration_support import dc_target
from .migration_support import log_in_pat
from .migration_support import make_connauth
from .migration_support import myself_status
from .migration_support import open_store
from .migration_support import write_host_config
from .migration_support import write_target_template

IDS = [f"site-{number}" for number in range(6)]


def targets_for(connauth: Connauth, jira: Jira) -> TargetFactory:
    def build(record: CredentialRecord) -> Connector:
        return dc_target(connauth, jira, record.connector_id)

    return build


def bulk(connauth: Connauth, jira: Jira, concurrency: int = 3) -> BulkMigration:
    return BulkMigration(
        MigrationRunner(connauth),
        source="pat",
        target="oauth2",
        targets=targets_for(connauth, jira),
        concurrency=concurrency,
    )


def test_bulk_moves_all_within_concurrency(connauth: Connauth, jira: Jira) -> None:
    for connector_id in IDS:
        log_in_pat(connauth, jira, connector_id)
    lock = threading.Lock()
    active: list[int] = [0, 0]
    outcomes: list[BulkOutcome] = []

    def approve(prompt: LoginPrompt) -> str:
        with lock:
            active[0] += 1
            active[1] = max(active)
        try:
            return jira.approve(prompt.url)
        finally:
            with lock:
                active[0] -= 1

    report = bulk(connauth, jira).run(approve, on_outcome=outcomes.append)

    assert report.counts() == {"old_credentials_removed": len(IDS)}
    assert [outcome.connector_id for outcome in report.outcomes] == IDS
    assert sorted(outcome.connector_id for outcome in outcomes) == IDS
    assert active[1] <= 3
    assert report.failed == []
    for connector_id in IDS:
        assert myself_status(connauth, dc_target(connauth, jira, connector_id)) == 200


def test_interrupted_bulk_resumes(
    jira: Jira, store_path: Path, store_key: bytes
) -> None:
    first = open_store(store_path, store_key)
    before = make_connauth(jira, first)
    for connector_id in IDS:
        log_in_pat(before, jira, connector_id)
    approvals: list[str] = []
    lock = threading.Lock()

    def approve_two_then_die(prompt: LoginPrompt) -> str:
        with lock:
            approvals.append(prompt.connector_id)
            if len(approvals) > 2:
                raise SimulatedCrash("the operator's machine lost power")
        return jira.approve(prompt.url)

    with pytest.raises(SimulatedCrash):
        bulk(before, jira, concurrency=2).run(approve_two_then_die)
    first.close()

    restarted = open_store(store_path, store_key)
    after = make_connauth(jira, restarted)
    journal = MigrationRunner(after).journal
    done_before = [
        entry.connector_id
        for entry in journal.entries()
        if entry.state is MigrationState.OLD_CREDENTIALS_REMOVED
    ]
    report = bulk(after, jira).run(lambda prompt: jira.approve(prompt.url))

    assert 1 <= len(done_before) < len(IDS)
    assert sorted(o.connector_id for o in report.finished) == sorted(
        set(IDS) - set(done_before)
    )
    for connector_id in IDS:
        live = restarted.get(connector_id)
        assert live is not None
        assert live.method == "oauth2"
    restarted.close()


def test_logins_wait_for_callbacks(connauth: Connauth, jira: Jira) -> None:
    for connector_id in IDS[:3]:
        log_in_pat(connauth, jira, connector_id)
    migration = bulk(connauth, jira)

    started = migration.run()
    again = migration.run()

    assert [o.state for o in started.outcomes] == [MigrationState.LOGIN_STARTED] * 3
    assert [o.login_url for o in again.outcomes] == [
        o.login_url for o in started.outcomes
    ]
    runner = MigrationRunner(connauth)
    for outcome in reversed(started.outcomes):
        callback = jira.approve(outcome.login_url)
        entry = runner.connector_for_callback(callback)
        assert entry is not None
        assert entry.connector_id == outcome.connector_id
        runner.complete(dc_target(connauth, jira, entry.connector_id), callback)
    final = migration.run()

    assert final.outcomes == ()
    assert [e.state for e in runner.journal.entries()] == [
        MigrationState.OLD_CREDENTIALS_REMOVED
    ] * 3


def test_one_failure_does_not_stop_others(connauth: Connauth, jira: Jira) -> None:
    for connector_id in IDS[:3]:
        log_in_pat(connauth, jira, connector_id)
    connauth.login(
        connauth.connector("vintage", "pat", jira.pat_auth(jira.old_dc), jira.http)
    )

    def build(record: CredentialRecord) -> Connector:
        if record.connector_id == IDS[1]:
            raise ConfigError("no target configuration for site-1")
        if record.connector_id == "vintage":
            return connauth.connector(
                "vintage", "oauth2", jira.dc_oauth2_auth(jira.old_dc), jira.http
            )
        return dc_target(connauth, jira, record.connector_id)

    migration = BulkMigration(
        MigrationRunner(connauth), source="pat", target="oauth2", targets=build
    )
    report = migration.run(lambda prompt: jira.approve(prompt.url))

    failed = {outcome.connector_id: outcome for outcome in report.failed}
    assert sorted(failed) == [IDS[1], "vintage"]
    assert failed[IDS[1]].state is None
    assert failed[IDS[1]].message == "no target configuration for site-1"
    assert failed["vintage"].state is MigrationState.BLOCKED
    assert sorted(o.connector_id for o in report.finished) == [IDS[0], IDS[2]]


def test_rolled_back_connector_skipped_unless_named(
    connauth: Connauth, jira: Jira
) -> None:
    log_in_pat(connauth, jira, "corp")
    target = dc_target(connauth, jira, "corp")
    runner = MigrationRunner(connauth, rollback_window=timedelta(days=1))
    runner.complete(target, jira.approve(runner.start(target).url))
    runner.rollback("corp")

    skipped = bulk(connauth, jira).run(lambda p: jira.approve(p.url))
    named = BulkMigration(
        runner,
        source="pat",
        target="oauth2",
        targets=targets_for(connauth, jira),
        connector_ids=["corp"],
    ).run(lambda p: jira.approve(p.url))

    assert [o.state for o in skipped.outcomes] == [MigrationState.ROLLED_BACK]
    assert [o.state for o in named.outcomes] == [MigrationState.SWITCHED]


def test_concurrency_must_be_positive(connauth: Connauth, jira: Jira) -> None:
    with pytest.raises(ConfigError, match="at least 1"):
        bulk(connauth, jira, concurrency=0)


def invoke(config: Path, jira: Jira, store_key: bytes, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(
        cli,
        ["--config", str(config), *args],
        obj=PluginRegistry.from_environment(allow=METHODS),
        env=cli_environment(jira, store_key),
    )
    error = result.exception
    if error is not None and not isinstance(error, SystemExit):
        return result.exit_code, f"{result.output}{type(error).__name__}: {error}"
    return result.exit_code, result.output


def test_cli_bulk_with_callbacks(
    tmp_path: Path,
    jira: Jira,
    connauth: Connauth,
    real_store: SqliteTokenStore,
    store_path: Path,
    store_key: bytes,
) -> None:
    for connector_id in IDS[:3]:
        log_in_pat(connauth, jira, connector_id)
    config = write_host_config(tmp_path, jira, store_path)
    template = str(write_target_template(tmp_path, jira))
    bulk_args = ["migrate", "--from", "pat", "--to", "oauth2"]
    bulk_args += ["--target-config", template, "--concurrency", "2", "--json"]

    code, output = invoke(config, jira, store_key, *bulk_args)
    assert code == 0, output
    started = json.loads(output[output.index("{") :])
    urls = [row["login_url"] for row in started["connectors"]]
    assert started["counts"] == {"login_started": 3}
    assert all(url.startswith(jira.site(jira.dc)) for url in urls)

    callbacks = tmp_path / "callbacks.txt"
    callbacks.write_text("\n".join(jira.approve(url) for url in urls) + "\n")
    code, output = invoke(
        config,
        jira,
        store_key,
        "migrate",
        "complete",
        "--callbacks",
        str(callbacks),
        "--target-config",
        template,
        "--json",
    )
    assert code == 0, output
    completed = json.loads(output)
    assert [row["result"] for row in completed] == ["switched"] * 3

    code, output = invoke(config, jira, store_key, *bulk_args)
    assert code == 0, output
    assert json.loads(output[output.index("{") :])["connectors"] == []
    code, output = invoke(config, jira, store_key, "migrate", "status", "--json")
    states = [row["state"] for row in json.loads(output)]
    assert states == ["old_credentials_removed"] * 3
    for connector_id in IDS[:3]:
        live = real_store.get(connector_id)
        assert live is not None
        assert live.method == "oauth2"


def test_cli_rollback_and_purge(
    tmp_path: Path,
    jira: Jira,
    connauth: Connauth,
    real_store: SqliteTokenStore,
    store_path: Path,
    store_key: bytes,
) -> None:
    log_in_pat(connauth, jira, "corp")
    config = write_host_config(tmp_path, jira, store_path)
    template = str(write_target_template(tmp_path, jira))
    runner = MigrationRunner(connauth)
    runner.start(dc_target(connauth, jira, "corp"))
    callback = jira.approve(runner.journal.get("corp").login_url)  # type: ignore[union-attr]

    code, output = invoke(
        config,
        jira,
        store_key,
        "migrate",
        "complete",
        "--callback-url",
        callback,
        "--target-config",
        template,
        "--keep-old-days",
        "3",
    )
    assert code == 0, output
    code, output = invoke(config, jira, store_key, "migrate", "rollback", "corp")
    assert code == 0, output
    assert "uses pat again" in output
    assert real_store.get("corp").method == "pat"  # type: ignore[union-attr]

    code, output = invoke(config, jira, store_key, "migrate", "rollback", "corp")
    assert code == 1
    assert "no switched migration" in output
    code, output = invoke(config, jira, store_key, "migrate", "purge")
    assert code == 0, output
    assert "0 connector(s)" in output


def test_cli_complete_unknown_callback(
    tmp_path: Path, jira: Jira, store_path: Path, store_key: bytes
) -> None:
    config = write_host_config(tmp_path, jira, store_path)
    template = str(write_target_template(tmp_path, jira))

    code, output = invoke(
        config,
        jira,
        store_key,
        "migrate",
        "complete",
        "--callback-url",
        f"{jira.host.redirect_url}?code=x&state=unknown",
        "--target-config",
        template,
    )

    assert code == 1
    assert "no migration waits for this callback" in output
