"""Token-session races that need no server: a lease that lapsed mid-refresh.

The refresher here is a pure exchange that returns tokens without a request,
and "another worker" is simulated by writing to the real store from inside it,
at the moment a slow refresh would still be waiting for the server. The store,
its compare-and-swap and its leases are real.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import replace
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr

from connauth import CredentialRecord
from connauth import Exchange
from connauth import HttpSettings
from connauth import KeyRing
from connauth import ReauthorizationRequired
from connauth import RecordStatus
from connauth import SqliteTokenStore
from connauth import TokenSession
from connauth import TokenSet

NOW = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)


def tokens(name: str, *, expires_in: timedelta = timedelta(hours=1)) -> TokenSet:
    return TokenSet(
        access_token=SecretStr(f"AT-{name}"),
        refresh_token=SecretStr(f"RT-{name}"),
        expires_at=NOW + expires_in,
    )


@pytest.fixture
def store(tmp_path: Path) -> SqliteTokenStore:
    return SqliteTokenStore(tmp_path / "t.db", keys=KeyRing([KeyRing.generate()]))


def stored(store: SqliteTokenStore, initial: TokenSet) -> CredentialRecord:
    record = CredentialRecord(
        connector_id="acme",
        method="oauth2",
        site_url="https://acme.example.test",
        api_base_url="https://api.example.test/ex/jira/1",
        tokens=initial,
        updated_at=NOW,
    )
    return store.put(record, expected_version=0)


def session_for(
    store: SqliteTokenStore, refresher: Callable[[TokenSet], Exchange[TokenSet]]
) -> TokenSession:
    record = store.get("acme")
    assert record is not None
    return TokenSession(
        record=record,
        store=store,
        refresher=refresher,
        http=HttpSettings(),
        clock=lambda: NOW,
    )


def returning(result: TokenSet, side_effect: Callable[[], None]) -> Any:
    def refresher(current: TokenSet) -> Exchange[TokenSet]:
        side_effect()
        return result
        yield  # a generator: the exchange sends no request

    return refresher


def test_fresh_tokens_replace_a_flag_written_meanwhile(store: SqliteTokenStore) -> None:
    initial = stored(store, tokens("1", expires_in=timedelta(seconds=-1)))

    def other_worker_flags() -> None:
        flagged = replace(initial, status=RecordStatus.REAUTHORIZATION_REQUIRED)
        store.put(flagged, expected_version=initial.version)

    session = session_for(store, returning(tokens("2"), other_worker_flags))
    result = session.refresh(initial.tokens)  # type: ignore[arg-type]

    assert result.access_token.get_secret_value() == "AT-2"
    record = store.get("acme")
    assert record is not None
    assert record.status is RecordStatus.ACTIVE
    assert record.tokens is not None
    assert record.tokens.refresh_token == SecretStr("RT-2")


def test_rejected_refresh_uses_tokens_stored_meanwhile(store: SqliteTokenStore) -> None:
    initial = stored(store, tokens("1", expires_in=timedelta(seconds=-1)))

    def refresher(current: TokenSet) -> Exchange[TokenSet]:
        record = store.get("acme")
        assert record is not None
        store.put(
            record.with_tokens(tokens("2"), now=NOW), expected_version=record.version
        )
        raise ReauthorizationRequired("refresh token reused", reason="invalid_grant")
        yield  # a generator: the exchange sends no request

    session = session_for(store, refresher)
    result = session.refresh(initial.tokens)  # type: ignore[arg-type]

    assert result.access_token.get_secret_value() == "AT-2"
    record = store.get("acme")
    assert record is not None
    assert record.status is RecordStatus.ACTIVE


def test_rejected_refresh_flags_when_nobody_refreshed(store: SqliteTokenStore) -> None:
    initial = stored(store, tokens("1", expires_in=timedelta(seconds=-1)))

    def refresher(current: TokenSet) -> Exchange[TokenSet]:
        raise ReauthorizationRequired("grant revoked", reason="invalid_grant")
        yield  # a generator: the exchange sends no request

    session = session_for(store, refresher)
    with pytest.raises(ReauthorizationRequired) as caught:
        session.refresh(initial.tokens)  # type: ignore[arg-type]
    assert caught.value.connector_id == "acme"
    record = store.get("acme")
    assert record is not None
    assert record.status is RecordStatus.REAUTHORIZATION_REQUIRED


class CountingStore(SqliteTokenStore):
    """The SQLite store, counting lease acquisitions."""

    leases = 0

    def lease(
        self, connector_id: str, *, ttl: float = 30.0, wait: float = 60.0
    ) -> AbstractContextManager[None]:
        type(self).leases += 1
        return super().lease(connector_id, ttl=ttl, wait=wait)


def test_waiters_reuse_tokens_without_lease(tmp_path: Path) -> None:
    store = CountingStore(tmp_path / "t.db", keys=KeyRing([KeyRing.generate()]))
    initial = stored(store, tokens("1", expires_in=timedelta(seconds=-1)))
    calls: list[str] = []

    def refresher(current: TokenSet) -> Exchange[TokenSet]:
        calls.append("refresh")
        return tokens("2")
        yield  # a generator: the exchange sends no request

    session = session_for(store, refresher)
    stale = initial.tokens
    assert stale is not None
    first = session.refresh(stale)
    leases_after_first = CountingStore.leases
    second = session.refresh(stale)

    assert first == second
    assert calls == ["refresh"]
    assert CountingStore.leases == leases_after_first


def test_lease_outlasts_a_slow_refresh(store: SqliteTokenStore) -> None:
    stored(store, tokens("1"))
    record = store.get("acme")
    assert record is not None
    session = TokenSession(
        record=record, store=store, refresher=None, http=HttpSettings(timeout=30)
    )
    assert session._lease_ttl >= 2 * 3 * 30
