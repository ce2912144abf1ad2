"""Bad input a new user tried: each gets a message and exit 2, never a traceback."""

from __future__ import annotations

import shutil
import ssl
import subprocess
from pathlib import Path

import httpx

from .conftest import CONNAUTH
from .conftest import CliWorld


def run_with(
    world: CliWorld, config: Path, *args: str
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(CONNAUTH), "--config", str(config), *args],
        capture_output=True,
        text=True,
        env=world.env,
        cwd=world.workdir,
        timeout=60,
        check=False,
    )


def copy_config(world: CliWorld, tmp_path: Path, replace: tuple[str, str]) -> Path:
    config = tmp_path / "connauth.toml"
    text = (world.workdir / "connauth.toml").read_text()
    config.write_text(text.replace(*replace))
    shutil.copytree(world.workdir / "connectors", tmp_path / "connectors")
    return config


def assert_clean_usage_error(
    result: subprocess.CompletedProcess[str], *needles: str
) -> None:
    assert result.returncode == 2, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    for needle in needles:
        assert needle in result.stderr


def test_keygen_into_missing_folder(cli_world: CliWorld, tmp_path: Path) -> None:
    result = cli_world.run("keygen", "--out", str(tmp_path / "missing" / "key.pem"))
    assert_clean_usage_error(result, "cannot create", "folder exists")


def test_store_path_of_wrong_type(cli_world: CliWorld, tmp_path: Path) -> None:
    config = copy_config(cli_world, tmp_path, ('path = "tokens.sqlite3"', "path = 5"))
    result = run_with(cli_world, config, "connectors")
    assert_clean_usage_error(result, "store.path", "must be a str")


def test_http_timeout_of_wrong_type(cli_world: CliWorld, tmp_path: Path) -> None:
    connector = tmp_path / "bad-http.toml"
    text = (cli_world.workdir / "connectors" / "acme-basic.toml").read_text()
    connector.write_text(text + 'timeout = "abc"\n')
    result = cli_world.run("check", str(connector))
    assert_clean_usage_error(result, "http.timeout")
    assert "errors.pydantic.dev" not in result.stderr


def test_connector_file_not_utf8(cli_world: CliWorld, tmp_path: Path) -> None:
    connector = tmp_path / "latin1.toml"
    connector.write_bytes('id = "caf\xe9"\n'.encode("latin-1"))
    result = cli_world.run("check", str(connector))
    assert_clean_usage_error(result, "not UTF-8")


def test_host_table_errors_are_plain(cli_world: CliWorld, tmp_path: Path) -> None:
    config = copy_config(
        cli_world, tmp_path, ('redirect_url = "https://', 'redirect_url = "http://')
    )
    result = run_with(cli_world, config, "connectors")
    assert_clean_usage_error(result, "invalid [host]", "redirect_url")
    assert "errors.pydantic.dev" not in result.stderr


def test_store_that_is_not_sqlite(cli_world: CliWorld, tmp_path: Path) -> None:
    bogus = tmp_path / "not-a-store.sqlite3"
    bogus.write_text("this is not a database\n" * 100)
    result = cli_world.run("--store", str(bogus), "connectors")
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "is not a connauth SQLite store" in result.stderr


def test_deleted_key_file_is_not_replaced(cli_world: CliWorld, tmp_path: Path) -> None:
    store = tmp_path / "store" / "tokens.sqlite3"
    assert cli_world.run("--store", str(store), "login", "acme-basic").returncode == 0
    (store.parent / "store.key").unlink()

    result = cli_world.run("--store", str(store), "connectors")
    assert_clean_usage_error(result, "store.key is missing", "CONNAUTH_STORE_KEY")
    assert not (store.parent / "store.key").exists()


def test_changed_site_needs_new_login(cli_world: CliWorld, tmp_path: Path) -> None:
    assert cli_world.run("login", "corp-pat").returncode == 0
    moved = tmp_path / "corp-pat.toml"
    text = (cli_world.workdir / "connectors" / "corp-pat.toml").read_text()
    moved.write_text(text.replace("/dc/corp", "/dc/other"))
    result = cli_world.run("request", str(moved), "GET", "rest/api/2/myself")
    assert_clean_usage_error(result, "log in again", "/dc/other")


def test_callback_for_other_connector_kept(cli_world: CliWorld) -> None:
    command = [str(CONNAUTH), "--config", str(cli_world.workdir / "connauth.toml")]
    with subprocess.Popen(
        [*command, "login", "acme-oauth2"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=cli_world.env,
        cwd=cli_world.workdir,
    ) as started:
        assert started.stdout is not None
        url = ""
        while not url.startswith("https://"):
            url = started.stdout.readline().strip()
        started.kill()
    verify = ssl.create_default_context(cafile=cli_world.world.server.ca_path)
    with httpx.Client(verify=verify) as browser:
        callback = browser.get(url).headers["location"]

    wrong = cli_world.run("login", "corp-oauth2", "--callback-url", callback)
    assert wrong.returncode == 1
    assert "belongs to connector 'acme-oauth2'" in wrong.stderr

    right = cli_world.run("login", "acme-oauth2", "--callback-url", callback)
    assert right.returncode == 0, right.stderr
    assert "Logged in" in right.stdout
    assert "Open this URL" not in right.stdout
