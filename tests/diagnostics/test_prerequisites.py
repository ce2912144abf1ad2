"""Prerequisite validation: every rule broken, each finding naming its step.

Field shapes are checked twice: by the method's config model, when a
connector is built (a ``ConfigError`` that lists every problem), and again by
the prerequisite validation for configurations built without the model's
checks (``model_construct``). Both layers are tested here.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import hashes
from pydantic import SecretStr

from connauth import CheckResult
from connauth import ConfigError
from connauth import Connauth
from connauth import Connector
from connauth import HostIdentity
from connauth import HttpSettings
from connauth._prerequisites import validate_prerequisites
from connauth_basic import BasicConfig

from ._jira import OAUTH1A_DEPRECATED
from ._jira import JiraWorld
from ._jira import assert_result
from ._jira import require_method
from ._keys import KEY_FORMS
from ._keys import KeyForm


def _prerequisites(jira: JiraWorld, connector: Connector) -> dict[str, CheckResult]:
    results = validate_prerequisites(jira.connauth, connector)
    by_id = {result.id: result for result in results}
    assert len(by_id) == len(results), [result.id for result in results]
    return by_id


def _problems(error: ConfigError) -> dict[str, tuple[str, str | None]]:
    return {field: (message, step) for field, message, step in error.problems}


# -- every finding at once ----------------------------------------------------------


def test_all_findings_reported_together(jira: JiraWorld, tmp_path: Path) -> None:
    connector = jira.connector(
        "basic",
        email="ada.example.test",
        api_token="hunter2",
        http=HttpSettings(verify=str(tmp_path / "missing-ca.pem")),
    )

    results = _prerequisites(jira, connector)

    assert_result(results, "email", "fail", "copy-credentials")
    assert_result(results, "api-token-format", "warn", "api-token")
    verify = assert_result(results, "http-verify", "fail")
    assert "missing-ca.pem" in verify.message


def test_model_lists_every_invalid_field(jira: JiraWorld) -> None:
    with pytest.raises(ConfigError) as raised:
        jira.connauth.connector(
            "basic",
            "basic",
            {"site_url": "http://acme.atlassian.net", "email": "ada@example.test"},
        )

    problems = _problems(raised.value)
    assert problems["site_url"][1] == "copy-credentials"
    assert problems["api_token"][1] == "copy-credentials"
    assert "https://" in problems["site_url"][0]


# -- URL shapes -----------------------------------------------------------------------


def _constructed_basic(jira: JiraWorld, site_url: str) -> Connector:
    # model_construct skips the model's validators, as a hand-built config does.
    config = BasicConfig.model_construct(
        site_url=site_url,
        email=jira.user.email,
        api_token=SecretStr(jira.api_token),
        cloud_id=None,
        api_gateway_url="https://127.0.0.1:9/gateway",
    )
    return Connector(id="constructed", method="basic", config=config, http=jira.http)


@pytest.mark.parametrize(
    ("site_url", "expected"),
    [
        ("http://127.0.0.1:9/cloud/acme", "https://"),
        ("https://ada:hunter2@127.0.0.1:9/cloud/acme", "user name or password"),
        ("https://127.0.0.1:9/cloud/acme#top", "fragment"),
    ],
)
def test_url_shape_checked(jira: JiraWorld, site_url: str, expected: str) -> None:
    results = _prerequisites(jira, _constructed_basic(jira, site_url))

    shape = assert_result(results, "site-url-shape", "fail", "copy-credentials")
    assert expected in shape.message
    assert "hunter2" not in shape.message


# -- transport settings --------------------------------------------------------------


def test_verification_off_warned(jira: JiraWorld) -> None:
    connector = jira.connector("basic", http=HttpSettings(verify=False))

    assert_result(_prerequisites(jira, connector), "http-verify", "warn")


def test_malformed_proxy_rejected_without_credentials(jira: JiraWorld) -> None:
    proxy = "ftp://proxyuser:proxy-password@proxy.example.test:3128"
    connector = jira.connector(
        "basic", http=HttpSettings(verify=str(jira.server.ca_path), proxy=proxy)
    )

    proxy_result = assert_result(_prerequisites(jira, connector), "http-proxy", "fail")
    assert "ftp://proxy.example.test" in proxy_result.message
    assert "proxy-password" not in proxy_result.message


# -- basic and pat -------------------------------------------------------------------


def test_api_token_checksum_mismatch_warned(jira: JiraWorld) -> None:
    truncated = jira.api_token[:-1] + ("0" if jira.api_token[-1] != "0" else "1")
    connector = jira.connector("basic", api_token=truncated)

    results = _prerequisites(jira, connector)

    token = assert_result(results, "api-token-format", "warn", "copy-credentials")
    assert "checksum" in token.message


def test_basic_on_non_cloud_host_warned(jira: JiraWorld) -> None:
    connector = jira.connector("basic", site_url=jira.server.dc_site_url("corp"))

    site = assert_result(_prerequisites(jira, connector), "site-url", "warn")
    assert "use method 'pat'" in site.message


def test_pat_on_cloud_host_rejected(jira: JiraWorld) -> None:
    with pytest.raises(ConfigError) as raised:
        jira.connector("pat", site_url="https://acme.atlassian.net")

    message, step = _problems(raised.value)["site_url"]
    assert "does not accept personal access tokens" in message
    assert step == "copy-token"


def test_cloud_token_as_pat_rejected(jira: JiraWorld) -> None:
    connector = jira.connector("pat", token=jira.api_token)

    token = assert_result(
        _prerequisites(jira, connector), "token-format", "fail", "create-token"
    )
    assert "Jira Cloud API token" in token.message


# -- oauth2 --------------------------------------------------------------------------


def test_pinned_scopes_without_offline_access(jira: JiraWorld) -> None:
    require_method("oauth2")
    scopes = ["read:jira-work", "read:jira-user"]

    with pytest.raises(ConfigError) as raised:
        jira.connector("oauth2-cloud", scopes=scopes)

    message, step = _problems(raised.value)["scopes"]
    assert "offline_access" in message
    assert step == "cloud-permissions"


def test_refresh_off_needs_no_offline_access(jira: JiraWorld) -> None:
    require_method("oauth2")
    connector = jira.connector("oauth2-cloud", scopes=["read:jira-work"], refresh=False)

    assert "oauth2-scopes" not in _prerequisites(jira, connector)


def test_data_center_on_cloud_host_fails(jira: JiraWorld) -> None:
    require_method("oauth2")
    connector = jira.connector("oauth2-dc", site_url="https://acme.atlassian.net")

    site = assert_result(
        _prerequisites(jira, connector), "oauth2-site-url", "fail", "dc-site"
    )
    assert "set deployment to 'cloud'" in site.message


def test_long_redirect_url_fails_on_data_center(
    jira: JiraWorld, tmp_path: Path
) -> None:
    require_method("oauth2")
    base = jira.server.base_url
    host = HostIdentity(
        name="Long Host",
        redirect_url=f"{base}/host/callback/{'x' * 450}",
        privacy_policy_url=f"{base}/host/privacy",
        public_base_url=f"{base}/host",
    )
    connauth = Connauth(host, store=jira.store, registry=jira.connauth.registry)
    connector = connauth.connector(
        "oauth2-dc", "oauth2", jira.auth("oauth2-dc"), http=jira.http
    )

    results = {result.id: result for result in connauth.validate(connector)}

    redirect = assert_result(results, "oauth2-redirect-url", "fail", "dc-redirect-url")
    assert "at most 450" in redirect.message


# -- oauth1a -------------------------------------------------------------------------

oauth1a_deprecated = pytest.mark.filterwarnings(OAUTH1A_DEPRECATED)


def test_short_consumer_key_rejected(jira: JiraWorld) -> None:
    require_method("oauth1a")

    with pytest.raises(ConfigError) as raised:
        jira.connector("oauth1a", consumer_key="short-key")

    message, step = _problems(raised.value)["consumer_key"]
    assert "15" in message
    assert step == "incoming-authentication"


@pytest.mark.parametrize("form", KEY_FORMS, ids=lambda form: form.name)
def test_private_key_forms(jira: JiraWorld, form: KeyForm) -> None:
    require_method("oauth1a")
    auth = {"private_key": form.text}
    if form.passphrase is not None:
        auth["private_key_passphrase"] = form.passphrase

    if form.accepted:
        connector = jira.connector("oauth1a", **auth)
        results = _prerequisites(jira, connector)
        if form.warning is None:
            assert "private-key" not in results
        else:
            key = assert_result(results, "private-key", "warn", "generate-key")
            assert form.warning in key.message
        return

    with pytest.raises(ConfigError) as raised:
        jira.connector("oauth1a", **auth)
    problems = _problems(raised.value)
    field = "private_key_passphrase" if "passphrase" in form.name else "private_key"
    message, step = problems.get(field) or problems["private_key"]
    assert form.error is not None
    assert form.error in message
    assert step == "generate-key"
    assert form.secret_marker not in str(raised.value)


@oauth1a_deprecated
def test_sha1_refused_by_runtime(
    jira: JiraWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    require_method("oauth1a")
    import connauth_oauth1a._signer as signer

    # RHEL 9's DEFAULT crypto policy cannot be set up here. A hash that this
    # OpenSSL build refuses for RSA signatures makes cryptography raise the
    # same UnsupportedAlgorithm that such a policy causes for SHA-1.
    monkeypatch.setattr(signer, "_SHA1", hashes.BLAKE2b(64))
    connector = jira.connector("oauth1a")

    results = _prerequisites(jira, connector)
    checked = asyncio.run(_check_ids(jira, connector))

    signing = assert_result(results, "rsa-sha1-signing", "fail")
    assert "crypto policy" in signing.message
    assert "dns" not in checked


async def _check_ids(jira: JiraWorld, connector: Connector) -> set[str]:
    from connauth._diagnostics import run_checks

    return {result.id for result in await run_checks(jira.connauth, connector)}
