"""Hook specifications: the contract between the core and method plugins.

A method plugin is a module (or object) registered under the entry-point group
``connauth.methods``; other plugins, such as CLI extensions, use
``connauth.extensions``. Every plugin declares the hook API version it was
written for as a module attribute::

    CONNAUTH_HOOK_API = "1.0"

A plugin loads when its major version equals :data:`HOOK_API_VERSION`'s and
its minor version is not newer; otherwise it is reported with both versions
and skipped.

Method hooks receive ``method``, the name of the method the call is for. The
core calls each method hook only on the plugin that declared that method in
:func:`connauth_describe_methods`, so an error in one plugin cannot affect
another. A plugin that provides several methods dispatches on ``method`` and
returns ``None`` for names that are not its own.

Secrets reach hooks only as ``SecretStr`` or inside models whose ``repr``
masks them, so pluggy's tracing never prints one.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import pluggy

if TYPE_CHECKING:
    from datetime import datetime

    import click
    import httpx

    from connauth._checklist import Checklist
    from connauth._checks import CheckResult
    from connauth._checks import ConnectivityCheck
    from connauth._config import MethodConfig
    from connauth._exchange import Exchange
    from connauth._flow import Authorization
    from connauth._host import HostIdentity
    from connauth._method import Deployment
    from connauth._method import MethodInfo
    from connauth._migration import MigrationPlan
    from connauth._migration import MigrationSource
    from connauth._session import TokenSession
    from connauth._tokens import TokenSet

__all__ = ["HOOK_API_VERSION", "PROJECT_NAME", "hookimpl", "hookspec"]

PROJECT_NAME = "connauth"
HOOK_API_VERSION = "1.0"
"""Version of this hook API: the major part changes on incompatible changes."""

hookspec = pluggy.HookspecMarker(PROJECT_NAME)
hookimpl = pluggy.HookimplMarker(PROJECT_NAME)


# -------------------------------------------------------------------------
# Describing a method
# -------------------------------------------------------------------------


@hookspec
def connauth_describe_methods() -> Sequence[MethodInfo]:
    """Describe the authentication methods this plugin provides.

    Called once per plugin when the plugin manager loads it, and again
    whenever the host lists methods.

    :return: one :class:`~connauth.MethodInfo` per method, usually one.
        Each method name must equal the plugin's entry-point name or be
        unique across plugins. An empty sequence provides no method.

    Not firstresult: every plugin is called, and the results are collected.
    """
    raise NotImplementedError


@hookspec(firstresult=True)
def connauth_checklist(
    method: str,
    host: HostIdentity,
    config: MethodConfig | None,
    deployment: Deployment | None,
) -> Checklist | None:
    """Build the setup checklist an admin follows in Jira for ``method``.

    Called when a host shows setup instructions, and by
    ``connauth checklist``.

    :param method: the method the checklist is for.
    :param host: the host's identity; its values fill the steps (callback URL,
        vendor name, privacy-policy URL).
    :param config: the connector's configuration when one exists, so values
        derived from it (an OAuth 1.0a public key) can be shown; ``None``
        before the admin has entered anything.
    :param deployment: the Jira deployment the admin chose, when known
        without a valid configuration (for example while reporting an invalid
        one); ``None`` otherwise. A method that serves several deployments
        uses it, or ``config``'s, to pick the steps.
    :return: the checklist, or ``None`` if ``method`` is not this plugin's.

    Stops at the first non-``None`` result.
    """
    raise NotImplementedError


@hookspec(firstresult=True)
def connauth_validate_prerequisites(
    method: str, config: MethodConfig, host: HostIdentity
) -> Sequence[CheckResult] | None:
    """Check a configuration before anything is sent to Jira.

    Called by ``Connauth.validate`` and before every login.

    :param method: the method of the connector.
    :param config: the parsed configuration. Field shapes were already
        checked by the config model; this hook checks what needs more
        context: fields against each other, against the host, and against
        this runtime (for example whether it can sign with RSA-SHA1).
    :param host: the host's identity.
    :return: every finding, each naming the checklist step that fixes it; an
        empty sequence when all is well; ``None`` if ``method`` is not this
        plugin's.

    Stops at the first non-``None`` result.
    """
    raise NotImplementedError


@hookspec(firstresult=True)
def connauth_connectivity_checks(
    method: str, config: MethodConfig
) -> Sequence[ConnectivityCheck] | None:
    """List the connectivity checks ``connauth check`` runs for ``method``.

    :param method: the method of the connector.
    :param config: the connector's configuration.
    :return: the checks, in the order to report them; ``None`` if ``method``
        is not this plugin's. The core adds its own generic checks (server
        reachable, server info) before these.

    Stops at the first non-``None`` result.
    """
    raise NotImplementedError


# -------------------------------------------------------------------------
# Obtaining and using credentials
# -------------------------------------------------------------------------


@hookspec(firstresult=True)
def connauth_authenticate(
    method: str, config: MethodConfig, host: HostIdentity
) -> Authorization | None:
    """Return the login flow for a connector of ``method``.

    Called by ``Connauth.begin_login`` and ``Connauth.complete_login``. The
    returned object must not send requests itself: its steps are
    :data:`~connauth.Exchange` generators that the core runs.

    :param method: the method of the connector.
    :param config: the connector's configuration.
    :param host: the host's identity (for its redirect URL).
    :return: the flow, or ``None`` if ``method`` is not this plugin's.

    Stops at the first non-``None`` result.
    """
    raise NotImplementedError


@hookspec(firstresult=True)
def connauth_refresh(
    method: str, config: MethodConfig, tokens: TokenSet, now: datetime
) -> Exchange[TokenSet] | None:
    """Return an exchange that trades ``tokens`` for fresh ones.

    Called by the core's token session when the access token is about to
    expire or was rejected, while it holds the connector's lease. The core
    persists the result before anyone uses it.

    :param method: the method of the connector.
    :param config: the connector's configuration.
    :param tokens: the current token set; ``tokens.refresh_token`` is set.
    :param now: the host's current time (aware, UTC). Compute ``expires_at``
        from it rather than from the system clock, so that a host's injected
        clock applies to refreshed tokens too.
    :return: the exchange, or ``None`` if ``method`` is not this plugin's or
        it has no refresh. The exchange raises
        :class:`~connauth.ReauthorizationRequired` for a dead grant,
        :class:`~connauth.TransientAuthError` for 429, 5xx and timeouts, and
        :class:`~connauth.ClientCredentialsInvalid` for a rejected client.

    Stops at the first non-``None`` result.
    """
    raise NotImplementedError


@hookspec(firstresult=True)
def connauth_http_auth(
    method: str, config: MethodConfig, session: TokenSession
) -> httpx.Auth | None:
    """Return the ``httpx.Auth`` that authenticates API requests.

    The object must work with both ``httpx.Client`` and ``httpx.AsyncClient``.
    Bearer-token methods can return :class:`~connauth.BearerAuth`, which
    refreshes through ``session``.

    :param method: the method of the connector.
    :param config: the connector's configuration.
    :param session: the connector's stored credentials, with refresh.
    :return: the auth object, or ``None`` if ``method`` is not this plugin's.

    Stops at the first non-``None`` result.
    """
    raise NotImplementedError


# -------------------------------------------------------------------------
# Moving between methods
# -------------------------------------------------------------------------


@hookspec(firstresult=True)
def connauth_migrate(
    method: str, source: MigrationSource, config: MethodConfig | None
) -> MigrationPlan | None:
    """Plan moving a connector from another method to ``method``.

    Called on the **target** method's plugin, so a connector can move even
    when its source method's plugin is no longer installed: ``source`` holds
    only what the core stores. Called by ``Connauth.plan_migration``, by a
    dry run, and again before a migration starts its login; the plan must
    not send requests or change anything.

    :param method: the target method.
    :param source: the connector as the core stores it (method, site URL,
        non-secret facts). When the stored facts lack them, the migration
        runner adds ``source.data["deployment"]`` (``"cloud"`` or
        ``"server"``, as Jira's ``serverInfo`` reports it, lower-cased) and
        ``source.data["server_version"]`` from the site's ``serverInfo``, so
        the plan can choose the deployment's flow or block an old server.
    :param config: the target configuration when the host has one already;
        ``None`` in a dry run without one, when ``target_needs`` should name
        the fields to supply.
    :return: the plan, or ``None`` if ``method`` is not this plugin's.
        ``carries_over`` names the settings kept, ``target_needs`` the
        configuration fields still missing, ``requires_reauthorization``
        whether an admin must log in, and ``blocked`` why the move cannot
        happen (``None`` when it can). The runner replaces
        ``source_credentials`` with what it does with the stored old
        credentials (deleted at the switch, or kept for the rollback window).

    Stops at the first non-``None`` result.
    """
    raise NotImplementedError


# -------------------------------------------------------------------------
# Notifications and extensions
# -------------------------------------------------------------------------


@hookspec
def connauth_tokens_refreshed(connector_id: str, method: str) -> None:
    """Called after a connector's refreshed tokens were persisted.

    Never receives the tokens. Every plugin is called; return values are
    ignored.
    """


@hookspec
def connauth_reauthorization_required(
    connector_id: str, method: str, reason: str
) -> None:
    """Called after a connector was flagged as needing a new login.

    :param reason: the server's error code or a short cause, never a secret.

    Every plugin is called; return values are ignored.
    """


@hookspec
def connauth_cli_commands() -> Sequence[click.Command]:
    """Return extra ``click`` commands for the ``connauth`` CLI.

    Called once when the CLI starts. Not firstresult: commands from every
    plugin are added; a name already taken is reported and skipped.
    """
    raise NotImplementedError
