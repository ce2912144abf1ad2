"""The methods' checks, each condition broken in the sandbox.

Basic: rejected credentials, CAPTCHA lock-out, a password in place of a token,
an anonymous 200 and the token-expiry check without a signal. OAuth 2.0:
missing scopes, a site outside the grant, an anonymous 200 and the refresh a
check triggers. OAuth 1.0a: a deleted application link, a wrong public key
and a callback Jira cannot reach.
"""

from __future__ import annotations

import pytest

from connauth import TokenStore
from connauth_sandbox import TokenKind

from ._jira import CONSUMER_KEY
from ._jira import OAUTH1A_DEPRECATED
from ._jira import JiraWorld
from ._jira import assert_result
from ._jira import generate_rsa_pair
from ._jira import require_method

WRONG_TOKEN = "ATATT3xWrongTokenForDiagnosticsTests0000"


# -- basic and pat ----------------------------------------------------------------


def test_rejected_api_token_fails_credentials(jira: JiraWorld) -> None:
    connector = jira.connector("basic", api_token=WRONG_TOKEN)

    results = jira.check(connector)

    credentials = assert_result(results, "credentials", "fail", "copy-credentials")
    assert "did not accept the email and API token" in credentials.message
    assert_result(results, "account", "skip")
    assert_result(results, "expected-account", "skip")
    assert_result(results, "permissions", "skip")


def test_rejected_login_sent_once(jira: JiraWorld) -> None:
    connector = jira.connector("basic", api_token=WRONG_TOKEN)

    jira.check(connector)

    # credentials and account share one myself request, and the account
    # checks of the core do not send a credential a method check rejected.
    assert jira.sandbox.faults.login_attempts(jira.user) == 1
    assert jira.sandbox.faults.failed_logins(jira.user) == 1


def test_captcha_lockout_detected_not_retried(jira: JiraWorld) -> None:
    jira.sandbox.settings.captcha_after_failed_logins = 1
    jira.check(jira.connector("basic", api_token=WRONG_TOKEN))
    assert jira.sandbox.faults.is_locked_out(jira.user)

    # Even the right token is refused until the CAPTCHA is solved in a browser.
    results = jira.check(jira.connector("basic"))

    credentials = assert_result(results, "credentials", "fail", "copy-credentials")
    assert "CAPTCHA" in credentials.message
    assert "login.jsp" in credentials.message
    assert "does not retry" in credentials.message
    assert jira.sandbox.faults.login_attempts(jira.user) == 2
    assert_result(results, "permissions", "skip")


def test_password_in_place_of_token_explained(jira: JiraWorld) -> None:
    connector = jira.connector("basic", api_token=jira.user.password)

    results = jira.check(connector)

    token_format = assert_result(results, "api-token-format", "warn", "api-token")
    assert "password" in token_format.message
    credentials = assert_result(results, "credentials", "fail", "api-token")
    assert "no longer accepts account passwords" in credentials.message
    assert "Create an API token" in credentials.message


@pytest.mark.parametrize("kind", ["basic", "pat"])
def test_anonymous_answer_fails_credentials(jira: JiraWorld, kind: str) -> None:
    jira.sandbox.settings.anonymous_on_bad_credentials = True
    wrong = {"api_token": WRONG_TOKEN} if kind == "basic" else {"token": "d3Jvbmc"}
    connector = jira.connector(kind, **wrong)

    results = jira.check(connector)

    step = "api-token" if kind == "basic" else "create-token"
    credentials = assert_result(results, "credentials", "fail", step)
    assert "served it anonymously" in credentials.message


@pytest.mark.parametrize("kind", ["basic", "pat"])
def test_token_expiry_skipped_with_reason(jira: JiraWorld, kind: str) -> None:
    results = jira.check(jira.connector(kind))

    expiry = assert_result(results, "token-expiry", "skip")
    assert "does not report" in expiry.message
    assert_result(results, "credentials", "pass")


# -- oauth2 ---------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["oauth2-cloud", "oauth2-dc"])
def test_oauth2_checks_pass_after_login(jira: JiraWorld, kind: str) -> None:
    require_method("oauth2")
    connector = jira.connector(kind)
    jira.login(connector)

    results = jira.check(connector)

    for check_id in ("oauth2-granted-scopes", "myself", "permissions"):
        assert_result(results, check_id, "pass")


def test_withheld_scope_fails_granted_scopes(jira: JiraWorld) -> None:
    require_method("oauth2")
    jira.sandbox.settings.withheld_scopes = frozenset({"write:jira-work"})
    connector = jira.connector("oauth2-cloud")
    jira.login(connector)

    results = jira.check(connector)

    scopes = assert_result(
        results, "oauth2-granted-scopes", "fail", "cloud-permissions"
    )
    assert "write:jira-work" in scopes.message
    assert_result(results, "myself", "pass")


def test_withheld_offline_access_explained(jira: JiraWorld) -> None:
    require_method("oauth2")
    jira.sandbox.settings.withheld_scopes = frozenset({"offline_access"})
    connector = jira.connector("oauth2-cloud")
    record = jira.login(connector)

    results = jira.check(connector)

    assert record.tokens is not None
    assert record.tokens.refresh_token is None
    scopes = assert_result(
        results, "oauth2-granted-scopes", "fail", "cloud-permissions"
    )
    assert "no refresh token is issued" in scopes.message


def test_scope_mismatch_on_gateway_fails_myself(jira: JiraWorld) -> None:
    require_method("oauth2")
    jira.sandbox.settings.withheld_scopes = frozenset({"read:jira-user"})
    connector = jira.connector("oauth2-cloud")
    jira.login(connector)

    results = jira.check(connector)

    myself = assert_result(results, "myself", "fail", "cloud-permissions")
    assert "lacks a scope" in myself.message


def test_site_outside_grant_fails(jira: JiraWorld) -> None:
    require_method("oauth2")
    connector = jira.connector("oauth2-cloud")
    jira.login(connector)
    # A site created after consent is not part of the grant.
    jira.sandbox.add_cloud_site("beta")
    moved = jira.connector(
        "oauth2-cloud",
        connector_id="oauth2-cloud",
        site_url=jira.server.cloud_site_url("beta"),
    )

    results = jira.check(moved)

    resources = assert_result(
        results, "oauth2-accessible-resources", "fail", "cloud-site"
    )
    assert "does not include the configured site_url" in resources.message


def test_anonymous_answer_fails_oauth2_myself(jira: JiraWorld) -> None:
    require_method("oauth2")
    connector = jira.connector("oauth2-dc")
    record = jira.login(connector)
    assert record.tokens is not None
    jira.sandbox.settings.anonymous_on_bad_credentials = True
    jira.sandbox.revoke_token(record.tokens.access_token.get_secret_value())

    results = jira.check(connector)

    myself = assert_result(results, "myself", "fail", "dc-copy-credentials")
    assert "served it anonymously" in myself.message


def _stored_refresh_token(store: TokenStore, connector_id: str) -> str:
    record = store.get(connector_id)
    assert record is not None
    assert record.tokens is not None
    assert record.tokens.refresh_token is not None
    return record.tokens.refresh_token.get_secret_value()


def test_check_refresh_persisted_once(jira: JiraWorld) -> None:
    require_method("oauth2")
    connector = jira.connector("oauth2-cloud")
    record = jira.login(connector)
    assert record.tokens is not None
    jira.sandbox.expire_access_token(record.tokens.access_token.get_secret_value())
    before = len(jira.sandbox.issued_tokens(TokenKind.REFRESH_TOKEN))

    results = jira.check(connector)

    for check_id in ("myself", "oauth2-accessible-resources", "permissions"):
        assert_result(results, check_id, "pass")
    # myself, accessible-resources and the core's permissions check all found
    # the token expired. One refresh served them all, and the store contains
    # the refresh token it rotated to.
    # The client check's probe sends a made-up refresh token, which issues none.
    assert len(jira.sandbox.issued_tokens(TokenKind.REFRESH_TOKEN)) == before + 1
    latest = jira.sandbox.issued_tokens(TokenKind.REFRESH_TOKEN)[-1].value
    assert _stored_refresh_token(jira.store, connector.id) == latest


# -- oauth1a --------------------------------------------------------------------

oauth1a_deprecated = pytest.mark.filterwarnings(OAUTH1A_DEPRECATED)


@oauth1a_deprecated
def test_oauth1a_checks_pass_after_login(jira: JiraWorld) -> None:
    require_method("oauth1a")
    connector = jira.connector("oauth1a")
    jira.login(connector)

    results = jira.check(connector)

    for check_id in ("oauth1a-application-link", "myself", "permissions"):
        assert_result(results, check_id, "pass")
    callback = assert_result(results, "oauth1a-callback", "pass")
    assert "redirected to the callback" in callback.message


@oauth1a_deprecated
def test_deleted_application_link_fails(jira: JiraWorld) -> None:
    require_method("oauth1a")
    connector = jira.connector("oauth1a")
    jira.login(connector)
    jira.sandbox.remove_application_link(jira.dc, CONSUMER_KEY)

    results = jira.check(connector)

    link = assert_result(
        results, "oauth1a-application-link", "fail", "incoming-authentication"
    )
    assert link.details["oauth_problem"] == "consumer_key_unknown"
    assert_result(results, "oauth1a-callback", "skip")
    assert_result(results, "myself", "fail")
    assert_result(results, "permissions", "skip")


@oauth1a_deprecated
def test_wrong_public_key_fails(jira: JiraWorld) -> None:
    require_method("oauth1a")
    connector = jira.connector("oauth1a")
    jira.login(connector)
    other = generate_rsa_pair()
    jira.sandbox.replace_application_link_key(jira.dc, CONSUMER_KEY, other.public_pem)

    results = jira.check(connector)

    link = assert_result(
        results, "oauth1a-application-link", "fail", "incoming-authentication"
    )
    assert link.details["oauth_problem"] == "signature_invalid"
    assert "key pair does not match" in link.message


@oauth1a_deprecated
def test_unreachable_callback_reported(jira: JiraWorld) -> None:
    require_method("oauth1a")
    connector = jira.connector("oauth1a")
    jira.sandbox.settings.oauth1_callback_unreachable = True

    results = jira.check(connector)

    assert_result(results, "oauth1a-application-link", "pass")
    callback = assert_result(results, "oauth1a-callback", "fail", "jira-outbound-https")
    assert "could not reach the callback" in callback.message
    assert "firewall" in callback.message
