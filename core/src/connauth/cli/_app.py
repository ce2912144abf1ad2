"""The ``connauth`` command group and its core commands.

Exit codes: 0 success, 1 a check or request failed, 2 usage or configuration
errors. Secrets are never printed.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any
from typing import TypeVar

import click
from pydantic import ValidationError

from connauth._check_options import DEFAULT_PERMISSIONS
from connauth._check_options import CheckOptions
from connauth._diagnostics import run_checks
from connauth._errors import ConfigError
from connauth._errors import ConnauthError
from connauth._errors import MethodNotInstalled
from connauth._errors import StoreKeyError
from connauth._journal import connector_records
from connauth._keygen import generate_rsa_key_pair
from connauth._keys import KeyRing
from connauth._method import Deployment
from connauth._plugins import PluginRegistry
from connauth._prerequisites import CheckSteps
from connauth._store import CredentialRecord
from connauth.cli._context import CONFIG_ENV
from connauth.cli._context import CliContext
from connauth.cli._lifecycle_commands import lifecycle
from connauth.cli._migrate_commands import migrate
from connauth.cli._store_commands import store
from connauth.render import checklist_json
from connauth.render import checklist_markdown
from connauth.render import checks_json
from connauth.render import print_checklist
from connauth.render import print_checks
from connauth.render import print_methods
from connauth.render import to_json

__all__ = ["cli", "run"]

F = TypeVar("F", bound=Callable[..., Any])

json_option = click.option("--json", "as_json", is_flag=True, help="Print JSON.")


@click.group()
@click.option(
    "--config",
    "config_path",
    type=click.Path(path_type=Path, dir_okay=False),
    envvar=CONFIG_ENV,
    help="Host configuration file (default: ./connauth.toml).",
)
@click.option(
    "--store",
    "store_path",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Token store file (default: from the config, else the per-user store).",
)
@click.pass_context
def cli(ctx: click.Context, config_path: Path | None, store_path: Path | None) -> None:
    """Connect Jira sites with pluggable authentication methods."""
    registry = ctx.obj if isinstance(ctx.obj, PluginRegistry) else None
    ctx.obj = CliContext(
        config_path=config_path, store_path=store_path, environment_registry=registry
    )


@cli.command()
@json_option
@click.pass_obj
def methods(state: CliContext, as_json: bool) -> None:
    """List the installed authentication methods."""
    registry = state.registry()
    infos = registry.methods()
    if as_json:
        rows = [
            {
                "name": info.name,
                "title": info.title,
                "summary": info.summary,
                "lifecycle": info.lifecycle.value,
                "replacement": info.replacement,
                "deployments": sorted(d.value for d in info.deployments),
                "interactive": info.interactive,
                "config_schema": info.config_schema(),
            }
            for info in infos
        ]
        failures = [vars(failure) for failure in registry.failures]
        state.console.print_json(
            json.dumps({"methods": rows, "plugin_failures": failures})
        )
        return
    print_methods(state.console, infos)
    for failure in registry.failures:
        state.errors.print(
            f"[yellow]plugin {failure.plugin} not loaded:[/] {failure.cause}"
        )


@cli.command()
@click.argument("method")
@click.option(
    "--connector", "connector_ref", help="Fill in values from this connector."
)
@click.option(
    "--deployment",
    type=click.Choice([deployment.value for deployment in Deployment]),
    help="Show the steps of this Jira deployment, for a method that serves "
    "several (default: from --connector, else the method's first).",
)
@click.option(
    "--format",
    "output",
    type=click.Choice(["text", "markdown", "json"]),
    default="text",
    help="Output format.",
)
@json_option
@click.pass_obj
def checklist(
    state: CliContext,
    method: str,
    connector_ref: str | None,
    deployment: str | None,
    output: str,
    as_json: bool,
) -> None:
    """Show the setup checklist of METHOD with this host's values."""
    connauth = state.connauth()
    installed = sorted(info.name for info in connauth.methods())
    if method not in installed:
        raise click.BadParameter(
            f"{method!r} is not an installed method; choose one of "
            f"{', '.join(installed)}",
            param_hint="METHOD",
        )
    config = state.connector(connector_ref).config if connector_ref else None
    chosen = Deployment(deployment) if deployment is not None else None
    result = connauth.checklist(method, config, deployment=chosen)
    if as_json or output == "json":
        click.echo(checklist_json(result))
    elif output == "markdown":
        click.echo(checklist_markdown(result))
    else:
        print_checklist(state.console, result)


@cli.command()
@click.argument("connector_ref", metavar="CONNECTOR")
@click.option(
    "--expect-account",
    help="Account the connector must act as: an account id, a user name or an "
    "email address.",
)
@click.option(
    "--project",
    "project_key",
    help="Project key whose permissions are checked (default: any project).",
)
@click.option(
    "--permission",
    "permissions",
    multiple=True,
    help="Permission key the account must hold; repeat for several (default: "
    + ", ".join(DEFAULT_PERMISSIONS)
    + ").",
)
@click.option(
    "--certificate-warning-days",
    type=click.IntRange(min=0),
    default=CheckOptions.model_fields["certificate_warning_days"].default,
    show_default=True,
    help="Warn when the site's TLS certificate expires within this many days.",
)
@json_option
@click.pass_obj
def check(
    state: CliContext,
    connector_ref: str,
    expect_account: str | None,
    project_key: str | None,
    permissions: tuple[str, ...],
    certificate_warning_days: int,
    as_json: bool,
) -> None:
    """Validate CONNECTOR's configuration and test its connection.

    Exits with 0 when no check failed (warnings and skipped checks pass), 1
    when a check failed, and 2 for usage and configuration errors.
    """
    options = _check_options(
        expect_account, project_key, permissions, certificate_warning_days
    )
    connector = state.connector(connector_ref)
    connauth = state.connauth()
    results = asyncio.run(run_checks(connauth, connector, options=options))
    titles = CheckSteps.of(connauth, connector).titles
    if as_json:
        click.echo(checks_json(connector.id, connector.method, results, titles))
    else:
        title = f"Checks of {connector.id} ({connector.method})"
        print_checks(state.console, title, results, titles)
    if any(result.failed for result in results):
        sys.exit(1)


def _check_options(
    expect_account: str | None,
    project_key: str | None,
    permissions: tuple[str, ...],
    certificate_warning_days: int,
) -> CheckOptions:
    values: dict[str, Any] = {
        "expected_account": expect_account,
        "project_key": project_key,
        "certificate_warning_days": certificate_warning_days,
    }
    if permissions:
        values["permissions"] = permissions
    try:
        return CheckOptions(**values)
    except ValidationError as error:
        problems = "; ".join(item["msg"] for item in error.errors())
        raise click.UsageError(problems) from None


@cli.command()
@click.argument("connector_ref", metavar="CONNECTOR")
@click.option(
    "--callback-url",
    help="Complete a login started earlier with the URL Jira redirected the "
    "browser to; without it, a new login starts and the URL is asked for.",
)
@click.pass_obj
def login(state: CliContext, connector_ref: str, callback_url: str | None) -> None:
    """Log CONNECTOR in and store its credentials."""
    connauth = state.connauth()
    connector = state.connector(connector_ref)
    if callback_url is not None:
        # The login was started earlier; this run only completes it.
        _report_login(state, connauth.complete_login(connector, callback_url))
        return
    prompt = connauth.begin_login(connector)
    callback: str | dict[str, str]
    if prompt.url is None:
        callback = {"state": prompt.state}
    else:
        state.console.print("Open this URL as the Jira admin and approve access:")
        click.echo(prompt.url)
        callback = click.prompt("Paste the URL your browser was sent to")
    _report_login(state, connauth.complete_login(connector, callback))


def _report_login(state: CliContext, record: CredentialRecord) -> None:
    state.console.print(
        f"[green]Logged in[/green] connector {record.connector_id} ({record.method}); "
        f"API base {record.api_base_url}"
    )


@cli.command()
@click.argument("connector_ref", metavar="CONNECTOR")
@click.argument("http_method", metavar="METHOD")
@click.argument("path")
@click.option("--data", help="JSON request body.")
@json_option
@click.pass_obj
def request(
    state: CliContext,
    connector_ref: str,
    http_method: str,
    path: str,
    data: str | None,
    as_json: bool,
) -> None:
    """Send an authenticated METHOD request for PATH (relative to the API base)."""
    connector = state.connector(connector_ref)
    try:
        body = json.loads(data) if data is not None else None
    except json.JSONDecodeError as error:
        raise click.BadParameter(
            f"not valid JSON: {error}", param_hint="--data"
        ) from None
    with state.connauth().client(connector) as client:
        response = client.request(http_method.upper(), path.lstrip("/"), json=body)
    try:
        payload: Any = response.json()
    except ValueError:
        payload = response.text
    if as_json:
        click.echo(to_json({"status": response.status_code, "body": payload}))
    else:
        state.console.print(f"HTTP {response.status_code}")
        if isinstance(payload, str):
            click.echo(payload)
        else:
            state.console.print_json(json.dumps(payload))
    if response.is_error:
        sys.exit(1)


@cli.command()
@click.option(
    "--out",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Write the RSA private key here (mode 0600) instead of only printing "
    "the public key.",
)
@click.option("--bits", default=2048, show_default=True, help="RSA key size in bits.")
@click.option("--store-key", is_flag=True, help="Print a new token-store key instead.")
@click.pass_obj
def keygen(state: CliContext, out: Path | None, bits: int, store_key: bool) -> None:
    """Generate an RSA key pair for an application link, or a store key."""
    if store_key:
        click.echo(KeyRing.generate().decode("ascii"))
        return
    if out is None:
        raise click.UsageError("give --out FILE for the private key, or --store-key")
    pair = generate_rsa_key_pair(bits)
    _write_private(out, pair.private_pem.get_secret_value())
    state.errors.print(f"Private key written to {out} (mode 0600).")
    state.errors.print("Public key for the Jira application link:")
    click.echo(pair.public_pem, nl=False)


@cli.command()
@json_option
@click.pass_obj
def connectors(state: CliContext, as_json: bool) -> None:
    """List the connectors in the token store, with their method's status."""
    connauth = state.connauth()
    installed = {info.name for info in connauth.methods()}
    rows = [
        {
            "id": record.connector_id,
            "method": record.method,
            "site_url": record.site_url,
            "status": record.status.value
            if record.method in installed
            else "method not installed",
            "updated_at": record.updated_at.isoformat(),
        }
        for record in connector_records(connauth.store)
    ]
    if as_json:
        click.echo(to_json(rows))
        return
    for row in rows:
        state.console.print(
            f"{row['id']}\t{row['method']}\t{row['status']}\t{row['site_url']}"
        )


cli.add_command(store)
cli.add_command(lifecycle)
cli.add_command(migrate)


def _write_private(path: Path, pem: str) -> None:
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise click.UsageError(
            f"{path} already exists; choose another --out path, so that no key is "
            "overwritten"
        ) from None
    except OSError as error:
        raise click.UsageError(
            f"cannot create {path}: {error.strerror}; check that its folder exists "
            "and is writable"
        ) from None
    with os.fdopen(descriptor, "w", encoding="ascii") as handle:
        handle.write(pem)


def _add_extension_commands(group: click.Group, registry: PluginRegistry) -> None:
    for command in registry.broadcast("connauth_cli_commands"):
        for item in command if isinstance(command, list | tuple) else [command]:
            if item.name in group.commands:
                click.echo(
                    f"connauth: plugin command {item.name!r} ignored: name taken",
                    err=True,
                )
                continue
            group.add_command(item)


def run() -> None:
    """Run the CLI, turning connauth's errors into messages and exit codes."""
    logging.basicConfig(level=logging.WARNING, format="connauth: %(message)s")
    registry = PluginRegistry.from_environment()
    _add_extension_commands(cli, registry)
    try:
        cli.main(standalone_mode=False, obj=registry)
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        sys.exit(1)
    except click.ClickException as error:
        error.show()
        sys.exit(error.exit_code)
    except (ConfigError, MethodNotInstalled, StoreKeyError) as error:
        click.echo(f"error: {error}", err=True)
        sys.exit(2)
    except ConnauthError as error:
        click.echo(f"error: {type(error).__name__}: {error}", err=True)
        sys.exit(1)
