"""``connauth check`` and ``connauth checklist`` as an admin runs them."""

from __future__ import annotations

from pathlib import Path

import pytest

from ._cli import CliFiles
from ._cli import invoke
from ._cli import write_cli_files
from ._jira import JiraWorld
from ._jira import require_method

WRONG_TOKEN = "ATATT3xWrongTokenForCliTests00000000"


@pytest.fixture
def files(jira: JiraWorld, tmp_path: Path) -> CliFiles:
    workdir = tmp_path / "cli"
    workdir.mkdir()
    connectors = {
        "good": ("basic", jira.auth("basic")),
        "bad": ("basic", {**jira.auth("basic"), "api_token": WRONG_TOKEN}),
    }
    return write_cli_files(workdir, jira, connectors)


def test_passing_check_exits_zero(
    files: CliFiles, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    outcome = invoke(files, "check", "good", monkeypatch=monkeypatch, capsys=capsys)

    assert outcome.code == 0, outcome.stdout + outcome.stderr
    assert "Checks of good (basic)" in outcome.stdout
    assert "PASSED:" in outcome.stdout
    for check_id in ("dns", "tls", "server-info", "credentials", "permissions"):
        assert check_id in outcome.stdout


def test_json_report_lists_every_result(
    files: CliFiles, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    outcome = invoke(
        files, "check", "good", "--json", monkeypatch=monkeypatch, capsys=capsys
    )

    assert outcome.code == 0, outcome.stderr
    report = outcome.json()
    assert report["connector"] == "good"
    assert report["method"] == "basic"
    assert report["passed"] is True
    assert report["summary"]["fail"] == 0
    ids = [result["id"] for result in report["results"]]
    assert ids.index("dns") < ids.index("credentials") < ids.index("permissions")
    assert sum(report["summary"].values()) == len(ids)


def test_failing_check_exits_one_with_fix(
    files: CliFiles, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    text = invoke(files, "check", "bad", monkeypatch=monkeypatch, capsys=capsys)
    report = invoke(
        files, "check", "bad", "--json", monkeypatch=monkeypatch, capsys=capsys
    )

    assert text.code == 1
    assert "FAILED:" in text.stdout
    assert "copy-credentials: Enter the site and the credentials" in text.stdout
    assert report.code == 1
    failed = [r for r in report.json()["results"] if r["status"] == "fail"]
    assert [r["id"] for r in failed] == ["credentials"]
    assert failed[0]["step"] == "copy-credentials"
    assert failed[0]["step_title"].startswith("Enter the site and the credentials")


def test_check_options_reach_checks(
    files: CliFiles,
    jira: JiraWorld,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    login = invoke(files, "login", "good", monkeypatch=monkeypatch, capsys=capsys)
    assert login.code == 0, login.stderr
    outcome = invoke(
        files,
        "check",
        "good",
        "--json",
        "--expect-account",
        "someone-else@example.test",
        "--project",
        "DEMO",
        "--permission",
        "BROWSE_PROJECTS",
        monkeypatch=monkeypatch,
        capsys=capsys,
    )

    assert outcome.code == 1
    results = {r["id"]: r for r in outcome.json()["results"]}
    assert results["expected-account"]["status"] == "fail"
    assert results["permissions"]["status"] == "pass"
    assert "BROWSE_PROJECTS in project DEMO" in results["permissions"]["message"]
    assert "CREATE_ISSUES" not in results["permissions"]["message"]


@pytest.mark.parametrize(
    "arguments",
    [
        ("check", "good", "--project", "demo"),
        ("check", "good", "--permission", "create issues"),
        ("check", "good", "--certificate-warning-days", "-1"),
        ("check", "good", "--no-such-option"),
        ("check",),
        ("check", "no-such-connector"),
        ("checklist", "oauth2", "--deployment", "moon"),
        ("checklist", "no-such-method"),
    ],
)
def test_usage_errors_exit_two(
    files: CliFiles,
    arguments: tuple[str, ...],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    outcome = invoke(files, *arguments, monkeypatch=monkeypatch, capsys=capsys)

    assert outcome.code == 2, outcome.stdout + outcome.stderr
    assert outcome.stderr.strip()


def test_checklist_json_numbers_steps(
    files: CliFiles, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    outcome = invoke(
        files, "checklist", "basic", "--json", monkeypatch=monkeypatch, capsys=capsys
    )

    assert outcome.code == 0, outcome.stderr
    steps = outcome.json()["steps"]
    assert [step["number"] for step in steps] == list(range(1, len(steps) + 1))
    assert [step["id"] for step in steps] == [
        "service-account",
        "api-token",
        "copy-credentials",
    ]


def test_checklist_deployment_option(
    files: CliFiles, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    require_method("oauth2")
    cloud = invoke(
        files, "checklist", "oauth2", "--json", monkeypatch=monkeypatch, capsys=capsys
    )
    dc = invoke(
        files,
        "checklist",
        "oauth2",
        "--deployment",
        "datacenter",
        "--format",
        "markdown",
        monkeypatch=monkeypatch,
        capsys=capsys,
    )

    assert cloud.json()["steps"][0]["id"] == "cloud-site"
    assert dc.code == 0, dc.stderr
    assert "Step id: `dc-create-incoming-link`" in dc.stdout
