"""Lifecycle phases of methods: a plugin's default, a host's dates and a clock.

A method passes through the phases of :class:`~connauth.Lifecycle` in order.
Its plugin declares a default phase; the host's :class:`LifecyclePolicy` may
replace that default and add dates. On each date the method moves to the
phase named after it, so the phase at any moment is the later of the base
phase and the phase its passed dates give. Dates are calendar days in UTC: a
phase starts at 00:00 UTC of its date.

The core enforces the phases in :class:`~connauth.Connauth`:

- deprecated: logins and uses work and emit ``MethodDeprecationWarning``;
- closed: a login for a new connector raises :class:`MethodClosed`. A
  connector whose stored record already uses the method may log in again,
  because "existing connectors keep working" must include re-authorizing one
  whose grant was revoked. Logins and uses that work still warn;
- retired: logins and uses raise :class:`MethodRetired`, naming the migration;
- removed (plugin not installed): uses raise
  :class:`~connauth.MethodNotInstalled`.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC
from datetime import date
from datetime import datetime
from typing import Any

from pydantic import BaseModel
from pydantic import ConfigDict
from pydantic import Field
from pydantic import ValidationError
from pydantic import model_validator

from connauth._errors import ConfigError
from connauth._errors import ConnauthError
from connauth._errors import MethodNotInstalled
from connauth._method import Lifecycle
from connauth._method import MethodInfo

__all__ = [
    "LifecyclePolicy",
    "MethodClosed",
    "MethodPhaseError",
    "MethodPolicy",
    "MethodRetired",
    "MethodStatus",
    "check_login_allowed",
    "check_use_allowed",
    "method_status",
    "migrate_command",
]

_ORDER = tuple(Lifecycle)

_DATED_PHASES = (
    ("sunset_date", Lifecycle.RETIRED),
    ("closing_date", Lifecycle.CLOSED),
    ("deprecation_date", Lifecycle.DEPRECATED),
)


class MethodPolicy(BaseModel):
    """A host's lifecycle settings for one method, all optional.

    Attributes:
        phase: replaces the plugin's default phase. Set ``"supported"`` with
            a future ``deprecation_date`` to keep a method free of warnings
            until that date.
        deprecation_date: from this day the method is at least deprecated.
        closing_date: from this day no new connector may use the method.
        sunset_date: from this day connectors of the method stop working.
        replacement: the method to migrate to; replaces the plugin's.
        rollback_days: days that a migration away from this method keeps the
            old credentials for ``connauth migrate rollback``; 0 deletes them
            as soon as the new credentials are verified and switched.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    phase: Lifecycle | None = None
    deprecation_date: date | None = None
    closing_date: date | None = None
    sunset_date: date | None = None
    replacement: str | None = Field(default=None, min_length=1)
    rollback_days: int | None = Field(default=None, ge=0)

    @model_validator(mode="after")
    def _check(self) -> MethodPolicy:
        if self.phase is Lifecycle.REMOVED:
            raise ValueError(
                "phase 'removed' means the plugin is not installed and cannot be "
                "set; uninstall the plugin instead, or use 'retired'"
            )
        dated = [
            (name, value)
            for name in ("deprecation_date", "closing_date", "sunset_date")
            if (value := getattr(self, name)) is not None
        ]
        for (earlier, first), (later, second) in itertools.pairwise(dated):
            if second < first:
                raise ValueError(
                    f"{later} {second} is before {earlier} {first}; the dates must "
                    "follow the order deprecation, closing, sunset"
                )
        return self


class LifecyclePolicy:
    """A host's lifecycle settings, by method name.

    Methods not listed keep their plugin's defaults. A policy may name a method
    that is not installed, to give its orphaned connectors a replacement.
    """

    def __init__(self, methods: Mapping[str, MethodPolicy] | None = None) -> None:
        self._methods = dict(methods or {})

    def __repr__(self) -> str:
        return f"LifecyclePolicy({self._methods!r})"

    @classmethod
    def from_tables(cls, tables: Mapping[str, Any], *, source: str) -> LifecyclePolicy:
        """Build a policy from the ``[lifecycle.<method>]`` tables of a TOML file.

        Raises :class:`ConfigError` naming ``source`` and every invalid key.
        """
        methods: dict[str, MethodPolicy] = {}
        problems: list[tuple[str, str, str | None]] = []
        for method, table in tables.items():
            if not isinstance(table, Mapping):
                problems.append(
                    (f"lifecycle.{method}", "must be a table of settings", None)
                )
                continue
            try:
                methods[method] = MethodPolicy.model_validate(dict(table))
            except ValidationError as error:
                for item in error.errors():
                    where = ".".join(str(part) for part in item["loc"])
                    key = f"lifecycle.{method}" + (f".{where}" if where else "")
                    problems.append((key, item["msg"], None))
        if problems:
            listed = "; ".join(f"{key}: {message}" for key, message, _ in problems)
            raise ConfigError(f"{source}: {listed}", problems=tuple(problems))
        return cls(methods)

    def for_method(self, method: str) -> MethodPolicy:
        """Return the settings of ``method``; empty when the policy has none."""
        return self._methods.get(method, MethodPolicy())

    def methods(self) -> list[str]:
        """Return the names of the methods the policy lists, sorted."""
        return sorted(self._methods)


@dataclass(frozen=True)
class MethodStatus:
    """The lifecycle of one method on one day.

    ``default_phase`` is the plugin's declared phase, or ``None`` when the
    plugin is not installed (``phase`` is then ``REMOVED``).
    """

    method: str
    title: str
    phase: Lifecycle
    default_phase: Lifecycle | None
    today: date
    deprecation_date: date | None = None
    closing_date: date | None = None
    sunset_date: date | None = None
    replacement: str | None = None
    rollback_days: int = 0

    @property
    def installed(self) -> bool:
        """Whether the method's plugin is installed."""
        return self.default_phase is not None

    @property
    def days_to_sunset(self) -> int | None:
        """Days from ``today`` to the sunset date; negative once it passed."""
        if self.sunset_date is None:
            return None
        return (self.sunset_date - self.today).days

    @property
    def migrate_command(self) -> str:
        """The ``connauth migrate`` command that moves this method's connectors."""
        return migrate_command(self.method, self.replacement)


def migrate_command(method: str, replacement: str | None) -> str:
    """Return the CLI command that moves connectors off ``method``."""
    return f"connauth migrate --from {method} --to {replacement or 'METHOD'}"


def method_status(
    method: str, info: MethodInfo | None, policy: MethodPolicy, now: datetime
) -> MethodStatus:
    """Return the lifecycle of ``method`` at ``now`` (an aware datetime).

    ``info`` is ``None`` when no installed plugin provides the method.
    """
    today = now.astimezone(UTC).date()
    if info is None:
        phase = Lifecycle.REMOVED
    else:
        base = policy.phase or info.lifecycle
        reached = _dated_phase(policy, today)
        phase = base if reached is None else max(base, reached, key=_ORDER.index)
    return MethodStatus(
        method=method,
        title=info.title if info is not None else method,
        phase=phase,
        default_phase=info.lifecycle if info is not None else None,
        today=today,
        deprecation_date=policy.deprecation_date,
        closing_date=policy.closing_date,
        sunset_date=policy.sunset_date,
        replacement=policy.replacement or (info.replacement if info else None),
        rollback_days=policy.rollback_days or 0,
    )


def _dated_phase(policy: MethodPolicy, today: date) -> Lifecycle | None:
    for name, phase in _DATED_PHASES:
        day: date | None = getattr(policy, name)
        if day is not None and today >= day:
            return phase
    return None


class MethodPhaseError(ConnauthError):
    """A method's lifecycle phase forbids the requested operation.

    ``status`` is the method's lifecycle at the time of the rejection.
    """

    def __init__(
        self, message: str, *, status: MethodStatus, connector_id: str | None = None
    ) -> None:
        super().__init__(message, connector_id=connector_id)
        self.status = status
        self.method = status.method
        self.phase = status.phase


class MethodClosed(MethodPhaseError):
    """A login for a new connector of a method that is closed to new connectors."""


class MethodRetired(MethodPhaseError):
    """A login or use of a connector whose method was retired."""


def check_login_allowed(
    status: MethodStatus, connector_id: str, stored_method: str | None
) -> None:
    """Raise unless a connector may log in with ``status.method`` now.

    ``stored_method`` is the method of the connector's stored record, or
    ``None`` when it has none. A closed method admits only connectors already
    stored with it.
    """
    if status.phase is Lifecycle.REMOVED:
        raise MethodNotInstalled(status.method, connector_id=connector_id)
    if status.phase is Lifecycle.RETIRED:
        raise MethodRetired(
            _retired_message(status), status=status, connector_id=connector_id
        )
    if status.phase is Lifecycle.CLOSED and stored_method != status.method:
        since = f" since {status.closing_date}" if status.closing_date else ""
        instead = status.replacement or "another method"
        raise MethodClosed(
            f"authentication method {status.method!r} is closed to new "
            f"connectors{since}; create the connector with {instead!r} instead",
            status=status,
            connector_id=connector_id,
        )


def check_use_allowed(status: MethodStatus, connector_id: str) -> None:
    """Raise unless a connector of ``status.method`` may be used now."""
    if status.phase is Lifecycle.REMOVED:
        raise MethodNotInstalled(status.method, connector_id=connector_id)
    if status.phase is Lifecycle.RETIRED:
        raise MethodRetired(
            _retired_message(status), status=status, connector_id=connector_id
        )


def _retired_message(status: MethodStatus) -> str:
    since = f" on {status.sunset_date}" if status.sunset_date else ""
    return (
        f"authentication method {status.method!r} was retired{since} and can no "
        f"longer be used; move the connector with '{status.migrate_command}'"
    )
