"""The pycontribs ``jira`` client as a peer: Basic on Cloud, OAuth 1.0a on DC."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from jira import JIRA
from oauthlib.oauth1 import SIGNATURE_RSA
from requests_oauthlib import OAuth1Session
from sandbox_support import RsaKeyPair
from sandbox_support import World

from connauth_sandbox import SandboxServer

pytestmark = pytest.mark.usefixtures("requests_trusts_session_verify")

CONSUMER_KEY = "jira-peer"


@pytest.fixture
def cloud_jira(world: World, server: SandboxServer) -> Iterator[JIRA]:
    token = world.sandbox.issue_api_token(world.user)
    jira = JIRA(
        server=server.cloud_site_url("acme"),
        basic_auth=(world.user.email, token),
        options={"verify": str(server.ca_path)},
    )
    yield jira
    jira.close()


def oauth1_access_token(
    world: World, server: SandboxServer, client: httpx.Client, key_pair: RsaKeyPair
) -> dict[str, str]:
    """Run the OAuth 1.0a dance with requests-oauthlib and return the access token."""
    servlet = f"{server.dc_site_url('corp')}/plugins/servlet/oauth"
    with OAuth1Session(
        CONSUMER_KEY,
        signature_method=SIGNATURE_RSA,
        rsa_key=key_pair.private_pem,
        callback_uri="oob",
    ) as session:
        session.verify = str(server.ca_path)
        session.fetch_request_token(f"{servlet}/request-token")
        page = client.get(session.authorization_url(f"{servlet}/authorize"))
        verifier = page.text.split("<code id='oauth_verifier'>", 1)[1].split("<", 1)[0]
        session._client.client.verifier = verifier
        access: dict[str, str] = session.fetch_access_token(f"{servlet}/access-token")
    return access


@pytest.fixture
def dc_jira(
    world: World,
    server: SandboxServer,
    client: httpx.Client,
    consumer_key_pair: RsaKeyPair,
) -> Iterator[JIRA]:
    world.sandbox.register_application_link(
        world.dc, CONSUMER_KEY, consumer_key_pair.public_pem, "jira peer"
    )
    access = oauth1_access_token(world, server, client, consumer_key_pair)
    jira = JIRA(
        server=server.dc_site_url("corp"),
        oauth={
            "access_token": access["oauth_token"],
            "access_token_secret": access["oauth_token_secret"],
            "consumer_key": CONSUMER_KEY,
            "key_cert": consumer_key_pair.private_pem,
            "signature_method": SIGNATURE_RSA,
        },
        options={"verify": str(server.ca_path)},
    )
    yield jira
    jira.close()


def test_cloud_myself(cloud_jira: JIRA, world: World) -> None:
    me = cloud_jira.myself()

    assert me["accountId"] == world.user.account_id
    assert cloud_jira.deploymentType == "Cloud"


def test_cloud_create_issue(cloud_jira: JIRA, world: World) -> None:
    issue = cloud_jira.create_issue(
        project="DEMO", summary="Filed by the jira client", issuetype={"name": "Task"}
    )

    assert issue.key == "DEMO-1"
    assert issue.fields.summary == "Filed by the jira client"
    assert world.cloud.issues["DEMO-1"].reporter_account_id == world.user.account_id


def test_dc_oauth1_myself(dc_jira: JIRA, world: World) -> None:
    me = dc_jira.myself()

    assert me["name"] == world.user.username
    assert dc_jira.deploymentType == "Server"


def test_dc_oauth1_create_issue(dc_jira: JIRA, world: World) -> None:
    issue = dc_jira.create_issue(
        project="OPS", summary="Filed over OAuth 1.0a", issuetype={"name": "Bug"}
    )

    assert issue.key == "OPS-1"
    assert issue.fields.issuetype.name == "Bug"
    assert world.dc.issues["OPS-1"].summary == "Filed over OAuth 1.0a"
