"""The ``connauth`` command line."""

from __future__ import annotations


def main() -> None:
    """Run the ``connauth`` command line."""
    from connauth.cli._app import run

    run()
