"""The whole OAuth 1.0a login and API use against the sandbox over loopback TLS."""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import Iterator
from urllib.parse import parse_qsl
from urllib.parse import urlencode
from urllib.parse import urlsplit

import httpx
import pytest

from connauth import AuthorizationDenied
from connauth import CheckStatus
from connauth import Connauth
from connauth import Connector
from connauth import StateMismatch
from connauth_oauth1a import ConsumerKeyUnknown
from connauth_oauth1a import SignatureInvalid
from connauth_oauth1a import TokenRejected
from connauth_oauth1a import generate_key_pair
from connauth_oauth1a import raise_for_oauth_problem
from connauth_sandbox import ConsentPolicy

from .conftest import SandboxWorld

# The core warns on every login and client of a deprecated method such as
# oauth1a; test_login_warns_deprecation checks that warning once.
pytestmark = pytest.mark.filterwarnings(
    "ignore:authentication method 'oauth1a' is deprecated:DeprecationWarning"
)

ISSUE = {
    "fields": {
        "project": {"key": "DEMO"},
        "summary": "Signed with RSA-SHA1",
        "issuetype": {"name": "Task"},
    }
}


def _approve(world: SandboxWorld, url: str | None) -> str:
    """Act as the admin's browser: open the authorization page and return the
    callback URL that Jira redirects to."""
    assert url is not None
    context = ssl.create_default_context(cafile=str(world.server.ca_path))
    with httpx.Client(verify=context) as browser:
        response = browser.get(url)
    assert response.status_code == 302
    return response.headers["Location"]


def _login(connauth: Connauth, connector: Connector, world: SandboxWorld) -> None:
    prompt = connauth.begin_login(connector)
    connauth.complete_login(connector, _approve(world, prompt.url))


@pytest.fixture
def consent_policy(world: SandboxWorld) -> Iterator[None]:
    before = world.sandbox.settings.consent_policy
    yield
    world.sandbox.settings.consent_policy = before


def test_login_then_myself_and_issue(
    connauth: Connauth, connector: Connector, world: SandboxWorld
) -> None:
    prompt = connauth.begin_login(connector)
    callback = _approve(world, prompt.url)
    record = connauth.complete_login(connector, callback)

    assert prompt.url is not None
    assert prompt.url.startswith(f"{world.site_url}/plugins/servlet/oauth/authorize?")
    assert dict(parse_qsl(urlsplit(callback).query))["state"] == prompt.state
    assert record.api_base_url == world.site_url
    assert record.data["deployment"] == "datacenter"
    assert record.tokens is not None
    assert record.tokens.expires_at is not None

    with connauth.client(connector) as client:
        myself = client.get("rest/api/2/myself")
        created = client.post("rest/api/2/issue", json=ISSUE)

    assert myself.status_code == 200
    assert myself.json()["name"] == world.user.username
    assert created.status_code == 201
    assert created.json()["key"].startswith("DEMO-")


def test_query_encodings_accepted(
    connauth: Connauth, connector: Connector, world: SandboxWorld
) -> None:
    _login(connauth, connector, world)
    jql = 'project = DEMO AND summary ~ "C++ café"'
    params = [
        ("jql", jql),
        ("fields", "summary"),
        ("fields", "status"),
        ("maxResults", "50"),
    ]

    with connauth.client(connector) as client:
        plus = client.get("rest/api/2/myself", params=params)
        percent = client.get(
            f"rest/api/2/myself?{urlencode(params).replace('+', '%20')}"
        )
        space_in_path = client.get("rest/api/2/issue/my key")

    assert plus.status_code == 200
    assert percent.status_code == 200
    # Authenticated, then not found: a rejected signature returns 401.
    assert space_in_path.status_code == 404


def test_async_login_and_client(
    connauth: Connauth, connector: Connector, world: SandboxWorld
) -> None:
    async def run() -> httpx.Response:
        prompt = await connauth.begin_login_async(connector)
        await connauth.complete_login_async(connector, _approve(world, prompt.url))
        async with connauth.async_client(connector) as client:
            return await client.get("rest/api/2/myself")

    response = asyncio.run(run())

    assert response.status_code == 200


@pytest.mark.filterwarnings("default")
def test_login_warns_deprecation(connauth: Connauth, connector: Connector) -> None:
    with pytest.warns(DeprecationWarning, match="'oauth1a' is deprecated"):
        connauth.begin_login(connector)


def test_unknown_consumer_key(connauth: Connauth, world: SandboxWorld) -> None:
    connector = connauth.connector(
        "unknown",
        "oauth1a",
        world.auth(consumer_key="no-such-consumer-key"),
        http=world.http,
    )

    with pytest.raises(ConsumerKeyUnknown) as caught:
        connauth.begin_login(connector)

    assert caught.value.status_code == 401
    assert caught.value.step == "incoming-authentication"


def test_wrong_private_key(connauth: Connauth, world: SandboxWorld) -> None:
    connector = connauth.connector(
        "wrong-key",
        "oauth1a",
        world.auth(private_key=generate_key_pair().private_pem),
        http=world.http,
    )

    with pytest.raises(SignatureInvalid) as caught:
        connauth.begin_login(connector)

    error = caught.value
    assert error.server_base_string is not None
    assert error.server_base_string == error.client_base_string
    assert "public key" in error.message


def test_denied_consent(
    connauth: Connauth, connector: Connector, world: SandboxWorld, consent_policy: None
) -> None:
    world.sandbox.settings.consent_policy = ConsentPolicy.DENY
    prompt = connauth.begin_login(connector)

    with pytest.raises(AuthorizationDenied):
        connauth.complete_login(connector, _approve(world, prompt.url))


def test_forged_oauth_token_rejected(
    connauth: Connauth, connector: Connector, world: SandboxWorld
) -> None:
    prompt = connauth.begin_login(connector)
    callback = dict(parse_qsl(urlsplit(_approve(world, prompt.url)).query))
    callback["oauth_token"] = "forged-token"

    with pytest.raises(StateMismatch):
        connauth.complete_login(connector, callback)


def test_revoked_link_token_rejected(connauth: Connauth, world: SandboxWorld) -> None:
    pair = generate_key_pair()
    consumer_key = "connauth-revoked-consumer"
    world.sandbox.register_application_link(
        world.site, consumer_key, pair.public_pem, "Gone"
    )
    connector = connauth.connector(
        "revoked",
        "oauth1a",
        world.auth(consumer_key=consumer_key, private_key=pair.private_pem),
        http=world.http,
    )
    _login(connauth, connector, world)
    world.sandbox.remove_application_link(world.site, consumer_key)

    with connauth.client(connector) as client:
        response = client.get("rest/api/2/myself")

    assert response.status_code == 401
    with pytest.raises(TokenRejected):
        raise_for_oauth_problem(response)


def test_checks_before_and_after_login(
    connauth: Connauth, connector: Connector, world: SandboxWorld
) -> None:
    before = {result.id: result for result in asyncio.run(connauth.check(connector))}
    _login(connauth, connector, world)
    after = {result.id: result for result in asyncio.run(connauth.check(connector))}

    assert before["oauth1a-application-link"].status is CheckStatus.PASS
    assert before["myself"].status is CheckStatus.SKIP
    assert after["oauth1a-application-link"].status is CheckStatus.PASS
    assert after["myself"].status is CheckStatus.PASS
    assert world.user.username in after["myself"].message


def test_check_reports_unknown_consumer(
    connauth: Connauth, world: SandboxWorld
) -> None:
    connector = connauth.connector(
        "unknown-check",
        "oauth1a",
        world.auth(consumer_key="no-such-consumer-key"),
        http=world.http,
    )

    results = {result.id: result for result in asyncio.run(connauth.check(connector))}
    link = results["oauth1a-application-link"]

    assert link.status is CheckStatus.FAIL
    assert link.details["oauth_problem"] == "consumer_key_unknown"
    assert link.step == "incoming-authentication"
