"""Migration plans from other methods to oauth2."""

from __future__ import annotations

import pytest

from connauth import MigrationSource
from connauth_oauth2 import connauth_migrate

from ._support import CLOUD_SITE
from ._support import DC_SITE
from ._support import cloud_config
from ._support import dc_config


def source(method: str, site_url: str, **data: str) -> MigrationSource:
    return MigrationSource(
        connector_id="jira", method=method, site_url=site_url, data=data
    )


def test_oauth1a_on_dc() -> None:
    plan = connauth_migrate(
        "oauth2",
        source("oauth1a", DC_SITE, deployment="datacenter", server_version="9.12.3"),
        None,
    )
    assert plan is not None
    assert plan.source_method == "oauth1a"
    assert plan.target == "oauth2"
    assert plan.carries_over == ("site_url", "deployment")
    assert plan.target_needs == ("client_id", "client_secret")
    assert plan.source_credentials == "deleted after the new credentials are verified"
    assert plan.requires_reauthorization is True
    assert plan.blocked is None


@pytest.mark.parametrize("version", ["8.5.0", "8.21.9", "7.13"])
def test_old_jira_server_blocked(version: str) -> None:
    plan = connauth_migrate(
        "oauth2",
        source("oauth1a", DC_SITE, deployment="datacenter", server_version=version),
        None,
    )
    assert plan is not None
    assert plan.blocked is not None
    assert version in plan.blocked
    assert "8.22" in plan.blocked
    assert "upgrade" in plan.blocked


@pytest.mark.parametrize("version", ["8.22.0", "10.3.19", "unknown"])
def test_provider_versions_allowed(version: str) -> None:
    plan = connauth_migrate(
        "oauth2",
        source("oauth1a", DC_SITE, deployment="server", server_version=version),
        None,
    )
    assert plan is not None
    assert plan.blocked is None


def test_basic_on_cloud_inferred_from_host() -> None:
    plan = connauth_migrate("oauth2", source("basic", CLOUD_SITE), None)
    assert plan is not None
    assert plan.carries_over == ("site_url",)
    assert plan.target_needs == ("client_id", "client_secret")
    assert plan.blocked is None


def test_unknown_deployment_needs_it() -> None:
    plan = connauth_migrate("oauth2", source("basic", "https://jira.corp.test"), None)
    assert plan is not None
    assert plan.target_needs == ("deployment", "client_id", "client_secret")


def test_config_supplied_needs_nothing() -> None:
    plan = connauth_migrate(
        "oauth2", source("oauth1a", DC_SITE, deployment="datacenter"), dc_config()
    )
    assert plan is not None
    assert plan.target_needs == ()
    assert plan.blocked is None


def test_config_for_other_site_blocked() -> None:
    plan = connauth_migrate(
        "oauth2", source("basic", "https://beta.atlassian.net"), cloud_config()
    )
    assert plan is not None
    assert plan.blocked is not None
    assert "site_url" in plan.blocked


def test_config_for_other_deployment_blocked() -> None:
    plan = connauth_migrate(
        "oauth2",
        source("oauth1a", CLOUD_SITE, deployment="datacenter"),
        cloud_config(),
    )
    assert plan is not None
    assert plan.blocked is not None
    assert "deployment" in plan.blocked


def test_already_oauth2_blocked() -> None:
    plan = connauth_migrate("oauth2", source("oauth2", CLOUD_SITE), None)
    assert plan is not None
    assert plan.blocked is not None
    assert "log in again" in plan.blocked


def test_other_target_ignored() -> None:
    assert connauth_migrate("basic", source("oauth2", CLOUD_SITE), None) is None
