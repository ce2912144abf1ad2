"""The sandbox's in-memory state and the Python API that tests drive it with."""

from __future__ import annotations

import collections
import logging
import threading
import time
from collections.abc import Callable
from collections.abc import Iterable

from connauth_sandbox import _credentials
from connauth_sandbox._faults import FaultState
from connauth_sandbox._models import ACCESS_TOKEN_KINDS
from connauth_sandbox._models import ApplicationLink
from connauth_sandbox._models import AuthorizationCode
from connauth_sandbox._models import CloudApp
from connauth_sandbox._models import CloudSite
from connauth_sandbox._models import DcClient
from connauth_sandbox._models import DcSite
from connauth_sandbox._models import OAuth1RequestToken
from connauth_sandbox._models import Project
from connauth_sandbox._models import Site
from connauth_sandbox._models import TokenKind
from connauth_sandbox._models import TokenRecord
from connauth_sandbox._models import User
from connauth_sandbox._settings import SandboxSettings
from connauth_sandbox._settings import Surface

logger = logging.getLogger("connauth_sandbox")

DEFAULT_DC_VERSION = "10.3.19"


class Sandbox:
    """Users, sites, registered clients and issued tokens of one emulated Jira world.

    Every user is a member of every site unless revoke_site_access() removed them.
    All times come from ``clock`` (seconds since the epoch), so a test can pass a
    fake clock to move time forward. OAuth 1.0a timestamps are the exception:
    oauthlib checks them against the real time.
    """

    def __init__(
        self,
        settings: SandboxSettings | None = None,
        *,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.settings = settings if settings is not None else SandboxSettings()
        self.clock = clock
        # Handlers run on the server's thread while tests call this API from
        # theirs, so every read-modify-write of the state holds this lock.
        self.lock = threading.RLock()
        self.users: dict[str, User] = {}
        self.cloud_sites: dict[str, CloudSite] = {}
        self.dc_sites: dict[str, DcSite] = {}
        self.cloud_apps: dict[str, CloudApp] = {}
        self.tokens: dict[str, TokenRecord] = {}
        self.authorization_codes: dict[str, AuthorizationCode] = {}
        self.request_tokens: dict[str, OAuth1RequestToken] = {}
        self.used_nonces: set[tuple[str, str, str]] = set()
        self.counters: collections.Counter[str] = collections.Counter()
        self.faults = FaultState(self.lock)

    def now(self) -> float:
        return self.clock()

    def host_now(self) -> float:
        """Return the emulated hosts' clock: :meth:`now` plus ``clock_offset``."""
        return self.clock() + self.settings.clock_offset

    # Users and sites.

    def add_user(
        self,
        email: str,
        *,
        display_name: str | None = None,
        username: str | None = None,
        password: str | None = None,
        account_id: str | None = None,
    ) -> User:
        """Add a user and make them a member of every existing site."""
        local_part = email.split("@", 1)[0]
        user = User(
            account_id=account_id or _credentials.generate_account_id(),
            email=email,
            display_name=display_name or local_part.replace(".", " ").title(),
            username=username or local_part,
            password=password or _credentials.generate_client_secret()[:16],
        )
        with self.lock:
            if user.account_id in self.users:
                raise ValueError(f"account id {user.account_id!r} is already in use")
            self.users[user.account_id] = user
            for site in self._all_sites():
                site.member_account_ids.add(user.account_id)
        return user

    def add_cloud_site(self, name: str, *, cloud_id: str | None = None) -> CloudSite:
        """Add a Jira Cloud site served under ``/cloud/{name}``."""
        site = CloudSite(
            name=name, cloud_id=cloud_id or _credentials.generate_cloud_id()
        )
        with self.lock:
            if name in self.cloud_sites:
                raise ValueError(f"Cloud site {name!r} already exists")
            site.member_account_ids.update(self.users)
            self.cloud_sites[name] = site
        return site

    def add_dc_site(self, name: str, *, version: str = DEFAULT_DC_VERSION) -> DcSite:
        """Add a Jira Data Center instance served under ``/dc/{name}``."""
        site = DcSite(name=name, version=version)
        with self.lock:
            if name in self.dc_sites:
                raise ValueError(f"Data Center site {name!r} already exists")
            site.member_account_ids.update(self.users)
            self.dc_sites[name] = site
        return site

    def grant_site_access(self, user: User, site: Site) -> None:
        with self.lock:
            site.member_account_ids.add(user.account_id)

    def revoke_site_access(self, user: User, site: Site) -> None:
        with self.lock:
            site.member_account_ids.discard(user.account_id)

    def add_project(self, site: Site, key: str, name: str) -> Project:
        with self.lock:
            if key in site.projects:
                raise ValueError(f"project {key!r} already exists on {site.name!r}")
            project = Project(id=site.allocate_id(), key=key, name=name)
            site.projects[key] = project
        return project

    def cloud_site_by_id(self, cloud_id: str) -> CloudSite | None:
        for site in self.cloud_sites.values():
            if site.cloud_id == cloud_id:
                return site
        return None

    def consenting_user(self) -> User:
        """Return the user that consent screens act for.

        Raises:
            LookupError: no user exists, or the configured account id is unknown.
        """
        account_id = self.settings.consent_account_id
        if account_id is not None:
            if account_id not in self.users:
                raise LookupError(f"consent user {account_id!r} does not exist")
            return self.users[account_id]
        if not self.users:
            raise LookupError("the sandbox has no users; call add_user() first")
        return next(iter(self.users.values()))

    def _all_sites(self) -> Iterable[Site]:
        yield from self.cloud_sites.values()
        yield from self.dc_sites.values()

    # Clients.

    def register_cloud_app(
        self,
        client_id: str | None = None,
        redirect_uris: Iterable[str] = (),
        scopes: Iterable[str] = (),
        *,
        client_secret: str | None = None,
        name: str = "Sandbox app",
    ) -> CloudApp:
        """Register a 3LO app. Missing id and secret are generated."""
        app = CloudApp(
            client_id=client_id or _credentials.generate_client_id(),
            client_secret=client_secret or _credentials.generate_client_secret(),
            redirect_uris=list(redirect_uris),
            scopes=list(scopes),
            name=name,
        )
        with self.lock:
            self.cloud_apps[app.client_id] = app
        return app

    def register_dc_oauth2_client(
        self,
        site: DcSite,
        redirect_uri: str,
        scopes: Iterable[str],
        *,
        client_id: str | None = None,
        client_secret: str | None = None,
    ) -> DcClient:
        """Register an incoming OAuth 2.0 link (an external application)."""
        client = DcClient(
            site_name=site.name,
            client_id=client_id or _credentials.generate_client_id(),
            client_secret=client_secret or _credentials.generate_client_secret(),
            redirect_uris=[redirect_uri],
            scopes=list(scopes),
        )
        with self.lock:
            site.oauth2_clients[client.client_id] = client
        return client

    def register_application_link(
        self, site: DcSite, consumer_key: str, public_key_pem: str, name: str
    ) -> ApplicationLink:
        """Register an incoming OAuth 1.0a link with the consumer's RSA public key."""
        if "BEGIN PUBLIC KEY" not in public_key_pem:
            raise ValueError("public_key_pem must be a PEM 'PUBLIC KEY' block")
        link = ApplicationLink(
            consumer_key=consumer_key, name=name, public_key_pem=public_key_pem
        )
        with self.lock:
            site.application_links[consumer_key] = link
        logger.info("application link %r registered on %r", consumer_key, site.name)
        return link

    def replace_application_link_key(
        self, site: DcSite, consumer_key: str, public_key_pem: str
    ) -> None:
        """Put another public key into an application link, as an admin who
        pasted the wrong key would. Signatures of the old key stop verifying."""
        if "BEGIN PUBLIC KEY" not in public_key_pem:
            raise ValueError("public_key_pem must be a PEM 'PUBLIC KEY' block")
        with self.lock:
            link = site.application_links.get(consumer_key)
            if link is None:
                raise KeyError(f"no application link {consumer_key!r} on {site.name!r}")
            link.public_key_pem = public_key_pem
        logger.info("application link %r on %r has a new key", consumer_key, site.name)

    def remove_application_link(self, site: DcSite, consumer_key: str) -> None:
        """Remove an application link. Its OAuth 1.0a tokens stop working."""
        with self.lock:
            if site.application_links.pop(consumer_key, None) is None:
                raise KeyError(f"no application link {consumer_key!r} on {site.name!r}")
            for record in self.tokens.values():
                if record.kind is TokenKind.OAUTH1_ACCESS_TOKEN and (
                    record.client_id == consumer_key and site.name in record.site_names
                ):
                    record.revoked_at = self.now()

    # Tokens.

    def issue_api_token(self, user: User, *, expires_in: float | None = None) -> str:
        """Issue a Cloud API token, valid as the Basic password on every Cloud site."""
        value = _credentials.generate_api_token()
        self._add_credential(value, TokenKind.API_TOKEN, user, (), expires_in)
        return value

    def issue_personal_access_token(
        self, user: User, site: DcSite, *, expires_in: float | None = None
    ) -> str:
        """Issue a Data Center personal access token for one site."""
        value = _credentials.generate_personal_access_token()
        self._add_credential(
            value, TokenKind.PERSONAL_ACCESS_TOKEN, user, (site.name,), expires_in
        )
        return value

    def _add_credential(
        self,
        value: str,
        kind: TokenKind,
        user: User,
        site_names: tuple[str, ...],
        expires_in: float | None,
    ) -> None:
        now = self.now()
        record = TokenRecord(
            value=value,
            kind=kind,
            surface=None,
            account_id=user.account_id,
            site_names=site_names,
            issued_at=now,
            expires_at=None if expires_in is None else now + expires_in,
        )
        self.add_token(record)

    def add_token(self, record: TokenRecord) -> None:
        with self.lock:
            self.tokens[record.value] = record

    def find_token(self, value: str, *kinds: TokenKind) -> TokenRecord | None:
        """Return the record of a token of one of kinds, live or not."""
        record = self.tokens.get(value)
        if record is None or record.kind not in kinds:
            return None
        return record

    def expire_access_token(self, token: str) -> None:
        """Make one token, of any kind, expire now."""
        with self.lock:
            record = self.tokens.get(token)
            if record is None:
                raise KeyError("unknown token; pass a token this sandbox issued")
            record.expires_at = self.now()

    def expire_all_access_tokens(self) -> int:
        """Make every live OAuth access token expire now and return their number."""
        count = 0
        with self.lock:
            now = self.now()
            for record in self.tokens.values():
                if record.kind in ACCESS_TOKEN_KINDS and record.is_live(now):
                    record.expires_at = now
                    count += 1
        return count

    def revoke_token(self, token: str) -> None:
        with self.lock:
            record = self.tokens.get(token)
            if record is not None and record.revoked_at is None:
                record.revoked_at = self.now()

    def revoke_grant(self, grant_id: str) -> None:
        """Revoke every access and refresh token of one token family."""
        with self.lock:
            now = self.now()
            for record in self.tokens.values():
                if record.grant_id == grant_id and record.revoked_at is None:
                    record.revoked_at = now
        logger.info("token family %s revoked", grant_id)

    def issued_tokens(self, kind: TokenKind | None = None) -> list[TokenRecord]:
        """Return every issued token of kind, oldest first, whatever its state."""
        with self.lock:
            return [r for r in self.tokens.values() if kind is None or r.kind == kind]

    def revoked_tokens(self) -> list[TokenRecord]:
        with self.lock:
            return [r for r in self.tokens.values() if r.revoked_at is not None]

    # Counters.

    def count_token_request(self, surface: Surface, grant_type: str) -> None:
        with self.lock:
            self.counters[f"{surface}.{grant_type or 'missing'}"] += 1

    def token_requests(self, surface: Surface | str, grant_type: str) -> int:
        """Return how many calls a token endpoint received for one grant type.

        OAuth 1.0a counts ``request_token`` and ``access_token`` calls.
        """
        with self.lock:
            return self.counters[f"{Surface(surface)}.{grant_type}"]
