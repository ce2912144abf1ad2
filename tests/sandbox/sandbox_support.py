"""Helpers shared by the sandbox tests: a fake clock, test data and a 3LO client."""

from __future__ import annotations

import time
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path
from typing import Any

import httpx
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from connauth_sandbox import CloudApp
from connauth_sandbox import CloudSite
from connauth_sandbox import DcSite
from connauth_sandbox import Sandbox
from connauth_sandbox import SandboxServer
from connauth_sandbox import User

DATA = Path(__file__).parent / "data"
CALLBACK = "https://127.0.0.1:9/callback"
CLOUD_SCOPES = ["read:jira-user", "read:jira-work", "write:jira-work"]


class FakeClock:
    """A clock for Sandbox(clock=...) that moves only when a test advances it."""

    def __init__(self) -> None:
        self.now = time.time()

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@dataclass(frozen=True)
class RsaKeyPair:
    private_pem: str = field(repr=False)
    public_pem: str


def generate_key_pair() -> RsaKeyPair:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode("ascii")
    public_pem = (
        key.public_key()
        .public_bytes(
            serialization.Encoding.PEM,
            serialization.PublicFormat.SubjectPublicKeyInfo,
        )
        .decode("ascii")
    )
    return RsaKeyPair(private_pem, public_pem)


@dataclass
class World:
    """A sandbox with one user, one Cloud site, one DC site and a 3LO app."""

    sandbox: Sandbox
    user: User
    cloud: CloudSite
    dc: DcSite
    app: CloudApp


def query_of(response: httpx.Response) -> dict[str, str]:
    """Return the query parameters of a redirect's Location."""
    return dict(httpx.URL(response.headers["location"]).params)


@dataclass
class CloudFlow:
    """The client side of Atlassian 3LO, written by hand against the sandbox."""

    http: httpx.Client
    server: SandboxServer
    app: CloudApp

    def authorize(self, **overrides: str | None) -> httpx.Response:
        params: dict[str, Any] = {
            "audience": "api.atlassian.com",
            "client_id": self.app.client_id,
            "scope": "read:jira-user read:jira-work offline_access",
            "redirect_uri": CALLBACK,
            "state": "state-1234",
            "response_type": "code",
            "prompt": "consent",
        }
        params.update(overrides)
        params = {key: value for key, value in params.items() if value is not None}
        return self.http.get(self.server.authorize_url, params=params)

    def code(self, **overrides: str | None) -> str:
        response = self.authorize(**overrides)
        assert response.status_code == 302, response.text
        return query_of(response)["code"]

    def exchange(self, code: str, **overrides: str) -> httpx.Response:
        body = {
            "grant_type": "authorization_code",
            "client_id": self.app.client_id,
            "client_secret": self.app.client_secret,
            "code": code,
            "redirect_uri": CALLBACK,
            **overrides,
        }
        return self.http.post(self.server.token_url, json=body)

    def refresh(self, refresh_token: str, **overrides: str) -> httpx.Response:
        body = {
            "grant_type": "refresh_token",
            "client_id": self.app.client_id,
            "client_secret": self.app.client_secret,
            "refresh_token": refresh_token,
            **overrides,
        }
        return self.http.post(self.server.token_url, json=body)

    def tokens(self, **overrides: str | None) -> dict[str, Any]:
        response = self.exchange(self.code(**overrides))
        assert response.status_code == 200, response.text
        payload: dict[str, Any] = response.json()
        return payload
