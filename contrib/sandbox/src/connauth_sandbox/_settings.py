"""Lifetimes, consent policy and fault knobs of a sandbox."""

from __future__ import annotations

import collections
import enum
import http
import json
from dataclasses import dataclass
from dataclasses import field

DAY = 24 * 60 * 60

# OAuth 1.0a lifetimes from the service provider in Atlassian's atlassian-oauth
# code: DEFAULT_ACCESS_TOKEN_TTL is 5 years and DEFAULT_SESSION_TTL 5 years + 30 days.
OAUTH1_ACCESS_TOKEN_LIFETIME = 157_680_000
OAUTH1_SESSION_LIFETIME = 160_272_000


class ConsentPolicy(enum.StrEnum):
    """Decision that the sandbox makes on every consent screen."""

    APPROVE = "approve"
    """Approve at once and redirect to the client's callback."""
    DENY = "deny"
    """Deny at once and redirect to the client's callback with an error."""
    PROMPT = "prompt"
    """Show an HTML page with Approve and Deny buttons that post back."""


class Surface(enum.StrEnum):
    """An emulated token endpoint family, used to scope faults and counters."""

    CLOUD = "cloud"
    DC = "dc"
    OAUTH1 = "oauth1"


@dataclass(frozen=True)
class InjectedFailure:
    """A canned error response for the next matching token-endpoint call.

    ``surfaces`` limits which token endpoints take the failure. ``None`` lets the
    first token-endpoint call of any surface take it.
    """

    status: int
    retry_after: int | None = None
    body: str | None = None
    content_type: str = "application/json"
    surfaces: frozenset[Surface] | None = None

    def matches(self, surface: Surface) -> bool:
        return self.surfaces is None or surface in self.surfaces

    def render_body(self) -> str:
        """Return ``body``, or a small JSON error named after the status."""
        if self.body is not None:
            return self.body
        phrase = http.HTTPStatus(self.status).phrase
        return json.dumps({"code": self.status, "message": phrase})


@dataclass
class SandboxSettings:
    """Knobs of one sandbox. All durations are in seconds.

    Defaults follow Atlassian's documented values where one exists, except where
    a NOTE on the field gives the reason for another value. The object is
    mutable on purpose: tests and the ``/_sandbox/`` control endpoints change it
    while a server runs, and every request reads the current values.
    """

    # Atlassian Cloud OAuth 2.0 (3LO).
    cloud_access_token_lifetime: float = 3600
    # NOTE: Atlassian does not document the 3LO authorization-code lifetime, so
    # 300 s is a guess.
    cloud_authorization_code_lifetime: float = 300
    # Each rotated refresh token is valid for 90 days of inactivity.
    cloud_refresh_token_lifetime: float = 90 * DAY
    # Within this interval after a refresh token was first rotated, it can be
    # exchanged again. Reuse after the interval revokes the whole token family.
    cloud_refresh_reuse_window: float = 600

    # Jira Data Center OAuth 2.0 provider.
    dc_access_token_lifetime: float = 3600
    dc_refresh_token_lifetime: float = 90 * DAY
    # NOTE: Atlassian's provider documentation gives 10 s for the code lifetime,
    # and the plugin code defaults to 60 s. The sandbox takes the longer one.
    dc_authorization_code_lifetime: float = 60

    # Jira Data Center OAuth 1.0a application links.
    oauth1_request_token_lifetime: float = 600
    oauth1_access_token_lifetime: float = OAUTH1_ACCESS_TOKEN_LIFETIME
    oauth1_session_lifetime: float = OAUTH1_SESSION_LIFETIME
    oauth1_timestamp_window: int = 300

    # Consent screens of all three authorization flows.
    consent_policy: ConsentPolicy = ConsentPolicy.APPROVE
    # Account id of the user who consents. None selects the first user added.
    consent_account_id: str | None = None

    # Faults applied to every token endpoint (Cloud, DC OAuth 2.0 and OAuth 1.0a).
    token_endpoint_latency: float = 0.0
    drop_refresh_token_on_refresh: bool = False
    token_endpoint_failures: collections.deque[InjectedFailure] = field(
        default_factory=collections.deque
    )
    # Seconds to hold each of the next OAuth 2.0 token responses (Cloud and DC)
    # after the server has acted on the request, one entry per response. A
    # client whose timeout is shorter gives up without learning that the
    # server already rotated its refresh token.
    token_response_delays: collections.deque[float] = field(
        default_factory=collections.deque
    )
    # Send ``expires_in`` of successful OAuth 2.0 token responses as a JSON
    # string ("3600"), a shape some servers use although RFC 6749 section 5.1
    # defines a number.
    expires_in_as_string: bool = False

    # Faults that diagnostics must detect. See _faults for the per-user ones.
    # Seconds added to the emulated hosts' clock: the Date header, serverTime
    # and the OAuth 1.0a timestamp check.
    clock_offset: float = 0.0
    # Scopes that consent screens never grant, although the client asks for them.
    withheld_scopes: frozenset[str] = frozenset()
    # Failed Basic logins of one user after which Jira demands a CAPTCHA; None
    # never locks out.
    captcha_after_failed_logins: int | None = None
    # Serve a request with bad credentials as anonymous (200, X-AUSERNAME:
    # anonymous) instead of 401, as a proxy in front of Jira may.
    anonymous_on_bad_credentials: bool = False
    # The OAuth 1.0a authorize step reports that Jira could not reach the
    # consumer's callback URL instead of redirecting to it.
    oauth1_callback_unreachable: bool = False
    # Seconds from now until the server certificate expires; negative serves an
    # expired certificate. None serves the certificate made at start.
    server_certificate_expires_in: float | None = None

    def take_failure(self, surface: Surface) -> InjectedFailure | None:
        """Remove and return the first queued failure that applies to surface."""
        for failure in self.token_endpoint_failures:
            if failure.matches(surface):
                self.token_endpoint_failures.remove(failure)
                return failure
        return None
