"""Per-user and per-project faults: CAPTCHA lock-outs and missing permissions.

The switches that apply to a whole sandbox are fields of ``SandboxSettings``;
the faults here name a user, a site or a project.
"""

from __future__ import annotations

import collections
import logging
import threading

from connauth_sandbox._models import Site
from connauth_sandbox._models import User

logger = logging.getLogger("connauth_sandbox")

ANY_PROJECT = "*"
"""Project key under which a denied permission applies to every project."""


class FaultState:
    """Failed-login counts and denied permissions of one sandbox.

    ``lock`` is the sandbox's lock: handlers and tests change the state from
    different threads.
    """

    def __init__(self, lock: threading.RLock) -> None:
        self._lock = lock
        self._failed_logins: collections.Counter[str] = collections.Counter()
        self._attempts: collections.Counter[str] = collections.Counter()
        self._locked_out: set[str] = set()
        self._denied: dict[tuple[str, str, str], set[str]] = {}

    # Failed logins and CAPTCHA lock-outs.

    def record_attempt(self, user: User) -> None:
        """Count a Basic login of the user, whatever its outcome."""
        with self._lock:
            self._attempts[user.account_id] += 1

    def login_attempts(self, user: User) -> int:
        """Return how many Basic logins of the user the sandbox received."""
        with self._lock:
            return self._attempts[user.account_id]

    def record_failed_login(self, user: User, threshold: int | None) -> None:
        """Count a rejected Basic login; lock the user out at ``threshold``."""
        with self._lock:
            self._failed_logins[user.account_id] += 1
            count = self._failed_logins[user.account_id]
            if threshold is not None and count >= threshold:
                if user.account_id not in self._locked_out:
                    logger.info(
                        "user %s locked out after %d failed logins",
                        user.account_id,
                        count,
                    )
                self._locked_out.add(user.account_id)

    def record_successful_login(self, user: User) -> None:
        """Reset the failed-login count, as a successful login does in Jira."""
        with self._lock:
            self._failed_logins.pop(user.account_id, None)

    def failed_logins(self, user: User) -> int:
        """Return the user's failed Basic logins since the last success."""
        with self._lock:
            return self._failed_logins[user.account_id]

    def is_locked_out(self, user: User) -> bool:
        with self._lock:
            return user.account_id in self._locked_out

    def lock_out(self, user: User) -> None:
        """Demand a CAPTCHA from the user's next Basic logins at once."""
        with self._lock:
            self._locked_out.add(user.account_id)

    def clear_lockout(self, user: User) -> None:
        """Lift the lock-out, as solving the CAPTCHA in a browser does."""
        with self._lock:
            self._locked_out.discard(user.account_id)
            self._failed_logins.pop(user.account_id, None)

    # Project permissions.

    def deny_permissions(
        self, user: User, site: Site, project_key: str, permissions: set[str]
    ) -> None:
        """Withhold ``permissions`` from the user in one project, or in every
        project with :data:`ANY_PROJECT`."""
        with self._lock:
            key = (user.account_id, site.name, project_key)
            self._denied.setdefault(key, set()).update(permissions)

    def allow_permissions(
        self, user: User, site: Site, project_key: str, permissions: set[str]
    ) -> None:
        """Give back permissions withheld with :meth:`deny_permissions`."""
        with self._lock:
            key = (user.account_id, site.name, project_key)
            denied = self._denied.get(key, set())
            denied.difference_update(permissions)
            if not denied:
                self._denied.pop(key, None)

    def denied_permissions(
        self, user: User, site: Site, project_key: str | None
    ) -> set[str]:
        """Return what the user lacks in ``project_key``, or in every project
        when it is ``None``."""
        with self._lock:
            everywhere = self._denied.get((user.account_id, site.name, ANY_PROJECT))
            denied = set(everywhere or ())
            if project_key is not None:
                denied |= self._denied.get(
                    (user.account_id, site.name, project_key), set()
                )
            return denied
