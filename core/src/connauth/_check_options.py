"""Options of ``connauth check``: the account and permissions to expect, and limits."""

from __future__ import annotations

import re

from pydantic import BaseModel
from pydantic import ConfigDict
from pydantic import Field
from pydantic import field_validator

__all__ = ["DEFAULT_PERMISSIONS", "CheckOptions"]

DEFAULT_PERMISSIONS: tuple[str, ...] = (
    "BROWSE_PROJECTS",
    "CREATE_ISSUES",
    "EDIT_ISSUES",
    "ADD_COMMENTS",
)
"""Project permissions a host that files and updates issues needs."""

# Jira permission keys are upper-case words joined by underscores.
_PERMISSION_KEY = re.compile(r"[A-Z][A-Z0-9_]*")
# Jira project keys: an upper-case letter, then upper-case letters, digits or "_".
_PROJECT_KEY = re.compile(r"[A-Z][A-Z0-9_]*")


class CheckOptions(BaseModel):
    """Settings of one ``connauth check`` run.

    Attributes:
        expected_account: the account the connector must act as: an account
            id (Cloud), a user name (Data Center) or an email address. ``None``
            skips the ``expected-account`` check.
        project_key: the project whose permissions are checked. With ``None``,
            Jira reports the permissions the account has in any project.
        permissions: the permission keys the account must hold.
        certificate_warning_days: warn when the site's TLS certificate expires
            within this many days.
        clock_skew_warning: warn when Jira's clock differs from this host's by
            more than this many seconds.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    expected_account: str | None = None
    project_key: str | None = None
    permissions: tuple[str, ...] = DEFAULT_PERMISSIONS
    certificate_warning_days: int = Field(default=14, ge=0)
    clock_skew_warning: float = Field(default=60.0, gt=0)

    @field_validator("expected_account")
    @classmethod
    def _account_not_blank(cls, value: str | None) -> str | None:
        if value is not None and not value.strip():
            raise ValueError("expected_account must not be blank; omit it instead")
        return value.strip() if value is not None else None

    @field_validator("project_key")
    @classmethod
    def _project_key_shape(cls, value: str | None) -> str | None:
        if value is not None and not _PROJECT_KEY.fullmatch(value):
            raise ValueError(
                f"project_key {value!r} is not a Jira project key: use upper-case "
                "letters, digits and '_', starting with a letter, such as DEMO"
            )
        return value

    @field_validator("permissions")
    @classmethod
    def _permission_keys(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        if not value:
            raise ValueError("permissions must name at least one permission key")
        for key in value:
            if not _PERMISSION_KEY.fullmatch(key):
                raise ValueError(
                    f"permission {key!r} is not a Jira permission key such as "
                    "BROWSE_PROJECTS"
                )
        return tuple(dict.fromkeys(value))
