"""Migration plans: the target follows the deployment, and a dry run writes nothing."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from connauth import Connauth
from connauth import PluginRegistry
from connauth import SqliteTokenStore
from connauth._journal import MigrationState
from connauth._migrate import MigrationBlocked
from connauth._migrate import MigrationRunner
from connauth.cli._app import cli

from .migration_support import METHODS
from .migration_support import Jira
from .migration_support import cli_environment
from .migration_support import dc_target
from .migration_support import log_in_pat
from .migration_support import myself_status
from .migration_support import write_host_config
from .migration_support import write_target_template


def test_dc_plan_uses_the_site_provider(connauth: Connauth, jira: Jira) -> None:
    log_in_pat(connauth, jira, "corp")
    before = [(r.connector_id, r.version) for r in connauth.store.list()]

    plan = MigrationRunner(connauth).plan(dc_target(connauth, jira, "corp"))

    assert plan.blocked is None
    assert plan.source_method == "pat"
    assert plan.target == "oauth2"
    assert "site_url" in plan.carries_over
    assert "deployment" in plan.carries_over
    assert plan.target_needs == ()
    assert plan.requires_reauthorization
    assert plan.source_credentials.startswith("deleted from the store")
    assert [(r.connector_id, r.version) for r in connauth.store.list()] == before


def test_plan_states_rollback_window(connauth: Connauth, jira: Jira) -> None:
    log_in_pat(connauth, jira, "corp")
    runner = MigrationRunner(connauth, rollback_window=timedelta(days=14))

    plan = runner.plan(dc_target(connauth, jira, "corp"))

    assert plan.source_credentials.startswith("kept in the store for 14 days")


def test_old_server_blocks_with_version(connauth: Connauth, jira: Jira) -> None:
    connector = connauth.connector(
        "vintage", "pat", jira.pat_auth(jira.old_dc), jira.http
    )
    connauth.login(connector)
    target = connauth.connector(
        "vintage", "oauth2", jira.dc_oauth2_auth(jira.old_dc), jira.http
    )
    runner = MigrationRunner(connauth)

    plan = runner.plan(target)
    with pytest.raises(MigrationBlocked) as caught:
        runner.start(target)

    assert plan.blocked is not None
    assert "Jira 8.5.3" in plan.blocked
    assert "8.22" in plan.blocked
    assert caught.value.reason == plan.blocked
    entry = runner.journal.get("vintage")
    assert entry is not None
    assert entry.state is MigrationState.BLOCKED
    assert entry.message == plan.blocked
    assert myself_status(connauth, connector) == 200


def test_version_comes_from_server_info(connauth: Connauth, jira: Jira) -> None:
    connauth.login(
        connauth.connector("vintage", "pat", jira.pat_auth(jira.old_dc), jira.http)
    )
    target = connauth.connector(
        "vintage", "oauth2", jira.dc_oauth2_auth(jira.old_dc), jira.http
    )

    stored_facts_only = MigrationRunner(connauth, probe=False).plan(target)

    assert connauth.store.get("vintage").data.get("server_version") is None  # type: ignore[union-attr]
    assert stored_facts_only.blocked is None


def test_cloud_plan_targets_3lo(connauth: Connauth, jira: Jira) -> None:
    connauth.login(connauth.connector("acme", "basic", jira.basic_auth(), jira.http))
    target = connauth.connector("acme", "oauth2", jira.cloud_oauth2_auth(), jira.http)

    plan = MigrationRunner(connauth).plan(target)

    assert plan.blocked is None
    assert plan.source_method == "basic"
    assert plan.requires_reauthorization


def test_plan_without_config_names_what_target_needs(
    connauth: Connauth, jira: Jira
) -> None:
    log_in_pat(connauth, jira, "corp")

    plan = MigrationRunner(connauth).plan_move("corp", "oauth2", http=None)

    assert plan.blocked is None
    assert plan.target_needs == ("client_id", "client_secret")


def test_cli_dry_run_prints_plans_and_changes_nothing(
    tmp_path: Path,
    jira: Jira,
    connauth: Connauth,
    real_store: SqliteTokenStore,
    store_path: Path,
    store_key: bytes,
) -> None:
    log_in_pat(connauth, jira, "corp")
    connauth.login(
        connauth.connector("vintage", "pat", jira.pat_auth(jira.old_dc), jira.http)
    )
    before = [(r.connector_id, r.version) for r in real_store.list()]
    config = write_host_config(tmp_path, jira, store_path)
    template = write_target_template(tmp_path, jira)

    result = CliRunner().invoke(
        cli,
        [
            "--config",
            str(config),
            "migrate",
            "--from",
            "pat",
            "--to",
            "oauth2",
            "--target-config",
            str(template),
            "--dry-run",
            "--json",
        ],
        obj=PluginRegistry.from_environment(allow=METHODS),
        env=cli_environment(jira, store_key),
    )

    assert result.exit_code == 0, result.output
    plans = {row["connector_id"]: row for row in json.loads(result.output)}
    assert plans["corp"]["plan"]["blocked"] is None
    assert plans["corp"]["error"] is None
    assert "Jira 8.5.3" in plans["vintage"]["plan"]["blocked"]
    assert [(r.connector_id, r.version) for r in real_store.list()] == before


def test_cli_dry_run_defaults_to_replacement(
    tmp_path: Path,
    jira: Jira,
    connauth: Connauth,
    store_path: Path,
    store_key: bytes,
) -> None:
    log_in_pat(connauth, jira, "corp")
    config = write_host_config(tmp_path, jira, store_path)
    with config.open("a", encoding="utf-8") as handle:
        handle.write('[lifecycle.pat]\nreplacement = "oauth2"\n')

    result = CliRunner().invoke(
        cli,
        ["--config", str(config), "migrate", "--from", "pat", "--dry-run"],
        obj=PluginRegistry.from_environment(allow=METHODS),
        env=cli_environment(jira, store_key),
    )

    assert result.exit_code == 0, result.output
    assert "corp" in result.output
    assert "ready" in result.output
