"""The ``sandbox`` and ``demo`` commands, added to the ``connauth`` CLI by the
``connauth_cli_commands`` hook (entry-point group ``connauth.extensions``)."""

from __future__ import annotations

import sys
import threading
from collections.abc import Sequence
from pathlib import Path

import click
from rich.console import Console

from connauth import hookimpl
from connauth_sandbox._demo import run_demo
from connauth_sandbox._server import SandboxServer
from connauth_sandbox._settings import SandboxSettings
from connauth_sandbox._state import Sandbox
from connauth_sandbox._workdir import write_workdir
from connauth_sandbox._world import build_world

CONNAUTH_HOOK_API = "1.0"


@click.command()
def demo() -> None:
    """Run every installed method end to end against the local Jira sandbox."""
    ok = run_demo(Console())
    sys.exit(0 if ok else 1)


@click.command()
@click.option(
    "--workdir",
    type=click.Path(path_type=Path, file_okay=False),
    default=Path("connauth-sandbox"),
    show_default=True,
    help="Folder for the generated host config, connector files and secrets.",
)
def sandbox(workdir: Path) -> None:
    """Run the local Jira sandbox until interrupted.

    Writes a host configuration, one connector file per method and a
    secrets file (mode 0600) into WORKDIR, so that the other commands can be
    tried against it, for example:

        source connauth-sandbox/secrets.env
        connauth --config connauth-sandbox/connauth.toml check acme-basic
    """
    state = Sandbox(SandboxSettings())
    console = Console()
    with SandboxServer(state) as server:
        world = build_world(state, server)
        files = write_workdir(workdir, world)
        console.print(f"Jira sandbox listening on {server.base_url}")
        for label, path in files.items():
            console.print(f"  {label}: {path}")
        console.print("Press Ctrl+C to stop.")
        try:
            threading.Event().wait()
        except KeyboardInterrupt:
            console.print("Stopped.")


@hookimpl
def connauth_cli_commands() -> Sequence[click.Command]:
    return [demo, sandbox]
