"""Prerequisite validation: findings against the host, each with its step."""

from __future__ import annotations

import pytest

from connauth import CheckStatus
from connauth import HostIdentity
from connauth_oauth2 import OAuth2Config
from connauth_oauth2 import connauth_validate_prerequisites

from ._support import DC_SITE
from ._support import cloud_config
from ._support import dc_config


def validate(
    config: OAuth2Config, host: HostIdentity
) -> dict[str, tuple[CheckStatus, str | None]]:
    results = connauth_validate_prerequisites("oauth2", config, host)
    assert results is not None
    return {result.id: (result.status, result.step) for result in results}


def test_valid_configs_have_no_findings(host: HostIdentity) -> None:
    assert validate(cloud_config(), host) == {}
    assert validate(dc_config(), host) == {}


def test_other_method_ignored(host: HostIdentity) -> None:
    assert connauth_validate_prerequisites("basic", cloud_config(), host) is None


def test_cloud_site_off_atlassian_warns(host: HostIdentity) -> None:
    findings = validate(cloud_config(site_url="https://jira.corp.test"), host)
    assert findings == {"oauth2-site-url": (CheckStatus.WARN, "cloud-site")}


def test_dc_endpoint_outside_site_fails(host: HostIdentity) -> None:
    config = dc_config(token_url="https://evil.example.test/rest/oauth2/latest/token")
    assert validate(config, host) == {"oauth2-endpoints": (CheckStatus.FAIL, "dc-site")}


@pytest.mark.parametrize(
    "url",
    [
        "https://jira.corp.test/other/rest/oauth2/latest/token",
        "https://jira.corp.test:8443/jira/rest/oauth2/latest/token",
        "https://jira.corp.test/jiraX/token",
    ],
)
def test_dc_endpoint_must_be_below_site_path(host: HostIdentity, url: str) -> None:
    findings = validate(dc_config(token_url=url), host)
    assert findings["oauth2-endpoints"] == (CheckStatus.FAIL, "dc-site")


def test_dc_endpoint_under_site_accepted(host: HostIdentity) -> None:
    config = dc_config(token_url=f"{DC_SITE}/plugins/custom/token")
    assert validate(config, host) == {}


def test_dc_unknown_scope_warns(host: HostIdentity) -> None:
    findings = validate(dc_config(scopes=["WRITE", "PROJECT_ADMIN"]), host)
    assert findings == {"oauth2-scopes": (CheckStatus.WARN, "dc-scopes")}


def test_dc_redirect_url_too_long(host: HostIdentity) -> None:
    long_host = host.model_copy(
        update={"redirect_url": "https://host.example.test/" + "a" * 450}
    )
    findings = validate(dc_config(), long_host)
    assert findings == {"oauth2-redirect-url": (CheckStatus.FAIL, "dc-redirect-url")}
    assert validate(cloud_config(), long_host) == {}


def test_hand_built_config_checked(host: HostIdentity) -> None:
    # model_construct skips the model's validators; the hook must still catch
    # what they would have caught.
    config = OAuth2Config.model_construct(
        **{
            **dict(cloud_config()),
            "site_url": "http://acme.atlassian.net",
            "client_id": "two words",
            "scopes": ("read:jira-work",),
            "token_url": "http://auth.example.test/token",
        }
    )
    insecure_host = HostIdentity.model_construct(
        **{**dict(host), "redirect_url": "http://host.example.test/cb#x"}
    )
    findings = validate(config, insecure_host)
    assert findings == {
        "oauth2-redirect-url": (CheckStatus.FAIL, "cloud-callback"),
        "oauth2-client-id": (CheckStatus.FAIL, "cloud-copy-credentials"),
        "oauth2-site-url": (CheckStatus.FAIL, "cloud-site"),
        "oauth2-scopes": (CheckStatus.FAIL, "cloud-permissions"),
        "oauth2-endpoints": (CheckStatus.FAIL, "cloud-create-app"),
    }


def test_all_findings_at_once(host: HostIdentity) -> None:
    config = OAuth2Config.model_construct(
        **{
            **dict(dc_config()),
            "authorize_url": "https://elsewhere.test/authorize",
            "token_url": "https://elsewhere.test/token",
        }
    )
    results = connauth_validate_prerequisites("oauth2", config, host)
    assert results is not None
    assert [r.id for r in results] == ["oauth2-endpoints", "oauth2-endpoints"]
    assert "authorize_url" in results[0].message
    assert "token_url" in results[1].message
