"""Connauth enforces each phase: warnings, closed logins, retired connectors."""

from __future__ import annotations

import asyncio
import logging
import warnings
from datetime import date

import pytest

from connauth import Connauth
from connauth import Connector
from connauth import Lifecycle
from connauth import MethodConfig
from connauth import MethodNotInstalled
from connauth import PluginRegistry
from connauth import SqliteTokenStore
from connauth._lifecycle import LifecyclePolicy
from connauth._lifecycle import MethodClosed
from connauth._lifecycle import MethodPolicy
from connauth._lifecycle import MethodRetired
from connauth._notices import MethodDeprecationWarning

from .lifecycle_support import HOST
from .lifecycle_support import SITE
from .lifecycle_support import SetClock

DEPRECATED_ON = date(2030, 3, 1)
CLOSED_ON = date(2030, 6, 1)
SUNSET_ON = date(2030, 9, 1)

POLICY = LifecyclePolicy(
    {
        "legacy": MethodPolicy(
            deprecation_date=DEPRECATED_ON,
            closing_date=CLOSED_ON,
            sunset_date=SUNSET_ON,
        )
    }
)


@pytest.fixture
def connauth(
    store: SqliteTokenStore, registry: PluginRegistry, clock: SetClock
) -> Connauth:
    return Connauth(HOST, store=store, registry=registry, clock=clock, lifecycle=POLICY)


def legacy(connauth: Connauth, connector_id: str = "acme") -> Connector:
    return connauth.connector(
        connector_id, "legacy", {"site_url": SITE, "token": "t-123"}
    )


def test_supported_method_works_silently(connauth: Connauth, clock: SetClock) -> None:
    clock.set_day(date(2030, 2, 1))
    connector = legacy(connauth)

    record = connauth.login(connector)
    with connauth.client(connector) as client:
        assert str(client.base_url) == SITE + "/"

    assert record.method == "legacy"


def test_deprecated_login_warns_at_caller(connauth: Connauth, clock: SetClock) -> None:
    clock.set_day(date(2030, 4, 1))
    connector = legacy(connauth)

    with pytest.warns(MethodDeprecationWarning) as caught:
        connauth.begin_login(connector)

    warning = caught[0]
    notice = warning.message.notice  # type: ignore[union-attr]
    assert warning.filename == __file__
    assert notice.phase is Lifecycle.DEPRECATED
    assert notice.replacement == "modern"
    assert notice.closing_date == CLOSED_ON
    assert notice.sunset_date == SUNSET_ON
    assert "'legacy' is deprecated" in str(warning.message)
    assert "2030-06-01" in str(warning.message)
    assert "connauth migrate --from legacy --to modern" in str(warning.message)


def test_deprecated_use_warns_on_each_entry_point(
    connauth: Connauth, clock: SetClock
) -> None:
    clock.set_day(date(2030, 2, 1))
    connector = legacy(connauth)
    connauth.login(connector)
    clock.set_day(date(2030, 4, 1))

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        connauth.session(connector)
        connauth.auth(connector)
        connauth.client(connector).close()
        asyncio.run(connauth.async_client(connector).aclose())

    assert [w.category for w in caught] == [MethodDeprecationWarning] * 4
    assert {w.filename for w in caught} == {__file__}


def test_deprecation_logged_once_per_connector(
    connauth: Connauth, clock: SetClock, caplog: pytest.LogCaptureFixture
) -> None:
    clock.set_day(date(2030, 2, 1))
    connector = legacy(connauth)
    connauth.login(connector)
    clock.set_day(date(2030, 4, 1))
    caplog.set_level(logging.WARNING, logger="connauth")

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for _ in range(3):
            connauth.client(connector).close()

    assert [w.category for w in caught] == [MethodDeprecationWarning] * 3
    logged = [r for r in caplog.records if "deprecated method legacy" in r.message]
    assert len(logged) == 1
    assert "acme" in logged[0].getMessage()


def test_closed_refuses_new_connector(connauth: Connauth, clock: SetClock) -> None:
    clock.set_day(date(2030, 7, 1))

    with pytest.raises(MethodClosed) as caught:
        connauth.begin_login(legacy(connauth, "newcomer"))

    message = str(caught.value)
    assert "closed to new connectors since 2030-06-01" in message
    assert "'modern'" in message
    assert caught.value.connector_id == "newcomer"
    assert connauth.store.get("newcomer") is None


def test_closed_lets_stored_connector_log_in_again(
    connauth: Connauth, clock: SetClock
) -> None:
    clock.set_day(date(2030, 2, 1))
    connector = legacy(connauth)
    first = connauth.login(connector)
    clock.set_day(date(2030, 7, 1))

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        again = connauth.login(connector)
        connauth.client(connector).close()

    assert again.version == first.version + 1
    assert [w.category for w in caught] == [MethodDeprecationWarning] * 2
    assert "takes no new connectors" in str(caught[0].message)


def test_closed_refuses_migration_into_it(
    store: SqliteTokenStore, registry: PluginRegistry, clock: SetClock
) -> None:
    policy = LifecyclePolicy({"modern": MethodPolicy(phase=Lifecycle.CLOSED)})
    connauth = Connauth(
        HOST, store=store, registry=registry, clock=clock, lifecycle=policy
    )
    connauth.login(legacy(connauth))
    target = connauth.connector("acme", "modern", {"site_url": SITE, "token": "n"})

    with pytest.raises(MethodClosed):
        connauth.begin_login(target)


def test_retired_refuses_use_naming_migration(
    connauth: Connauth, clock: SetClock
) -> None:
    clock.set_day(date(2030, 2, 1))
    connector = legacy(connauth)
    connauth.login(connector)
    clock.set_day(SUNSET_ON)

    for use in (connauth.session, connauth.auth, connauth.client):
        with pytest.raises(MethodRetired) as caught:
            use(connector)
        message = str(caught.value)
        assert "retired on 2030-09-01" in message
        assert "connauth migrate --from legacy --to modern" in message
        assert caught.value.phase is Lifecycle.RETIRED
    with pytest.raises(MethodRetired):
        connauth.async_client(connector)
    assert connauth.store.get("acme") is not None


def test_retired_refuses_login(connauth: Connauth, clock: SetClock) -> None:
    clock.set_day(date(2030, 2, 1))
    connector = legacy(connauth)
    connauth.login(connector)
    clock.set_day(SUNSET_ON)

    with pytest.raises(MethodRetired, match="connauth migrate"):
        connauth.begin_login(connector)


def test_uninstalled_method_refuses_use(connauth: Connauth) -> None:
    connector = Connector(
        id="orphan", method="gone", config=MethodConfig(site_url=SITE)
    )

    with pytest.raises(MethodNotInstalled) as caught:
        connauth.client(connector)

    message = str(caught.value)
    assert "'gone' is not installed" in message
    assert "connauth migrate --from gone" in message
    assert caught.value.connector_id == "orphan"


def test_notice_for_each_phase(connauth: Connauth, clock: SetClock) -> None:
    cases = [
        (date(2030, 2, 1), Lifecycle.SUPPORTED, "is supported"),
        (date(2030, 4, 1), Lifecycle.DEPRECATED, "new connectors stop on 2030-06-01"),
        (date(2030, 7, 1), Lifecycle.CLOSED, "takes no new connectors"),
        (date(2030, 9, 2), Lifecycle.RETIRED, "was retired on 2030-09-01"),
    ]
    for day, phase, text in cases:
        clock.set_day(day)
        notice = connauth.lifecycle_notice("legacy")
        assert notice.phase is phase, day
        assert text in notice.summary, day
        data = notice.to_dict()
        assert data["phase"] == phase.value
        assert data["sunset_date"] == "2030-09-01"
        if phase is Lifecycle.SUPPORTED:
            assert notice.action is None
            assert notice.migrate_command is None
        else:
            assert (
                notice.migrate_command == "connauth migrate --from legacy --to modern"
            )
            assert "--dry-run" in (notice.action or "")


def test_removed_notice_explains_orphans(connauth: Connauth) -> None:
    notice = connauth.lifecycle_notice("gone")

    assert notice.phase is Lifecycle.REMOVED
    assert "not installed" in notice.summary
    assert notice.migrate_command == "connauth migrate --from gone --to METHOD"
