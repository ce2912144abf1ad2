"""``connauth lifecycle``: each method's phase and the connectors that use it."""

from __future__ import annotations

import click
from rich.console import Console
from rich.table import Table

from connauth._lifecycle_report import LifecycleReport
from connauth._lifecycle_report import build_lifecycle_report
from connauth.cli._context import CliContext
from connauth.render import to_json

__all__ = ["lifecycle"]


@click.group()
def lifecycle() -> None:
    """Show methods' lifecycle phases and the connectors that use them."""


@lifecycle.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_obj
def report(state: CliContext, as_json: bool) -> None:
    """List connectors per method and phase, the days to each sunset, the
    connectors that block uninstalling a method, and orphaned connectors."""
    result = build_lifecycle_report(state.connauth())
    if as_json:
        click.echo(to_json(result.to_dict()))
        return
    print_report(state.console, result)


def print_report(console: Console, result: LifecycleReport) -> None:
    """Print the lifecycle report as tables and notices."""
    methods = Table(title="Methods")
    for column in (
        "method",
        "phase",
        "deprecation",
        "closing",
        "sunset",
        "days to sunset",
        "replacement",
        "connectors",
    ):
        methods.add_column(column, overflow="fold")
    for method in result.methods:
        notice = method.notice
        methods.add_row(
            notice.method,
            notice.phase.value,
            _text(notice.deprecation_date),
            _text(notice.closing_date),
            _text(notice.sunset_date),
            _text(notice.days_to_sunset),
            notice.replacement or "",
            str(len(method.connectors)),
        )
    console.print(methods)

    for method in result.methods:
        notice = method.notice
        if not notice.phasing_out:
            continue
        console.print(f"\n[bold]{notice.method}[/]: {notice.summary}")
        if notice.action:
            console.print(f"  {notice.action}")
        if method.connectors:
            console.print(
                f"  Blocks removal of {notice.method}: " + ", ".join(method.connectors)
            )

    connectors = Table(title="Connectors")
    for column in ("id", "method", "phase", "status", "migration", "site"):
        connectors.add_column(column, overflow="fold")
    for row in result.connectors:
        connectors.add_row(
            row.connector_id,
            row.method,
            row.phase.value,
            row.status,
            row.migration.value if row.migration else "",
            row.site_url,
        )
    console.print(connectors)
    for orphan in result.orphans:
        console.print(
            f"[yellow]orphaned:[/] {orphan.connector_id} ({orphan.method}): "
            f"{orphan.status}"
        )


def _text(value: object) -> str:
    return "" if value is None else str(value)
