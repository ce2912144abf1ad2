"""Notices about phased-out methods and hooks, for admins and plugin authors.

A :class:`LifecycleNotice` is what a host shows its admins about a method:
the phase, the dates, the replacement and what to do. Deprecated and closed
methods also raise :class:`MethodDeprecationWarning` through
:func:`warn_deprecated`, so that a host's test suite finds every place that
still uses them.

Hooks are phased out with pluggy's ``warn_on_impl`` and ``warn_on_impl_args``
(pluggy 1.5 and later): pluggy emits the warning when a plugin implementing
the hook, or naming the argument, is registered, attributed to the plugin's
function. :func:`hook_deprecation` and :func:`hook_argument_deprecation`
build those warnings with the versions in the message.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from datetime import date
from typing import Any

from connauth._lifecycle import MethodStatus
from connauth._method import Lifecycle

__all__ = [
    "HookDeprecationWarning",
    "LifecycleNotice",
    "MethodDeprecationWarning",
    "hook_argument_deprecation",
    "hook_deprecation",
    "lifecycle_notice",
    "warn_deprecated",
]


@dataclass(frozen=True)
class LifecycleNotice:
    """The lifecycle facts a host shows admins about one method.

    Attributes:
        summary: one sentence on the method's phase and its dates.
        action: what an admin should do, or ``None`` when nothing is needed.
        migrate_command: the CLI command that moves connectors off the method,
            or ``None`` when the method is not being phased out.
    """

    method: str
    title: str
    phase: Lifecycle
    deprecation_date: date | None
    closing_date: date | None
    sunset_date: date | None
    days_to_sunset: int | None
    replacement: str | None
    summary: str
    action: str | None
    migrate_command: str | None

    @property
    def phasing_out(self) -> bool:
        """Whether the method is deprecated, closed, retired or removed."""
        return self.phase not in (Lifecycle.RECOMMENDED, Lifecycle.SUPPORTED)

    def to_dict(self) -> dict[str, Any]:
        """Return the notice as JSON-compatible data (dates as ISO strings)."""
        return {
            "method": self.method,
            "title": self.title,
            "phase": self.phase.value,
            "deprecation_date": _iso(self.deprecation_date),
            "closing_date": _iso(self.closing_date),
            "sunset_date": _iso(self.sunset_date),
            "days_to_sunset": self.days_to_sunset,
            "replacement": self.replacement,
            "summary": self.summary,
            "action": self.action,
            "migrate_command": self.migrate_command,
        }


def lifecycle_notice(status: MethodStatus) -> LifecycleNotice:
    """Return the notice for a method's lifecycle ``status``."""
    phasing_out = status.phase not in (Lifecycle.RECOMMENDED, Lifecycle.SUPPORTED)
    return LifecycleNotice(
        method=status.method,
        title=status.title,
        phase=status.phase,
        deprecation_date=status.deprecation_date,
        closing_date=status.closing_date,
        sunset_date=status.sunset_date,
        days_to_sunset=status.days_to_sunset,
        replacement=status.replacement,
        summary=_summary(status),
        action=_action(status) if phasing_out else None,
        migrate_command=status.migrate_command if phasing_out else None,
    )


def _summary(status: MethodStatus) -> str:
    name = f"{status.title} ({status.method})"
    phase = status.phase
    if phase is Lifecycle.REMOVED:
        return (
            f"{name} is not installed: its connectors stay stored but cannot be "
            "used until they are migrated."
        )
    if phase is Lifecycle.RETIRED:
        since = f" on {status.sunset_date}" if status.sunset_date else ""
        return f"{name} was retired{since}: its connectors no longer work."
    if phase is Lifecycle.CLOSED:
        since = f" since {status.closing_date}" if status.closing_date else ""
        return (
            f"{name} takes no new connectors{since}; existing connectors work"
            + _until_sunset(status)
            + "."
        )
    if phase is Lifecycle.DEPRECATED:
        closing = (
            f"; new connectors stop on {status.closing_date}"
            if status.closing_date
            else ""
        )
        return f"{name} is deprecated{closing}" + _until_sunset(status, "; all") + "."
    return f"{name} is {phase.value}."


def _until_sunset(status: MethodStatus, prefix: str = "") -> str:
    if status.sunset_date is None:
        return ""
    lead = f"{prefix} connectors stop" if prefix else " until"
    days = status.days_to_sunset
    return f"{lead} on {status.sunset_date} (in {days} days)"


def _action(status: MethodStatus) -> str:
    target = repr(status.replacement) if status.replacement else "another method"
    return (
        f"Move every connector of {status.method!r} to {target}: preview with "
        f"'{status.migrate_command} --dry-run', then run it without --dry-run."
    )


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value is not None else None


class MethodDeprecationWarning(DeprecationWarning):
    """A connector logged in with, or used, a deprecated or closed method.

    ``notice`` contains the phase, dates and replacement. Hosts that have planned
    the migration can silence it with
    ``warnings.filterwarnings("ignore", category=MethodDeprecationWarning)``.
    """

    def __init__(self, notice: LifecycleNotice) -> None:
        message = f"authentication method {notice.method!r} is deprecated: " + (
            notice.summary
        )
        if notice.action:
            message += " " + notice.action
        super().__init__(message)
        self.notice = notice


def warn_deprecated(notice: LifecycleNotice, *, stacklevel: int = 2) -> None:
    """Emit :class:`MethodDeprecationWarning` for ``notice``.

    ``stacklevel`` counts as it would for a ``warnings.warn`` call placed where
    this helper is called: 2, the default, attributes the warning to the
    caller of the function that calls this helper, which is the host's line.
    """
    warnings.warn(MethodDeprecationWarning(notice), stacklevel=stacklevel + 1)


class HookDeprecationWarning(DeprecationWarning):
    """A plugin implements a hook, or a hook argument, that is being removed."""


def hook_deprecation(
    hook: str, *, since: str, removed_in: str, instead: str
) -> HookDeprecationWarning:
    """Return the ``warn_on_impl`` warning for a hookspec being phased out.

    Example::

        @hookspec(warn_on_impl=hook_deprecation(
            "connauth_old", since="1.1", removed_in="2.0", instead="connauth_new"))
        def connauth_old(method: str) -> str | None: ...
    """
    return HookDeprecationWarning(
        f"hook {hook} is deprecated since hook API {since} and is removed in "
        f"{removed_in}; implement {instead} instead"
    )


def hook_argument_deprecation(
    hook: str, argument: str, *, since: str, removed_in: str, instead: str
) -> HookDeprecationWarning:
    """Return a ``warn_on_impl_args`` warning for one argument of a hookspec.

    pluggy emits it when an implementation names ``argument`` among its
    parameters, so plugins that do not ask for the argument see nothing.
    """
    return HookDeprecationWarning(
        f"argument {argument!r} of hook {hook} is deprecated since hook API "
        f"{since} and is removed in {removed_in}; use {instead} instead"
    )
