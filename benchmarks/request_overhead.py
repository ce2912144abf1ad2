"""Measure what connauth adds to an API request when the stored token is valid.

Two clients call the same tiny ASGI app, served by uvicorn over plain HTTP on
127.0.0.1 in a process of its own, which responds to every GET with a short JSON
body:

- ``static``: an ``httpx.Client`` (or ``httpx.AsyncClient``) with a fixed
  ``Authorization: Bearer`` header, the least any client must do;
- ``connauth``: ``Connauth.client`` (or ``Connauth.async_client``) for an
  ``oauth2`` connector whose stored access token is valid for an hour, so
  every request goes through ``BearerAuth`` and the token session but never
  refreshes.

Both clients keep their connection alive and send requests one at a time.
They alternate in blocks of ``--block`` requests, so that a change in
background load or CPU frequency hits both alike. Each request is timed on its
own; the table shows the median and the 99th percentile per client, and their
ratio. The goal is a ratio of at most 1.05 at the median.

The table goes to stdout and the numbers, with the machine they were measured
on, to ``benchmarks/results/request_overhead.json``. Run with
``python benchmarks/request_overhead.py``; with the defaults on 2 cores it
takes about half a minute. Nothing leaves 127.0.0.1.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import multiprocessing
import socket
import statistics
import tempfile
import time
from collections.abc import Awaitable
from collections.abc import Callable
from dataclasses import asdict
from dataclasses import dataclass
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
from pydantic import SecretStr

from _machine import describe_machine
from connauth import Connauth
from connauth import Connector
from connauth import CredentialRecord
from connauth import HostIdentity
from connauth import KeyRing
from connauth import SqliteTokenStore
from connauth import TokenSet

RESULTS = Path(__file__).parent / "results" / "request_overhead.json"
GOAL_RATIO = 1.05
PATH = "rest/api/3/myself"
ACCESS_TOKEN = "benchmark-access-token"
BODY = b'{"accountId":"5b10a2844c20165700ede21g","displayName":"Ada"}'


@dataclass(frozen=True)
class Measurement:
    """Latency of one client in one mode, in microseconds per request."""

    mode: str
    client: str
    requests: int
    median_us: float
    p99_us: float
    median_ratio_to_static: float | None = None
    p99_ratio_to_static: float | None = None


# -- the server, in a process of its own ---------------------------------------------


async def tiny_app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """Respond to every HTTP request with 200 and a short JSON body."""
    if scope["type"] != "http":
        return
    await send(
        {
            "type": "http.response.start",
            "status": 200,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(BODY)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": BODY})


def serve(port: int) -> None:
    import uvicorn

    uvicorn.run(
        tiny_app, host="127.0.0.1", port=port, log_level="warning", access_log=False
    )


def start_server() -> tuple[multiprocessing.process.BaseProcess, str]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    context = multiprocessing.get_context("spawn")
    server = context.Process(target=serve, args=(port,), daemon=True)
    server.start()
    base_url = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + 30
    while True:
        try:
            httpx.get(base_url, timeout=1, trust_env=False)
            return server, base_url
        except httpx.TransportError:
            if time.monotonic() > deadline:
                server.kill()
                raise SystemExit(
                    "the benchmark server did not start within 30 s"
                ) from None
            time.sleep(0.05)


# -- the two clients ----------------------------------------------------------------


def connauth_host(folder: Path, base_url: str) -> tuple[Connauth, Connector]:
    """Return a host whose store contains a valid token for ``jira``.

    The connector's Atlassian URLs point at a closed loopback port: with a
    valid token nothing is sent there, and if something were, it would fail
    on this machine.
    """
    closed = "https://127.0.0.1:9"
    store = SqliteTokenStore(
        folder / "tokens.sqlite3", keys=KeyRing([KeyRing.generate()])
    )
    host = HostIdentity(
        name="Overhead Host",
        redirect_url=f"{closed}/callback",
        privacy_policy_url=f"{closed}/privacy",
        public_base_url=closed,
    )
    app = Connauth(host, store=store)
    connector = app.connector(
        "jira",
        "oauth2",
        {
            "deployment": "cloud",
            "site_url": f"{closed}/cloud/acme",
            "client_id": "CID",
            "client_secret": "SECRET",
            "authorize_url": f"{closed}/authorize",
            "token_url": f"{closed}/oauth/token",
            "accessible_resources_url": f"{closed}/resources",
            "api_gateway_url": f"{closed}/gateway",
        },
        http={"timeout": 10.0},
    )
    now = datetime.now(UTC)
    tokens = TokenSet(
        access_token=SecretStr(ACCESS_TOKEN),
        refresh_token=SecretStr("benchmark-refresh-token"),
        expires_at=now + timedelta(hours=1),
    )
    record = CredentialRecord(
        connector_id="jira",
        method="oauth2",
        site_url=f"{closed}/cloud/acme",
        api_base_url=base_url,
        tokens=tokens,
        updated_at=now,
        data={"cloud_id": "bench"},
    )
    store.put(record, expected_version=0)
    return app, connector


def static_options(base_url: str) -> dict[str, Any]:
    return {
        "base_url": base_url,
        "headers": {"Authorization": f"Bearer {ACCESS_TOKEN}"},
        "timeout": 10.0,
    }


# -- timing ---------------------------------------------------------------------------


def time_sync(client: httpx.Client, count: int) -> list[int]:
    samples = []
    for _ in range(count):
        start = time.perf_counter_ns()
        response = client.get(PATH)
        end = time.perf_counter_ns()
        if response.status_code != 200:
            raise SystemExit(f"the server returned {response.status_code}; stopping")
        samples.append(end - start)
    return samples


async def time_async(client: httpx.AsyncClient, count: int) -> list[int]:
    samples = []
    for _ in range(count):
        start = time.perf_counter_ns()
        response = await client.get(PATH)
        end = time.perf_counter_ns()
        if response.status_code != 200:
            raise SystemExit(f"the server returned {response.status_code}; stopping")
        samples.append(end - start)
    return samples


def alternate(
    first: Callable[[int], list[int]],
    second: Callable[[int], list[int]],
    arguments: argparse.Namespace,
) -> tuple[list[int], list[int]]:
    """Run both in alternating blocks until ``--requests`` each or the time
    budget is spent (at least 10 blocks each)."""
    first(arguments.warmup)
    second(arguments.warmup)
    first_samples: list[int] = []
    second_samples: list[int] = []
    deadline = time.monotonic() + arguments.seconds
    blocks = 0
    while len(first_samples) < arguments.requests:
        first_samples.extend(first(arguments.block))
        second_samples.extend(second(arguments.block))
        blocks += 1
        if time.monotonic() > deadline and blocks >= 10:
            break
    return first_samples, second_samples


def measure_sync(
    app: Connauth, connector: Connector, base_url: str, arguments: argparse.Namespace
) -> tuple[list[int], list[int]]:
    with (
        httpx.Client(**static_options(base_url)) as static,
        app.client(connector) as ours,
    ):
        return alternate(
            lambda n: time_sync(static, n), lambda n: time_sync(ours, n), arguments
        )


def measure_async(
    app: Connauth, connector: Connector, base_url: str, arguments: argparse.Namespace
) -> tuple[list[int], list[int]]:
    async def run() -> tuple[list[int], list[int]]:
        async with (
            httpx.AsyncClient(**static_options(base_url)) as static,
            app.async_client(connector) as ours,
        ):
            return await alternate_async(
                lambda n: time_async(static, n),
                lambda n: time_async(ours, n),
                arguments,
            )

    return asyncio.run(run())


async def alternate_async(
    first: Callable[[int], Awaitable[list[int]]],
    second: Callable[[int], Awaitable[list[int]]],
    arguments: argparse.Namespace,
) -> tuple[list[int], list[int]]:
    """Run both in alternating blocks; the asyncio form of :func:`alternate`."""
    await first(arguments.warmup)
    await second(arguments.warmup)
    first_samples: list[int] = []
    second_samples: list[int] = []
    deadline = time.monotonic() + arguments.seconds
    blocks = 0
    while len(first_samples) < arguments.requests:
        first_samples.extend(await first(arguments.block))
        second_samples.extend(await second(arguments.block))
        blocks += 1
        if time.monotonic() > deadline and blocks >= 10:
            break
    return first_samples, second_samples


def summarise(mode: str, client: str, samples: list[int]) -> Measurement:
    ordered = sorted(samples)
    p99 = ordered[max(math.ceil(0.99 * len(ordered)) - 1, 0)]
    return Measurement(
        mode=mode,
        client=client,
        requests=len(samples),
        median_us=round(statistics.median(ordered) / 1000, 1),
        p99_us=round(p99 / 1000, 1),
    )


def with_ratio(static: Measurement, ours: Measurement) -> Measurement:
    return Measurement(
        mode=ours.mode,
        client=ours.client,
        requests=ours.requests,
        median_us=ours.median_us,
        p99_us=ours.p99_us,
        median_ratio_to_static=round(ours.median_us / static.median_us, 3),
        p99_ratio_to_static=round(ours.p99_us / static.p99_us, 3),
    )


def main() -> int:
    arguments = _arguments()
    server, base_url = start_server()
    measurements: list[Measurement] = []
    try:
        with tempfile.TemporaryDirectory() as folder:
            app, connector = connauth_host(Path(folder), base_url)
            for mode, measure in (("sync", measure_sync), ("async", measure_async)):
                static_samples, our_samples = measure(
                    app, connector, base_url, arguments
                )
                static = summarise(mode, "static", static_samples)
                ours = with_ratio(static, summarise(mode, "connauth", our_samples))
                measurements += [static, ours]
            app.store.close()
    finally:
        server.kill()
        server.join(timeout=10)

    _print_table(measurements)
    report = {
        "server": "uvicorn, plain HTTP on 127.0.0.1, one process",
        "goal": {"max_median_ratio": GOAL_RATIO, "met": _goal_met(measurements)},
        "machine": _machine(),
        "measured_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "results": [asdict(m) for m in measurements],
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2) + "\n")
    print(f"\nwrote {RESULTS}")
    return 0


def _goal_met(measurements: list[Measurement]) -> bool:
    return all(
        m.median_ratio_to_static is not None and m.median_ratio_to_static <= GOAL_RATIO
        for m in measurements
        if m.client == "connauth"
    )


def _print_table(measurements: list[Measurement]) -> None:
    print("GET with a valid token, one request at a time, kept-alive connection\n")
    header = ("mode", "client", "requests", "median µs", "p99 µs", "x median", "x p99")
    print(
        f"{header[0]:<7}{header[1]:<10}{header[2]:>9}{header[3]:>11}"
        f"{header[4]:>10}{header[5]:>10}{header[6]:>8}"
    )
    for m in measurements:
        median_ratio = (
            f"{m.median_ratio_to_static:.3f}" if m.median_ratio_to_static else "-"
        )
        p99_ratio = f"{m.p99_ratio_to_static:.3f}" if m.p99_ratio_to_static else "-"
        print(
            f"{m.mode:<7}{m.client:<10}{m.requests:>9}{m.median_us:>11.1f}"
            f"{m.p99_us:>10.1f}{median_ratio:>10}{p99_ratio:>8}"
        )
    met = "met" if _goal_met(measurements) else "NOT met"
    print(f"\ngoal: connauth at most {GOAL_RATIO}x static at the median: {met}")


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--requests",
        type=int,
        default=5000,
        help="maximum timed requests per client and mode (default 5000)",
    )
    parser.add_argument(
        "--block",
        type=int,
        default=200,
        help="requests per block before switching clients (default 200)",
    )
    parser.add_argument(
        "--warmup",
        type=int,
        default=200,
        help="untimed requests per client before timing (default 200)",
    )
    parser.add_argument(
        "--seconds",
        type=float,
        default=10.0,
        help="time budget per mode in seconds (default 10)",
    )
    return parser.parse_args()


def _machine() -> dict[str, object]:
    return describe_machine(
        ("connauth", "connauth-oauth2", "httpx", "httpcore", "uvicorn")
    )


if __name__ == "__main__":
    raise SystemExit(main())
