"""A crash at any write of a migration leaves a working method, and a rerun resumes.

``FaultyStore`` raises ``SimulatedCrash`` just before or just after one write
of a migration. A second store object on the same file then stands in for the
restarted process. The connector must work with its old method or its new
one, and running the migration again must finish it.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from connauth import Connauth
from connauth import Connector
from connauth import SqliteTokenStore
from connauth._journal import MigrationState
from connauth._journal import previous_id
from connauth._journal import staged_id
from connauth._migrate import MigrationRunner

from .migration_support import Fault
from .migration_support import FaultyStore
from .migration_support import Jira
from .migration_support import SimulatedCrash
from .migration_support import dc_target
from .migration_support import log_in_pat
from .migration_support import make_connauth
from .migration_support import myself_status
from .migration_support import open_store
from .migration_support import rerun

JOURNAL = "put connauth:migration:corp"

WRITES = [
    JOURNAL,  # planned
    "put_pending",  # the target method's login begins
    JOURNAL,  # login_started
    "take_pending",  # the callback consumes the pending login
    "put connauth:staged:corp",
    JOURNAL,  # credentials_obtained
    JOURNAL,  # verified
    "put connauth:previous:corp",
    "put corp",  # the switch
    JOURNAL,  # switched
    "delete connauth:staged:corp",
    "delete connauth:previous:corp",
    JOURNAL,  # old_credentials_removed
]
"""The store writes of one migration without a rollback window, in order."""


def migrate_once(connauth: Connauth, jira: Jira) -> None:
    runner = MigrationRunner(connauth)
    target = dc_target(connauth, jira, "corp")
    prompt = runner.start(target)
    runner.complete(target, jira.approve(prompt.url))


def test_migration_writes_in_order(jira: Jira, real_store: SqliteTokenStore) -> None:
    log_in_pat(make_connauth(jira, real_store), jira, "corp")
    faulty = FaultyStore(real_store)

    migrate_once(make_connauth(jira, faulty), jira)

    assert faulty.writes == WRITES


def working_connector(connauth: Connauth, jira: Jira, old: Connector) -> Connector:
    """Return the connector of the method the store holds, checking it works."""
    live = connauth.store.get("corp")
    assert live is not None, "the connector's record is gone"
    assert live.method in ("pat", "oauth2")
    connector = old if live.method == "pat" else dc_target(connauth, jira, "corp")
    assert myself_status(connauth, connector) == 200
    return connector


@pytest.mark.parametrize("after", [False, True], ids=["before", "after"])
@pytest.mark.parametrize(
    "index", range(len(WRITES)), ids=[f"{i}-{w}" for i, w in enumerate(WRITES)]
)
def test_crash_leaves_working_method_and_rerun_resumes(
    jira: Jira, store_path: Path, store_key: bytes, index: int, after: bool
) -> None:
    first = open_store(store_path, store_key)
    old = log_in_pat(make_connauth(jira, first), jira, "corp")
    faulty = FaultyStore(first, Fault(SimulatedCrash, at=index, after=after))

    with pytest.raises(SimulatedCrash):
        migrate_once(make_connauth(jira, faulty), jira)
    first.close()

    restarted = open_store(store_path, store_key)
    connauth = make_connauth(jira, restarted)
    working_connector(connauth, jira, old)

    rerun(
        MigrationRunner(connauth),
        jira,
        lambda record: dc_target(connauth, jira, "corp"),
        ["corp"],
    )

    entry = MigrationRunner(connauth).journal.get("corp")
    assert entry is not None
    assert entry.state is MigrationState.OLD_CREDENTIALS_REMOVED
    assert working_connector(connauth, jira, old).method == "oauth2"
    assert restarted.get(staged_id("corp")) is None
    assert restarted.get(previous_id("corp")) is None
    restarted.close()
