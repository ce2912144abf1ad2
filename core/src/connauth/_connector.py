"""Connectors: one Jira site, one method, and its configuration."""

from __future__ import annotations

import re
from dataclasses import dataclass
from dataclasses import field

from connauth._config import HttpSettings
from connauth._config import MethodConfig
from connauth._errors import ConfigError

__all__ = ["Connector"]

_ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")


@dataclass(frozen=True)
class Connector:
    """A host's connection to one Jira site.

    ``config``'s ``repr`` masks secrets, so a connector is safe to log.
    """

    id: str
    method: str
    config: MethodConfig
    http: HttpSettings = field(default_factory=HttpSettings)

    def __post_init__(self) -> None:
        if not _ID_PATTERN.fullmatch(self.id):
            raise ConfigError(
                f"connector id {self.id!r} is invalid: use 1 to 128 letters, digits, "
                "'.', '_' or '-', starting with a letter or digit",
                problems=(("id", "invalid connector id", None),),
            )
