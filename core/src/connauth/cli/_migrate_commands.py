"""``connauth migrate``: move connectors to another method, resumably.

``connauth migrate --from oauth1a --to oauth2`` covers every connector of the
source method: it finishes what can be finished, starts a login for each
connector that needs an admin and prints the URLs. Admins approve; each
callback URL is then passed to ``connauth migrate complete`` (or to the
host's own redirect handler). Running the command again resumes, so an
interruption loses nothing.

The target configuration comes from ``--target-config``: one connector file
used for every connector (its ``id`` is not used and its ``site_url`` is
replaced by each connector's stored site), or a folder holding one
``<id>.toml`` per connector. Secrets in it must be ``{ env = ... }`` or
``{ file = ... }`` references, as in any connector file.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.progress import BarColumn
from rich.progress import MofNCompleteColumn
from rich.progress import Progress
from rich.progress import TextColumn
from rich.table import Table

from connauth._config import secret_field_names
from connauth._connector import Connector
from connauth._errors import ConfigError
from connauth._errors import ConnauthError
from connauth._files import read_connector_file
from connauth._journal import MigrationError
from connauth._migrate import MigrationRunner
from connauth._migrate_bulk import BulkMigration
from connauth._migrate_bulk import BulkOutcome
from connauth._migrate_bulk import BulkReport
from connauth._migrate_bulk import PlannedMove
from connauth._migrate_bulk import TargetFactory
from connauth._store import CredentialRecord
from connauth.cli._context import CliContext
from connauth.render import to_json

__all__ = ["migrate"]

_TARGET_CONFIG_HELP = (
    "Target configuration: a connector file used for every connector (its site_url "
    "is replaced by each connector's), or a folder with one <id>.toml per connector."
)

target_config_option = click.option(
    "--target-config",
    type=click.Path(path_type=Path, exists=True),
    help=_TARGET_CONFIG_HELP,
)
keep_old_option = click.option(
    "--keep-old-days",
    type=click.IntRange(min=0),
    help="Days to keep the old credentials for 'connauth migrate rollback' "
    "(default: the source method's rollback_days in [lifecycle], else 0).",
)
concurrency_option = click.option(
    "--concurrency",
    type=click.IntRange(min=1),
    default=4,
    show_default=True,
    help="Connectors worked on at the same time.",
)
json_option = click.option("--json", "as_json", is_flag=True, help="Print JSON.")


@click.group(invoke_without_command=True)
@click.option("--from", "source", help="Method to move connectors away from.")
@click.option(
    "--to",
    "target",
    help="Method to move connectors to (default: the source method's replacement).",
)
@click.option(
    "--connector",
    "connector_ids",
    multiple=True,
    help="Only this connector; repeat the option for more.",
)
@target_config_option
@concurrency_option
@keep_old_option
@click.option("--dry-run", is_flag=True, help="Print each plan and change nothing.")
@json_option
@click.pass_context
def migrate(
    ctx: click.Context,
    source: str | None,
    target: str | None,
    connector_ids: tuple[str, ...],
    target_config: Path | None,
    concurrency: int,
    keep_old_days: int | None,
    dry_run: bool,
    as_json: bool,
) -> None:
    """Move connectors from one method to another, or manage migrations.

    Without a subcommand, advances every connector of --from as far as it can
    go now, starts the logins that need an admin and prints their URLs. Run
    it again to resume.
    """
    if ctx.invoked_subcommand is not None:
        return
    state: CliContext = ctx.obj
    if source is None:
        raise click.UsageError("give --from METHOD, or a subcommand")
    connauth = state.connauth()
    target = target or connauth.lifecycle_status(source).replacement
    if target is None:
        raise click.UsageError(
            f"method {source!r} names no replacement; give --to METHOD"
        )
    runner = _runner(state, keep_old_days)
    targets = _target_factory(state, target, target_config) if target_config else None
    bulk = BulkMigration(
        runner,
        source=source,
        target=target,
        targets=targets,
        connector_ids=connector_ids or None,
        concurrency=concurrency,
    )
    if dry_run:
        _print_plans(state, bulk.plan(), as_json)
        return
    if targets is None:
        raise click.UsageError(
            "give --target-config with the target method's configuration, or "
            "--dry-run to see the plans first"
        )
    report = _run_with_progress(state.errors, bulk)
    _print_report(state, report, as_json)
    if report.failed:
        sys.exit(1)


@migrate.command()
@click.option(
    "--callback-url",
    "callback_urls",
    multiple=True,
    help="A URL Jira redirected an admin's browser to; repeat for more.",
)
@click.option(
    "--callbacks",
    "callbacks_file",
    type=click.File("r"),
    help="Read callback URLs from this file, one per line, as they arrive "
    "('-' for standard input).",
)
@click.option(
    "--target-config",
    type=click.Path(path_type=Path, exists=True),
    required=True,
    help=_TARGET_CONFIG_HELP,
)
@concurrency_option
@keep_old_option
@json_option
@click.pass_obj
def complete(
    state: CliContext,
    callback_urls: tuple[str, ...],
    callbacks_file: Any,
    target_config: Path,
    concurrency: int,
    keep_old_days: int | None,
    as_json: bool,
) -> None:
    """Finish migrations from their login callbacks: verify, switch, clean up."""
    if not callback_urls and callbacks_file is None:
        raise click.UsageError("give --callback-url URL or --callbacks FILE")
    runner = _runner(state, keep_old_days)
    callbacks = _callbacks(callback_urls, callbacks_file)
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        futures = [
            pool.submit(_complete_one, state, runner, target_config, url)
            for url in callbacks
        ]
        rows = [future.result() for future in futures]
    if as_json:
        click.echo(to_json(rows))
    else:
        for row in rows:
            state.console.print(f"{row['connector_id'] or '?'}\t{row['result']}")
    if any(row["result"] != "switched" for row in rows):
        sys.exit(1)


@migrate.command()
@json_option
@click.pass_obj
def status(state: CliContext, as_json: bool) -> None:
    """List the migration journal: each connector's step and last message."""
    entries = _runner(state, None).journal.entries()
    if as_json:
        click.echo(to_json([entry.to_dict() for entry in entries]))
        return
    table = Table(title="Migrations")
    for column in ("id", "from", "to", "state", "rollback until", "message"):
        table.add_column(column, overflow="fold")
    for entry in entries:
        table.add_row(
            entry.connector_id,
            entry.source_method,
            entry.target_method,
            entry.state.value,
            entry.rollback_until.isoformat() if entry.rollback_until else "",
            entry.message or "",
        )
    state.console.print(table)


@migrate.command()
@click.argument("connector_id", metavar="CONNECTOR")
@click.pass_obj
def rollback(state: CliContext, connector_id: str) -> None:
    """Restore CONNECTOR's old credentials, within its rollback window."""
    record = _runner(state, None).rollback(connector_id)
    state.console.print(
        f"[green]Rolled back[/] connector {connector_id}: it uses {record.method} again"
    )


@migrate.command()
@click.pass_obj
def purge(state: CliContext) -> None:
    """Delete old credentials whose rollback window has ended."""
    removed = _runner(state, None).remove_expired()
    for entry in removed:
        state.console.print(
            f"{entry.connector_id}: old {entry.source_method} credentials removed"
        )
    state.console.print(f"Removed the old credentials of {len(removed)} connector(s).")


def _runner(state: CliContext, keep_old_days: int | None) -> MigrationRunner:
    window = timedelta(days=keep_old_days) if keep_old_days is not None else None
    return MigrationRunner(state.connauth(), rollback_window=window)


def _target_factory(state: CliContext, target: str, path: Path) -> TargetFactory:
    connauth = state.connauth()
    secret_names = secret_field_names(connauth.registry.method(target).config_model)

    def build(record: CredentialRecord) -> Connector:
        file = path / f"{record.connector_id}.toml" if path.is_dir() else path
        if not file.is_file():
            raise ConfigError(
                f"no target configuration for connector {record.connector_id!r}: "
                f"{file} does not exist",
                connector_id=record.connector_id,
            )
        document = read_connector_file(file, environ=os.environ)
        if document.method != target:
            raise ConfigError(
                f"{file}: method is {document.method!r}, but the migration goes to "
                f"{target!r}",
                connector_id=record.connector_id,
            )
        literal = sorted(
            name
            for name in secret_names
            if name in document.auth and name not in document.referenced
        )
        if literal:
            raise ConfigError(
                f"{file}: auth.{literal[0]} is a secret and must not be written in "
                'the file; give it as { env = "VARIABLE" } or { file = "path" }',
                connector_id=record.connector_id,
            )
        auth = dict(document.auth)
        if not path.is_dir() or "site_url" not in auth:
            auth["site_url"] = record.site_url
        return connauth.connector(record.connector_id, target, auth, document.http)

    return build


def _run_with_progress(console: Console, bulk: BulkMigration) -> BulkReport:
    total = len(bulk.connector_ids())
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        console=console,
        transient=False,
    ) as progress:
        task = progress.add_task("Migrating", total=total)

        def advance(outcome: BulkOutcome) -> None:
            state = outcome.state.value if outcome.state else "not started"
            progress.update(
                task, advance=1, description=f"{outcome.connector_id}: {state}"
            )

        report = bulk.run(on_outcome=advance)
        progress.update(task, description="Done")
    return report


def _print_plans(state: CliContext, moves: list[PlannedMove], as_json: bool) -> None:
    if as_json:
        rows = [
            {
                "connector_id": move.connector_id,
                "site_url": move.site_url,
                "plan": vars(move.plan) if move.plan else None,
                "error": move.error,
            }
            for move in moves
        ]
        click.echo(to_json(rows))
        return
    console = state.console
    console.print("[bold]Migration plans[/] (dry run: nothing was changed)")
    for move in moves:
        console.print(f"\n[bold]{move.connector_id}[/] {move.site_url}")
        plan = move.plan
        if plan is None:
            console.print(f"  [red]error:[/] {move.error}")
            continue
        if plan.blocked:
            console.print(f"  [red]blocked:[/] {plan.blocked}")
        else:
            console.print(f"  [green]ready:[/] {plan.source_method} → {plan.target}")
        needs = ", ".join(plan.target_needs) or "nothing"
        login = "required" if plan.requires_reauthorization else "not needed"
        console.print(f"  carries over: {', '.join(plan.carries_over)}")
        console.print(f"  target still needs: {needs}")
        console.print(f"  new admin login: {login}")
        console.print(f"  old credentials: {plan.source_credentials}")


def _print_report(state: CliContext, report: BulkReport, as_json: bool) -> None:
    if as_json:
        click.echo(to_json(report.to_dict()))
        return
    table = Table(title=f"Migration {report.source} → {report.target}")
    for column in ("id", "state", "detail"):
        table.add_column(column, overflow="fold")
    for outcome in report.outcomes:
        detail = outcome.message or ""
        if outcome.waiting:
            expires = outcome.login_expires_at
            until = f" before {expires:%H:%M} UTC" if expires else ""
            detail = f"an admin must approve{until}; the URL is below"
        table.add_row(
            outcome.connector_id,
            outcome.state.value if outcome.state else "not started",
            detail,
        )
    state.console.print(table)
    counts = ", ".join(f"{count} {name}" for name, count in report.counts().items())
    state.console.print(f"Connectors: {counts or 'none'}")
    if report.waiting:
        state.console.print(
            "Send each URL to the site's Jira admin. Pass the URL their browser "
            "returns to 'connauth migrate complete --callback-url URL', then run "
            "this command again to resume the rest."
        )
        for outcome in report.waiting:
            # Printed without wrapping, so that each URL can be copied whole.
            click.echo(f"{outcome.connector_id}: {outcome.login_url}")


def _callbacks(urls: Iterable[str], file: Any) -> Iterator[str]:
    yield from urls
    if file is not None:
        for line in file:
            if line.strip():
                yield line.strip()


def _complete_one(
    state: CliContext, runner: MigrationRunner, target_config: Path, url: str
) -> dict[str, str | None]:
    entry = runner.connector_for_callback(url)
    if entry is None:
        return {
            "connector_id": None,
            "result": "no migration waits for this callback: its login is unknown, "
            "already completed or expired",
        }
    try:
        record = runner.store.get(entry.connector_id)
        if record is None:
            raise MigrationError(
                "the connector's record is gone", connector_id=entry.connector_id
            )
        build = _target_factory(state, entry.target_method, target_config)
        runner.complete(build(record), url)
    except ConnauthError as error:
        return {
            "connector_id": entry.connector_id,
            "result": f"failed: {error.message}",
        }
    return {"connector_id": entry.connector_id, "result": "switched"}
