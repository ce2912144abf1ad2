"""``connauth check`` as a library: run the checks, or build on the core's.

Hosts call :func:`run_checks` (or ``Connauth.check``) and render the results
with :mod:`connauth.render`, and turn a failed API response into a typed error
with :func:`error_for_response`. Method plugins use the rest: the ``serverInfo``
response that every check of a run shares (``CheckContext.server``), and
:func:`clock_skew_check`, whose stricter form a method returns from
``connauth_connectivity_checks`` to replace the core's. ``docs/checks.md``
lists every check with what its failure means and the step that fixes it.
"""

from __future__ import annotations

from connauth._account_checks import EXPECTED_ACCOUNT_CHECK_ID
from connauth._account_checks import PERMISSIONS_CHECK_ID
from connauth._check_options import DEFAULT_PERMISSIONS
from connauth._check_options import CheckOptions
from connauth._diagnostics import plan_checks
from connauth._diagnostics import run_checks
from connauth._jira_checks import CLOCK_SKEW_CHECK_ID
from connauth._jira_checks import DEPLOYMENT_CHECK_ID
from connauth._jira_checks import HTTP_CHECK_ID
from connauth._jira_checks import OAUTH1_TIMESTAMP_WINDOW
from connauth._jira_checks import OAUTH2_PROVIDER_SINCE
from connauth._jira_checks import PERSONAL_ACCESS_TOKENS_SINCE
from connauth._jira_checks import SERVER_INFO_CHECK_ID
from connauth._jira_checks import clock_skew_check
from connauth._jira_checks import server_of
from connauth._network_checks import DNS_CHECK_ID
from connauth._network_checks import TCP_CHECK_ID
from connauth._network_checks import Resolver
from connauth._network_checks import system_resolver
from connauth._prerequisites import CheckSteps
from connauth._prerequisites import validate_prerequisites
from connauth._responses import error_for_response
from connauth._responses import raise_for_response
from connauth._server_probe import ServerInfo
from connauth._server_probe import ServerInfoResult
from connauth._server_probe import ServerProbe
from connauth._server_probe import parse_server_info
from connauth._tls_check import TLS_CHECK_ID

__all__ = [
    "CLOCK_SKEW_CHECK_ID",
    "DEFAULT_PERMISSIONS",
    "DEPLOYMENT_CHECK_ID",
    "DNS_CHECK_ID",
    "EXPECTED_ACCOUNT_CHECK_ID",
    "HTTP_CHECK_ID",
    "OAUTH1_TIMESTAMP_WINDOW",
    "OAUTH2_PROVIDER_SINCE",
    "PERMISSIONS_CHECK_ID",
    "PERSONAL_ACCESS_TOKENS_SINCE",
    "SERVER_INFO_CHECK_ID",
    "TCP_CHECK_ID",
    "TLS_CHECK_ID",
    "CheckOptions",
    "CheckSteps",
    "Resolver",
    "ServerInfo",
    "ServerInfoResult",
    "ServerProbe",
    "clock_skew_check",
    "error_for_response",
    "parse_server_info",
    "plan_checks",
    "raise_for_response",
    "run_checks",
    "server_of",
    "system_resolver",
    "validate_prerequisites",
]
