"""Records of the sandbox's in-memory state: users, sites, clients and tokens."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from dataclasses import field

from connauth_sandbox._settings import Surface


@dataclass
class User:
    """A person with one Atlassian account, known to every surface."""

    account_id: str
    email: str
    display_name: str
    username: str
    password: str = field(repr=False)
    time_zone: str = "UTC"


@dataclass
class Project:
    id: str
    key: str
    name: str


@dataclass
class Issue:
    id: str
    key: str
    project: Project
    summary: str
    issue_type: str
    description: str | None
    reporter_account_id: str
    created: str


@dataclass
class Site:
    """State shared by Cloud sites and Data Center instances."""

    name: str
    member_account_ids: set[str] = field(default_factory=set)
    projects: dict[str, Project] = field(default_factory=dict)
    issues: dict[str, Issue] = field(default_factory=dict)
    next_id: int = 10000

    def allocate_id(self) -> str:
        self.next_id += 1
        return str(self.next_id)


@dataclass
class CloudSite(Site):
    """A Jira Cloud site, reached directly or through the API gateway."""

    cloud_id: str = ""


@dataclass
class ApplicationLink:
    """An incoming OAuth 1.0a application link of a Data Center instance."""

    consumer_key: str
    name: str
    public_key_pem: str = field(repr=False)


@dataclass
class DcClient:
    """An incoming OAuth 2.0 application link of a Data Center instance."""

    site_name: str
    client_id: str
    client_secret: str = field(repr=False)
    redirect_uris: list[str] = field(default_factory=list)
    scopes: list[str] = field(default_factory=list)


@dataclass
class DcSite(Site):
    """A Jira Data Center instance."""

    version: str = "10.3.19"
    application_links: dict[str, ApplicationLink] = field(default_factory=dict)
    oauth2_clients: dict[str, DcClient] = field(default_factory=dict)


@dataclass
class CloudApp:
    """An OAuth 2.0 (3LO) app registered in the Atlassian developer console."""

    client_id: str
    client_secret: str = field(repr=False)
    redirect_uris: list[str] = field(default_factory=list)
    scopes: list[str] = field(default_factory=list)
    name: str = "Sandbox app"


class TokenKind(enum.StrEnum):
    ACCESS_TOKEN = "access_token"
    REFRESH_TOKEN = "refresh_token"
    OAUTH1_REQUEST_TOKEN = "oauth1_request_token"
    OAUTH1_ACCESS_TOKEN = "oauth1_access_token"
    API_TOKEN = "api_token"
    PERSONAL_ACCESS_TOKEN = "personal_access_token"


ACCESS_TOKEN_KINDS = frozenset({TokenKind.ACCESS_TOKEN, TokenKind.OAUTH1_ACCESS_TOKEN})


@dataclass
class TokenRecord:
    """One issued credential and its lifecycle.

    ``grant_id`` names the token family: every access and refresh token that
    descends from one authorization code shares it. ``site_names`` lists the
    sites the token may reach. For OAuth 1.0a tokens ``client_id`` is the consumer
    key and ``secret`` the token secret.
    """

    value: str = field(repr=False)
    kind: TokenKind
    surface: Surface | None
    account_id: str
    client_id: str | None = None
    scopes: tuple[str, ...] = ()
    site_names: tuple[str, ...] = ()
    grant_id: str | None = None
    issued_at: float = 0.0
    expires_at: float | None = None
    revoked_at: float | None = None
    # First time a refresh token was exchanged for a successor.
    rotated_at: float | None = None
    secret: str | None = field(default=None, repr=False)

    def is_live(self, now: float) -> bool:
        if self.revoked_at is not None:
            return False
        return self.expires_at is None or now < self.expires_at

    @property
    def hint(self) -> str:
        """The last four characters, for logs and control output."""
        return "…" + self.value[-4:]


@dataclass
class AuthorizationCode:
    """An OAuth 2.0 authorization code and what was consented with it."""

    code: str = field(repr=False)
    surface: Surface
    client_id: str
    redirect_uri: str
    scopes: tuple[str, ...]
    account_id: str
    site_names: tuple[str, ...]
    expires_at: float
    code_challenge: str | None = None
    code_challenge_method: str | None = None
    used: bool = False


class RequestTokenStatus(enum.StrEnum):
    PENDING = "pending"
    AUTHORIZED = "authorized"
    DENIED = "denied"


@dataclass
class OAuth1RequestToken:
    """An OAuth 1.0a request token between the request-token and access-token steps."""

    token: str
    secret: str = field(repr=False)
    consumer_key: str
    site_name: str
    callback: str
    expires_at: float
    status: RequestTokenStatus = RequestTokenStatus.PENDING
    verifier: str | None = field(default=None, repr=False)
    account_id: str | None = None
