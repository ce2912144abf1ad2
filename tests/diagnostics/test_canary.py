"""No secret leaks from any check or CLI command: a canary in every secret field.

Every secret of a connector is a distinctive canary string here, and the
sandbox's own tokens (API token, personal access token, OAuth 2.0 and OAuth
1.0a tokens, their secrets, codes and verifiers) count as secrets too. The
tests run every check, healthy and broken, and every CLI command, and fail
when any secret appears in standard output, standard error, a log record of
any level (a handler on the root logger at DEBUG), an exception's message or
``repr``, or a configuration's JSON schema.

Not counted:

- OAuth 1.0a request-token identifiers, which travel in the browser's address
  bar by design (RFC 5849 section 2.2); their secrets and verifiers count.
- The verifiers of the ``oauth1a-callback`` check's probe authorizations.
  The sandbox approves the anonymous probe at once and redirects with a
  verifier, which httpcore logs at DEBUG with the response headers. Real Jira
  shows a login page to an anonymous request instead. The probe's request
  token is never exchanged and connauth drops its secret, so its verifier
  grants nothing.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization

from connauth import ConnauthError
from connauth import Connector
from connauth._check_options import CheckOptions
from connauth._diagnostics import run_checks
from connauth.cli._app import cli

from ._cli import CliFiles
from ._cli import Outcome
from ._cli import invoke
from ._cli import write_cli_files
from ._jira import CONSUMER_KEY
from ._jira import METHODS
from ._jira import OAUTH1A_DEPRECATED
from ._jira import JiraWorld
from ._jira import generate_rsa_pair
from ._jira import installed_methods

CLOUD_CLIENT_SECRET = "CANARY-cloud-client-secret-5b1f0c"
DC_CLIENT_SECRET = "CANARY-dc-client-secret-9c2e7d"
KEY_PASSPHRASE = "CANARY-key-passphrase-3d7a11"
USER_PASSWORD = "CANARY-user-password-8e4b55"
WRONG_API_TOKEN = "ATATT3CANARYwrongApiToken6f2a90d1"
WRONG_PAT = "Q0FOQVJZLXdyb25nLXBhdA"
# The state prefix of the oauth1a-callback check's probe authorizations.
CALLBACK_PROBE_STATE = "connauth-check-"

# Commands that the CLI tests here do not run, and why.
NOT_RUN = {
    "sandbox": "serves until interrupted, and holds only its own generated secrets",
    "demo": "runs its own sandbox world, with no connector secrets of the caller",
}

pytestmark = pytest.mark.filterwarnings(OAUTH1A_DEPRECATED)


class _Collector(logging.Handler):
    """Keeps every log record of connauth's side, formatted with its traceback.

    Two sources are left out because they are not connauth: the sandbox's
    server thread, which stands for Jira's own logs, and the test acting as
    the admin's browser (``paused``).
    """

    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.setFormatter(
            logging.Formatter("%(threadName)s %(name)s %(levelname)s %(message)s")
        )
        self.lines: list[str] = []
        self.paused = False

    def emit(self, record: logging.LogRecord) -> None:
        if self.paused or record.threadName.startswith("connauth-sandbox-"):
            return
        self.lines.append(self.format(record))

    @contextmanager
    def pause(self) -> Iterator[None]:
        self.paused = True
        try:
            yield
        finally:
            self.paused = False


@pytest.fixture
def logs() -> Iterator[_Collector]:
    collector = _Collector()
    root = logging.getLogger()
    previous = root.level
    root.addHandler(collector)
    root.setLevel(logging.DEBUG)
    try:
        yield collector
    finally:
        root.removeHandler(collector)
        root.setLevel(previous)


@dataclass
class Exposure:
    """Everything a run showed, by where it showed it."""

    texts: dict[str, list[str]] = field(default_factory=dict)

    def add(self, where: str, *texts: str) -> None:
        self.texts.setdefault(where, []).extend(texts)

    def add_outcome(self, command: str, outcome: Outcome) -> None:
        self.add(f"stdout of {command}", outcome.stdout)
        self.add(f"stderr of {command}", outcome.stderr)

    def add_error(self, where: str, error: BaseException) -> None:
        while error is not None:
            self.add(where, str(error), repr(error))
            error = error.__cause__ or error.__context__  # type: ignore[assignment]


def _canary_world(jira: JiraWorld) -> str:
    """Put canaries into the sandbox's clients; return the encrypted private key."""
    jira.cloud_app.client_secret = CLOUD_CLIENT_SECRET
    jira.dc_client.client_secret = DC_CLIENT_SECRET
    jira.user.password = USER_PASSWORD
    key = serialization.load_pem_private_key(
        jira.key_pair.private_pem.encode("ascii"), password=None
    )
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(KEY_PASSPHRASE.encode()),
    ).decode("ascii")


def _canary_auth(jira: JiraWorld, kind: str, encrypted_key: str) -> dict[str, object]:
    auth = jira.auth(kind)
    if kind == "oauth1a":
        auth |= {"private_key": encrypted_key, "private_key_passphrase": KEY_PASSPHRASE}
    return auth


def _secrets(jira: JiraWorld, encrypted_key: str) -> dict[str, str]:
    """Name every secret the run may have handled."""
    found = {
        "cloud client secret": CLOUD_CLIENT_SECRET,
        "dc client secret": DC_CLIENT_SECRET,
        "key passphrase": KEY_PASSPHRASE,
        "user password": USER_PASSWORD,
        "wrong API token": WRONG_API_TOKEN,
        "wrong PAT": WRONG_PAT,
    }
    for label, pem in (
        ("plain", jira.key_pair.private_pem),
        ("encrypted", encrypted_key),
    ):
        body = [line for line in pem.splitlines() if line and "-----" not in line]
        for number, line in enumerate(body):
            found[f"{label} private key line {number}"] = line
    sandbox = jira.sandbox
    for record in sandbox.issued_tokens():
        found[f"{record.kind} {record.hint}"] = record.value
        if record.secret:
            found[f"{record.kind} {record.hint} secret"] = record.secret
    for token in sandbox.request_tokens.values():
        found[f"request token secret of {token.token[-4:]}"] = token.secret
        probe = f"state={CALLBACK_PROBE_STATE}" in token.callback
        if token.verifier and not probe:
            found[f"verifier of {token.token[-4:]}"] = token.verifier
    for code in sandbox.authorization_codes.values():
        found[f"authorization code for {code.client_id[-4:]}"] = code.code
    return found


def _assert_no_leak(exposure: Exposure, secrets: dict[str, str]) -> None:
    leaks = []
    for where, texts in exposure.texts.items():
        joined = "\n".join(texts)
        for name, secret in secrets.items():
            if len(secret) >= 6 and secret in joined:
                line = next(t for t in texts if secret in t)
                leaks.append(f"{name} in {where}: {line[:160]}")
    assert not leaks, leaks


# -- library: every check, healthy and broken; logins; errors; reprs -----------


def _check(jira: JiraWorld, connector: Connector, exposure: Exposure) -> None:
    options = CheckOptions(expected_account="someone@example.test", project_key="DEMO")
    results = asyncio.run(run_checks(jira.connauth, connector, options=options))
    for result in results:
        exposure.add(f"check {result.id} of {connector.id}", result.model_dump_json())


def _login(jira: JiraWorld, connector: Connector, exposure: Exposure) -> None:
    try:
        record = jira.login(connector)
    except ConnauthError as error:
        exposure.add_error(f"login error of {connector.id}", error)
        return
    exposure.add(f"record of {connector.id}", repr(record), repr(record.tokens))


def _browse_unlogged(jira: JiraWorld, logs: _Collector) -> None:
    """Leave the test's browser, which is not connauth, out of the logs."""
    approve = jira.approve

    def approve_unlogged(url: str) -> str:
        with logs.pause():
            return approve(url)

    jira.approve = approve_unlogged  # type: ignore[method-assign]


def test_checks_and_logins_leak_nothing(jira: JiraWorld, logs: _Collector) -> None:
    encrypted_key = _canary_world(jira)
    _browse_unlogged(jira, logs)
    exposure = Exposure()
    kinds = [kind for kind in METHODS if kind.split("-")[0] in installed_methods()]
    connectors = {
        kind: jira.connector(kind, **_canary_auth(jira, kind, encrypted_key))
        for kind in kinds
    }
    for kind, connector in connectors.items():
        exposure.add(f"repr of {kind}", repr(connector), repr(connector.config))
        _check(jira, connector, exposure)
        _login(jira, connector, exposure)
        _check(jira, connector, exposure)

    _run_broken_states(jira, connectors, exposure)
    for info in jira.connauth.methods():
        exposure.add(f"schema of {info.name}", json.dumps(info.config_schema()))
    exposure.add("log records", *logs.lines)

    _assert_no_leak(exposure, _secrets(jira, encrypted_key))
    assert len(logs.lines) > 50


def _run_broken_states(
    jira: JiraWorld, connectors: dict[str, Connector], exposure: Exposure
) -> None:
    settings = jira.sandbox.settings
    wrong = {
        "basic-wrong": jira.connector(
            "basic", connector_id="bw", api_token=WRONG_API_TOKEN
        ),
        "basic-password": jira.connector(
            "basic", connector_id="bp", api_token=USER_PASSWORD
        ),
        "pat-wrong": jira.connector("pat", connector_id="pw", token=WRONG_PAT),
    }
    for connector in wrong.values():
        _login(jira, connector, exposure)
        _check(jira, connector, exposure)

    settings.anonymous_on_bad_credentials = True
    _check(jira, wrong["basic-wrong"], exposure)
    _check(jira, wrong["pat-wrong"], exposure)
    settings.anonymous_on_bad_credentials = False

    settings.captcha_after_failed_logins = 1
    _check(jira, connectors["basic"], exposure)
    jira.sandbox.faults.clear_lockout(jira.user)
    settings.captcha_after_failed_logins = None

    if "oauth2-cloud" in connectors:
        jira.sandbox.expire_all_access_tokens()
        _check(jira, connectors["oauth2-cloud"], exposure)
        settings.withheld_scopes = frozenset({"read:jira-user", "offline_access"})
        _login(jira, connectors["oauth2-cloud"], exposure)
        _check(jira, connectors["oauth2-cloud"], exposure)
        settings.withheld_scopes = frozenset()
        jira.cloud_app.client_secret = "another-secret"
        jira.sandbox.expire_all_access_tokens()
        _check(jira, connectors["oauth2-cloud"], exposure)

    if "oauth1a" in connectors:
        oauth1a = connectors["oauth1a"]
        settings.oauth1_callback_unreachable = True
        settings.clock_offset = 900
        _check(jira, oauth1a, exposure)
        settings.clock_offset = 0
        settings.oauth1_callback_unreachable = False
        jira.sandbox.replace_application_link_key(
            jira.dc, CONSUMER_KEY, generate_rsa_pair().public_pem
        )
        _check(jira, oauth1a, exposure)
        jira.sandbox.remove_application_link(jira.dc, CONSUMER_KEY)
        _check(jira, oauth1a, exposure)
        _login(jira, oauth1a, exposure)


# -- the CLI: every command ---------------------------------------------------------


@dataclass
class _Browser:
    """A stdin that approves the login URL the CLI printed, as an admin would."""

    jira: JiraWorld
    capsys: pytest.CaptureFixture[str]
    seen: list[str] = field(default_factory=list)

    def readline(self) -> str:
        printed = self.capsys.readouterr()
        self.seen += [printed.out, printed.err]
        url = re.search(r"https://\S+", printed.out)
        assert url is not None, printed.out
        return self.jira.approve(url.group(0)) + "\n"

    def read(self, size: int = -1) -> str:
        return self.readline()

    def isatty(self) -> bool:
        return False


def _cli_files(jira: JiraWorld, tmp_path: Path, encrypted_key: str) -> CliFiles:
    workdir = tmp_path / "cli"
    workdir.mkdir()
    connectors: dict[str, tuple[str, dict[str, object]]] = {}
    for kind in METHODS:
        if kind.split("-")[0] in installed_methods():
            method = kind.split("-")[0]
            connectors[kind] = (method, _canary_auth(jira, kind, encrypted_key))
    basic_wrong = {**jira.auth("basic"), "api_token": WRONG_API_TOKEN}
    connectors["basic-wrong"] = ("basic", basic_wrong)
    return write_cli_files(workdir, jira, connectors)


def test_cli_commands_leak_nothing(
    jira: JiraWorld,
    tmp_path: Path,
    logs: _Collector,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    encrypted_key = _canary_world(jira)
    _browse_unlogged(jira, logs)
    files = _cli_files(jira, tmp_path, encrypted_key)
    kinds = [
        k
        for k in (*METHODS, "basic-wrong")
        if (files.workdir / "connectors" / f"{k}.toml").exists()
    ]
    exposure = Exposure()
    ran: set[str] = set()

    def run(*args: str, stdin: object = None) -> Outcome:
        ran.add(args[0])
        if stdin is not None:
            monkeypatch.setattr("sys.stdin", stdin)
        outcome = invoke(files, *args, monkeypatch=monkeypatch, capsys=capsys)
        exposure.add_outcome(" ".join(args), outcome)
        return outcome

    run("methods", "--json")
    run("methods")
    for method in sorted(installed_methods()):
        for output in ("text", "markdown", "json"):
            run("checklist", method, "--format", output)
    if "oauth1a" in kinds:
        run("checklist", "oauth1a", "--connector", "oauth1a")
    for kind in kinds:
        run("check", kind, "--json")
        browser = _Browser(jira, capsys)
        login = run("login", kind, stdin=browser)
        exposure.add(f"prompted output of login {kind}", *browser.seen)
        assert login.code == (1 if kind == "basic-wrong" else 0), login.stderr
        run("check", kind)
        run("request", kind, "GET", "rest/api/2/myself", "--json")
        run("request", kind, "GET", "rest/api/2/myself")
    run("connectors", "--json")
    run("connectors")
    run("keygen", "--out", str(tmp_path / "new-key.pem"))
    run("lifecycle", "report", "--json")
    run("migrate", "status", "--json")
    run("migrate", "--from", "basic", "--to", "oauth2", "--dry-run", "--json")
    run("migrate", "purge")
    run("store", "rekey")
    exposure.add("log records", *logs.lines)

    _assert_no_leak(exposure, _secrets(jira, encrypted_key))
    assert set(cli.commands) - set(NOT_RUN) <= ran, sorted(set(cli.commands) - ran)
