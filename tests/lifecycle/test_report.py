"""The lifecycle report, from the API and from ``connauth lifecycle report``."""

from __future__ import annotations

import json
from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from connauth import Connauth
from connauth import CredentialRecord
from connauth import KeyRing
from connauth import Lifecycle
from connauth import PluginRegistry
from connauth import RecordStatus
from connauth import SqliteTokenStore
from connauth._journal import MigrationJournal
from connauth._journal import previous_id
from connauth._lifecycle import LifecyclePolicy
from connauth._lifecycle import MethodPolicy
from connauth._lifecycle_report import build_lifecycle_report
from connauth.cli._app import cli

from .lifecycle_support import HOST
from .lifecycle_support import SITE
from .lifecycle_support import SetClock

STORE_KEY = KeyRing.generate()


def put(
    store: SqliteTokenStore,
    connector_id: str,
    method: str,
    status: RecordStatus = RecordStatus.ACTIVE,
) -> None:
    record = CredentialRecord(
        connector_id=connector_id,
        method=method,
        site_url=SITE,
        api_base_url=SITE,
        tokens=None,
        updated_at=datetime(2030, 1, 1, tzinfo=UTC),
        status=status,
    )
    store.put(record, expected_version=0)


def fill(store: SqliteTokenStore) -> None:
    put(store, "acme", "legacy")
    put(store, "beta", "legacy", RecordStatus.REAUTHORIZATION_REQUIRED)
    put(store, "gamma", "modern")
    put(store, "orphan", "gone")
    put(store, previous_id("gamma"), "legacy")
    MigrationJournal(store, clock=lambda: datetime(2030, 1, 2, tzinfo=UTC)).create(
        connector_id="acme",
        migration_id="m-1",
        source_method="legacy",
        target_method="modern",
        site_url=SITE,
        expected_version=0,
    )


def test_report_counts_phases_and_blockers(
    store: SqliteTokenStore, registry: PluginRegistry, clock: SetClock
) -> None:
    fill(store)
    policy = LifecyclePolicy(
        {
            "legacy": MethodPolicy(
                deprecation_date=date(2030, 3, 1),
                closing_date=date(2030, 6, 1),
                sunset_date=date(2030, 9, 1),
            ),
            "gone": MethodPolicy(replacement="modern"),
        }
    )
    connauth = Connauth(
        HOST, store=store, registry=registry, clock=clock, lifecycle=policy
    )
    clock.set_day(date(2030, 8, 2))

    report = build_lifecycle_report(connauth)

    by_name = {method.status.method: method for method in report.methods}
    assert sorted(by_name) == ["gone", "legacy", "modern"]
    assert by_name["legacy"].status.phase is Lifecycle.CLOSED
    assert by_name["legacy"].notice.days_to_sunset == 30
    assert by_name["legacy"].connectors == ("acme", "beta")
    assert by_name["legacy"].record_statuses == {
        "active": 1,
        "reauthorization_required": 1,
    }
    assert by_name["modern"].connectors == ("gamma",)
    assert by_name["gone"].status.phase is Lifecycle.REMOVED
    assert [row.connector_id for row in report.connectors] == [
        "acme",
        "beta",
        "gamma",
        "orphan",
    ]
    assert [row.connector_id for row in report.orphans] == ["orphan"]
    assert report.orphans[0].status == "method not installed"
    assert report.connectors[0].migration is not None
    assert report.connectors[0].migration.value == "planned"


def test_report_json_is_serializable(
    store: SqliteTokenStore, registry: PluginRegistry, clock: SetClock
) -> None:
    fill(store)
    connauth = Connauth(HOST, store=store, registry=registry, clock=clock)

    data = json.loads(json.dumps(build_lifecycle_report(connauth).to_dict()))

    legacy = next(m for m in data["methods"] if m["method"] == "legacy")
    assert legacy["blocks_removal"] == ["acme", "beta"]
    assert legacy["installed"] is True
    assert data["orphans"][0]["id"] == "orphan"


@pytest.fixture
def host_dir(tmp_path: Path) -> Path:
    """A host configuration whose policy retires ``legacy`` in 100 days."""
    today = datetime.now(UTC).date()
    store = SqliteTokenStore(tmp_path / "tokens.sqlite3", keys=KeyRing([STORE_KEY]))
    fill(store)
    store.close()
    (tmp_path / "connauth.toml").write_text(
        "[host]\n"
        f'name = "{HOST.name}"\n'
        f'redirect_url = "{HOST.redirect_url}"\n'
        f'privacy_policy_url = "{HOST.privacy_policy_url}"\n'
        f'public_base_url = "{HOST.public_base_url}"\n'
        "[store]\n"
        'path = "tokens.sqlite3"\n'
        "[lifecycle.legacy]\n"
        f"deprecation_date = {today - timedelta(days=10)}\n"
        f"sunset_date = {today + timedelta(days=100)}\n"
        "[lifecycle.gone]\n"
        'replacement = "modern"\n',
        encoding="utf-8",
    )
    return tmp_path


def invoke(host_dir: Path, registry: PluginRegistry, *args: str) -> str:
    runner = CliRunner()
    result = runner.invoke(
        cli,
        ["--config", str(host_dir / "connauth.toml"), *args],
        obj=registry,
        env={"CONNAUTH_STORE_KEY": STORE_KEY.decode()},
    )
    assert result.exit_code == 0, result.output
    return result.output


def test_cli_report_json(host_dir: Path, registry: PluginRegistry) -> None:
    data = json.loads(invoke(host_dir, registry, "lifecycle", "report", "--json"))

    legacy = next(m for m in data["methods"] if m["method"] == "legacy")
    gone = next(m for m in data["methods"] if m["method"] == "gone")
    assert legacy["phase"] == "deprecated"
    assert legacy["blocks_removal"] == ["acme", "beta"]
    assert legacy["migrate_command"] == "connauth migrate --from legacy --to modern"
    assert gone["phase"] == "removed"
    assert gone["migrate_command"] == "connauth migrate --from gone --to modern"
    assert [row["id"] for row in data["orphans"]] == ["orphan"]
    assert data["orphans"][0]["status"] == "method not installed"


def test_cli_report_text(host_dir: Path, registry: PluginRegistry) -> None:
    output = invoke(host_dir, registry, "lifecycle", "report")

    assert "Blocks removal of legacy: acme, beta" in output
    assert "orphaned: orphan (gone): method not installed" in output


def test_cli_connectors_hide_migration_records(
    host_dir: Path, registry: PluginRegistry
) -> None:
    rows = json.loads(invoke(host_dir, registry, "connectors", "--json"))

    assert [row["id"] for row in rows] == ["acme", "beta", "gamma", "orphan"]
    assert rows[3]["status"] == "method not installed"
