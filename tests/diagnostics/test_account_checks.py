"""The expected-account and permissions checks, against the sandbox's users."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from connauth import Connector
from connauth._check_options import CheckOptions
from connauth_sandbox._faults import ANY_PROJECT

from ._jira import CLOUD_PROJECT
from ._jira import DC_PROJECT
from ._jira import JiraWorld
from ._jira import assert_result


def _logged_in(jira: JiraWorld, kind: str = "basic") -> Connector:
    connector = jira.connector(kind)
    jira.login(connector)
    return connector


def test_expected_account_skipped_when_unset(jira: JiraWorld) -> None:
    results = jira.check(_logged_in(jira))

    skipped = assert_result(results, "expected-account", "skip")
    assert "--expect-account" in skipped.message


@pytest.mark.parametrize("identify_by", ["account_id", "email", "EMAIL"])
def test_expected_account_matches(jira: JiraWorld, identify_by: str) -> None:
    expected = {
        "account_id": jira.user.account_id,
        "email": jira.user.email,
        "EMAIL": jira.user.email.upper(),
    }[identify_by]
    options = CheckOptions(expected_account=expected)

    results = jira.check(_logged_in(jira), options=options)

    account = assert_result(results, "expected-account", "pass")
    assert jira.user.display_name in account.message


def test_expected_username_matches_on_dc(jira: JiraWorld) -> None:
    options = CheckOptions(expected_account=jira.user.username)

    results = jira.check(_logged_in(jira, "pat"), options=options)

    assert_result(results, "expected-account", "pass")


def test_other_account_fails(jira: JiraWorld) -> None:
    options = CheckOptions(expected_account="svc-jira@example.test")

    results = jira.check(_logged_in(jira), options=options)

    account = assert_result(results, "expected-account", "fail", "copy-credentials")
    assert "not as svc-jira@example.test" in account.message
    assert jira.user.account_id in account.message


def test_permissions_pass_by_default(jira: JiraWorld) -> None:
    options = CheckOptions(project_key=CLOUD_PROJECT)

    results = jira.check(_logged_in(jira), options=options)

    permissions = assert_result(results, "permissions", "pass")
    assert f"in project {CLOUD_PROJECT}" in permissions.message
    assert permissions.details["CREATE_ISSUES"] is True


def test_missing_project_permission_fails(jira: JiraWorld) -> None:
    jira.sandbox.faults.deny_permissions(
        jira.user, jira.cloud, CLOUD_PROJECT, {"CREATE_ISSUES", "ADD_COMMENTS"}
    )
    in_project = CheckOptions(project_key=CLOUD_PROJECT)
    connector = _logged_in(jira)

    results = jira.check(connector, options=in_project)
    anywhere = jira.check(connector)

    permissions = assert_result(results, "permissions", "fail", "copy-credentials")
    assert "lacks CREATE_ISSUES, ADD_COMMENTS in project DEMO" in permissions.message
    assert "permission scheme" in permissions.message
    assert permissions.details["BROWSE_PROJECTS"] is True
    # Without a project, Jira reports permissions held in any project, and the
    # denial applies to one project only.
    assert_result(anywhere, "permissions", "pass")


def test_permission_missing_everywhere_fails(jira: JiraWorld) -> None:
    jira.sandbox.faults.deny_permissions(
        jira.user, jira.dc, ANY_PROJECT, {"EDIT_ISSUES"}
    )

    results = jira.check(_logged_in(jira, "pat"))

    permissions = assert_result(results, "permissions", "fail", "copy-token")
    assert "lacks EDIT_ISSUES in at least one project" in permissions.message


def test_configured_permissions_checked(jira: JiraWorld) -> None:
    # Sandbox users are ordinary members: no project administration.
    options = CheckOptions(
        project_key=DC_PROJECT, permissions=("BROWSE_PROJECTS", "ADMINISTER_PROJECTS")
    )

    results = jira.check(_logged_in(jira, "pat"), options=options)

    permissions = assert_result(results, "permissions", "fail", "copy-token")
    assert "lacks ADMINISTER_PROJECTS" in permissions.message
    assert "BROWSE_PROJECTS" not in permissions.message.split("lacks")[1]


def test_unknown_project_fails(jira: JiraWorld) -> None:
    options = CheckOptions(project_key="NOPE")

    results = jira.check(_logged_in(jira), options=options)

    permissions = assert_result(results, "permissions", "fail", "copy-credentials")
    assert "knows no project NOPE" in permissions.message


def test_account_checks_skip_without_login(jira: JiraWorld) -> None:
    results = jira.check(jira.connector("basic"))

    assert_result(results, "credentials", "pass")
    skipped = assert_result(results, "permissions", "skip")
    assert "connauth login basic" in skipped.message


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("project_key", "demo"),
        ("permissions", ("create issues",)),
        ("permissions", ()),
        ("expected_account", "  "),
        ("certificate_warning_days", -1),
    ],
)
def test_invalid_options_rejected(field: str, value: object) -> None:
    with pytest.raises(ValidationError) as raised:
        CheckOptions(**{field: value})  # type: ignore[arg-type]

    assert field in str(raised.value)
