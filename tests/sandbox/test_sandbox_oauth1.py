"""OAuth 1.0a application links, driven by requests-oauthlib as the peer client."""

from __future__ import annotations

import time
import urllib.parse
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import requests
from oauthlib.oauth1 import SIGNATURE_HMAC_SHA1
from oauthlib.oauth1 import SIGNATURE_RSA
from oauthlib.oauth1 import Client
from requests_oauthlib import OAuth1
from requests_oauthlib import OAuth1Session
from sandbox_support import RsaKeyPair
from sandbox_support import World

from connauth_sandbox import ConsentPolicy
from connauth_sandbox import SandboxServer
from connauth_sandbox import Surface

CONSUMER_KEY = "connauth-demo"
OAUTH1_CALLBACK = "https://127.0.0.1:9/oauth1/callback?flow=demo"


pytestmark = pytest.mark.usefixtures("requests_trusts_session_verify")


@pytest.fixture
def linked(world: World, consumer_key_pair: RsaKeyPair) -> World:
    world.sandbox.register_application_link(
        world.dc, CONSUMER_KEY, consumer_key_pair.public_pem, "connauth demo"
    )
    return world


@pytest.fixture
def servlet(server: SandboxServer) -> str:
    return f"{server.dc_site_url('corp')}/plugins/servlet/oauth"


def session_for(
    server: SandboxServer,
    private_pem: str,
    consumer_key: str = CONSUMER_KEY,
    **kwargs: str,
) -> OAuth1Session:
    session = OAuth1Session(
        consumer_key,
        signature_method=SIGNATURE_RSA,
        rsa_key=private_pem,
        callback_uri=OAUTH1_CALLBACK,
        **kwargs,
    )
    session.verify = str(server.ca_path)
    return session


@pytest.fixture
def oauth_session(
    server: SandboxServer, linked: World, consumer_key_pair: RsaKeyPair
) -> Iterator[OAuth1Session]:
    with session_for(server, consumer_key_pair.private_pem) as session:
        yield session


def authorize(
    client: httpx.Client, servlet: str, session: OAuth1Session
) -> httpx.Response:
    return client.get(session.authorization_url(f"{servlet}/authorize"))


def problem_of(response: requests.Response) -> dict[str, str]:
    return dict(urllib.parse.parse_qsl(response.text))


def test_full_dance_and_myself(
    oauth_session: OAuth1Session,
    servlet: str,
    client: httpx.Client,
    server: SandboxServer,
    world: World,
) -> None:
    request_token = oauth_session.fetch_request_token(f"{servlet}/request-token")
    assert request_token["oauth_callback_confirmed"] == "true"

    redirect = authorize(client, servlet, oauth_session)
    assert redirect.status_code == 302
    location = redirect.headers["location"]
    assert location.startswith(OAUTH1_CALLBACK + "&oauth_token=")
    query = dict(httpx.URL(location).params)
    assert len(query["oauth_verifier"]) == 6
    assert query["oauth_verifier"].isalnum()
    oauth_session.parse_authorization_response(location)

    access = oauth_session.fetch_access_token(f"{servlet}/access-token")
    assert access["oauth_expires_in"] == "157680000"
    assert access["oauth_authorization_expires_in"] == "160272000"
    assert access["oauth_session_handle"]
    assert "oauth_authorized_realms" not in access

    myself = oauth_session.get(f"{server.dc_site_url('corp')}/rest/api/2/myself")
    assert myself.status_code == 200
    assert myself.json()["name"] == world.user.username
    assert myself.headers["X-AUSERNAME"] == world.user.username
    assert world.sandbox.token_requests(Surface.OAUTH1, "request_token") == 1
    assert world.sandbox.token_requests(Surface.OAUTH1, "access_token") == 1


def test_request_token_is_text_plain(
    oauth_session: OAuth1Session, servlet: str
) -> None:
    response = oauth_session.post(f"{servlet}/request-token")

    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/plain")


def test_unknown_consumer_key(
    server: SandboxServer, linked: World, other_key_pair: RsaKeyPair, servlet: str
) -> None:
    with session_for(server, other_key_pair.private_pem, "stranger") as session:
        response = session.post(f"{servlet}/request-token")

    assert response.status_code == 401
    assert response.text == "oauth_problem=consumer_key_unknown"
    realm = urllib.parse.quote(server.dc_site_url("corp"), safe="")
    assert response.headers["WWW-Authenticate"] == (
        f'OAuth realm="{realm}", oauth_problem="consumer_key_unknown"'
    )
    assert response.headers["Content-Type"].startswith(
        "application/x-www-form-urlencoded"
    )


def test_wrong_key_signature_invalid(
    server: SandboxServer, linked: World, other_key_pair: RsaKeyPair, servlet: str
) -> None:
    with session_for(server, other_key_pair.private_pem) as session:
        response = session.post(f"{servlet}/request-token")

    assert response.status_code == 401
    problem = problem_of(response)
    assert problem["oauth_problem"] == "signature_invalid"
    assert problem["oauth_signature_method"] == "RSA-SHA1"
    base_string = problem["oauth_signature_base_string"]
    encoded_url = urllib.parse.quote(f"{servlet}/request-token", safe="")
    assert base_string.startswith(f"POST&{encoded_url}&")
    assert "oauth_consumer_key%3Dconnauth-demo" in base_string
    assert 'oauth_problem="signature_invalid"' in response.headers["WWW-Authenticate"]


def test_hmac_signature_method_rejected(
    linked: World, server: SandboxServer, servlet: str
) -> None:
    auth = OAuth1(
        CONSUMER_KEY, client_secret="secret", signature_method=SIGNATURE_HMAC_SHA1
    )

    response = requests.post(
        f"{servlet}/request-token", auth=auth, verify=str(server.ca_path), timeout=10
    )

    assert response.status_code == 400
    assert problem_of(response)["oauth_problem"] == "signature_method_rejected"


def test_invalid_callback_rejected(
    server: SandboxServer, linked: World, consumer_key_pair: RsaKeyPair, servlet: str
) -> None:
    auth = OAuth1(
        CONSUMER_KEY,
        signature_method=SIGNATURE_RSA,
        rsa_key=consumer_key_pair.private_pem,
        callback_uri="not a uri",
    )

    response = requests.post(
        f"{servlet}/request-token", auth=auth, verify=str(server.ca_path), timeout=10
    )

    assert response.status_code == 400
    assert problem_of(response) == {
        "oauth_problem": "parameter_rejected",
        "oauth_parameters_rejected": "oauth_callback",
    }


class _Version2Client(Client):  # type: ignore[misc]
    """An oauthlib client that signs with ``oauth_version=2.0``."""

    def get_oauth_params(self, request: Any) -> list[tuple[str, str]]:
        params: list[tuple[str, str]] = super().get_oauth_params(request)
        return [(k, "2.0" if k == "oauth_version" else v) for k, v in params]


def test_version_other_than_1_0_rejected(
    server: SandboxServer, linked: World, consumer_key_pair: RsaKeyPair, servlet: str
) -> None:
    auth = OAuth1(
        CONSUMER_KEY,
        signature_method=SIGNATURE_RSA,
        rsa_key=consumer_key_pair.private_pem,
        callback_uri=OAUTH1_CALLBACK,
        client_class=_Version2Client,
    )

    response = requests.post(
        f"{servlet}/request-token", auth=auth, verify=str(server.ca_path), timeout=10
    )

    assert response.status_code == 400
    assert problem_of(response)["oauth_problem"] == "version_rejected"


def test_stale_timestamp_refused(
    server: SandboxServer, linked: World, consumer_key_pair: RsaKeyPair, servlet: str
) -> None:
    auth = OAuth1(
        CONSUMER_KEY,
        signature_method=SIGNATURE_RSA,
        rsa_key=consumer_key_pair.private_pem,
        callback_uri=OAUTH1_CALLBACK,
        timestamp=str(int(time.time()) - 301),
    )

    response = requests.post(
        f"{servlet}/request-token", auth=auth, verify=str(server.ca_path), timeout=10
    )

    assert response.status_code == 400
    problem = problem_of(response)
    assert problem["oauth_problem"] == "timestamp_refused"
    assert "oauth_acceptable_timestamps" in problem


def test_nonce_is_single_use(
    server: SandboxServer, linked: World, consumer_key_pair: RsaKeyPair, servlet: str
) -> None:
    auth = OAuth1(
        CONSUMER_KEY,
        signature_method=SIGNATURE_RSA,
        rsa_key=consumer_key_pair.private_pem,
        callback_uri=OAUTH1_CALLBACK,
        nonce="fixed-nonce-0123456789",
        timestamp=str(int(time.time())),
    )
    url = f"{servlet}/request-token"

    first = requests.post(url, auth=auth, verify=str(server.ca_path), timeout=10)
    second = requests.post(url, auth=auth, verify=str(server.ca_path), timeout=10)

    assert first.status_code == 200
    assert second.status_code == 401
    assert problem_of(second)["oauth_problem"] == "nonce_used"


def test_denied_consent_verifier_is_denied(
    oauth_session: OAuth1Session, servlet: str, client: httpx.Client, world: World
) -> None:
    world.sandbox.settings.consent_policy = ConsentPolicy.DENY
    oauth_session.fetch_request_token(f"{servlet}/request-token")

    redirect = authorize(client, servlet, oauth_session)

    assert redirect.status_code == 302
    assert (
        dict(httpx.URL(redirect.headers["location"]).params)["oauth_verifier"]
        == "denied"
    )
    oauth_session.parse_authorization_response(redirect.headers["location"])
    response = oauth_session.post(f"{servlet}/access-token")
    assert response.status_code == 401
    assert problem_of(response)["oauth_problem"] == "permission_denied"


def test_access_token_before_authorization(
    oauth_session: OAuth1Session, servlet: str
) -> None:
    oauth_session.fetch_request_token(f"{servlet}/request-token")
    oauth_session._client.client.verifier = "abc123"

    response = oauth_session.post(f"{servlet}/access-token")

    assert response.status_code == 401
    assert problem_of(response)["oauth_problem"] == "permission_unknown"


def test_wrong_verifier_rejected(
    oauth_session: OAuth1Session, servlet: str, client: httpx.Client
) -> None:
    oauth_session.fetch_request_token(f"{servlet}/request-token")
    authorize(client, servlet, oauth_session)
    oauth_session._client.client.verifier = "zzzzzz"

    response = oauth_session.post(f"{servlet}/access-token")

    assert response.status_code == 401
    assert problem_of(response)["oauth_problem"] == "token_rejected"


def test_request_token_expires(
    oauth_session: OAuth1Session,
    servlet: str,
    client: httpx.Client,
    world: World,
) -> None:
    world.sandbox.settings.oauth1_request_token_lifetime = 0
    oauth_session.fetch_request_token(f"{servlet}/request-token")

    page = authorize(client, servlet, oauth_session)

    assert page.status_code == 400


def test_prompt_consent_page_approves(
    oauth_session: OAuth1Session, servlet: str, client: httpx.Client, world: World
) -> None:
    world.sandbox.settings.consent_policy = ConsentPolicy.PROMPT
    oauth_session.fetch_request_token(f"{servlet}/request-token")

    page = authorize(client, servlet, oauth_session)
    assert page.status_code == 200
    assert "connauth demo" in page.text
    ticket = page.text.split('name="ticket" value="', 1)[1].split('"', 1)[0]
    redirect = client.post(
        f"{servlet}/authorize", data={"ticket": ticket, "decision": "approve"}
    )

    assert redirect.status_code == 302
    oauth_session.parse_authorization_response(redirect.headers["location"])
    assert "oauth_token" in oauth_session.fetch_access_token(f"{servlet}/access-token")


def test_rest_with_unknown_token_is_token_rejected(
    server: SandboxServer, linked: World, consumer_key_pair: RsaKeyPair
) -> None:
    auth = OAuth1(
        CONSUMER_KEY,
        signature_method=SIGNATURE_RSA,
        rsa_key=consumer_key_pair.private_pem,
        resource_owner_key="a" * 30,
        resource_owner_secret="unused",
    )

    response = requests.get(
        f"{server.dc_site_url('corp')}/rest/api/2/myself",
        auth=auth,
        verify=str(server.ca_path),
        timeout=10,
    )

    assert response.status_code == 401
    assert response.text == "oauth_problem=token_rejected"


def test_removed_link_stops_access_tokens(
    oauth_session: OAuth1Session,
    servlet: str,
    client: httpx.Client,
    server: SandboxServer,
    world: World,
) -> None:
    oauth_session.fetch_request_token(f"{servlet}/request-token")
    oauth_session.parse_authorization_response(
        authorize(client, servlet, oauth_session).headers["location"]
    )
    oauth_session.fetch_access_token(f"{servlet}/access-token")

    world.sandbox.remove_application_link(world.dc, CONSUMER_KEY)

    response = oauth_session.get(f"{server.dc_site_url('corp')}/rest/api/2/myself")
    assert response.status_code == 401
    assert problem_of(response)["oauth_problem"] == "token_rejected"


def test_expired_access_token(
    oauth_session: OAuth1Session,
    servlet: str,
    client: httpx.Client,
    server: SandboxServer,
    world: World,
) -> None:
    oauth_session.fetch_request_token(f"{servlet}/request-token")
    oauth_session.parse_authorization_response(
        authorize(client, servlet, oauth_session).headers["location"]
    )
    access = oauth_session.fetch_access_token(f"{servlet}/access-token")

    world.sandbox.expire_access_token(access["oauth_token"])

    response = oauth_session.get(f"{server.dc_site_url('corp')}/rest/api/2/myself")
    assert response.status_code == 401
    assert problem_of(response)["oauth_problem"] == "token_expired"
