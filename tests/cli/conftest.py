"""A running sandbox with the files ``connauth sandbox`` writes, for CLI tests."""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from connauth_sandbox import Sandbox
from connauth_sandbox import SandboxServer
from connauth_sandbox._workdir import write_workdir
from connauth_sandbox._world import World
from connauth_sandbox._world import build_world

CONNAUTH = Path(sys.executable).with_name("connauth")


@dataclass
class CliWorld:
    """The sandbox, its world and a workdir with host and connector files."""

    sandbox: Sandbox
    world: World
    workdir: Path
    env: dict[str, str]

    def run(
        self, *args: str, stdin: str | None = None
    ) -> subprocess.CompletedProcess[str]:
        """Run ``connauth --config <workdir>/connauth.toml ARGS``."""
        return subprocess.run(
            [str(CONNAUTH), "--config", str(self.workdir / "connauth.toml"), *args],
            capture_output=True,
            text=True,
            input=stdin,
            timeout=120,
            check=False,
            env=self.env,
            cwd=self.workdir,
        )


def read_secrets(path: Path) -> dict[str, str]:
    """Read ``export NAME='value'`` lines as a shell would; values may span lines."""
    words = [word for word in shlex.split(path.read_text()) if word != "export"]
    return dict(word.split("=", 1) for word in words)


@pytest.fixture(scope="module")
def cli_world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CliWorld]:
    sandbox = Sandbox()
    workdir = tmp_path_factory.mktemp("cli")
    with SandboxServer(sandbox) as server:
        world = build_world(sandbox, server)
        files = write_workdir(workdir, world)
        env = {
            "PATH": os.environ["PATH"],
            "HOME": str(workdir),
            "CONNAUTH_HOME": str(workdir / "home"),
            "COLUMNS": "200",
            **read_secrets(files["secrets"]),
        }
        yield CliWorld(sandbox=sandbox, world=world, workdir=workdir, env=env)
