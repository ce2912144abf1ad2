"""Jira REST resources on Cloud sites and Data Center, over TLS."""

from __future__ import annotations

import httpx
import pytest
from sandbox_support import World

from connauth_sandbox import SandboxServer


@pytest.fixture
def cloud_api(
    world: World, server: SandboxServer, client: httpx.Client
) -> httpx.Client:
    token = world.sandbox.issue_api_token(world.user)
    client.auth = httpx.BasicAuth(world.user.email, token)
    return client


def test_cloud_server_info(server: SandboxServer, client: httpx.Client) -> None:
    response = client.get(f"{server.cloud_site_url('acme')}/rest/api/3/serverInfo")

    assert response.status_code == 200
    info = response.json()
    assert info["deploymentType"] == "Cloud"
    assert info["baseUrl"] == server.cloud_site_url("acme")
    assert info["versionNumbers"][0] == 1001


def test_dc_server_info_reports_server(
    world: World, server: SandboxServer, client: httpx.Client
) -> None:
    world.sandbox.add_dc_site("legacy", version="9.12.4")

    default = client.get(f"{server.dc_site_url('corp')}/rest/api/2/serverInfo").json()
    legacy = client.get(f"{server.dc_site_url('legacy')}/rest/api/2/serverInfo").json()

    assert default["deploymentType"] == "Server"
    assert default["version"].startswith("10.3.")
    assert legacy["version"] == "9.12.4"
    assert legacy["versionNumbers"] == [9, 12, 4]
    assert legacy["buildNumber"] == 9120004


def test_gateway_server_info_is_anonymous(
    world: World, server: SandboxServer, client: httpx.Client
) -> None:
    url = f"{server.gateway_url}/ex/jira/{world.cloud.cloud_id}/rest/api/2/serverInfo"

    response = client.get(url)

    assert response.status_code == 200
    assert response.json()["baseUrl"] == server.cloud_site_url("acme")


def test_gateway_unknown_cloud_id(server: SandboxServer, client: httpx.Client) -> None:
    response = client.get(f"{server.gateway_url}/ex/jira/nope/rest/api/2/serverInfo")

    assert response.status_code == 404


def test_mypermissions_requires_permissions(
    cloud_api: httpx.Client, server: SandboxServer
) -> None:
    response = cloud_api.get(
        f"{server.cloud_site_url('acme')}/rest/api/3/mypermissions"
    )

    assert response.status_code == 400
    body = response.json()
    assert set(body) == {"errorMessages", "errors"}
    assert body["errorMessages"]


def test_mypermissions_lists_requested(
    cloud_api: httpx.Client, server: SandboxServer
) -> None:
    response = cloud_api.get(
        f"{server.cloud_site_url('acme')}/rest/api/3/mypermissions",
        params={"permissions": "BROWSE_PROJECTS,CREATE_ISSUES,ADMINISTER"},
    )

    assert response.status_code == 200
    permissions = response.json()["permissions"]
    assert set(permissions) == {"BROWSE_PROJECTS", "CREATE_ISSUES", "ADMINISTER"}
    assert permissions["BROWSE_PROJECTS"]["havePermission"] is True
    assert permissions["BROWSE_PROJECTS"]["type"] == "PROJECT"
    assert permissions["ADMINISTER"]["havePermission"] is False
    assert permissions["ADMINISTER"]["type"] == "GLOBAL"


def test_mypermissions_anonymous_has_none(
    server: SandboxServer, client: httpx.Client
) -> None:
    response = client.get(
        f"{server.dc_site_url('corp')}/rest/api/2/mypermissions",
        params={"permissions": "BROWSE_PROJECTS"},
    )

    assert response.status_code == 200
    assert response.json()["permissions"]["BROWSE_PROJECTS"]["havePermission"] is False


def test_create_issue_requires_project_and_summary(
    cloud_api: httpx.Client, server: SandboxServer
) -> None:
    response = cloud_api.post(
        f"{server.cloud_site_url('acme')}/rest/api/2/issue",
        json={"fields": {"issuetype": {"name": "Task"}}},
    )

    assert response.status_code == 400
    errors = response.json()["errors"]
    assert set(errors) == {"project", "summary"}


def test_create_issue_rejects_unknown_project(
    cloud_api: httpx.Client, server: SandboxServer
) -> None:
    fields = {"project": {"key": "NOPE"}, "summary": "x", "issuetype": {"name": "Task"}}

    response = cloud_api.post(
        f"{server.cloud_site_url('acme')}/rest/api/2/issue", json={"fields": fields}
    )

    assert response.status_code == 400
    assert "project" in response.json()["errors"]


def test_create_and_get_issue(cloud_api: httpx.Client, server: SandboxServer) -> None:
    api = f"{server.cloud_site_url('acme')}/rest/api/2"
    fields = {
        "project": {"key": "DEMO"},
        "summary": "First issue",
        "issuetype": {"id": "10002"},
        "description": "Steps to reproduce",
    }

    created = cloud_api.post(f"{api}/issue", json={"fields": fields})

    assert created.status_code == 201
    body = created.json()
    assert set(body) == {"id", "key", "self"}
    assert body["key"] == "DEMO-1"
    assert body["self"] == f"{api}/issue/{body['id']}"
    fetched = cloud_api.get(f"{api}/issue/DEMO-1")
    assert fetched.status_code == 200
    assert fetched.json()["fields"]["issuetype"]["name"] == "Bug"
    by_id = cloud_api.get(f"{api}/issue/{body['id']}")
    assert by_id.json()["key"] == "DEMO-1"


def test_get_missing_issue(cloud_api: httpx.Client, server: SandboxServer) -> None:
    response = cloud_api.get(
        f"{server.cloud_site_url('acme')}/rest/api/3/issue/DEMO-99"
    )

    assert response.status_code == 404
    assert response.json()["errorMessages"]


def test_create_issue_needs_authentication(
    server: SandboxServer, client: httpx.Client
) -> None:
    response = client.post(
        f"{server.dc_site_url('corp')}/rest/api/2/issue", json={"fields": {}}
    )

    assert response.status_code == 401


def test_get_project(cloud_api: httpx.Client, server: SandboxServer) -> None:
    response = cloud_api.get(f"{server.cloud_site_url('acme')}/rest/api/2/project/DEMO")

    assert response.status_code == 200
    assert response.json()["key"] == "DEMO"


def test_unknown_resource_is_404(server: SandboxServer, client: httpx.Client) -> None:
    response = client.get(f"{server.cloud_site_url('acme')}/rest/api/2/dashboard")

    assert response.status_code == 404


def test_wrong_method_is_405(server: SandboxServer, client: httpx.Client) -> None:
    response = client.post(f"{server.cloud_site_url('acme')}/rest/api/2/serverInfo")

    assert response.status_code == 405


def test_dc_has_no_api_v3(server: SandboxServer, client: httpx.Client) -> None:
    response = client.get(f"{server.dc_site_url('corp')}/rest/api/3/serverInfo")

    assert response.status_code == 404
