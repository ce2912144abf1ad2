"""An OAuth 1.0a connector after its plugin was uninstalled: listed, refused, migrated.

This runs where ``connauth-oauth1a`` is not installed: ``make test`` runs the
suite a second time in ``.venv-without-oauth1a`` for that. The record is
written with the core's ``CredentialRecord`` alone, because the core stores
everything a migration needs. The OAuth 2.0 login then runs against the
sandbox.
"""

from __future__ import annotations

import importlib.util
import json
from datetime import UTC
from datetime import datetime
from pathlib import Path

import pytest
from click.testing import CliRunner
from pydantic import SecretStr

from connauth import Connauth
from connauth import Connector
from connauth import CredentialRecord
from connauth import MethodConfig
from connauth import MethodNotInstalled
from connauth import PluginRegistry
from connauth import SqliteTokenStore
from connauth import TokenSet
from connauth._journal import MigrationState
from connauth._migrate import MigrationRunner
from connauth.cli._app import cli

from .migration_support import METHODS
from .migration_support import Jira
from .migration_support import cli_environment
from .migration_support import dc_target
from .migration_support import myself_status
from .migration_support import write_host_config
from .migration_support import write_target_template

pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("connauth_oauth1a") is not None,
    reason="connauth-oauth1a is installed in this environment; "
    "'make unit-without-oauth1a' runs this test in .venv-without-oauth1a",
)

CONNECTOR = "corp-legacy"


def store_oauth1a_record(store: SqliteTokenStore, site_url: str) -> None:
    """Write the record an OAuth 1.0a login leaves, using core types only."""
    record = CredentialRecord(
        connector_id=CONNECTOR,
        method="oauth1a",
        site_url=site_url,
        api_base_url=site_url,
        tokens=TokenSet(
            access_token=SecretStr("oauth1-access-token"),
            token_type="OAuth",
            token_secret=SecretStr("oauth1-token-secret"),
        ),
        updated_at=datetime(2025, 1, 1, tzinfo=UTC),
        data={"deployment": "datacenter", "consumer_key": "connauth-consumer"},
    )
    store.put(record, expected_version=0)


def invoke(config: Path, jira: Jira, store_key: bytes, *args: str) -> str:
    result = CliRunner().invoke(
        cli,
        ["--config", str(config), *args],
        obj=PluginRegistry.from_environment(allow=METHODS),
        env=cli_environment(jira, store_key),
    )
    assert result.exit_code == 0, (result.output, result.exception)
    return result.output


def test_orphan_listed_refused_and_migrated(
    tmp_path: Path,
    jira: Jira,
    connauth: Connauth,
    real_store: SqliteTokenStore,
    store_path: Path,
    store_key: bytes,
) -> None:
    assert "oauth1a" not in {info.name for info in connauth.methods()}
    site = jira.site(jira.dc)
    store_oauth1a_record(real_store, site)
    config = write_host_config(tmp_path, jira, store_path)
    template = str(write_target_template(tmp_path, jira))

    rows = json.loads(invoke(config, jira, store_key, "connectors", "--json"))
    assert rows == [
        {
            "id": CONNECTOR,
            "method": "oauth1a",
            "site_url": site,
            "status": "method not installed",
            "updated_at": "2025-01-01T00:00:00+00:00",
        }
    ]

    report = json.loads(
        invoke(config, jira, store_key, "lifecycle", "report", "--json")
    )
    oauth1a = next(m for m in report["methods"] if m["method"] == "oauth1a")
    assert oauth1a["phase"] == "removed"
    assert oauth1a["installed"] is False
    assert oauth1a["blocks_removal"] == [CONNECTOR]
    assert [row["id"] for row in report["orphans"]] == [CONNECTOR]
    assert report["orphans"][0]["status"] == "method not installed"

    orphan = Connector(
        id=CONNECTOR, method="oauth1a", config=MethodConfig(site_url=site)
    )
    with pytest.raises(MethodNotInstalled) as caught:
        connauth.client(orphan)
    assert "'oauth1a' is not installed" in str(caught.value)
    assert "connauth migrate --from oauth1a --to" in str(caught.value)

    output = invoke(
        config,
        jira,
        store_key,
        "migrate",
        "--from",
        "oauth1a",
        "--to",
        "oauth2",
        "--target-config",
        template,
        "--json",
    )
    started = json.loads(output[output.index("{") :])
    assert started["counts"] == {"login_started": 1}
    callback = jira.approve(started["connectors"][0]["login_url"])
    invoke(
        config,
        jira,
        store_key,
        "migrate",
        "complete",
        "--callback-url",
        callback,
        "--target-config",
        template,
    )

    live = real_store.get(CONNECTOR)
    entry = MigrationRunner(connauth).journal.get(CONNECTOR)
    assert live is not None
    assert live.method == "oauth2"
    assert live.data["migrated_from"] == "oauth1a"
    assert entry is not None
    assert entry.state is MigrationState.OLD_CREDENTIALS_REMOVED
    rows = json.loads(invoke(config, jira, store_key, "connectors", "--json"))
    assert [(row["method"], row["status"]) for row in rows] == [("oauth2", "active")]
    assert myself_status(connauth, dc_target(connauth, jira, CONNECTOR)) == 200
