"""Running the ``connauth`` CLI in this process, against a world's sandbox.

The CLI runs through :func:`connauth.cli._app.run`, as the installed script
does, so its exit codes and error messages are the real ones. Running in this
process lets a test read every log record the command emits.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from connauth import KeyRing
from connauth.cli._app import run

from ._jira import JiraWorld

SECRET_FIELDS = frozenset(
    {"client_secret", "private_key", "private_key_passphrase", "api_token", "token"}
)


@dataclass(frozen=True)
class Outcome:
    """What one CLI run printed and its exit code."""

    code: int
    stdout: str
    stderr: str

    def json(self) -> Any:
        return json.loads(self.stdout)


@dataclass(frozen=True)
class CliFiles:
    """A host config and connector files whose secrets are environment variables."""

    workdir: Path
    config: Path
    environment: Mapping[str, str]

    @property
    def store_path(self) -> Path:
        return self.workdir / "tokens.sqlite3"


def write_cli_files(
    workdir: Path,
    jira: JiraWorld,
    connectors: Mapping[str, tuple[str, Mapping[str, Any]]],
) -> CliFiles:
    """Write ``connauth.toml`` and one file per connector id.

    ``connectors`` maps each id to its method and ``auth`` table. Secret
    fields become ``{ env = ... }`` references and their values go into the
    returned environment, with a store key.
    """
    host = jira.host
    config = workdir / "connauth.toml"
    config.write_text(
        "[host]\n"
        f"name = {_toml(host.name)}\n"
        f"redirect_url = {_toml(host.redirect_url)}\n"
        f"privacy_policy_url = {_toml(host.privacy_policy_url)}\n"
        f"public_base_url = {_toml(host.public_base_url)}\n\n"
        "[store]\n"
        'path = "tokens.sqlite3"\n',
        encoding="utf-8",
    )
    folder = workdir / "connectors"
    folder.mkdir(exist_ok=True)
    environment = {"CONNAUTH_STORE_KEY": KeyRing.generate().decode("ascii")}
    for connector_id, (method, auth) in connectors.items():
        lines = [f"id = {_toml(connector_id)}", f"method = {_toml(method)}", "[auth]"]
        for name, value in auth.items():
            if name in SECRET_FIELDS:
                variable = f"{connector_id}_{name}".upper().replace("-", "_")
                environment[variable] = str(value)
                lines.append(f"{name} = {{ env = {_toml(variable)} }}")
            else:
                lines.append(f"{name} = {_toml(value)}")
        lines += ["[http]", f"verify = {_toml(str(jira.server.ca_path))}", ""]
        (folder / f"{connector_id}.toml").write_text("\n".join(lines), encoding="utf-8")
    return CliFiles(workdir=workdir, config=config, environment=environment)


def invoke(
    files: CliFiles,
    *args: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    stdin: str | None = None,
) -> Outcome:
    """Run ``connauth --config <config> ARGS`` and return its outcome."""
    for name, value in files.environment.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("COLUMNS", "240")
    monkeypatch.chdir(files.workdir)
    monkeypatch.setattr(sys, "argv", ["connauth", "--config", str(files.config), *args])
    if stdin is not None:
        monkeypatch.setattr(sys, "stdin", _StringInput(stdin))
    capsys.readouterr()
    try:
        run()
    except SystemExit as exit_:
        code = exit_.code if isinstance(exit_.code, int) else 1
    else:
        code = 0
    captured = capsys.readouterr()
    return Outcome(code=code, stdout=captured.out, stderr=captured.err)


class _StringInput:
    """A minimal stdin for click.prompt."""

    def __init__(self, text: str) -> None:
        self._lines = text.splitlines(keepends=True)

    def readline(self) -> str:
        return self._lines.pop(0) if self._lines else ""

    def read(self, size: int = -1) -> str:
        text = "".join(self._lines)
        self._lines = []
        return text

    def isatty(self) -> bool:
        return False


def _toml(value: object) -> str:
    # JSON strings, numbers and booleans are valid TOML basic values.
    return json.dumps(value)
