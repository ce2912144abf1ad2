"""``connauth demo``: every installed method, end to end, against the sandbox.

For each method the demo shows the checklist with the host's values, has a
broken configuration rejected (each error naming its checklist step), accepts a
correct one, logs in over real HTTPS, calls ``myself``, creates an issue and,
for OAuth 2.0, forces the access token to expire and refreshes it. Last, it
moves the OAuth 1.0a connector to OAuth 2.0. It uses only connauth's public API.
"""

from __future__ import annotations

import contextlib
import ssl
import tempfile
from collections.abc import Callable
from collections.abc import Iterator
from dataclasses import dataclass
from dataclasses import field
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
from rich.console import Console
from rich.table import Table
from rich.text import Text

from connauth import Connauth
from connauth import ConnauthError
from connauth import Connector
from connauth import KeyRing
from connauth import PluginRegistry
from connauth import SqliteTokenStore
from connauth import TokenSet
from connauth.render import print_checklist
from connauth_sandbox._server import SandboxServer
from connauth_sandbox._settings import SandboxSettings
from connauth_sandbox._settings import Surface
from connauth_sandbox._state import Sandbox
from connauth_sandbox._world import PROJECT_KEY
from connauth_sandbox._world import World
from connauth_sandbox._world import build_world

__all__ = ["run_demo"]


@dataclass(frozen=True)
class Scenario:
    """One method's demo scenario: its connector, API version and broken input."""

    method: str
    connector_id: str
    api_version: str
    broken: Callable[[dict[str, Any]], dict[str, Any]]
    refresh: bool = False
    refresh_surface: Surface = Surface.CLOUD


SCENARIOS = {
    "oauth2": Scenario(
        method="oauth2",
        connector_id="acme-oauth2",
        api_version="3",
        broken=lambda auth: {
            **auth,
            "site_url": "http://acme.example.test",
            "client_id": "",
            "scopes": ["read:jira-work"],
        },
        refresh=True,
    ),
    "oauth1a": Scenario(
        method="oauth1a",
        connector_id="corp-oauth1a",
        api_version="2",
        broken=lambda auth: {
            **auth,
            "consumer_key": "short",
            "private_key": "not a key",
        },
    ),
    "basic": Scenario(
        method="basic",
        connector_id="acme-basic",
        api_version="3",
        broken=lambda auth: {**auth, "email": "not-an-email", "site_url": "ftp://acme"},
    ),
    "pat": Scenario(
        method="pat",
        connector_id="corp-pat",
        api_version="2",
        broken=lambda auth: {**auth, "site_url": "http://corp.example.test"},
    ),
}


@dataclass
class Outcome:
    method: str
    step: str
    ok: bool
    detail: str


@dataclass
class DemoClock:
    """The demo's clock: real time plus an offset, to force expiry."""

    offset: timedelta = field(default_factory=timedelta)

    def __call__(self) -> datetime:
        return datetime.now(UTC) + self.offset


class Demo:
    """One run of the demo, collecting an outcome per step."""

    def __init__(self, console: Console, sandbox: Sandbox, world: World, store: Path):
        self.console = console
        self.sandbox = sandbox
        self.world = world
        self.clock = DemoClock()
        self.connauth = Connauth(
            world.host,
            store=SqliteTokenStore(store, keys=KeyRing([KeyRing.generate()])),
            registry=PluginRegistry.from_environment(),
            clock=self.clock,
        )
        self.outcomes: list[Outcome] = []
        self.connectors: dict[str, Connector] = {}

    @contextlib.contextmanager
    def step(self, method: str, name: str) -> Iterator[list[str]]:
        """Record the step as passed unless its body raises; the body may
        append a detail line to the yielded list."""
        detail: list[str] = []
        try:
            yield detail
        except (ConnauthError, StepCheckFailed, httpx.HTTPError) as error:
            message = str(error) or type(error).__name__
            self.outcomes.append(Outcome(method, name, False, message))
            self.console.print(f"  [bold red]✗ {name}:[/] {message}")
            raise _StepFailed from error
        self.outcomes.append(Outcome(method, name, True, "; ".join(detail)))
        self.console.print(
            f"  [green]✓ {name}[/]" + (f": {detail[0]}" if detail else "")
        )

    def run(self) -> bool:
        installed = [info.name for info in self.connauth.methods()]
        for failure in self.connauth.registry.failures:
            self.outcomes.append(
                Outcome(failure.plugin, "plugin loads", False, failure.cause)
            )
        for method in installed:
            scenario = SCENARIOS.get(method)
            self.console.rule(f"[bold]{method}")
            if scenario is None:
                self.console.print(
                    f"  no sandbox scenario for method {method!r}; skipped"
                )
                self.outcomes.append(
                    Outcome(method, "scenario", True, "skipped: no scenario")
                )
                continue
            with contextlib.suppress(_StepFailed):
                self.run_scenario(scenario)
        if {"oauth1a", "oauth2"} <= set(installed) and "oauth1a" in self.connectors:
            self.console.rule("[bold]migration oauth1a → oauth2")
            with contextlib.suppress(_StepFailed):
                self.migrate_oauth1a()
        self.print_report()
        return bool(self.outcomes) and all(outcome.ok for outcome in self.outcomes)

    def run_scenario(self, scenario: Scenario) -> None:
        method = scenario.method
        good = self.world.auth(method)

        with self.step(method, "checklist"):
            # The admin's correct values fill in what the checklist derives
            # from them, such as the OAuth 1.0a public key.
            config = self.connauth.connector(scenario.connector_id, method, good).config
            checklist = self.connauth.checklist(method, config)
            print_checklist(self.console, checklist)
            require(bool(checklist.steps), "the checklist has no steps")

        with self.step(method, "broken config rejected") as detail:
            problems = self.broken_config_problems(scenario, good)
            require(bool(problems), "the broken configuration was accepted")
            for field_name, message, step in problems:
                require(
                    step is not None,
                    f"the error on {field_name} names no checklist step",
                )
                self.console.print(
                    f"    [yellow]{field_name}[/]: {message} → step [bold]{step}"
                )
            count = len(problems)
            noun = "error" if count == 1 else "errors"
            detail.append(f"{count} {noun}, each naming its step")

        with self.step(method, "valid config accepted"):
            connector = self.connauth.connector(
                scenario.connector_id, method, good, self.http()
            )
            failures = [r for r in self.connauth.validate(connector) if r.failed]
            require(not failures, "; ".join(r.message for r in failures))
            self.connectors[method] = connector

        with self.step(method, "login") as detail:
            record = self.login(connector)
            detail.append(f"API base {record.api_base_url}")

        self.call_jira(scenario, connector)
        if scenario.refresh:
            self.force_refresh(scenario, connector)

    def broken_config_problems(
        self, scenario: Scenario, good: dict[str, Any]
    ) -> list[tuple[str, str, str | None]]:
        try:
            connector = self.connauth.connector(
                scenario.connector_id,
                scenario.method,
                scenario.broken(good),
                self.http(),
            )
        except ConnauthError as error:
            return list(getattr(error, "problems", ()))
        return [
            (r.id, r.message, r.step)
            for r in self.connauth.validate(connector)
            if r.failed
        ]

    def login(self, connector: Connector, *, migrating_from: str | None = None) -> Any:
        prompt = self.connauth.begin_login(connector)
        if prompt.url is None:
            callback: str | dict[str, str] = {"state": prompt.state}
        else:
            callback = self.approve_in_browser(prompt.url)
        return self.connauth.complete_login(
            connector, callback, migrating_from=migrating_from
        )

    def approve_in_browser(self, url: str) -> str:
        """Act as the admin's browser: open the consent page, which the sandbox
        approves at once, and return where Jira sends the browser back."""
        verify = ssl.create_default_context(cafile=self.world.server.ca_path)
        with httpx.Client(verify=verify) as browser:
            response = browser.get(url)
        require(
            response.is_redirect, f"the consent page answered {response.status_code}"
        )
        location = response.headers["location"]
        require(
            location.startswith(self.world.host.redirect_url),
            "the consent page redirected somewhere other than the host's callback",
        )
        return location

    def call_jira(self, scenario: Scenario, connector: Connector) -> None:
        method = scenario.method
        version = scenario.api_version
        with self.connauth.client(connector) as jira:
            with self.step(method, "myself") as detail:
                response = jira.get(f"rest/api/{version}/myself")
                require(
                    response.status_code == 200,
                    f"myself answered {response.status_code}",
                )
                detail.append(f"signed in as {response.json().get('displayName')}")

            with self.step(method, "create issue") as detail:
                response = jira.post(
                    f"rest/api/{version}/issue",
                    json={
                        "fields": {
                            "project": {"key": PROJECT_KEY},
                            "summary": f"Created by the connauth demo through {method}",
                            "issuetype": {"name": "Task"},
                        }
                    },
                )
                require(
                    response.status_code == 201,
                    f"issue create answered {response.status_code}",
                )
                detail.append(f"created {response.json()['key']}")

    def force_refresh(self, scenario: Scenario, connector: Connector) -> None:
        method = scenario.method
        with self.step(method, "expiry forces one refresh") as detail:
            before = self.stored_tokens(connector)
            require(before.tokens.can_refresh, "no refresh token was granted")
            refreshes = self.sandbox.token_requests(
                scenario.refresh_surface, "refresh_token"
            )

            expired = self.sandbox.expire_all_access_tokens()
            self.clock.offset += timedelta(hours=1)
            with self.connauth.client(connector) as jira:
                response = jira.get(f"rest/api/{scenario.api_version}/myself")

            after = self.stored_tokens(connector)
            require(
                response.status_code == 200, f"myself answered {response.status_code}"
            )
            sent = self.sandbox.token_requests(
                scenario.refresh_surface, "refresh_token"
            )
            require(
                sent - refreshes == 1,
                f"{sent - refreshes} refresh requests, expected 1",
            )
            require(
                after.tokens.refresh_token != before.tokens.refresh_token,
                "the rotated refresh token was not stored",
            )
            detail.append(
                f"{expired} token(s) expired; 1 refresh POST; rotated refresh token "
                f"stored (record version {before.version} → {after.version})"
            )

    def stored_tokens(self, connector: Connector) -> _StoredTokens:
        record = self.connauth.store.get(connector.id)
        if record is None or record.tokens is None:
            raise StepCheckFailed(f"connector {connector.id} has no stored tokens")
        return _StoredTokens(record.version, record.tokens)

    def migrate_oauth1a(self) -> None:
        legacy = self.connectors["oauth1a"]
        with self.step("migration", "plan") as detail:
            plan = self.connauth.plan_migration(legacy.id, "oauth2")
            require(plan.blocked is None, f"the migration is blocked: {plan.blocked}")
            self.console.print(
                f"    carries over: {', '.join(plan.carries_over)}; needs: "
                f"{', '.join(plan.target_needs)}; "
                f"old credentials: {plan.source_credentials}"
            )
            detail.append(f"{plan.source_method} → {plan.target}")

        target = self.connauth.connector(
            legacy.id, "oauth2", self.world.auth("oauth2-datacenter"), self.http()
        )
        with self.step("migration", "re-authorize with OAuth 2.0") as detail:
            record = self.login(target, migrating_from="oauth1a")
            require(record.method == "oauth2", f"the record uses {record.method}")
            detail.append(f"connector {record.connector_id} now uses {record.method}")

        with self.step("migration", "migrated connector works") as detail:
            with self.connauth.client(target) as jira:
                response = jira.get("rest/api/2/myself")
            require(
                response.status_code == 200, f"myself answered {response.status_code}"
            )
            detail.append("myself answered 200 through OAuth 2.0")

    def http(self) -> dict[str, Any]:
        return {"verify": str(self.world.server.ca_path)}

    def print_report(self) -> None:
        table = Table(title="connauth demo")
        for column in ("method", "step", "result", "detail"):
            table.add_column(column, overflow="fold")
        for outcome in self.outcomes:
            result = (
                Text("ok", style="green")
                if outcome.ok
                else Text("FAILED", style="bold red")
            )
            table.add_row(outcome.method, outcome.step, result, outcome.detail)
        self.console.print(table)


@dataclass(frozen=True)
class _StoredTokens:
    version: int
    tokens: TokenSet


class StepCheckFailed(Exception):
    """A demo step's expectation did not hold."""


def require(condition: bool, message: str) -> None:
    """Raise :class:`StepCheckFailed` with ``message`` unless ``condition`` holds."""
    if not condition:
        raise StepCheckFailed(message)


class _StepFailed(Exception):
    """Stops a scenario after a failed step; the failure is already recorded."""


def run_demo(console: Console) -> bool:
    """Run the demo and return whether every step worked."""
    sandbox = Sandbox(SandboxSettings())
    with SandboxServer(sandbox) as server, tempfile.TemporaryDirectory() as folder:
        console.print(f"Jira sandbox listening on {server.base_url}")
        world = build_world(sandbox, server)
        return Demo(console, sandbox, world, Path(folder) / "tokens.sqlite3").run()
