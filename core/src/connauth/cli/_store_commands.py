"""``connauth store``: maintenance of the token store."""

from __future__ import annotations

import click

from connauth.cli._context import CliContext

__all__ = ["store"]


@click.group()
def store() -> None:
    """Maintain the token store."""


@store.command()
@click.pass_obj
def rekey(state: CliContext) -> None:
    """Seal every record again with the first key of the key ring.

    Put the new key first in CONNAUTH_STORE_KEY (keys are comma-separated; the
    first encrypts, all decrypt), run this, then remove the old key.
    """
    count = state.connauth().store.rekey()
    state.console.print(f"Re-encrypted {count} record(s) with the current key.")
