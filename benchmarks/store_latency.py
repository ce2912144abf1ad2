"""Measure the latency of the token stores with 10,000 connectors each.

Each backend is filled in a location of its own and emptied afterwards. The
SQLite store lives in a temporary folder, the PostgreSQL store in a fresh schema
of the database at 127.0.0.1:5432, and the Redis store under a fresh key prefix
on 127.0.0.1:6379. Operations, each timed call by call:

- ``create``: ``put(expected_version=0)`` of every connector (a login's write);
- ``read``: ``get`` of every connector;
- ``update``: ``put(expected_version=1)`` of every connector (a refresh's write);
- ``lease``: acquiring and releasing the lease of 1,000 connectors;
- ``due-scan``: ``due_for_refresh(now + 5 minutes, limit=1000)`` 200 times,
  with expiries spread evenly over the next hour, so about 830 are due;
- ``list``: one ``list()`` of every record, timed 3 times.

Memory per connector is given two ways. ``stored``: the bytes the backend
holds per connector: the SQLite file and its WAL after a checkpoint, the
PostgreSQL ``credentials`` table with its indexes and TOAST
(``pg_total_relation_size``), and the growth of Redis ``used_memory`` (an
estimate, because other clients of the server change it too).
``list peak``: the peak Python heap that ``list()`` allocates, per record, from
``tracemalloc``.

The table goes to stdout and the numbers, with the machine they were measured
on, to ``benchmarks/results/store_latency.json``. Run with
``python benchmarks/store_latency.py``; on 2 cores it takes about a minute.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sqlite3
import statistics
import sys
import tempfile
import time
import tracemalloc
import uuid
from collections.abc import Callable
from dataclasses import asdict
from dataclasses import dataclass
from dataclasses import field
from dataclasses import replace
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from importlib import metadata
from pathlib import Path
from typing import Any

import psycopg
import redis
from pydantic import SecretStr

from connauth import CredentialRecord
from connauth import KeyRing
from connauth import TokenSet
from connauth import TokenStore
from connauth._store_backends import open_store

RESULTS = Path(__file__).parent / "results" / "store_latency.json"
POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/test"
REDIS_URL = "redis://127.0.0.1:6379/0"
LEASES = 1_000
SCANS = 200
LISTS = 3
SCAN_WINDOW = timedelta(minutes=5)
EXPIRY_SPREAD = timedelta(hours=1)


@dataclass
class Measurement:
    """Latency of one operation on one backend, in microseconds."""

    backend: str
    operation: str
    count: int
    p50_us: float
    p99_us: float
    mean_us: float


@dataclass
class BackendResult:
    """Everything measured on one backend."""

    backend: str
    measurements: list[Measurement] = field(default_factory=list)
    stored_bytes_per_connector: float = 0.0
    stored_bytes_method: str = ""
    list_peak_bytes_per_connector: float = 0.0


class Location:
    """An isolated place for one backend's store, removed by :meth:`cleanup`."""

    def __init__(self, backend: str, arguments: argparse.Namespace) -> None:
        self.backend = backend
        self.name = f"connauth_bench_{uuid.uuid4().hex[:10]}"
        self.folder = Path(tempfile.mkdtemp(prefix="connauth-bench-"))
        self.postgres_url = arguments.postgres_url
        self.redis_url = arguments.redis_url

    @property
    def url(self) -> str:
        """The store URL of this location."""
        if self.backend == "sqlite":
            return f"sqlite://{self.folder / 'tokens.sqlite3'}"
        if self.backend == "postgresql":
            return f"{self.postgres_url}?schema={self.name}"
        return f"{self.redis_url}?prefix={self.name}"

    def redis_used_memory(self) -> int:
        """Return the Redis server's ``used_memory`` in bytes."""
        with redis.Redis.from_url(self.redis_url) as client:
            info: dict[str, Any] = client.info("memory")
        return int(info["used_memory"])

    def stored_bytes(self, redis_before: int) -> tuple[int, str]:
        """Return the bytes the store keeps now, and how they were measured."""
        if self.backend == "sqlite":
            path = self.folder / "tokens.sqlite3"
            with sqlite3.connect(path) as sqlite_db:
                sqlite_db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            sqlite_db.close()
            files = [path, path.with_name(path.name + "-wal")]
            size = sum(file.stat().st_size for file in files if file.exists())
            return size, "database file and WAL after a checkpoint"
        if self.backend == "postgresql":
            with psycopg.connect(self.postgres_url, autocommit=True) as db:
                row = db.execute(
                    "SELECT pg_total_relation_size(%s)", (f"{self.name}.credentials",)
                ).fetchone()
            assert row is not None
            return int(row[0]), "pg_total_relation_size of credentials"
        return (
            self.redis_used_memory() - redis_before,
            "growth of Redis used_memory (estimate)",
        )

    def cleanup(self) -> None:
        """Remove the store's tables, keys or files."""
        if self.backend == "postgresql":
            with psycopg.connect(self.postgres_url, autocommit=True) as db:
                db.execute(f'DROP SCHEMA IF EXISTS "{self.name}" CASCADE')
        elif self.backend == "redis":
            with redis.Redis.from_url(self.redis_url) as client:
                keys = list(client.scan_iter(match=f"{self.name}:*", count=1000))
                for start in range(0, len(keys), 1000):
                    client.delete(*keys[start : start + 1000])
        for file in self.folder.iterdir():
            file.unlink()
        self.folder.rmdir()


def main() -> int:
    arguments = _arguments()
    now = datetime.now(UTC)
    keys = KeyRing([KeyRing.generate()])
    records = _records(arguments.connectors, now)
    results = []
    for backend in arguments.backends.split(","):
        location = Location(backend, arguments)
        try:
            results.append(_measure_backend(location, keys, records, now))
        finally:
            location.cleanup()
    _print_table(results)
    document = {
        "benchmark": "store_latency",
        "connectors": arguments.connectors,
        "measured_at": now.isoformat(),
        "machine": _machine(arguments),
        "results": [asdict(result) for result in results],
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(document, indent=2) + "\n")
    print(f"\nwritten to {RESULTS}")
    return 0


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--connectors", type=int, default=10_000, help="connectors per store"
    )
    parser.add_argument(
        "--backends",
        default="sqlite,postgresql,redis",
        help="comma-separated backends to measure",
    )
    parser.add_argument("--postgres-url", default=POSTGRES_URL)
    parser.add_argument("--redis-url", default=REDIS_URL)
    return parser.parse_args()


def _records(count: int, now: datetime) -> list[CredentialRecord]:
    """Return ``count`` records whose tokens expire evenly over the next hour."""
    records = []
    for number in range(count):
        expires_at = now + EXPIRY_SPREAD * (number / count)
        records.append(
            CredentialRecord(
                connector_id=f"connector-{number:06d}",
                method="oauth2",
                site_url=f"https://site-{number}.example.test",
                api_base_url=f"https://api.example.test/ex/jira/{uuid.uuid4()}",
                tokens=TokenSet(
                    access_token=SecretStr("a" * 900),
                    refresh_token=SecretStr("r" * 400),
                    expires_at=expires_at,
                    scope=("read:jira-work", "write:jira-work", "offline_access"),
                ),
                updated_at=now,
                data={"cloud_id": str(uuid.uuid4())},
            )
        )
    return records


def _measure_backend(
    location: Location,
    keys: KeyRing,
    records: list[CredentialRecord],
    now: datetime,
) -> BackendResult:
    redis_before = location.redis_used_memory() if location.backend == "redis" else 0
    store = open_store(location.url, keys=keys)
    result = BackendResult(backend=location.backend)
    try:
        print(f"{location.backend}: writing {len(records)} connectors", flush=True)
        _timed(result, "create", records, lambda r: store.put(r, expected_version=0))
        _timed(result, "read", records, lambda r: store.get(r.connector_id))
        updated = [replace(record, updated_at=now) for record in records]
        _timed(result, "update", updated, lambda r: store.put(r, expected_version=1))
        _timed(result, "lease", records[:LEASES], lambda r: _lease_once(store, r))
        before = now + SCAN_WINDOW
        scans = [before] * SCANS
        _timed(result, "due-scan", scans, lambda b: store.due_for_refresh(b))
        _timed(result, "list", [None] * LISTS, lambda _: store.list())
        result.list_peak_bytes_per_connector = _list_peak(store) / len(records)
        stored, method = location.stored_bytes(redis_before)
        result.stored_bytes_per_connector = stored / len(records)
        result.stored_bytes_method = method
    finally:
        store.close()
    return result


def _lease_once(store: TokenStore, record: CredentialRecord) -> None:
    with store.lease(record.connector_id, wait=0):
        pass


def _timed(
    result: BackendResult,
    operation: str,
    items: list[Any],
    call: Callable[[Any], object],
) -> None:
    samples = []
    for item in items:
        started = time.perf_counter_ns()
        call(item)
        samples.append(time.perf_counter_ns() - started)
    result.measurements.append(_summarise(result.backend, operation, samples))


def _summarise(backend: str, operation: str, samples: list[int]) -> Measurement:
    ordered = sorted(samples)
    return Measurement(
        backend=backend,
        operation=operation,
        count=len(ordered),
        p50_us=ordered[len(ordered) // 2] / 1000,
        p99_us=ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] / 1000,
        mean_us=statistics.fmean(ordered) / 1000,
    )


def _list_peak(store: TokenStore) -> int:
    tracemalloc.start()
    try:
        store.list()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak


def _print_table(results: list[BackendResult]) -> None:
    print(
        f"\n{'backend':<11}{'operation':<10}{'count':>7}{'p50 µs':>10}"
        f"{'p99 µs':>10}{'mean µs':>10}"
    )
    for result in results:
        for row in result.measurements:
            print(
                f"{row.backend:<11}{row.operation:<10}{row.count:>7}"
                f"{row.p50_us:>10.0f}{row.p99_us:>10.0f}{row.mean_us:>10.0f}"
            )
    print(f"\n{'backend':<11}{'stored B/connector':>20}{'list peak B/connector':>24}")
    for result in results:
        print(
            f"{result.backend:<11}{result.stored_bytes_per_connector:>20.0f}"
            f"{result.list_peak_bytes_per_connector:>24.0f}"
            f"   ({result.stored_bytes_method})"
        )


def _machine(arguments: argparse.Namespace) -> dict[str, object]:
    return {
        "cpu_model": _cpu_model(),
        "cpu_count": os.cpu_count(),
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "sqlite": sqlite3.sqlite_version,
        "postgresql_server": _postgres_version(arguments.postgres_url),
        "redis_server": _redis_version(arguments.redis_url),
        "libraries": {
            name: _version(name)
            for name in (
                "connauth",
                "connauth-store-postgres",
                "connauth-store-redis",
                "psycopg",
                "psycopg-binary",
                "psycopg-pool",
                "redis",
                "cryptography",
            )
        },
    }


def _postgres_version(url: str) -> str | None:
    try:
        with psycopg.connect(url, connect_timeout=5) as db:
            row = db.execute("SHOW server_version").fetchone()
    except psycopg.Error:
        return None
    return None if row is None else str(row[0])


def _redis_version(url: str) -> str | None:
    try:
        with redis.Redis.from_url(url, socket_connect_timeout=5) as client:
            info: dict[str, Any] = client.info("server")
    except redis.RedisError:
        return None
    return str(info.get("redis_version"))


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _version(distribution: str) -> str | None:
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return None


if __name__ == "__main__":
    raise SystemExit(main())
