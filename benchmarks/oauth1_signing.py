"""Measure the cost of preparing one RSA-SHA1 signed OAuth 1.0a request.

Every implementation builds the ``Authorization`` header for the same GET
with a JQL query, signed with the same 2048-bit RSA key:

- ``floor``: cryptography's RSA-SHA1 signature of a precomputed base string,
  the least that any implementation must spend;
- ``connauth``: ``OAuth1Signer.sign``, which keeps the parsed key;
- ``oauthlib``: ``oauthlib.oauth1.Client(..., signature_method=SIGNATURE_RSA,
  rsa_key=PEM).sign(...)``;
- ``authlib``: ``authlib.oauth1.ClientAuth(..., signature_method=RSA-SHA1,
  rsa_key=PEM).sign(...)``.

oauthlib and authlib parse the PEM key on every call, so they get a time
budget rather than a fixed number of iterations. Nothing is sent over the
network. The table goes to stdout and the numbers, with the machine they were
measured on, to ``benchmarks/results/oauth1_signing.json``.

Run with ``python benchmarks/oauth1_signing.py`` (``make bench``); it takes
well under a minute.
"""

from __future__ import annotations

import argparse
import base64
import json
import math
import statistics
import time
from collections.abc import Callable
from dataclasses import asdict
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import padding
from cryptography.hazmat.primitives.asymmetric import rsa

from _machine import describe_machine
from connauth_oauth1a import OAuth1Signer

URL = (
    "https://jira.example.test/rest/api/2/search?jql=project%20%3D%20DEMO%20AND%20"
    "summary%20~%20%22C%2B%2B%20caf%C3%A9%22&fields=summary&fields=status&maxResults=50"
)
CONSUMER_KEY = "jira-consumer"
TOKEN = "ACCESS_TOKEN"
GOAL_RATIO = 1.3
BLOCK = 100
"""Calls per block when the floor and connauth alternate."""
RESULTS = Path(__file__).parent / "results" / "oauth1_signing.json"

Operation = Callable[[], object]


@dataclass(frozen=True)
class Measurement:
    """Timing of one implementation, in microseconds per signed request."""

    name: str
    iterations: int
    median_us: float
    p99_us: float
    ratio_to_floor: float | None = None
    note: str = ""


def main() -> int:
    arguments = _arguments()
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode("ascii")
    signer = OAuth1Signer(CONSUMER_KEY, key)
    _check_agreement(signer, pem)

    # The floor and connauth alternate, so that their ratio is not skewed by a
    # change in background load between two separate runs.
    floor_samples, connauth_samples = _measure_pair(
        _floor(key, signer), _connauth(signer), arguments.iterations, arguments.seconds
    )
    measurements = [
        _summarise("floor", floor_samples),
        _summarise("connauth", connauth_samples),
    ]
    peers: list[tuple[str, Operation | str]] = [
        ("oauthlib", _oauthlib(pem)),
        ("authlib", _authlib(pem)),
    ]
    for name, operation in peers:
        if isinstance(operation, str):
            measurements.append(
                Measurement(name, 0, math.nan, math.nan, note=operation)
            )
            continue
        samples = _measure(operation, arguments.peer_iterations, arguments.seconds)
        measurements.append(_summarise(name, samples))
    measurements = _with_ratios(measurements)

    _print_table(measurements)
    report = {
        "url": URL,
        "key_bits": key.key_size,
        "goal": {
            "connauth_max_ratio_to_floor": GOAL_RATIO,
            "met": _goal_met(measurements),
        },
        "machine": _machine(),
        "measured_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "results": [asdict(m) for m in measurements],
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(
        json.dumps(report, indent=2, allow_nan=False, default=str) + "\n"
    )
    print(f"\nwrote {RESULTS}")
    return 0


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--iterations",
        type=int,
        default=3000,
        help="maximum signed requests each for floor and connauth (default 3000)",
    )
    parser.add_argument(
        "--peer-iterations",
        type=int,
        default=300,
        help="maximum signed requests for oauthlib and authlib (default 300)",
    )
    parser.add_argument(
        "--seconds",
        type=float,
        default=8.0,
        help="time budget per implementation in seconds (default 8)",
    )
    return parser.parse_args()


def _floor(key: rsa.RSAPrivateKey, signer: OAuth1Signer) -> Operation:
    base_string = signer.sign("GET", URL, token=TOKEN).base_string.encode("ascii")
    sha1 = hashes.SHA1()  # noqa: S303 - RSA-SHA1 is the method measured
    pkcs1 = padding.PKCS1v15()

    def operation() -> object:
        return base64.b64encode(key.sign(base_string, pkcs1, sha1))

    return operation


def _connauth(signer: OAuth1Signer) -> Operation:
    def operation() -> object:
        return signer.sign("GET", URL, token=TOKEN).authorization

    return operation


def _oauthlib(pem: str) -> Operation | str:
    try:
        from oauthlib.oauth1 import SIGNATURE_RSA
        from oauthlib.oauth1 import Client
    except ImportError as error:
        return f"not installed: {error}"
    client = Client(
        CONSUMER_KEY,
        resource_owner_key=TOKEN,
        signature_method=SIGNATURE_RSA,
        rsa_key=pem,
    )

    def operation() -> object:
        return client.sign(URL, http_method="GET")

    try:
        operation()
    # Any failure of a peer is reported in the table instead of stopping the run.
    except Exception as error:
        return f"failed: {type(error).__name__}: {error}"
    return operation


def _authlib(pem: str) -> Operation | str:
    try:
        from authlib.oauth1 import SIGNATURE_RSA_SHA1
        from authlib.oauth1 import ClientAuth
    except ImportError as error:
        return f"not installed: {error}"
    auth = ClientAuth(
        CONSUMER_KEY,
        token=TOKEN,
        signature_method=SIGNATURE_RSA_SHA1,
        rsa_key=pem,
    )

    def operation() -> object:
        return auth.sign("GET", URL, {}, b"")

    return operation


def _check_agreement(signer: OAuth1Signer, pem: str) -> None:
    """Stop unless connauth and oauthlib produce the same signature for fixed
    parameters; a benchmark of a wrong signer would mean nothing."""
    try:
        from oauthlib.oauth1 import SIGNATURE_RSA
        from oauthlib.oauth1 import Client
    except ImportError:
        return
    client = Client(
        CONSUMER_KEY,
        resource_owner_key=TOKEN,
        signature_method=SIGNATURE_RSA,
        rsa_key=pem,
        nonce="n0nce",
        timestamp="1700000000",
    )
    _, headers, _ = client.sign(URL, http_method="GET")
    ours = signer.sign("GET", URL, token=TOKEN, nonce="n0nce", timestamp=1700000000)
    theirs = headers["Authorization"]
    if f'oauth_signature="{quote(ours.signature, safe="~")}"' not in theirs:
        raise SystemExit(
            "connauth and oauthlib disagree on the signature; not measuring"
        )


def _measure(operation: Operation, iterations: int, seconds: float) -> list[int]:
    """Time up to ``iterations`` calls after a warm-up, stopping once
    ``seconds`` have passed and at least 30 calls were timed."""
    for _ in range(min(20, iterations)):
        operation()
    samples = []
    deadline = time.perf_counter_ns() + int(seconds * 1e9)
    for _ in range(iterations):
        start = time.perf_counter_ns()
        operation()
        end = time.perf_counter_ns()
        samples.append(end - start)
        if end > deadline and len(samples) >= 30:
            break
    return samples


def _measure_pair(
    first: Operation, second: Operation, iterations: int, seconds: float
) -> tuple[list[int], list[int]]:
    """Measure two operations in alternating blocks of :data:`BLOCK` calls.

    Blocks rather than single calls, so that neither operation runs with the
    caches the other one just filled, while both still share any drift in
    CPU frequency or background load.
    """
    first_samples: list[int] = []
    second_samples: list[int] = []
    deadline = time.perf_counter_ns() + int(2 * seconds * 1e9)
    while len(first_samples) < iterations:
        first_samples.extend(_measure(first, BLOCK, seconds))
        second_samples.extend(_measure(second, BLOCK, seconds))
        if time.perf_counter_ns() > deadline and len(first_samples) >= 30:
            break
    return first_samples, second_samples


def _summarise(name: str, samples: list[int]) -> Measurement:
    ordered = sorted(samples)
    p99 = ordered[max(math.ceil(0.99 * len(ordered)) - 1, 0)]
    return Measurement(
        name=name,
        iterations=len(samples),
        median_us=round(statistics.median(ordered) / 1000, 1),
        p99_us=round(p99 / 1000, 1),
    )


def _with_ratios(measurements: list[Measurement]) -> list[Measurement]:
    floor = next(m for m in measurements if m.name == "floor").median_us
    return [
        Measurement(
            name=m.name,
            iterations=m.iterations,
            median_us=m.median_us,
            p99_us=m.p99_us,
            ratio_to_floor=None
            if math.isnan(m.median_us)
            else round(m.median_us / floor, 2),
            note=m.note,
        )
        for m in measurements
    ]


def _goal_met(measurements: list[Measurement]) -> bool:
    ratio = next(m for m in measurements if m.name == "connauth").ratio_to_floor
    return ratio is not None and ratio <= GOAL_RATIO


def _print_table(measurements: list[Measurement]) -> None:
    print(f"RSA-SHA1 signed GET, 2048-bit key: {URL}\n")
    header = ("implementation", "runs", "median µs", "p99 µs", "x floor")
    print(f"{header[0]:<16}{header[1]:>7}{header[2]:>12}{header[3]:>12}{header[4]:>10}")
    for m in measurements:
        if m.note:
            print(f"{m.name:<16}{'-':>7}  {m.note}")
            continue
        print(
            f"{m.name:<16}{m.iterations:>7}{m.median_us:>12.1f}{m.p99_us:>12.1f}"
            f"{m.ratio_to_floor:>10.2f}"
        )
    met = "met" if _goal_met(measurements) else "NOT met"
    print(f"\ngoal: connauth at most {GOAL_RATIO}x the floor: {met}")


def _machine() -> dict[str, object]:
    return describe_machine(
        (
            "cryptography",
            "connauth",
            "connauth-oauth1a",
            "httpx",
            "authlib",
            "oauthlib",
            "pyjwt",
        )
    )


if __name__ == "__main__":
    raise SystemExit(main())
