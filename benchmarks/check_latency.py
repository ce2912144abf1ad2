"""Measure how long a whole ``connauth check`` takes on a healthy connector.

For each method (basic, pat, oauth2 on Cloud and on Data Center, oauth1a), a
connector logs in to the sandbox on 127.0.0.1. Then its full check runs
repeatedly: the prerequisites, then every connectivity check (network, TLS,
serverInfo, clock, the method's checks, account and permissions). The first
run of each connector is reported apart, because it loads the CA bundle and
warms the caches. The goal is a whole check under 2 seconds.

The table goes to stdout and to ``benchmarks/results/check_latency.md``; the
numbers, with the machine they were measured on, to
``benchmarks/results/check_latency.json``. Run with
``python benchmarks/check_latency.py``; it takes a few seconds.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import time
import warnings
from dataclasses import asdict
from dataclasses import dataclass
from datetime import UTC
from datetime import datetime
from pathlib import Path

import httpx

from _machine import describe_machine
from connauth import Connauth
from connauth import Connector
from connauth import KeyRing
from connauth import PluginRegistry
from connauth import SqliteTokenStore
from connauth.diagnostics import run_checks
from connauth_sandbox import Sandbox
from connauth_sandbox import SandboxServer
from connauth_sandbox._world import World
from connauth_sandbox._world import build_world

GOAL_SECONDS = 2.0
RESULTS = Path(__file__).parent / "results"
# Connector id, method, and the sandbox world's name for its auth table.
CONNECTORS = (
    ("basic", "basic", "basic"),
    ("pat", "pat", "pat"),
    ("oauth2-cloud", "oauth2", "oauth2"),
    ("oauth2-dc", "oauth2", "oauth2-datacenter"),
    ("oauth1a", "oauth1a", "oauth1a"),
)


@dataclass(frozen=True)
class Measurement:
    connector: str
    checks: int
    runs: int
    first_ms: float
    median_ms: float
    p95_ms: float
    max_ms: float
    all_passed: bool


def main() -> int:
    arguments = _arguments()
    # oauth1a is deprecated; its warning on every use is expected here.
    warnings.simplefilter("ignore", DeprecationWarning)
    installed = {info.name for info in PluginRegistry.from_environment().methods()}

    with tempfile.TemporaryDirectory(prefix="check-latency-") as folder:
        sandbox = Sandbox()
        with SandboxServer(sandbox) as server:
            world = build_world(sandbox, server)
            connauth = _connauth(world, Path(folder))
            measurements = [
                _measure(
                    connauth, world, connector_id, method, scenario, arguments.runs
                )
                for connector_id, method, scenario in CONNECTORS
                if method in installed
            ]
    table = _table(measurements)
    print(table)

    document = {
        "goal": {
            "max_seconds": GOAL_SECONDS,
            "met": all(m.max_ms < GOAL_SECONDS * 1000 for m in measurements),
        },
        "machine": _machine(),
        "measured_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "results": [asdict(measurement) for measurement in measurements],
    }

    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "check_latency.json").write_text(json.dumps(document, indent=2) + "\n")
    (RESULTS / "check_latency.md").write_text(_markdown(table, document))
    return 0 if document["goal"]["met"] else 1


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--runs", type=int, default=20, help="Checks per connector after the first."
    )
    return parser.parse_args()


def _connauth(world: World, folder: Path) -> Connauth:
    store = SqliteTokenStore(
        folder / "tokens.sqlite3", keys=KeyRing([KeyRing.generate()])
    )
    return Connauth(world.host, store=store, registry=PluginRegistry.from_environment())


def _measure(
    connauth: Connauth,
    world: World,
    connector_id: str,
    method: str,
    scenario: str,
    runs: int,
) -> Measurement:
    connector = connauth.connector(
        connector_id,
        method,
        world.auth(scenario),
        http={"verify": str(world.server.ca_path)},
    )
    _login(connauth, world, connector)
    durations = []
    passed = True
    checks = 0
    for _ in range(runs + 1):
        started = time.perf_counter()
        results = asyncio.run(run_checks(connauth, connector))
        durations.append((time.perf_counter() - started) * 1000)
        passed = passed and not any(result.failed for result in results)
        checks = len(results)
    first, rest = durations[0], sorted(durations[1:])
    return Measurement(
        connector=connector_id,
        checks=checks,
        runs=runs,
        first_ms=round(first, 1),
        median_ms=round(statistics.median(rest), 1),
        p95_ms=round(rest[max(0, int(len(rest) * 0.95) - 1)], 1),
        max_ms=round(max(durations), 1),
        all_passed=passed,
    )


def _login(connauth: Connauth, world: World, connector: Connector) -> None:
    prompt = connauth.begin_login(connector)
    if prompt.url is None:
        connauth.complete_login(connector, {"state": prompt.state})
        return
    with httpx.Client(verify=str(world.server.ca_path), trust_env=False) as browser:
        response = browser.get(prompt.url)
    connauth.complete_login(connector, response.headers["Location"])


def _table(measurements: list[Measurement]) -> str:
    lines = [
        "| connector | results | first run ms | median ms | p95 ms | max ms | passed |",
        "|---|---|---|---|---|---|---|",
    ]
    for m in measurements:
        lines.append(
            f"| {m.connector} | {m.checks} | {m.first_ms} | {m.median_ms} | "
            f"{m.p95_ms} | {m.max_ms} | {'yes' if m.all_passed else 'no'} |"
        )
    return "\n".join(lines)


def _markdown(table: str, document: dict[str, object]) -> str:
    machine = document["machine"]
    assert isinstance(machine, dict)
    return (
        "# Latency of a whole `connauth check`\n\n"
        "Measured by `benchmarks/check_latency.py` against the sandbox on "
        f"127.0.0.1, {document['measured_at']}, on {machine['cpu_count']} "
        f"{machine['cpu_model']} CPUs with Python {machine['python']}. Each "
        "connector was logged in, checked once (first run), then checked "
        f"again; the goal is under {GOAL_SECONDS:g} s per check.\n\n"
        f"{table}\n"
    )


def _machine() -> dict[str, object]:
    return describe_machine(
        ("connauth", "httpx", "uvicorn", "cryptography", "oauthlib")
    )


if __name__ == "__main__":
    sys.exit(main())
