"""Checklists rendered for the terminal, as Markdown and as JSON."""

from __future__ import annotations

import io
import json

import pytest
from rich.console import Console

from connauth import Checklist
from connauth import CheckResult
from connauth import CheckStatus
from connauth import Deployment
from connauth.render import checklist_json
from connauth.render import checklist_markdown
from connauth.render import checks_json
from connauth.render import print_checklist
from connauth.render import print_checks

from ._jira import JiraWorld
from ._jira import installed_methods

CHECKLISTS = [
    ("basic", None),
    ("pat", None),
    ("oauth2", Deployment.CLOUD),
    ("oauth2", Deployment.DATA_CENTER),
    ("oauth1a", None),
]

# The classic Jira scopes as the developer console and consent screen title them.
CONSOLE_TITLES = {
    "read:jira-work": "View Jira issue data",
    "read:jira-user": "View user profiles",
    "write:jira-work": "Create and manage issues",
}
DC_TITLES = {
    "READ": "View projects and issues",
    "WRITE": "Create, update, and delete projects and issues",
}


def _checklist(
    jira: JiraWorld, method: str, deployment: Deployment | None
) -> Checklist:
    if method not in installed_methods():
        pytest.skip(f"the {method} plugin is not installed")
    return jira.connauth.checklist(method, deployment=deployment)


def _terminal(checklist: Checklist) -> str:
    buffer = io.StringIO()
    print_checklist(Console(file=buffer, width=200, color_system=None), checklist)
    return buffer.getvalue()


@pytest.mark.parametrize(("method", "deployment"), CHECKLISTS)
def test_three_forms_carry_every_step(
    jira: JiraWorld, method: str, deployment: Deployment | None
) -> None:
    checklist = _checklist(jira, method, deployment)

    terminal = _terminal(checklist)
    markdown = checklist_markdown(checklist)
    document = json.loads(checklist_json(checklist))

    assert (
        Checklist.model_validate(
            {k: v for k, v in document.items()}
            | {"steps": [_without_number(s) for s in document["steps"]]}
        )
        == checklist
    )
    for number, step in enumerate(checklist.steps, start=1):
        assert f"{number}. {step.title} [{step.id}]" in terminal
        assert f"## {number}. " in markdown
        assert f"Step id: `{step.id}`" in markdown
        assert document["steps"][number - 1]["id"] == step.id
        for field in step.copy_back:
            assert f"({field.field})" in terminal
            assert f"`{field.field}`" in markdown


def _without_number(step: dict[str, object]) -> dict[str, object]:
    return {key: value for key, value in step.items() if key != "number"}


@pytest.mark.parametrize(("method", "deployment"), CHECKLISTS)
def test_host_values_filled_in(
    jira: JiraWorld, method: str, deployment: Deployment | None
) -> None:
    checklist = _checklist(jira, method, deployment)

    shown = [value.value for step in checklist.steps for value in step.show]
    everything = _terminal(checklist) + checklist_markdown(checklist)

    assert jira.host.name in everything
    if method in ("oauth2", "oauth1a"):
        assert jira.host.redirect_url in shown
        assert jira.host.redirect_url in everything


def test_cloud_scopes_show_both_names(jira: JiraWorld) -> None:
    checklist = _checklist(jira, "oauth2", Deployment.CLOUD)

    terminal = _terminal(checklist)
    markdown = checklist_markdown(checklist)

    for scope, title in CONSOLE_TITLES.items():
        assert f"{title}: {scope}" in terminal
        assert f"**{title}:** `{scope}`" in markdown
    assert "offline_access" in terminal


def test_data_center_scopes_show_both_names(jira: JiraWorld) -> None:
    checklist = _checklist(jira, "oauth2", Deployment.DATA_CENTER)
    connector = jira.connector("oauth2-dc", scopes=["READ", "WRITE"])
    configured = jira.connauth.checklist("oauth2", connector.config)

    for scope, title in DC_TITLES.items():
        assert f"{title}: {scope}" in _terminal(configured)
    assert f"{DC_TITLES['WRITE']}: WRITE" in _terminal(checklist)


def test_secret_copy_back_marked(jira: JiraWorld) -> None:
    checklist = _checklist(jira, "basic", None)

    assert "API token (api_token) - secret" in _terminal(checklist)
    assert "`api_token` (secret)" in checklist_markdown(checklist)


def test_check_report_names_fix_step() -> None:
    results = [
        CheckResult(id="dns", status=CheckStatus.PASS, message="resolved"),
        CheckResult(
            id="credentials",
            status=CheckStatus.FAIL,
            message="rejected",
            step="copy-credentials",
        ),
        CheckResult(id="permissions", status=CheckStatus.SKIP, message="blocked"),
    ]
    titles = {"copy-credentials": "Enter the credentials"}
    buffer = io.StringIO()

    print_checks(Console(file=buffer, width=200), "Checks", results, titles)
    document = json.loads(checks_json("c1", "basic", results, titles))

    text = buffer.getvalue()
    assert "copy-credentials: Enter the credentials" in text
    assert "FAILED: 1 passed, 0 warned, 1 failed, 1 skipped" in text
    assert document["passed"] is False
    assert document["summary"] == {"pass": 1, "warn": 0, "fail": 1, "skip": 1}
    assert document["results"][1]["step_title"] == "Enter the credentials"
