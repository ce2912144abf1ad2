"""Count the refresh requests of a refresh storm: one expired token, many callers.

Every client starts from the same state: a logged-in Cloud connector whose
access token expired ten seconds ago, with one refresh token. Then, at once:

- the benchmark process sends ``--requests`` API calls (default 1,000)
  through one client: concurrently on one event loop for the async clients,
  from a pool of ``--threads`` threads for the sync client;
- ``--processes`` worker processes (default 8) each open the shared token
  storage, build their own client and send ``--per-process`` calls (default 10).

Each client gets a sandbox of its own in a separate process, on 127.0.0.1,
with Atlassian Cloud's refresh rotation and reuse window (600 s) and a token
endpoint that takes ``--latency`` seconds (default 0.2) to respond, so that
the callers overlap. The sandbox counts the refresh requests it receives.

Clients measured:

- ``connauth``: ``Connauth.async_client`` in the benchmark process and in each
  worker, sharing one SQLite store file;
- ``authlib-async``: ``authlib.integrations.httpx_client.AsyncOAuth2Client``
  everywhere. Importing that module warns (AuthlibDeprecationWarning: authlib
  1.9 wants httpx2 instead of httpx); the warning is suppressed around that
  import only;
- ``authlib-sync``: ``authlib.integrations.requests_client.OAuth2Session``,
  the sync client that does not warn, shared by the thread pool;
- ``httpx-auth``: ``httpx_auth.OAuth2AuthorizationCode`` with its token cache in
  one ``JsonTokenFileCache`` file, pre-filled with the expired token and the
  refresh token. The class has no way to start from a token obtained
  elsewhere, so the benchmark writes the cache entry under the key the class
  computes, and a subclass makes the browser step (which httpx-auth runs when
  a token is missing) fail instead of opening a browser; such failures are
  counted as failed calls.

The peers persist refreshed tokens the way a host would: authlib through its
``update_token`` callback into a JSON file, httpx-auth through its file cache.

The table goes to stdout and the numbers, with the machine they were measured
on, to ``benchmarks/results/refresh_storm.json``. Run with
``python benchmarks/refresh_storm.py``; with the defaults on 2 cores it takes
about a minute. Nothing leaves 127.0.0.1.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import ssl
import sys
import tempfile
import time
import warnings
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict
from dataclasses import dataclass
from dataclasses import replace
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import httpx

from _machine import describe_machine
from connauth import Connauth
from connauth import Connector
from connauth import HostIdentity
from connauth import KeyRing
from connauth import SqliteTokenStore

RESULTS = Path(__file__).parent / "results" / "refresh_storm.json"
CONNECTOR_ID = "jira"
CLIENT_ID = "CID"
CLIENT_SECRET = "SECRET"
SCOPES = ["read:jira-work", "read:jira-user", "write:jira-work"]
CALL_TIMEOUT = 60.0
"""Seconds one API call may take, refresh included, before it counts as failed."""
CLIENTS = ("connauth", "authlib-async", "authlib-sync", "httpx-auth")


@dataclass(frozen=True)
class Setup:
    """Everything a client needs to reach its sandbox and its token storage."""

    client: str
    folder: str
    ca_path: str
    token_url: str
    authorize_url: str
    api_url: str
    host: dict[str, str]
    auth: dict[str, Any]
    key: bytes
    requests: int
    threads: int
    per_process: int


@dataclass(frozen=True)
class Outcome:
    """Result of one client's storm."""

    client: str
    refresh_requests: int
    calls_ok: int
    calls_failed: int
    wall_s: float
    revoked_tokens: int
    refresh_ratio_to_connauth: float | None = None
    wall_ratio_to_connauth: float | None = None
    note: str = ""


# -- the sandbox, in a process of its own ---------------------------------------


def serve_sandbox(channel: Connection, latency: float, reuse_window: float) -> None:
    """Run a sandbox until the channel receives ``stop``; send its counters back
    for each ``count``."""
    from connauth_sandbox import Sandbox
    from connauth_sandbox import SandboxServer
    from connauth_sandbox import SandboxSettings
    from connauth_sandbox import Surface

    settings = SandboxSettings(
        token_endpoint_latency=latency, cloud_refresh_reuse_window=reuse_window
    )
    sandbox = Sandbox(settings)
    sandbox.add_user("ada@example.test", display_name="Ada")
    sandbox.add_cloud_site("acme")
    with SandboxServer(sandbox) as server:
        redirect_url = f"{server.base_url}/host/callback"
        sandbox.register_cloud_app(
            client_id=CLIENT_ID,
            client_secret=CLIENT_SECRET,
            redirect_uris=[redirect_url],
            scopes=SCOPES,
        )
        channel.send(
            {
                "base_url": server.base_url,
                "ca_path": str(server.ca_path),
                "site_url": server.cloud_site_url("acme"),
                "authorize_url": server.authorize_url,
                "token_url": server.token_url,
                "accessible_resources_url": server.accessible_resources_url,
                "api_gateway_url": server.gateway_url,
            }
        )
        while (command := channel.recv()) != "stop":
            if command == "count":
                refreshes = sandbox.token_requests(Surface.CLOUD, "refresh_token")
                channel.send((refreshes, len(sandbox.revoked_tokens())))


# -- setting up one client's world -----------------------------------------------


def log_in(
    client: str, urls: dict[str, str], folder: Path, arguments: argparse.Namespace
) -> Setup:
    """Log in with connauth, expire the stored token, and hand the tokens to the
    client under test in the form it keeps them."""
    base = urls["base_url"]
    host = {
        "name": "Storm Host",
        "redirect_url": f"{base}/host/callback",
        "privacy_policy_url": f"{base}/host/privacy",
        "public_base_url": f"{base}/host",
    }
    auth = {
        "deployment": "cloud",
        "site_url": urls["site_url"],
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
        "authorize_url": urls["authorize_url"],
        "token_url": urls["token_url"],
        "accessible_resources_url": urls["accessible_resources_url"],
        "api_gateway_url": urls["api_gateway_url"],
    }
    key = KeyRing.generate()
    store = SqliteTokenStore(folder / "tokens.sqlite3", keys=KeyRing([key]))
    app = Connauth(HostIdentity(**host), store=store)
    connector = app.connector(
        CONNECTOR_ID, "oauth2", auth, http={"verify": urls["ca_path"]}
    )
    prompt = app.begin_login(connector)
    context = ssl.create_default_context(cafile=urls["ca_path"])
    with httpx.Client(verify=context, trust_env=False) as browser:
        redirect = browser.get(str(prompt.url), follow_redirects=False)
    record = app.complete_login(connector, redirect.headers["Location"])
    assert record.tokens is not None
    expired = datetime.now(UTC) - timedelta(seconds=10)
    tokens = record.tokens.model_copy(update={"expires_at": expired})
    store.put(replace(record, tokens=tokens), expected_version=record.version)
    store.close()

    setup = Setup(
        client=client,
        folder=str(folder),
        ca_path=urls["ca_path"],
        token_url=urls["token_url"],
        authorize_url=urls["authorize_url"],
        api_url=f"{record.api_base_url.rstrip('/')}/rest/api/3/myself",
        host=host,
        auth=auth,
        key=key,
        requests=arguments.requests,
        threads=arguments.threads,
        per_process=arguments.per_process,
    )
    access = tokens.access_token.get_secret_value()
    refresh = tokens.refresh_token.get_secret_value() if tokens.refresh_token else ""
    if client.startswith("authlib"):
        token = {
            "access_token": access,
            "refresh_token": refresh,
            "token_type": "Bearer",
            "expires_at": int(expired.timestamp()),
        }
        _token_file(setup).write_text(json.dumps(token))
    elif client == "httpx-auth":
        _httpx_auth_cache(setup)._add_token(
            _httpx_auth(setup).state, access, expired.timestamp(), refresh
        )
    return setup


def _token_file(setup: Setup) -> Path:
    return Path(setup.folder) / "token.json"


# -- the load each client puts on its sandbox -------------------------------------


def run_main_load(setup: Setup) -> tuple[int, int]:
    """Send the benchmark process's share of calls; return (ok, failed)."""
    if setup.client == "authlib-sync":
        return _authlib_sync(setup, setup.requests, setup.threads)
    return asyncio.run(_async_load(setup, setup.requests))


def run_worker(setup: Setup, start: Any, results: Any) -> None:
    """Send one worker process's share of calls once every party is ready."""
    if setup.client == "authlib-sync":
        start.wait(timeout=CALL_TIMEOUT)
        results.put(_authlib_sync(setup, setup.per_process, setup.per_process))
        return
    results.put(asyncio.run(_async_load(setup, setup.per_process, start)))


async def _async_load(setup: Setup, count: int, start: Any = None) -> tuple[int, int]:
    client = _async_client(setup)
    if start is not None:
        start.wait(timeout=CALL_TIMEOUT)
    async with client:
        calls = [_one_async_call(client, setup.api_url) for _ in range(count)]
        outcomes = await asyncio.gather(*calls)
    ok = sum(outcomes)
    return ok, count - ok


async def _one_async_call(client: httpx.AsyncClient, url: str) -> bool:
    # Any failure of a client counts as a failed call rather than ending the run.
    try:
        response = await client.get(url)
    except Exception:
        return False
    return response.status_code == 200


def _async_client(setup: Setup) -> httpx.AsyncClient:
    context = ssl.create_default_context(cafile=setup.ca_path)
    timeout = httpx.Timeout(CALL_TIMEOUT)
    if setup.client == "connauth":
        app, connector = _connauth(setup)
        return app.async_client(connector, timeout=timeout)
    if setup.client == "authlib-async":
        # authlib.deprecate turns its warnings on ("always") when imported, so
        # the filter that silences them must come after that import.
        from authlib.deprecate import AuthlibDeprecationWarning

        with warnings.catch_warnings():
            # authlib 1.9 deprecates httpx in favour of httpx2 when this module
            # is imported; the client still works with httpx 0.28.
            warnings.simplefilter("ignore", AuthlibDeprecationWarning)
            from authlib.integrations.httpx_client import AsyncOAuth2Client

        token = json.loads(_token_file(setup).read_text())
        path = _token_file(setup)

        async def save(token: dict[str, Any], **_: Any) -> None:
            path.write_text(json.dumps(dict(token)))

        client: httpx.AsyncClient = AsyncOAuth2Client(
            CLIENT_ID,
            CLIENT_SECRET,
            token=token,
            token_endpoint=setup.token_url,
            # Atlassian takes the client credentials in the body only.
            token_endpoint_auth_method="client_secret_post",
            update_token=save,
            verify=context,
            timeout=timeout,
        )
        return client
    auth = _httpx_auth(setup)
    return httpx.AsyncClient(auth=auth, verify=context, timeout=timeout)


def _connauth(setup: Setup) -> tuple[Connauth, Connector]:
    path = Path(setup.folder) / "tokens.sqlite3"
    store = SqliteTokenStore(path, keys=KeyRing([setup.key]))
    app = Connauth(HostIdentity(**setup.host), store=store)
    connector = app.connector(
        CONNECTOR_ID, "oauth2", setup.auth, http={"verify": setup.ca_path}
    )
    return app, connector


def _authlib_sync(setup: Setup, count: int, threads: int) -> tuple[int, int]:
    from authlib.integrations.requests_client import OAuth2Session

    path = _token_file(setup)

    def save(token: dict[str, Any], **_: Any) -> None:
        path.write_text(json.dumps(dict(token)))

    session = OAuth2Session(
        CLIENT_ID,
        CLIENT_SECRET,
        token=json.loads(path.read_text()),
        token_endpoint=setup.token_url,
        token_endpoint_auth_method="client_secret_post",
        update_token=save,
    )
    # requests prefers REQUESTS_CA_BUNDLE from the environment over
    # session.verify unless trust_env is off.
    session.trust_env = False
    session.verify = setup.ca_path

    def call(_: int) -> bool:
        # Any failure of a client counts as a failed call rather than ending the run.
        try:
            response = session.get(setup.api_url, timeout=CALL_TIMEOUT)
        except Exception:
            return False
        return bool(response.status_code == 200)

    with ThreadPoolExecutor(threads) as pool:
        ok = sum(pool.map(call, range(count)))
    session.close()
    return ok, count - ok


def _httpx_auth_cache(setup: Setup) -> Any:
    import httpx_auth

    cache = httpx_auth.JsonTokenFileCache(Path(setup.folder) / "httpx_auth.json")
    httpx_auth.OAuth2.token_cache = cache
    return cache


def _httpx_auth(setup: Setup) -> Any:
    import httpx_auth

    class RefreshOnly(httpx_auth.OAuth2AuthorizationCode):
        """Refreshes like its parent, but never opens a browser for a new grant."""

        def request_new_token(self) -> tuple[str, str]:
            raise httpx_auth.AuthenticationFailed()  # type: ignore[no-untyped-call]

    _httpx_auth_cache(setup)
    context = ssl.create_default_context(cafile=setup.ca_path)
    return RefreshOnly(
        setup.authorize_url,
        setup.token_url,
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        client=httpx.Client(verify=context, timeout=CALL_TIMEOUT),
    )


# -- one storm, and the whole run ---------------------------------------------------


def storm(client: str, arguments: argparse.Namespace) -> Outcome:
    """Give ``client`` a fresh sandbox, run the storm, and count."""
    context = multiprocessing.get_context("spawn")
    ours, theirs = context.Pipe()
    sandbox = context.Process(
        target=serve_sandbox, args=(theirs, arguments.latency, arguments.reuse_window)
    )
    sandbox.start()
    try:
        urls = ours.recv()
        with tempfile.TemporaryDirectory() as folder:
            setup = log_in(client, urls, Path(folder), arguments)
            ok, failed, wall = _run_storm(setup, arguments.processes, context)
        ours.send("count")
        refreshes, revoked = ours.recv()
    finally:
        ours.send("stop")
        sandbox.join(timeout=30)
    return Outcome(client, refreshes, ok, failed, round(wall, 3), revoked)


def _run_storm(setup: Setup, processes: int, context: Any) -> tuple[int, int, float]:
    start = context.Barrier(processes + 1)
    results = context.Queue()
    workers = [
        context.Process(target=run_worker, args=(setup, start, results))
        for _ in range(processes)
    ]
    for worker in workers:
        worker.start()
    start.wait(timeout=CALL_TIMEOUT)
    began = time.perf_counter()
    ok, failed = run_main_load(setup)
    for _ in workers:
        worker_ok, worker_failed = results.get(timeout=CALL_TIMEOUT * 2)
        ok += worker_ok
        failed += worker_failed
    wall = time.perf_counter() - began
    for worker in workers:
        worker.join(timeout=30)
    return ok, failed, wall


def with_ratios(outcomes: list[Outcome]) -> list[Outcome]:
    base = next(o for o in outcomes if o.client == "connauth")
    return [
        replace(
            o,
            refresh_ratio_to_connauth=round(
                o.refresh_requests / max(base.refresh_requests, 1), 2
            ),
            wall_ratio_to_connauth=round(o.wall_s / base.wall_s, 2),
        )
        for o in outcomes
    ]


def print_table(outcomes: list[Outcome], arguments: argparse.Namespace) -> None:
    calls = arguments.requests + arguments.processes * arguments.per_process
    print(
        f"refresh storm: {arguments.requests} calls in this process + "
        f"{arguments.processes} processes x {arguments.per_process} = {calls} calls, "
        f"token endpoint latency {arguments.latency:g} s\n"
    )
    header = ("client", "refreshes", "ok", "failed", "wall s", "x refreshes", "x wall")
    print(
        f"{header[0]:<15}{header[1]:>10}{header[2]:>7}{header[3]:>8}"
        f"{header[4]:>9}{header[5]:>13}{header[6]:>8}"
    )
    for o in outcomes:
        print(
            f"{o.client:<15}{o.refresh_requests:>10}{o.calls_ok:>7}"
            f"{o.calls_failed:>8}{o.wall_s:>9.2f}"
            f"{o.refresh_ratio_to_connauth or 0:>13.2f}"
            f"{o.wall_ratio_to_connauth or 0:>8.2f}"
        )
    connauth = next(o for o in outcomes if o.client == "connauth")
    met = "met" if connauth.refresh_requests == 1 else "NOT met"
    print(f"\ngoal: connauth sends exactly 1 refresh request: {met}")


def main() -> int:
    arguments = _arguments()
    outcomes = []
    for client in arguments.clients:
        print(f"running {client} ...", file=sys.stderr, flush=True)
        outcomes.append(storm(client, arguments))
    outcomes = with_ratios(outcomes)
    print_table(outcomes, arguments)
    connauth = next(o for o in outcomes if o.client == "connauth")
    report = {
        "load": {
            "requests_in_benchmark_process": arguments.requests,
            "threads_for_sync_client": arguments.threads,
            "processes": arguments.processes,
            "requests_per_process": arguments.per_process,
            "token_endpoint_latency_s": arguments.latency,
            "reuse_window_s": arguments.reuse_window,
        },
        "goal": {
            "connauth_refresh_requests": 1,
            "met": connauth.refresh_requests == 1,
        },
        "machine": _machine(),
        "measured_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "results": [asdict(o) for o in outcomes],
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2) + "\n")
    print(f"\nwrote {RESULTS}")
    return 0


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--requests",
        type=_positive,
        default=1000,
        help="API calls from the benchmark process (default 1000)",
    )
    parser.add_argument(
        "--threads",
        type=_positive,
        default=50,
        help="threads that send those calls for the sync client (default 50)",
    )
    parser.add_argument(
        "--processes",
        type=int,
        default=8,
        help="worker processes sending calls at the same time (default 8)",
    )
    parser.add_argument(
        "--per-process",
        type=_positive,
        default=10,
        help="API calls from each worker process (default 10)",
    )
    parser.add_argument(
        "--latency",
        type=float,
        default=0.2,
        help="seconds the token endpoint waits before responding (default 0.2)",
    )
    parser.add_argument(
        "--reuse-window",
        type=float,
        default=600.0,
        help="seconds a rotated refresh token stays usable (default 600, "
        "Atlassian Cloud's value; 0 makes every second use revoke the grant)",
    )
    parser.add_argument(
        "--clients",
        nargs="+",
        choices=CLIENTS,
        default=list(CLIENTS),
        help="clients to measure; connauth is always measured first",
    )
    arguments = parser.parse_args()
    arguments.clients = ["connauth"] + [c for c in arguments.clients if c != "connauth"]
    return arguments


def _positive(text: str) -> int:
    value = int(text)
    if value < 1 or value > 10_000:
        raise argparse.ArgumentTypeError(f"must be from 1 to 10000, got {value}")
    return value


def _machine() -> dict[str, object]:
    return describe_machine(
        (
            "connauth",
            "connauth-oauth2",
            "connauth-sandbox",
            "httpx",
            "authlib",
            "httpx-auth",
            "requests",
            "uvicorn",
        )
    )


if __name__ == "__main__":
    raise SystemExit(main())
