"""Results of prerequisite validation and connectivity checks."""

from __future__ import annotations

import enum
from collections.abc import Awaitable
from collections.abc import Callable
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

import httpx
from pydantic import BaseModel
from pydantic import ConfigDict
from pydantic import Field

from connauth._config import HttpSettings
from connauth._config import MethodConfig

if TYPE_CHECKING:
    from connauth._host import HostIdentity
    from connauth._server_probe import ServerProbe
    from connauth._store import CredentialRecord

__all__ = ["CheckContext", "CheckResult", "CheckStatus", "ConnectivityCheck"]

DetailValue = str | int | float | bool | None


class CheckStatus(enum.StrEnum):
    """Outcome of one check."""

    PASS = "pass"
    WARN = "warn"
    FAIL = "fail"
    SKIP = "skip"


class CheckResult(BaseModel):
    """The outcome of one prerequisite or connectivity check.

    ``step`` names the checklist step that fixes a failure. ``details`` carries
    measured values (status codes, versions, clock skew); never secrets.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str
    status: CheckStatus
    message: str
    step: str | None = None
    details: Mapping[str, DetailValue] = Field(default_factory=dict)

    @property
    def failed(self) -> bool:
        """Whether the check failed."""
        return self.status is CheckStatus.FAIL


@dataclass(frozen=True)
class CheckContext:
    """What a connectivity check may use.

    ``client`` is an ``httpx.AsyncClient`` whose ``base_url`` is the
    connector's API base and whose auth is the connector's method; ``None``
    when the connector has no stored credentials yet. ``anonymous`` sends no
    credentials and has no base URL. ``server`` shares the run's one anonymous
    ``serverInfo`` request. ``host`` is the host's identity, for checks of its
    callback URL. Both are ``None`` outside ``connauth check``.
    """

    connector_id: str
    method: str
    config: MethodConfig
    http: HttpSettings
    record: CredentialRecord | None
    client: httpx.AsyncClient | None
    anonymous: httpx.AsyncClient
    server: ServerProbe | None = None
    host: HostIdentity | None = None


@dataclass(frozen=True)
class ConnectivityCheck:
    """A named check a method contributes to ``connauth check``.

    ``run`` must not raise for an expected failure: it returns a
    :class:`CheckResult` with ``FAIL``. Checks run concurrently, each under
    its own ``timeout`` in seconds. ``requires`` names checks that must finish
    first: when one of them failed, this check is reported as skipped and never
    runs. The timeout starts once the required checks have finished.
    """

    id: str
    title: str
    description: str
    run: Callable[[CheckContext], Awaitable[CheckResult]]
    step: str | None = None
    timeout: float = 5.0
    requires: tuple[str, ...] = ()
