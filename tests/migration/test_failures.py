"""A failure at each migration step leaves the old method working; a rerun finishes.

Protocol failures come from the sandbox: a declined consent, a token endpoint
that returns 500, a revoked grant. Storage failures come from ``FaultyStore``
around a real SQLite store.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from connauth import AuthorizationDenied
from connauth import Connauth
from connauth import ConnauthError
from connauth import Connector
from connauth import CredentialRecord
from connauth import SqliteTokenStore
from connauth import StoreError
from connauth._journal import MigrationEntry
from connauth._journal import MigrationError
from connauth._journal import MigrationState
from connauth._journal import previous_id
from connauth._journal import staged_id
from connauth._migrate import MigrationRunner
from connauth_sandbox import ConsentPolicy
from connauth_sandbox import InjectedFailure
from connauth_sandbox import Surface
from connauth_sandbox import TokenKind

from .migration_support import Fault
from .migration_support import FaultyStore
from .migration_support import Jira
from .migration_support import dc_target
from .migration_support import log_in_pat
from .migration_support import make_connauth
from .migration_support import myself_status
from .migration_support import rerun


@pytest.fixture
def consent(jira: Jira) -> Iterator[None]:
    yield
    jira.sandbox.settings.consent_policy = ConsentPolicy.APPROVE
    jira.sandbox.settings.token_endpoint_failures.clear()


def assert_old_method_works(
    connauth: Connauth, old: Connector, step: MigrationState
) -> MigrationEntry:
    """Check that the connector still works with ``pat``, that nothing of the
    migration is left in the store, and that the journal names ``step``."""
    live = connauth.store.get("corp")
    entry = MigrationRunner(connauth).journal.get("corp")
    assert live is not None
    assert live.method == "pat"
    assert entry is not None
    assert entry.state is MigrationState.FAILED
    assert entry.failed_step is step
    assert entry.message
    assert connauth.store.get(staged_id("corp")) is None
    assert connauth.store.get(previous_id("corp")) is None
    assert myself_status(connauth, old) == 200
    return entry


def assert_rerun_finishes(connauth: Connauth, jira: Jira) -> None:
    runner = MigrationRunner(connauth)
    report = rerun(runner, jira, lambda record: dc_target(connauth, jira, "corp"))

    assert [outcome.connector_id for outcome in report.finished] == ["corp"]
    assert myself_status(connauth, dc_target(connauth, jira, "corp")) == 200


def test_failed_login_start(jira: Jira, real_store: SqliteTokenStore) -> None:
    faulty = FaultyStore(
        real_store,
        Fault(
            lambda: StoreError("the store is read-only"),
            matches=lambda name: name == "put_pending",
        ),
    )
    connauth = make_connauth(jira, faulty)
    old = log_in_pat(make_connauth(jira, real_store), jira, "corp")
    target = dc_target(connauth, jira, "corp")

    with pytest.raises(StoreError):
        MigrationRunner(connauth).start(target)

    assert_old_method_works(connauth, old, MigrationState.LOGIN_STARTED)
    assert_rerun_finishes(connauth, jira)


def test_declined_consent(connauth: Connauth, jira: Jira, consent: None) -> None:
    old = log_in_pat(connauth, jira, "corp")
    target = dc_target(connauth, jira, "corp")
    runner = MigrationRunner(connauth)
    prompt = runner.start(target)
    jira.sandbox.settings.consent_policy = ConsentPolicy.DENY

    with pytest.raises(AuthorizationDenied):
        runner.complete(target, jira.approve(prompt.url))

    jira.sandbox.settings.consent_policy = ConsentPolicy.APPROVE
    assert_old_method_works(connauth, old, MigrationState.CREDENTIALS_OBTAINED)
    assert_rerun_finishes(connauth, jira)


def test_token_endpoint_error(connauth: Connauth, jira: Jira, consent: None) -> None:
    old = log_in_pat(connauth, jira, "corp")
    target = dc_target(connauth, jira, "corp")
    runner = MigrationRunner(connauth)
    callback = jira.approve(runner.start(target).url)
    jira.sandbox.settings.token_endpoint_failures.append(
        InjectedFailure(status=500, surfaces=frozenset({Surface.DC}))
    )

    with pytest.raises(ConnauthError):
        runner.complete(target, callback)

    entry = assert_old_method_works(connauth, old, MigrationState.CREDENTIALS_OBTAINED)
    assert "500" in (entry.message or "")
    assert_rerun_finishes(connauth, jira)


def test_failed_verification(connauth: Connauth, jira: Jira) -> None:
    old = log_in_pat(connauth, jira, "corp")
    target = dc_target(connauth, jira, "corp")

    def revoke_new_grant(entry: MigrationEntry) -> None:
        if entry.state is MigrationState.CREDENTIALS_OBTAINED:
            staged = connauth.store.get(staged_id("corp"))
            assert staged is not None
            assert staged.tokens is not None
            issued = jira.sandbox.find_token(
                staged.tokens.access_token.get_secret_value(), TokenKind.ACCESS_TOKEN
            )
            assert issued is not None
            assert issued.grant_id is not None
            jira.sandbox.revoke_grant(issued.grant_id)

    runner = MigrationRunner(connauth, on_change=revoke_new_grant)
    callback = jira.approve(runner.start(target).url)

    with pytest.raises(MigrationError, match="failed verification"):
        runner.complete(target, callback)

    entry = assert_old_method_works(connauth, old, MigrationState.VERIFIED)
    assert "check myself failed" in (entry.message or "")
    assert "myself: fail" in entry.checks
    assert_rerun_finishes(connauth, jira)


def test_failed_switch_write_resumes_without_login(
    jira: Jira, real_store: SqliteTokenStore
) -> None:
    faulty = FaultyStore(
        real_store,
        Fault(lambda: StoreError("disk full"), matches=lambda name: name == "put corp"),
    )
    connauth = make_connauth(jira, faulty)
    old = log_in_pat(make_connauth(jira, real_store), jira, "corp")
    target = dc_target(connauth, jira, "corp")
    runner = MigrationRunner(connauth)
    callback = jira.approve(runner.start(target).url)

    with pytest.raises(StoreError, match="disk full"):
        runner.complete(target, callback)

    live = real_store.get("corp")
    entry = runner.journal.get("corp")
    assert live is not None
    assert live.method == "pat"
    assert entry is not None
    assert entry.state is MigrationState.VERIFIED
    assert myself_status(connauth, old) == 200

    resumed = runner.resume(target)

    assert resumed is not None
    assert resumed.state is MigrationState.OLD_CREDENTIALS_REMOVED
    assert "take_pending" not in faulty.writes[faulty.writes.index("put corp") :]
    assert myself_status(connauth, target) == 200


def test_switch_retries_after_concurrent_write(
    jira: Jira, real_store: SqliteTokenStore
) -> None:
    faulty = FaultyStore(real_store)
    connauth = make_connauth(jira, faulty)
    log_in_pat(connauth, jira, "corp")
    target = dc_target(connauth, jira, "corp")
    runner = MigrationRunner(connauth)
    callback = jira.approve(runner.start(target).url)
    interfered: list[int] = []

    def another_writer(name: str) -> None:
        if name == "put corp" and not interfered:
            live = real_store.get("corp")
            assert live is not None
            rewritten = real_store.put(live, expected_version=live.version)
            interfered.append(rewritten.version)

    faulty.before_write = another_writer
    faulty.writes.clear()
    record = runner.complete(target, callback)

    assert interfered
    assert record.method == "oauth2"
    assert faulty.writes.count("put corp") == 2


def test_switch_fails_when_method_changed(
    connauth: Connauth, jira: Jira, real_store: SqliteTokenStore
) -> None:
    log_in_pat(connauth, jira, "corp")
    target = dc_target(connauth, jira, "corp")

    def replace_connector(entry: MigrationEntry) -> None:
        if entry.state is MigrationState.VERIFIED:
            live = real_store.get("corp")
            assert live is not None
            changed = CredentialRecord(
                connector_id="corp",
                method="basic",
                site_url=live.site_url,
                api_base_url=live.api_base_url,
                tokens=None,
                updated_at=live.updated_at,
            )
            real_store.put(changed, expected_version=live.version)

    runner = MigrationRunner(connauth, on_change=replace_connector)
    callback = jira.approve(runner.start(target).url)

    with pytest.raises(MigrationError, match="changed to 'basic'"):
        runner.complete(target, callback)

    entry = runner.journal.get("corp")
    assert entry is not None
    assert entry.state is MigrationState.FAILED
    assert entry.failed_step is MigrationState.SWITCHED
    assert real_store.get("corp").method == "basic"  # type: ignore[union-attr]
    assert real_store.get(staged_id("corp")) is None
    assert real_store.get(previous_id("corp")) is None


def test_failed_cleanup_keeps_new_method(
    jira: Jira, real_store: SqliteTokenStore
) -> None:
    faulty = FaultyStore(
        real_store,
        Fault(
            lambda: StoreError("disk full"),
            matches=lambda name: name == f"delete {previous_id('corp')}",
        ),
    )
    connauth = make_connauth(jira, faulty)
    log_in_pat(connauth, jira, "corp")
    target = dc_target(connauth, jira, "corp")
    runner = MigrationRunner(connauth)

    record = runner.complete(target, jira.approve(runner.start(target).url))

    entry = runner.journal.get("corp")
    assert record.method == "oauth2"
    assert entry is not None
    assert entry.state is MigrationState.SWITCHED
    assert real_store.get(previous_id("corp")) is not None
    assert myself_status(connauth, target) == 200

    removed = runner.remove_expired()

    assert [e.state for e in removed] == [MigrationState.OLD_CREDENTIALS_REMOVED]
    assert real_store.get(previous_id("corp")) is None
