"""OAuth1Auth on the wire: what httpx sends, with sync and async clients."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from pydantic import SecretStr

from connauth import CredentialRecord
from connauth import HttpSettings
from connauth import KeyRing
from connauth import ReauthorizationRequired
from connauth import RecordStatus
from connauth import SqliteTokenStore
from connauth import TokenSession
from connauth import TokenSet
from connauth_oauth1a import OAuth1Auth
from connauth_oauth1a import OAuth1Signer
from connauth_oauth1a._signature import parse_authorization_header

ISSUE = {
    "fields": {
        "project": {"key": "DEMO"},
        "summary": "x",
        "issuetype": {"name": "Task"},
    }
}


class Recorder:
    """An httpx transport handler that keeps every request and returns 200,
    or a redirect or 401 where a test asks for one."""

    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []
        self.headers: list[httpx.Headers] = []
        self.redirects: dict[str, str] = {}

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        self.headers.append(httpx.Headers(request.headers))
        location = self.redirects.get(request.url.path)
        if location is not None:
            return httpx.Response(302, headers={"Location": location})
        if request.url.path.startswith("/moved") and len(self.requests) == 2:
            # The first request after a redirect still carries the old signature.
            return httpx.Response(401, text="oauth_problem=signature_invalid")
        return httpx.Response(200, json={"ok": True})

    def authorization(self, index: int) -> dict[str, str]:
        parsed = parse_authorization_header(self.headers[index]["Authorization"])
        assert parsed is not None
        return dict(parsed)


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


@pytest.fixture
def client(recorder: Recorder, signer: OAuth1Signer) -> httpx.Client:
    return httpx.Client(
        base_url="https://jira.example.test",
        transport=httpx.MockTransport(recorder),
        auth=OAuth1Auth(signer, token="ACCESS_TOKEN"),
    )


def test_json_body_sent_intact(client: httpx.Client, recorder: Recorder) -> None:
    body = json.dumps(ISSUE, separators=(",", ":")).encode()

    client.post(
        "/rest/api/2/issue", content=body, headers={"Content-Type": "application/json"}
    )
    sent = recorder.requests[0]

    assert sent.content == body
    assert sent.headers["Content-Length"] == str(len(body))
    assert recorder.authorization(0)["oauth_token"] == "ACCESS_TOKEN"
    assert "oauth_body_hash" not in recorder.authorization(0)


def test_form_body_sent_and_signed(
    client: httpx.Client, recorder: Recorder, signer: OAuth1Signer
) -> None:
    client.post("/rest/api/2/x", params={"b": "2"}, data={"foo": "bar baz", "a": "1"})
    sent = recorder.requests[0]
    header = recorder.authorization(0)

    assert sent.content == b"foo=bar+baz&a=1"
    expected = signer.sign(
        "POST",
        sent.url,
        headers=sent.headers,
        body=sent.content,
        token="ACCESS_TOKEN",
        nonce=header["oauth_nonce"],
        timestamp=int(header["oauth_timestamp"]),
    )
    assert expected.signature == header["oauth_signature"]


def test_multipart_upload_untouched(client: httpx.Client, recorder: Recorder) -> None:
    client.post(
        "/rest/api/2/issue/DEMO-1/attachments",
        headers={"X-Atlassian-Token": "no-check"},
        files={"file": ("a.txt", b"a=1&b=2", "text/plain")},
    )
    sent = recorder.requests[0]

    assert sent.headers["Content-Type"].startswith("multipart/form-data")
    assert b"a=1&b=2" in sent.read()
    assert "Authorization" in sent.headers


def test_each_request_gets_fresh_nonce(
    client: httpx.Client, recorder: Recorder
) -> None:
    client.get("/rest/api/2/myself")
    client.get("/rest/api/2/myself")

    assert (
        recorder.authorization(0)["oauth_nonce"]
        != recorder.authorization(1)["oauth_nonce"]
    )


def test_async_client_signs(recorder: Recorder, signer: OAuth1Signer) -> None:
    async def run() -> None:
        async with httpx.AsyncClient(
            base_url="https://jira.example.test",
            transport=httpx.MockTransport(recorder),
            auth=OAuth1Auth(signer, token="ACCESS_TOKEN"),
        ) as client:
            await client.post("/rest/api/2/x", data={"a": "1"})
            await client.get("/rest/api/2/myself", params={"jql": "a b"})

    asyncio.run(run())

    assert recorder.requests[0].content == b"a=1"
    assert recorder.authorization(1)["oauth_signature_method"] == "RSA-SHA1"


def test_same_origin_redirect_signed_again(
    recorder: Recorder, signer: OAuth1Signer
) -> None:
    recorder.redirects["/old"] = "https://jira.example.test/moved"
    client = httpx.Client(
        transport=httpx.MockTransport(recorder),
        auth=OAuth1Auth(signer, token="ACCESS_TOKEN"),
        follow_redirects=True,
    )

    response = client.get("https://jira.example.test/old")

    assert response.status_code == 200
    assert [r.url.path for r in recorder.requests] == ["/old", "/moved", "/moved"]
    first_nonce = recorder.authorization(1)["oauth_nonce"]
    assert first_nonce == recorder.authorization(0)["oauth_nonce"]
    assert recorder.authorization(2)["oauth_nonce"] != first_nonce


def test_cross_origin_redirect_not_signed(
    recorder: Recorder, signer: OAuth1Signer
) -> None:
    recorder.redirects["/old"] = "https://elsewhere.example.test/moved"
    client = httpx.Client(
        transport=httpx.MockTransport(recorder),
        auth=OAuth1Auth(signer, token="ACCESS_TOKEN"),
        follow_redirects=True,
    )

    client.get("https://jira.example.test/old")

    assert [r.url.host for r in recorder.requests] == [
        "jira.example.test",
        "elsewhere.example.test",
    ]
    assert "Authorization" not in recorder.requests[1].headers


def test_redirect_not_followed_by_default(
    client: httpx.Client, recorder: Recorder
) -> None:
    recorder.redirects["/old"] = "https://jira.example.test/moved"

    response = client.get("/old")

    assert response.status_code == 302
    assert len(recorder.requests) == 1


def test_auth_needs_one_credential(signer: OAuth1Signer) -> None:
    with pytest.raises(TypeError):
        OAuth1Auth(signer)


def test_expired_token_flags_connector(
    signer: OAuth1Signer, recorder: Recorder, tmp_path: Path
) -> None:
    store = SqliteTokenStore(tmp_path / "t.db", keys=KeyRing([KeyRing.generate()]))
    expired = TokenSet(
        access_token=SecretStr("ACCESS_TOKEN"),
        token_type="OAuth",
        expires_at=datetime.now(UTC) - timedelta(seconds=1),
    )
    record = store.put(
        CredentialRecord(
            connector_id="c1",
            method="oauth1a",
            site_url="https://jira.example.test",
            api_base_url="https://jira.example.test",
            tokens=expired,
            updated_at=datetime.now(UTC),
        ),
        expected_version=0,
    )
    session = TokenSession(
        record=record, store=store, refresher=None, http=HttpSettings()
    )
    client = httpx.Client(
        transport=httpx.MockTransport(recorder),
        auth=OAuth1Auth(signer, session=session),
    )

    with pytest.raises(ReauthorizationRequired):
        client.get("https://jira.example.test/rest/api/2/myself")

    assert recorder.requests == []
    stored = store.get("c1")
    assert stored is not None
    assert stored.status is RecordStatus.REAUTHORIZATION_REQUIRED
    store.close()
