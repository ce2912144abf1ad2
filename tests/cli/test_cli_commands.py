"""The ``connauth`` commands against a running sandbox, as a user runs them."""

from __future__ import annotations

import json
import ssl
import stat
import subprocess
from pathlib import Path

import httpx

from .conftest import CONNAUTH
from .conftest import CliWorld


def assert_no_secret(world: CliWorld, *outputs: str) -> None:
    secrets = (
        world.world.api_token,
        world.world.personal_access_token,
        world.world.cloud_client_secret,
        world.world.dc_client_secret,
        world.world.private_key_pem,
    )
    for output in outputs:
        for secret in secrets:
            assert secret not in output


def test_methods_json_lists_schemas(cli_world: CliWorld) -> None:
    result = cli_world.run("methods", "--json")
    assert result.returncode == 0, result.stderr
    methods = {m["name"]: m for m in json.loads(result.stdout)["methods"]}
    assert {"basic", "oauth2", "pat"} <= set(methods)
    secret = methods["oauth2"]["config_schema"]["properties"]["client_secret"]
    assert secret["writeOnly"] is True
    assert "default" not in secret


def test_checklist_formats(cli_world: CliWorld) -> None:
    as_json = cli_world.run("checklist", "oauth2", "--format", "json")
    assert as_json.returncode == 0, as_json.stderr
    checklist = json.loads(as_json.stdout)
    assert checklist["method"] == "oauth2"
    shown = [v["value"] for step in checklist["steps"] for v in step["show"]]
    assert cli_world.world.host.redirect_url in shown

    markdown = cli_world.run("checklist", "oauth2", "--format", "markdown")
    assert markdown.returncode == 0, markdown.stderr
    assert markdown.stdout.startswith("# ")
    assert cli_world.world.host.redirect_url in markdown.stdout


def test_checklist_with_connector_shows_public_key(cli_world: CliWorld) -> None:
    result = cli_world.run("checklist", "oauth1a", "--connector", "corp-oauth1a")
    if "oauth1a" not in cli_world.run("methods", "--json").stdout:
        assert result.returncode == 2
        assert "'oauth1a' is not an installed method" in result.stderr
        return
    assert result.returncode == 0, result.stderr
    assert "BEGIN PUBLIC KEY" in result.stdout
    assert "PRIVATE KEY" not in result.stdout


def test_basic_login_request_and_check(cli_world: CliWorld) -> None:
    login = cli_world.run("login", "acme-basic")
    assert login.returncode == 0, login.stderr
    assert "Logged in" in login.stdout

    myself = cli_world.run(
        "request", "acme-basic", "GET", "rest/api/3/myself", "--json"
    )
    assert myself.returncode == 0, myself.stderr
    body = json.loads(myself.stdout)
    assert body["status"] == 200
    assert body["body"]["displayName"] == "Ada Lovelace"

    issue = cli_world.run(
        "request",
        "acme-basic",
        "POST",
        "rest/api/3/issue",
        "--data",
        json.dumps(
            {
                "fields": {
                    "project": {"key": "DEMO"},
                    "summary": "cli",
                    "issuetype": {"name": "Task"},
                }
            }
        ),
        "--json",
    )
    assert issue.returncode == 0, issue.stderr
    assert json.loads(issue.stdout)["body"]["key"].startswith("DEMO-")

    check = cli_world.run("check", "acme-basic", "--json")
    assert check.returncode == 0, check.stdout + check.stderr
    results = json.loads(check.stdout)["results"]
    assert results
    assert all(r["status"] in ("pass", "warn", "skip") for r in results)
    assert_no_secret(cli_world, login.stdout, myself.stdout, check.stdout, check.stderr)


def test_request_error_status_exits_one(cli_world: CliWorld) -> None:
    cli_world.run("login", "acme-basic")
    result = cli_world.run("request", "acme-basic", "GET", "rest/api/3/issue/NOPE-1")
    assert result.returncode == 1
    assert "HTTP 404" in result.stdout


def test_invalid_data_is_usage_error(cli_world: CliWorld) -> None:
    result = cli_world.run(
        "request", "acme-basic", "POST", "rest/api/3/issue", "--data", "{"
    )
    assert result.returncode == 2
    assert "--data" in result.stderr


def test_oauth2_login_through_browser_prompt(cli_world: CliWorld) -> None:
    process = subprocess.Popen(
        [
            str(CONNAUTH),
            "--config",
            str(cli_world.workdir / "connauth.toml"),
            "login",
            "acme-oauth2",
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=cli_world.env,
        cwd=cli_world.workdir,
    )
    assert process.stdout is not None
    assert process.stdin is not None
    url = ""
    while not url.startswith("https://"):
        url = process.stdout.readline().strip()
        assert url or process.poll() is None, (
            process.stderr.read() if process.stderr else ""
        )
    verify = ssl.create_default_context(cafile=cli_world.world.server.ca_path)
    with httpx.Client(verify=verify) as browser:
        location = browser.get(url).headers["location"]
    stdout, stderr = process.communicate(location + "\n", timeout=60)
    assert process.returncode == 0, stderr
    assert "Logged in" in stdout
    assert "/gateway/ex/jira/" in stdout

    myself = cli_world.run(
        "request", "acme-oauth2", "GET", "rest/api/3/myself", "--json"
    )
    assert json.loads(myself.stdout)["status"] == 200


def test_connectors_lists_stored(cli_world: CliWorld) -> None:
    cli_world.run("login", "acme-basic")
    result = cli_world.run("connectors", "--json")
    assert result.returncode == 0, result.stderr
    rows = {row["id"]: row for row in json.loads(result.stdout)}
    assert rows["acme-basic"]["method"] == "basic"
    assert rows["acme-basic"]["status"] == "active"


def test_store_rekey(cli_world: CliWorld) -> None:
    cli_world.run("login", "acme-basic")
    result = cli_world.run("store", "rekey")
    assert result.returncode == 0, result.stderr
    assert "Re-encrypted" in result.stdout


def test_keygen_writes_private_key_0600(cli_world: CliWorld, tmp_path: Path) -> None:
    target = tmp_path / "private.pem"
    result = cli_world.run("keygen", "--out", str(target))
    assert result.returncode == 0, result.stderr
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert "BEGIN PRIVATE KEY" in target.read_text()
    assert result.stdout.startswith("-----BEGIN PUBLIC KEY-----")
    assert "PRIVATE" not in result.stdout

    again = cli_world.run("keygen", "--out", str(target))
    assert again.returncode == 2
    assert "exists" in again.stderr


def test_keygen_store_key(cli_world: CliWorld) -> None:
    result = cli_world.run("keygen", "--store-key")
    assert result.returncode == 0, result.stderr
    assert len(result.stdout.strip()) == 44


def test_missing_secret_variable_named(cli_world: CliWorld) -> None:
    env = {k: v for k, v in cli_world.env.items() if k != "ACME_BASIC_API_TOKEN"}
    result = subprocess.run(
        [
            str(CONNAUTH),
            "--config",
            str(cli_world.workdir / "connauth.toml"),
            "check",
            "acme-basic",
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert "ACME_BASIC_API_TOKEN" in result.stderr


def test_literal_secret_rejected(cli_world: CliWorld, tmp_path: Path) -> None:
    connector = tmp_path / "literal.toml"
    connector.write_text(
        'id = "literal"\nmethod = "basic"\n\n[auth]\n'
        f'site_url = "{cli_world.world.server.cloud_site_url("acme")}"\n'
        'email = "ada@example.test"\napi_token = "canary-literal-token"\n'
    )
    result = cli_world.run("check", str(connector))
    assert result.returncode == 2
    assert "api_token" in result.stderr
    assert "canary-literal-token" not in result.stderr + result.stdout


def test_unknown_connector_is_usage_error(cli_world: CliWorld) -> None:
    result = cli_world.run("check", "no-such-connector")
    assert result.returncode == 2
    assert "no-such-connector" in result.stderr
