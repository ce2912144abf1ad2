"""The host application's entry point: one object per host.

Every request follows one path through the layers: the host calls
:class:`Connauth`. It validates configuration with the method's model, gets
the protocol pieces from the method's plugin through the plugin registry, runs
them over the connector's transport settings, and keeps the results in the
token store.
"""

from __future__ import annotations

import contextlib
import logging
import os
import secrets
from collections.abc import Callable
from collections.abc import Iterator
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl
from urllib.parse import urlsplit

import httpx
from pydantic import ValidationError

from connauth._bearer import OriginBoundAuth
from connauth._check_options import CheckOptions
from connauth._checklist import Checklist
from connauth._checks import CheckResult
from connauth._config import HttpSettings
from connauth._config import MethodConfig
from connauth._config import secret_field_names
from connauth._connector import Connector
from connauth._errors import AuthorizationDenied
from connauth._errors import ConfigError
from connauth._errors import ConnauthError
from connauth._errors import MethodNotInstalled
from connauth._errors import PluginError
from connauth._errors import ReauthorizationRequired
from connauth._errors import StateMismatch
from connauth._exchange import run_exchange
from connauth._exchange import run_exchange_async
from connauth._files import read_connector_file
from connauth._flow import Authorization
from connauth._flow import LoginResult
from connauth._host import HostIdentity
from connauth._lifecycle import LifecyclePolicy
from connauth._lifecycle import MethodStatus
from connauth._lifecycle import check_login_allowed
from connauth._lifecycle import check_use_allowed
from connauth._lifecycle import method_status
from connauth._method import Deployment
from connauth._method import Lifecycle
from connauth._method import MethodInfo
from connauth._migration import MigrationPlan
from connauth._migration import MigrationSource
from connauth._notices import LifecycleNotice
from connauth._notices import lifecycle_notice
from connauth._notices import warn_deprecated
from connauth._plugins import PluginRegistry
from connauth._session import RefreshPolicy
from connauth._session import SessionEvents
from connauth._session import TokenSession
from connauth._session import utc_now
from connauth._store import CredentialRecord
from connauth._store import PendingAuthorization
from connauth._store import TokenStore

__all__ = ["Connauth", "LoginPrompt"]

logger = logging.getLogger(__name__)

LOGIN_TTL = timedelta(minutes=10)
"""How long a started login waits for its callback."""


@dataclass(frozen=True)
class LoginPrompt:
    """A started login: send the admin to ``url``, then pass the callback to
    :meth:`Connauth.complete_login`. ``url`` is ``None`` for methods without a
    browser step; complete those with ``{"state": state}``."""

    connector_id: str
    url: str | None
    state: str
    expires_at: datetime

    def __repr__(self) -> str:
        return f"LoginPrompt(connector_id={self.connector_id!r}, url={self.url!r})"


class Connauth:
    """Connectors of one host application.

    Args:
        host: the host's identity, shown to admins and used as redirect URL.
        store: where credentials live; ``None`` opens the default
            :class:`~connauth.SqliteTokenStore`.
        registry: the plugins; ``None`` loads every installed plugin.
        clock: returns the current aware UTC time; tests pass their own. It
            also decides the methods' lifecycle phases.
        refresh_policy: when tokens are refreshed and how failures back off.
        lifecycle: the host's lifecycle phases and dates per method; ``None``
            keeps every plugin's declared phase.
    """

    def __init__(
        self,
        host: HostIdentity,
        *,
        store: TokenStore | None = None,
        registry: PluginRegistry | None = None,
        clock: Callable[[], datetime] = utc_now,
        refresh_policy: RefreshPolicy | None = None,
        lifecycle: LifecyclePolicy | None = None,
    ) -> None:
        if store is None:
            from connauth._sqlite_store import SqliteTokenStore

            store = SqliteTokenStore()
        self.host = host
        self.store = store
        self.registry = registry or PluginRegistry.from_environment()
        self._clock = clock
        self._refresh_policy = refresh_policy or RefreshPolicy()
        self._sessions: dict[str, TokenSession] = {}
        self._events = _RegistryEvents(self.registry)
        self.lifecycle_policy = lifecycle or LifecyclePolicy()
        self._deprecation_logged: set[tuple[str, str]] = set()

    # -- methods and configuration -------------------------------------------

    def methods(self) -> list[MethodInfo]:
        """Return the installed methods, ordered by name."""
        return self.registry.methods()

    def lifecycle_status(self, method: str) -> MethodStatus:
        """Return ``method``'s lifecycle phase and dates now, by this object's
        clock; ``REMOVED`` when no installed plugin provides it."""
        try:
            info: MethodInfo | None = self.registry.method(method)
        except MethodNotInstalled:
            info = None
        policy = self.lifecycle_policy.for_method(method)
        return method_status(method, info, policy, self._clock())

    def lifecycle_notice(self, method: str) -> LifecycleNotice:
        """Return what to tell admins about ``method``'s lifecycle now."""
        return lifecycle_notice(self.lifecycle_status(method))

    def checklist(
        self,
        method: str,
        config: MethodConfig | None = None,
        *,
        deployment: Deployment | None = None,
    ) -> Checklist:
        """Return ``method``'s setup checklist with this host's values filled in.

        ``deployment`` picks the steps of one deployment for a method that
        serves several, when no configuration exists yet.
        """
        self.registry.method(method)
        checklist: Checklist = self._call(
            "connauth_checklist",
            method,
            host=self.host,
            config=config,
            deployment=deployment,
        )
        return checklist

    def connector(
        self,
        connector_id: str,
        method: str,
        auth: Mapping[str, Any],
        http: Mapping[str, Any] | HttpSettings | None = None,
    ) -> Connector:
        """Build a connector, validating ``auth`` with the method's config model.

        Raises :class:`ConfigError` listing every invalid field, each with the
        checklist step that fixes it.
        """
        info = self.registry.method(method)
        try:
            config = info.config_model.model_validate(dict(auth))
        except ValidationError as error:
            deployment = _deployment_of(auth)
            raise self._config_error(connector_id, method, error, deployment) from None
        settings = (
            http
            if isinstance(http, HttpSettings)
            else _http_settings(connector_id, http or {})
        )
        return Connector(id=connector_id, method=method, config=config, http=settings)

    def load_connector(
        self, path: Path, *, environ: Mapping[str, str] | None = None
    ) -> Connector:
        """Load a connector from a TOML file (see :mod:`connauth._files`).

        Secret fields must be given as ``{ env = ... }`` or ``{ file = ... }``
        references; a literal secret raises :class:`ConfigError`.
        """
        document = read_connector_file(path, environ=environ or os.environ)
        info = self.registry.method(document.method)
        literal = sorted(
            name
            for name in secret_field_names(info.config_model)
            if name in document.auth and name not in document.referenced
        )
        if literal:
            raise ConfigError(
                f"{path}: auth.{literal[0]} is a secret and must not be written in "
                f'the file; give it as {{ env = "VARIABLE" }} or {{ file = "path" }}',
                problems=tuple(
                    (f"auth.{name}", "literal secret", None) for name in literal
                ),
                connector_id=document.id,
            )
        return self.connector(
            document.id, document.method, document.auth, document.http
        )

    def validate(self, connector: Connector) -> list[CheckResult]:
        """Check ``connector``'s configuration without sending anything.

        Returns the method's findings followed by the core's (URL shapes, CA
        bundle and proxy settings), all at once.
        """
        from connauth._prerequisites import validate_prerequisites

        return validate_prerequisites(self, connector)

    def method_findings(self, connector: Connector) -> list[CheckResult]:
        """Return only the method plugin's prerequisite findings for ``connector``."""
        results = self._call(
            "connauth_validate_prerequisites",
            connector.method,
            config=connector.config,
            host=self.host,
        )
        return list(results)

    # -- login -----------------------------------------------------------------

    def begin_login(self, connector: Connector) -> LoginPrompt:
        """Start a login; send the admin to the returned prompt's URL.

        Raises :class:`~connauth._lifecycle.MethodClosed` for a new connector
        of a closed method and :class:`~connauth._lifecycle.MethodRetired` for
        a retired one; warns with ``MethodDeprecationWarning`` for a
        deprecated or closed one.
        """
        notice = self._admit_login(connector)
        if notice is not None:
            warn_deprecated(notice)
        flow, state = self._prepare_login(connector)
        with self._client(connector) as client, _about(connector):
            prompt = run_exchange(
                client, flow.begin(state=state, callback_url=self.host.redirect_url)
            )
        return self._remember(connector, state, prompt.url, prompt.pending)

    async def begin_login_async(self, connector: Connector) -> LoginPrompt:
        """Start a login like :meth:`begin_login`, without blocking the event loop."""
        notice = self._admit_login(connector)
        if notice is not None:
            warn_deprecated(notice)
        flow, state = self._prepare_login(connector)
        async with self._async_client(connector) as client:
            with _about(connector):
                prompt = await run_exchange_async(
                    client,
                    flow.begin(state=state, callback_url=self.host.redirect_url),
                )
        return self._remember(connector, state, prompt.url, prompt.pending)

    def complete_login(
        self,
        connector: Connector,
        callback: str | Mapping[str, str],
        *,
        migrating_from: str | None = None,
    ) -> CredentialRecord:
        """Finish a login from the callback URL (or its query parameters) and
        store the credentials.

        ``migrating_from`` must name the connector's current method when the
        login moves it to another method; without it, a method change raises
        :class:`ConfigError` so that no connector switches by accident. A
        login that moves the connector runs the rest of a migration (see
        :class:`~connauth._migrate.MigrationRunner`). The new credentials are
        stored aside, verified with the method's connectivity checks, and
        switched in with one compare-and-swap write. The old credentials are
        kept for the source method's rollback window.
        """
        if self._moves_method(connector, migrating_from):
            from connauth._migrate import MigrationRunner

            runner = MigrationRunner(self)
            return runner.complete(connector, callback)
        result = self._obtain_login(connector, callback)
        return self._save_login(connector, result)

    async def complete_login_async(
        self,
        connector: Connector,
        callback: str | Mapping[str, str],
        *,
        migrating_from: str | None = None,
    ) -> CredentialRecord:
        """Finish a login like :meth:`complete_login`, without blocking the loop."""
        if self._moves_method(connector, migrating_from):
            from connauth._migrate import MigrationRunner

            runner = MigrationRunner(self)
            return await runner.complete_async(connector, callback)
        result = await self._obtain_login_async(connector, callback)
        return self._save_login(connector, result)

    def login(self, connector: Connector) -> CredentialRecord:
        """Log in a connector whose method needs no browser step (Basic).

        Raises :class:`ConfigError` for interactive methods: use
        :meth:`begin_login` and :meth:`complete_login` for those.
        """
        prompt = self.begin_login(connector)
        if prompt.url is not None:
            raise ConfigError(
                f"method {connector.method!r} needs an admin in a browser; use "
                "begin_login and complete_login",
                connector_id=connector.id,
            )
        return self.complete_login(connector, {"state": prompt.state})

    # -- using credentials -------------------------------------------------------

    def session(self, connector: Connector) -> TokenSession:
        """Return the token session of ``connector``, shared within this object.

        Raises :class:`~connauth._lifecycle.MethodRetired` for a retired
        method and :class:`MethodNotInstalled` for a method whose plugin is
        not installed; warns with ``MethodDeprecationWarning`` for a
        deprecated or closed one. :meth:`auth`, :meth:`client` and :meth:`async_client`
        do the same.
        """
        notice = self._admit_use(connector)
        if notice is not None:
            warn_deprecated(notice)
        return self._session(connector)

    def _session(
        self, connector: Connector, *, check_site: bool = True
    ) -> TokenSession:
        session = self._sessions.get(connector.id)
        if session is None or session.record.method != connector.method:
            record = self.store.get(connector.id)
            if record is None:
                raise ReauthorizationRequired(
                    f"connector {connector.id!r} has no stored credentials; run "
                    f"'connauth login {connector.id}'",
                    connector_id=connector.id,
                )
            if record.method != connector.method:
                # A migration moved the stored record; the caller's connector
                # configuration still names the old method.
                raise ConfigError(
                    f"connector {connector.id!r} is stored with method "
                    f"{record.method!r} but configured with {connector.method!r}; "
                    f"update its configuration to {record.method!r}",
                    connector_id=connector.id,
                )
            session = TokenSession(
                record=record,
                store=self.store,
                refresher=self._refresher(connector),
                http=connector.http,
                events=self._events,
                clock=self._clock,
                policy=self._refresh_policy,
            )
            self._sessions[connector.id] = session
        granted = session.record.site_url
        if check_site and granted != connector.config.site_url:
            # The credentials belong to the site they were granted for; a
            # changed site_url needs a new login, not a silent mismatch.
            raise ConfigError(
                f"connector {connector.id!r} is configured for "
                f"{connector.config.site_url} but its credentials were granted "
                f"for {granted}; log in again with 'connauth login "
                f"{connector.id}'",
                connector_id=connector.id,
            )
        return session

    def auth(self, connector: Connector) -> httpx.Auth:
        """Return the ``httpx.Auth`` for API requests of ``connector``.

        It authenticates every request it is given. :meth:`client` and
        :meth:`async_client` wrap it so that only requests to the connector's
        API origin carry credentials; a host that builds its own client with
        this auth must not send it anywhere else.
        """
        notice = self._admit_use(connector)
        if notice is not None:
            warn_deprecated(notice)
        return self._auth(connector)

    def _auth(
        self, connector: Connector, session: TokenSession | None = None
    ) -> httpx.Auth:
        auth: httpx.Auth = self._call(
            "connauth_http_auth",
            connector.method,
            config=connector.config,
            session=session or self._session(connector),
        )
        return auth

    def client(self, connector: Connector, **options: Any) -> httpx.Client:
        """Return an ``httpx.Client`` for the connector's REST API.

        Its ``base_url`` is the API base learned at login, so relative paths
        such as ``rest/api/3/myself`` work for every method. ``options``
        override the connector's transport settings.
        """
        notice = self._admit_use(connector)
        if notice is not None:
            warn_deprecated(notice)
        session = self._session(connector)
        merged = {**connector.http.client_options(), **options}
        return httpx.Client(
            base_url=_with_slash(session.record.api_base_url),
            auth=OriginBoundAuth(
                self._auth(connector, session), [session.record.api_base_url]
            ),
            **merged,
        )

    def async_client(self, connector: Connector, **options: Any) -> httpx.AsyncClient:
        """Return an ``httpx.AsyncClient`` for the connector's REST API."""
        notice = self._admit_use(connector)
        if notice is not None:
            warn_deprecated(notice)
        return self._async_client_of(self._session(connector), connector, options)

    def diagnostic_client(self, connector: Connector) -> httpx.AsyncClient:
        """Return the async client that connectivity checks use.

        Unlike :meth:`async_client` it also works when the connector's
        ``site_url`` no longer matches the site its credentials were granted
        for, so that the checks can report what the grant covers.
        """
        session = self._session(connector, check_site=False)
        return self._async_client_of(session, connector, {})

    def _async_client_of(
        self, session: TokenSession, connector: Connector, options: dict[str, Any]
    ) -> httpx.AsyncClient:
        merged = {**connector.http.client_options(), **options}
        return httpx.AsyncClient(
            base_url=_with_slash(session.record.api_base_url),
            auth=OriginBoundAuth(
                self._auth(connector, session), [session.record.api_base_url]
            ),
            **merged,
        )

    # -- checks and migration ------------------------------------------------------

    async def check(
        self, connector: Connector, *, options: CheckOptions | None = None
    ) -> list[CheckResult]:
        """Validate the configuration, then run the connectivity checks.

        ``options`` sets the expected account, the project and permissions to
        test, and the certificate-expiry warning; see ``docs/checks.md``.
        """
        from connauth._diagnostics import run_checks

        return await run_checks(self, connector, options=options)

    def plan_migration(
        self, connector_id: str, target: str, config: MethodConfig | None = None
    ) -> MigrationPlan:
        """Plan moving a stored connector to method ``target``.

        Works when the connector's current method is not installed: only the
        target method's plugin is asked. Sends nothing; for a plan that also
        uses the site's reported deployment and version, and for running the
        move, use :class:`~connauth._migrate.MigrationRunner`.
        """
        record = self.store.get(connector_id)
        if record is None:
            raise ConfigError(
                f"connector {connector_id!r} has no stored record to migrate",
                connector_id=connector_id,
            )
        source = MigrationSource(
            connector_id=record.connector_id,
            method=record.method,
            site_url=record.site_url,
            data=dict(record.data),
        )
        plan: MigrationPlan = self._call(
            "connauth_migrate", target, source=source, config=config
        )
        return plan

    # -- internals -----------------------------------------------------------------

    def _call(self, hook: str, method: str, **kwargs: Any) -> Any:
        result = self.registry.call(hook, method, **kwargs)
        if result is None:
            raise PluginError(
                f"plugin of method {method!r} does not implement {hook}; "
                "report it to the plugin's authors",
                plugin=method,
            )
        return result

    def _flow(self, connector: Connector) -> Authorization:
        flow: Authorization = self._call(
            "connauth_authenticate",
            connector.method,
            config=connector.config,
            host=self.host,
        )
        return flow

    def _prepare_login(self, connector: Connector) -> tuple[Authorization, str]:
        failures = [result for result in self.validate(connector) if result.failed]
        if failures:
            raise ConfigError(
                f"connector {connector.id!r} is not ready to log in: "
                + "; ".join(f"{r.id}: {r.message}" for r in failures),
                problems=tuple((r.id, r.message, r.step) for r in failures),
                connector_id=connector.id,
                step=failures[0].step,
            )
        return self._flow(connector), secrets.token_urlsafe(32)

    def _remember(
        self,
        connector: Connector,
        state: str,
        url: str | None,
        pending_values: Mapping[str, Any],
    ) -> LoginPrompt:
        expires_at = self._clock() + LOGIN_TTL
        pending = PendingAuthorization(
            connector_id=connector.id,
            method=connector.method,
            callback_url=self.host.redirect_url,
            expires_at=expires_at,
            values=dict(pending_values),
        )
        self.store.put_pending(state, pending)
        logger.info("connector %s: login started (%s)", connector.id, connector.method)
        return LoginPrompt(
            connector_id=connector.id, url=url, state=state, expires_at=expires_at
        )

    def _take_pending(
        self, connector: Connector, callback: str | Mapping[str, str]
    ) -> tuple[dict[str, str], PendingAuthorization]:
        params = _callback_params(callback)
        if params.get("error") == "access_denied":
            raise AuthorizationDenied(
                "the admin declined access on Jira's consent screen; start the "
                "login again and choose Accept",
                connector_id=connector.id,
            )
        state = params.get("state")
        pending = self.store.take_pending(state, now=self._clock()) if state else None
        if state is None or pending is None:
            raise StateMismatch(
                "the callback's state is missing, unknown, already used or expired; "
                "start the login again",
                connector_id=connector.id,
            )
        if pending.connector_id != connector.id or pending.method != connector.method:
            # Give the pending login back, so that its own connector can still
            # complete it; only a matching callback uses it up.
            self.store.put_pending(state, pending)
            raise StateMismatch(
                f"the callback belongs to connector {pending.connector_id!r} "
                f"({pending.method}), not to this one; start the login again",
                connector_id=connector.id,
            )
        return params, pending

    def _obtain_login(
        self, connector: Connector, callback: str | Mapping[str, str]
    ) -> LoginResult:
        """Take the pending login of ``callback`` and run the method's second half."""
        params, pending = self._take_pending(connector, callback)
        flow = self._flow(connector)
        with self._client(connector) as client, _about(connector):
            result: LoginResult = run_exchange(
                client, flow.complete(pending=pending.values, callback=params)
            )
        return result

    async def _obtain_login_async(
        self, connector: Connector, callback: str | Mapping[str, str]
    ) -> LoginResult:
        params, pending = self._take_pending(connector, callback)
        flow = self._flow(connector)
        async with self._async_client(connector) as client:
            with _about(connector):
                result: LoginResult = await run_exchange_async(
                    client, flow.complete(pending=pending.values, callback=params)
                )
        return result

    def _moves_method(self, connector: Connector, migrating_from: str | None) -> bool:
        """Whether the login moves a stored connector to another method.

        Raises :class:`ConfigError` when it would, unless ``migrating_from``
        names the stored method.
        """
        existing = self.store.get(connector.id)
        if existing is None or existing.method == connector.method:
            return False
        if existing.method != migrating_from:
            raise self._method_change_error(connector, existing.method)
        return True

    def _method_change_error(self, connector: Connector, stored: str) -> ConfigError:
        return ConfigError(
            f"connector {connector.id!r} is stored with method {stored!r}; plan "
            f"and run a migration to move it to {connector.method!r} "
            f"('connauth migrate --from {stored} --to {connector.method}')",
            connector_id=connector.id,
        )

    def _admit_login(self, connector: Connector) -> LifecycleNotice | None:
        """Raise if the method's phase forbids this login; return the notice to
        warn with when the method is deprecated."""
        status = self.lifecycle_status(connector.method)
        stored = self.store.get(connector.id)
        check_login_allowed(status, connector.id, stored.method if stored else None)
        return self._deprecation_notice(status, connector.id)

    def _admit_use(self, connector: Connector) -> LifecycleNotice | None:
        """Raise if the method's phase forbids using the connector; return the
        notice to warn with when the method is deprecated."""
        status = self.lifecycle_status(connector.method)
        check_use_allowed(status, connector.id)
        return self._deprecation_notice(status, connector.id)

    def _deprecation_notice(
        self, status: MethodStatus, connector_id: str
    ) -> LifecycleNotice | None:
        if status.phase not in (Lifecycle.DEPRECATED, Lifecycle.CLOSED):
            return None
        notice = lifecycle_notice(status)
        key = (status.method, connector_id)
        if key not in self._deprecation_logged:
            # Logged once per connector and method; the warning repeats.
            self._deprecation_logged.add(key)
            logger.warning(
                "connector %s uses deprecated method %s: %s",
                connector_id,
                status.method,
                notice.summary,
            )
        return notice

    def _save_login(
        self, connector: Connector, result: LoginResult
    ) -> CredentialRecord:
        existing = self.store.get(connector.id)
        if existing is not None and existing.method != connector.method:
            # Another worker stored the connector with another method since
            # complete_login checked.
            raise self._method_change_error(connector, existing.method)
        record = CredentialRecord(
            connector_id=connector.id,
            method=connector.method,
            site_url=connector.config.site_url,
            api_base_url=result.api_base_url,
            tokens=result.tokens,
            updated_at=self._clock(),
            data=dict(result.data),
        )
        stored = self.store.put(
            record, expected_version=existing.version if existing else 0
        )
        self._sessions.pop(connector.id, None)
        logger.info(
            "connector %s: login completed (%s)", connector.id, connector.method
        )
        return stored

    def _refresher(self, connector: Connector) -> Callable[[Any], Any]:
        def refresh(tokens: Any) -> Any:
            exchange = self.registry.call(
                "connauth_refresh",
                connector.method,
                config=connector.config,
                tokens=tokens,
                now=self._clock(),
            )
            if exchange is None:
                raise ReauthorizationRequired(
                    f"method {connector.method!r} cannot refresh tokens; log in again",
                    connector_id=connector.id,
                )
            return exchange

        return refresh

    def _client(self, connector: Connector) -> httpx.Client:
        return httpx.Client(**connector.http.client_options())

    def _async_client(self, connector: Connector) -> httpx.AsyncClient:
        return httpx.AsyncClient(**connector.http.client_options())

    def _config_error(
        self,
        connector_id: str,
        method: str,
        error: ValidationError,
        deployment: Deployment | None,
    ) -> ConfigError:
        steps = self._steps_by_field(method, deployment)
        problems = []
        for item in error.errors():
            field = ".".join(str(part) for part in item["loc"]) or "auth"
            # pydantic's message may quote the input; secrets are SecretStr, so
            # their inputs are never echoed, but keep the message short anyway.
            message = item["msg"].removeprefix("Value error, ")
            problems.append((field, message, steps.get(field.split(".")[0])))
        listed = "; ".join(
            f"{field}: {message}" + (f" (step {step})" if step else "")
            for field, message, step in problems
        )
        return ConfigError(
            f"invalid {method} configuration: {listed}",
            problems=tuple(problems),
            connector_id=connector_id,
            step=problems[0][2] if problems else None,
        )

    def _steps_by_field(
        self, method: str, deployment: Deployment | None
    ) -> dict[str, str]:
        try:
            checklist = self.checklist(method, deployment=deployment)
        except PluginError:
            return {}
        return {
            field.field: step.id for step in checklist.steps for field in step.copy_back
        }


class _RegistryEvents(SessionEvents):
    """Forwards session notifications to every plugin's notification hooks."""

    def __init__(self, registry: PluginRegistry) -> None:
        self._registry = registry

    def tokens_refreshed(self, connector_id: str, method: str) -> None:
        self._registry.broadcast(
            "connauth_tokens_refreshed", connector_id=connector_id, method=method
        )

    def reauthorization_required(
        self, connector_id: str, method: str, reason: str
    ) -> None:
        self._registry.broadcast(
            "connauth_reauthorization_required",
            connector_id=connector_id,
            method=method,
            reason=reason,
        )


def _http_settings(connector_id: str, http: Mapping[str, Any]) -> HttpSettings:
    """Validate a connector's ``[http]`` table into :class:`HttpSettings`."""
    try:
        return HttpSettings(**http)
    except ValidationError as error:
        problems = tuple(
            (
                "http." + ".".join(str(part) for part in item["loc"]),
                item["msg"].removeprefix("Value error, "),
                None,
            )
            for item in error.errors()
        )
        listed = "; ".join(f"{field}: {message}" for field, message, _ in problems)
        raise ConfigError(
            f"invalid [http] settings: {listed}",
            problems=problems,
            connector_id=connector_id,
        ) from None


def _deployment_of(auth: Mapping[str, Any]) -> Deployment | None:
    """Return the deployment named in raw ``auth`` input, if it names a valid one."""
    value = auth.get("deployment")
    if not isinstance(value, str):
        return None
    try:
        return Deployment(value)
    except ValueError:
        return None


@contextlib.contextmanager
def _about(connector: Connector) -> Iterator[None]:
    """Name ``connector`` in any connauth error raised inside the block."""
    try:
        yield
    except ConnauthError as error:
        if error.connector_id is None:
            error.connector_id = connector.id
        raise


def _callback_params(callback: str | Mapping[str, str]) -> dict[str, str]:
    if isinstance(callback, str):
        return dict(parse_qsl(urlsplit(callback).query, keep_blank_values=True))
    return dict(callback)


def _with_slash(url: str) -> str:
    return url if url.endswith("/") else url + "/"
