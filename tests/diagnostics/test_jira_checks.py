"""The anonymous Jira checks: server-info, deployment and clock-skew."""

from __future__ import annotations

import pytest

from ._jira import OAUTH1A_DEPRECATED
from ._jira import JiraWorld
from ._jira import assert_result
from ._jira import require_method


def test_server_info_reports_cloud(jira: JiraWorld) -> None:
    results = jira.check(jira.connector("basic"))

    info = assert_result(results, "server-info", "pass")
    assert info.details["deployment_type"] == "Cloud"
    assert info.message.startswith("Jira Cloud ")
    assert_result(results, "deployment", "pass")


def test_server_info_reports_provider_versions(jira: JiraWorld) -> None:
    old = jira.sandbox.add_dc_site("legacy", version="8.20.10")
    jira.sandbox.issue_personal_access_token(jira.user, old)
    site_url = jira.server.dc_site_url("legacy")
    connector = jira.connector("pat", site_url=site_url)

    results = jira.check(connector)

    info = assert_result(results, "server-info", "pass")
    assert info.details["oauth2_provider"] is False
    assert info.details["personal_access_tokens"] is True
    assert "lacks the OAuth 2.0 provider" in info.message
    assert "third-party setup guides" in info.message


def test_current_dc_has_oauth2_provider(jira: JiraWorld) -> None:
    results = jira.check(jira.connector("pat"))

    info = assert_result(results, "server-info", "pass")
    assert info.details["oauth2_provider"] is True
    assert "deploymentType 'Server'" in info.message


def test_non_jira_site_fails_server_info(jira: JiraWorld) -> None:
    site_url = f"{jira.server.base_url}/not-jira"
    results = jira.check(jira.connector("basic", site_url=site_url))

    assert_result(results, "http", "pass")
    info = assert_result(results, "server-info", "fail", "copy-credentials")
    assert "returned 404" in info.message
    assert_result(results, "deployment", "skip")


def test_basic_on_data_center_fails_deployment(jira: JiraWorld) -> None:
    site_url = jira.server.dc_site_url("corp")
    results = jira.check(jira.connector("basic", site_url=site_url))

    assert_result(results, "site-url", "warn", "copy-credentials")
    deployment = assert_result(results, "deployment", "fail", "copy-credentials")
    assert "works only with Jira Cloud" in deployment.message
    assert "use method" in deployment.message
    assert "pat" in deployment.message


def test_pat_on_cloud_fails_deployment(jira: JiraWorld) -> None:
    site_url = jira.server.cloud_site_url("acme")
    results = jira.check(jira.connector("pat", site_url=site_url))

    deployment = assert_result(results, "deployment", "fail", "copy-token")
    assert "the site is Jira Cloud" in deployment.message
    assert "basic" in deployment.message


def test_configured_deployment_mismatch_fails(jira: JiraWorld) -> None:
    require_method("oauth2")
    connector = jira.connector("oauth2-dc", site_url=jira.server.cloud_site_url("acme"))

    results = jira.check(connector)

    deployment = assert_result(results, "deployment", "fail", "dc-site")
    assert "configured for Jira Data Center" in deployment.message
    assert "set deployment to 'cloud'" in deployment.message


def test_clock_in_sync_passes(jira: JiraWorld) -> None:
    results = jira.check(jira.connector("basic"))

    skew = assert_result(results, "clock-skew", "pass")
    assert abs(float(skew.details["skew_seconds"])) < 5


@pytest.mark.parametrize("offset", [120, -120])
def test_clock_skew_warned(jira: JiraWorld, offset: int) -> None:
    jira.sandbox.settings.clock_offset = offset

    results = jira.check(jira.connector("basic"))

    skew = assert_result(results, "clock-skew", "warn")
    assert abs(float(skew.details["skew_seconds"]) - offset) < 5
    assert "NTP" in skew.message
    assert_result(results, "credentials", "pass")


@pytest.mark.filterwarnings(OAUTH1A_DEPRECATED)
def test_oauth1a_skew_within_window_warns(jira: JiraWorld) -> None:
    require_method("oauth1a")
    connector = jira.connector("oauth1a")
    jira.login(connector)
    jira.sandbox.settings.clock_offset = 120

    results = jira.check(connector)

    assert_result(results, "clock-skew", "warn")
    assert_result(results, "oauth1a-application-link", "pass")
    assert_result(results, "myself", "pass")


@pytest.mark.filterwarnings(OAUTH1A_DEPRECATED)
def test_oauth1a_skew_beyond_window_fails(jira: JiraWorld) -> None:
    require_method("oauth1a")
    connector = jira.connector("oauth1a")
    jira.login(connector)
    jira.sandbox.settings.clock_offset = 600

    results = jira.check(connector)

    skew = assert_result(results, "clock-skew", "fail")
    assert "timestamp_refused" in skew.message
    link = assert_result(results, "oauth1a-application-link", "fail")
    assert link.details["oauth_problem"] == "timestamp_refused"
    assert_result(results, "permissions", "skip")
