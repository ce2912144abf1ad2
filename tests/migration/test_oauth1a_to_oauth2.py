"""OAuth 1.0a to OAuth 2.0 with both plugins installed, on one Data Center site.

The OAuth 1.0a login and request go through the real plugin and the
sandbox's application link; both are deprecated, so each expects
``MethodDeprecationWarning``. The migration itself never calls the OAuth 1.0a
plugin.
"""

from __future__ import annotations

import secrets

import pytest

from connauth import Connauth
from connauth import PluginRegistry
from connauth import SqliteTokenStore
from connauth import generate_rsa_key_pair
from connauth._journal import MigrationState
from connauth._migrate import MigrationRunner
from connauth._notices import MethodDeprecationWarning

from .migration_support import Jira
from .migration_support import dc_target
from .migration_support import myself_status

pytest.importorskip("connauth_oauth1a", reason="connauth-oauth1a is not installed")


def test_oauth1a_connector_moves_to_dc_provider(
    jira: Jira, real_store: SqliteTokenStore
) -> None:
    connauth = Connauth(
        jira.host,
        store=real_store,
        registry=PluginRegistry.from_environment(allow=("oauth1a", "oauth2")),
    )
    pair = generate_rsa_key_pair()
    consumer_key = f"migration-test-{secrets.token_hex(4)}"
    jira.sandbox.register_application_link(
        jira.dc, consumer_key, pair.public_pem, jira.host.name
    )
    old = connauth.connector(
        "corp",
        "oauth1a",
        {
            "site_url": jira.site(jira.dc),
            "consumer_key": consumer_key,
            "private_key": pair.private_pem.get_secret_value(),
        },
        jira.http,
    )
    with pytest.warns(MethodDeprecationWarning, match="connauth migrate"):
        prompt = connauth.begin_login(old)
    connauth.complete_login(old, jira.approve(prompt.url))
    target = dc_target(connauth, jira, "corp")
    runner = MigrationRunner(connauth)

    plan = runner.plan(target)
    record = runner.complete(target, jira.approve(runner.start(target).url))

    entry = runner.journal.get("corp")
    assert plan.blocked is None
    assert plan.requires_reauthorization
    assert record.method == "oauth2"
    assert record.data["migrated_from"] == "oauth1a"
    assert entry is not None
    assert entry.state is MigrationState.OLD_CREDENTIALS_REMOVED
    assert myself_status(connauth, target) == 200
