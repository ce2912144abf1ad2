"""connauth: connect a host application to Jira sites with pluggable auth methods.

The public API is what this module exports. Method plugins import only from
here; names starting with an underscore are private and may change.
"""

from __future__ import annotations

from connauth._bearer import BearerAuth
from connauth._check_options import CheckOptions
from connauth._checklist import Checklist
from connauth._checklist import ChecklistStep
from connauth._checklist import CopyBackField
from connauth._checklist import ShownValue
from connauth._checks import CheckContext
from connauth._checks import CheckResult
from connauth._checks import CheckStatus
from connauth._checks import ConnectivityCheck
from connauth._config import HttpSettings
from connauth._config import MethodConfig
from connauth._config import dump_with_secrets
from connauth._config import load_with_secrets
from connauth._connauth import Connauth
from connauth._connauth import LoginPrompt
from connauth._connector import Connector
from connauth._diagnostics import run_checks
from connauth._errors import AuthenticationFailed
from connauth._errors import AuthError
from connauth._errors import AuthorizationDenied
from connauth._errors import AuthorizationFlowError
from connauth._errors import CaptchaRequired
from connauth._errors import ClientCredentialsInvalid
from connauth._errors import CloudPasswordRejected
from connauth._errors import ConfigError
from connauth._errors import ConnauthError
from connauth._errors import CryptoPolicyError
from connauth._errors import InsecureTransportError
from connauth._errors import KeyFormatError
from connauth._errors import KeyPassphraseRequired
from connauth._errors import KeyTypeError
from connauth._errors import MethodNotInstalled
from connauth._errors import OAuthProblem
from connauth._errors import PluginError
from connauth._errors import PluginLoadError
from connauth._errors import ProtocolError
from connauth._errors import ReauthorizationRequired
from connauth._errors import RecordTampered
from connauth._errors import ScopeMismatch
from connauth._errors import StateMismatch
from connauth._errors import StoreConflict
from connauth._errors import StoreError
from connauth._errors import StoreKeyError
from connauth._errors import TransientAuthError
from connauth._errors import UnsupportedTokenType
from connauth._exchange import Exchange
from connauth._exchange import run_exchange
from connauth._exchange import run_exchange_async
from connauth._flow import Authorization
from connauth._flow import AuthorizationPrompt
from connauth._flow import LoginResult
from connauth._hookspec import HOOK_API_VERSION
from connauth._hookspec import hookimpl
from connauth._host import HostIdentity
from connauth._jira_checks import clock_skew_check
from connauth._journal import MigrationEntry
from connauth._journal import MigrationError
from connauth._journal import MigrationJournal
from connauth._journal import MigrationState
from connauth._journal import connector_records
from connauth._journal import is_reserved_id
from connauth._keygen import RsaKeyPair
from connauth._keygen import generate_rsa_key_pair
from connauth._keys import KeyRing
from connauth._lifecycle import LifecyclePolicy
from connauth._lifecycle import MethodClosed
from connauth._lifecycle import MethodPhaseError
from connauth._lifecycle import MethodPolicy
from connauth._lifecycle import MethodRetired
from connauth._lifecycle import MethodStatus
from connauth._lifecycle_report import LifecycleReport
from connauth._lifecycle_report import build_lifecycle_report
from connauth._method import Deployment
from connauth._method import Lifecycle
from connauth._method import MethodInfo
from connauth._migrate import MigrationBlocked
from connauth._migrate import MigrationRunner
from connauth._migrate_bulk import BulkMigration
from connauth._migrate_bulk import BulkOutcome
from connauth._migrate_bulk import BulkReport
from connauth._migration import MigrationPlan
from connauth._migration import MigrationSource
from connauth._notices import HookDeprecationWarning
from connauth._notices import LifecycleNotice
from connauth._notices import MethodDeprecationWarning
from connauth._notices import hook_argument_deprecation
from connauth._notices import hook_deprecation
from connauth._plugins import PluginFailure
from connauth._plugins import PluginRegistry
from connauth._responses import error_for_response
from connauth._responses import raise_for_response
from connauth._session import RefreshPolicy
from connauth._session import SessionEvents
from connauth._session import TokenSession
from connauth._sqlite_store import SqliteTokenStore
from connauth._store import AsyncTokenStore
from connauth._store import CredentialRecord
from connauth._store import LeaseTimeout
from connauth._store import PendingAuthorization
from connauth._store import PendingLimitReached
from connauth._store import RecordStatus
from connauth._store import StoreUnavailable
from connauth._store import TokenStore
from connauth._store import VersionConflict
from connauth._store_backends import AsyncTokenStoreAdapter
from connauth._store_backends import open_async_store
from connauth._store_backends import open_store
from connauth._tokens import TokenSet
from connauth._tokens import parse_token_response
from connauth._urls import check_url

__all__ = [
    "HOOK_API_VERSION",
    "AsyncTokenStore",
    "AsyncTokenStoreAdapter",
    "AuthError",
    "AuthenticationFailed",
    "Authorization",
    "AuthorizationDenied",
    "AuthorizationFlowError",
    "AuthorizationPrompt",
    "BearerAuth",
    "BulkMigration",
    "BulkOutcome",
    "BulkReport",
    "CaptchaRequired",
    "CheckContext",
    "CheckOptions",
    "CheckResult",
    "CheckStatus",
    "Checklist",
    "ChecklistStep",
    "ClientCredentialsInvalid",
    "CloudPasswordRejected",
    "ConfigError",
    "Connauth",
    "ConnauthError",
    "ConnectivityCheck",
    "Connector",
    "CopyBackField",
    "CredentialRecord",
    "CryptoPolicyError",
    "Deployment",
    "Exchange",
    "HookDeprecationWarning",
    "HostIdentity",
    "HttpSettings",
    "InsecureTransportError",
    "KeyFormatError",
    "KeyPassphraseRequired",
    "KeyRing",
    "KeyTypeError",
    "LeaseTimeout",
    "Lifecycle",
    "LifecycleNotice",
    "LifecyclePolicy",
    "LifecycleReport",
    "LoginPrompt",
    "LoginResult",
    "MethodClosed",
    "MethodConfig",
    "MethodDeprecationWarning",
    "MethodInfo",
    "MethodNotInstalled",
    "MethodPhaseError",
    "MethodPolicy",
    "MethodRetired",
    "MethodStatus",
    "MigrationBlocked",
    "MigrationEntry",
    "MigrationError",
    "MigrationJournal",
    "MigrationPlan",
    "MigrationRunner",
    "MigrationSource",
    "MigrationState",
    "OAuthProblem",
    "PendingAuthorization",
    "PendingLimitReached",
    "PluginError",
    "PluginFailure",
    "PluginLoadError",
    "PluginRegistry",
    "ProtocolError",
    "ReauthorizationRequired",
    "RecordStatus",
    "RecordTampered",
    "RefreshPolicy",
    "RsaKeyPair",
    "ScopeMismatch",
    "SessionEvents",
    "ShownValue",
    "SqliteTokenStore",
    "StateMismatch",
    "StoreConflict",
    "StoreError",
    "StoreKeyError",
    "StoreUnavailable",
    "TokenSession",
    "TokenSet",
    "TokenStore",
    "TransientAuthError",
    "UnsupportedTokenType",
    "VersionConflict",
    "build_lifecycle_report",
    "check_url",
    "clock_skew_check",
    "connector_records",
    "dump_with_secrets",
    "error_for_response",
    "generate_rsa_key_pair",
    "hook_argument_deprecation",
    "hook_deprecation",
    "hookimpl",
    "is_reserved_id",
    "load_with_secrets",
    "open_async_store",
    "open_store",
    "parse_token_response",
    "raise_for_response",
    "run_checks",
    "run_exchange",
    "run_exchange_async",
]
