"""Prerequisite validation: every problem found before anything is sent.

The method's plugin checks its own configuration
(``connauth_validate_prerequisites``). The core adds what every connector
shares: the transport settings and the shape of every URL field, repeated
here because a configuration built without validation (pydantic's
``model_construct``) skips the model's own checks.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from connauth._checks import CheckResult
from connauth._checks import CheckStatus
from connauth._config import HttpSettings
from connauth._config import MethodConfig
from connauth._config import ssl_context
from connauth._connector import Connector
from connauth._errors import ConfigError
from connauth._errors import PluginError
from connauth._urls import check_url

if TYPE_CHECKING:
    from connauth._connauth import Connauth

__all__ = ["CheckSteps", "validate_prerequisites"]

# Config fields that contain the account's own credential, in order of
# preference. The step that collects them is where an admin picks the account.
_ACCOUNT_FIELDS = ("email", "username", "token", "api_token")
_PROXY_SCHEMES = frozenset({"http", "https", "socks5", "socks5h"})


@dataclass(frozen=True)
class CheckSteps:
    """The checklist steps that core checks name, found by the fields they ask for.

    Methods name their own steps. The core looks up the step whose copy-back
    fields include ``site_url`` (where the admin enters the site) and the step
    that collects the account's credential, so its findings point into the
    method's checklist without knowing the method.
    """

    by_field: Mapping[str, str]
    titles: Mapping[str, str]

    @classmethod
    def of(cls, connauth: Connauth, connector: Connector) -> CheckSteps:
        """Return the steps of ``connector``'s checklist; empty when the method
        has no checklist."""
        try:
            checklist = connauth.checklist(connector.method, connector.config)
        except PluginError:
            return cls(by_field={}, titles={})
        by_field: dict[str, str] = {}
        for step in checklist.steps:
            for field in step.copy_back:
                by_field.setdefault(field.field, step.id)
        titles = {step.id: step.title for step in checklist.steps}
        return cls(by_field=by_field, titles=titles)

    @property
    def site(self) -> str | None:
        """The step that collects ``site_url``."""
        return self.by_field.get("site_url")

    @property
    def account(self) -> str | None:
        """The step that collects the account's credential, if the method has one."""
        for field in _ACCOUNT_FIELDS:
            if field in self.by_field:
                return self.by_field[field]
        return None


def validate_prerequisites(
    connauth: Connauth, connector: Connector, steps: CheckSteps | None = None
) -> list[CheckResult]:
    """Return the method's findings followed by the core's, all at once."""
    steps = steps or CheckSteps.of(connauth, connector)
    return [
        *connauth.method_findings(connector),
        *_url_findings(connector.config, steps),
        *_transport_findings(connector.http),
    ]


def _url_findings(config: MethodConfig, steps: CheckSteps) -> list[CheckResult]:
    findings = []
    for name, value in config:
        if not name.endswith("_url") or not isinstance(value, str):
            continue
        allow_http = name == "site_url" and type(config).allows_http_site()
        try:
            check_url(value, field=name, allow_http=allow_http)
        except ValueError as error:
            findings.append(
                CheckResult(
                    id=name.replace("_", "-") + "-shape",
                    status=CheckStatus.FAIL,
                    message=str(error),
                    step=steps.by_field.get(name, steps.site),
                    details={"field": name},
                )
            )
    return findings


def _transport_findings(http: HttpSettings) -> list[CheckResult]:
    findings = []
    if isinstance(http.verify, str):
        try:
            ssl_context(http.verify)
        except ConfigError as error:
            findings.append(_finding("http-verify", CheckStatus.FAIL, error.message))
    elif http.verify is False:
        findings.append(
            _finding(
                "http-verify",
                CheckStatus.WARN,
                "http.verify is false: TLS certificates are not checked, so any "
                "server can pose as the site; set it to true, or to the path of "
                "the site's CA bundle",
            )
        )
    if http.proxy is not None:
        problem = _proxy_problem(http.proxy)
        if problem is not None:
            findings.append(_finding("http-proxy", CheckStatus.FAIL, problem))
    return findings


def _proxy_problem(proxy: str) -> str | None:
    parts = urlsplit(proxy)
    # The proxy URL may carry the proxy's own user and password: never repeat it.
    without_userinfo = (
        f"{parts.scheme}://{parts.hostname}" if parts.hostname else "the value"
    )
    if parts.scheme.lower() not in _PROXY_SCHEMES or not parts.hostname:
        schemes = ", ".join(sorted(_PROXY_SCHEMES))
        return (
            "http.proxy must be a URL such as http://proxy.example.com:3128 with "
            f"one of the schemes {schemes}; got {without_userinfo}"
        )
    return None


def _finding(check_id: str, status: CheckStatus, message: str) -> CheckResult:
    return CheckResult(id=check_id, status=status, message=message)
