"""Setup checklists of both deployments."""

from __future__ import annotations

import re

import pytest

from connauth import Checklist
from connauth import Deployment
from connauth import HostIdentity
from connauth_oauth2 import OAuth2Config
from connauth_oauth2 import build_checklist
from connauth_oauth2 import connauth_checklist

from ._support import cloud_config
from ._support import dc_config

STEP_ID = re.compile(r"^[a-z0-9-]+$")
TYPED_FIELDS = {"deployment", "site_url", "client_id", "client_secret", "scopes"}


def shown(checklist: Checklist) -> dict[str, str]:
    return {value.label: value.value for step in checklist.steps for value in step.show}


def copy_back_fields(checklist: Checklist) -> set[str]:
    return {field.field for step in checklist.steps for field in step.copy_back}


@pytest.mark.parametrize("deployment", list(Deployment))
def test_step_ids_stable_and_distinct(
    host: HostIdentity, deployment: Deployment
) -> None:
    checklist = build_checklist(host, deployment)
    ids = [step.id for step in checklist.steps]
    assert len(ids) == len(set(ids))
    assert all(STEP_ID.match(step_id) for step_id in ids)
    prefix = "cloud-" if deployment is Deployment.CLOUD else "dc-"
    assert all(step_id.startswith(prefix) for step_id in ids)
    assert checklist.method == "oauth2"


def test_cloud_step_ids(host: HostIdentity) -> None:
    ids = [step.id for step in build_checklist(host, Deployment.CLOUD).steps]
    assert ids == [
        "cloud-site",
        "cloud-create-app",
        "cloud-distribution",
        "cloud-permissions",
        "cloud-callback",
        "cloud-copy-credentials",
    ]


def test_dc_step_ids(host: HostIdentity) -> None:
    ids = [step.id for step in build_checklist(host, Deployment.DATA_CENTER).steps]
    assert ids == [
        "dc-site",
        "dc-create-incoming-link",
        "dc-redirect-url",
        "dc-scopes",
        "dc-copy-credentials",
    ]


@pytest.mark.parametrize("deployment", list(Deployment))
def test_typed_fields_all_copied_back(
    host: HostIdentity, deployment: Deployment
) -> None:
    checklist = build_checklist(host, deployment)
    assert copy_back_fields(checklist) == TYPED_FIELDS
    assert copy_back_fields(checklist) <= set(OAuth2Config.model_fields)
    secrets = {f.field for s in checklist.steps for f in s.copy_back if f.secret}
    assert secrets == {"client_secret"}


def test_cloud_shows_host_values(host: HostIdentity) -> None:
    values = shown(build_checklist(host, Deployment.CLOUD))
    assert values["Callback URL"] == host.redirect_url
    assert values["Vendor name"] == host.name
    assert values["Privacy policy"] == host.privacy_policy_url


def test_cloud_scopes_with_console_labels(host: HostIdentity) -> None:
    step = build_checklist(host, Deployment.CLOUD).step("cloud-permissions")
    labels = {value.value: value.label for value in step.show}
    assert labels == {
        "read:jira-work": "View Jira issue data",
        "read:jira-user": "View user profiles",
        "write:jira-work": "Create and manage issues",
    }


def test_dc_shows_host_values(host: HostIdentity) -> None:
    checklist = build_checklist(host, Deployment.DATA_CENTER)
    values = shown(checklist)
    assert values["Redirect URL"] == host.redirect_url
    assert values["Name"] == host.name
    steps_text = " ".join(" ".join(step.instructions) for step in checklist.steps)
    for words in (
        "Application links",
        "Create link",
        "External application",
        "Incoming",
    ):
        assert words in steps_text


def test_dc_scope_step_follows_config(host: HostIdentity) -> None:
    config = dc_config(scopes=["READ"])
    step = connauth_checklist("oauth2", host, config, None).step("dc-scopes")  # type: ignore[union-attr]
    assert [(v.value, v.label) for v in step.show] == [
        ("READ", "View projects and issues")
    ]


def test_hook_picks_deployment(host: HostIdentity) -> None:
    cloud = connauth_checklist("oauth2", host, cloud_config(), None)
    dc = connauth_checklist("oauth2", host, dc_config(), None)
    default = connauth_checklist("oauth2", host, None, None)
    assert cloud is not None
    assert dc is not None
    assert default is not None
    assert cloud.steps[0].id == "cloud-site"
    assert dc.steps[0].id == "dc-site"
    assert default == cloud
    assert connauth_checklist("basic", host, None, None) is None


def test_no_host_hard_coded() -> None:
    other = HostIdentity(
        name="Other Product",
        redirect_url="https://other.example.test/cb",
        privacy_policy_url="https://other.example.test/p",
        public_base_url="https://other.example.test",
    )
    for deployment in Deployment:
        text = build_checklist(other, deployment).model_dump_json()
        assert "Example Host" not in text
        assert "host.example.test" not in text
        assert "other.example.test/cb" in text
