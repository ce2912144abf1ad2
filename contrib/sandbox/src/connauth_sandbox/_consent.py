"""Scriptable consent screens shared by the three authorization flows.

The sandbox's consent policy decides what happens when a browser reaches an
authorize endpoint: approve at once, deny at once, or show a page whose Approve
and Deny buttons post a one-time ticket back to the same URL.
"""

from __future__ import annotations

import html
import logging
import secrets
from collections.abc import Callable
from collections.abc import Sequence
from dataclasses import dataclass

from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.responses import Response

from connauth_sandbox._http import error_page
from connauth_sandbox._http import parse_form
from connauth_sandbox._models import User
from connauth_sandbox._settings import ConsentPolicy
from connauth_sandbox._state import Sandbox

logger = logging.getLogger("connauth_sandbox")

# Seconds a consent page stays valid. After that, the user starts again.
TICKET_LIFETIME = 600


@dataclass(frozen=True)
class ConsentRequest:
    """A validated authorization request waiting for the user's decision.

    ``approve`` and ``deny`` build the redirect back to the client. They run with
    the sandbox lock held.
    """

    client_name: str
    resource_name: str
    scopes: Sequence[str]
    approve: Callable[[User], Response]
    deny: Callable[[], Response]


@dataclass(frozen=True)
class _PendingConsent:
    request: ConsentRequest
    user: User
    expires_at: float


class ConsentDesk:
    """Applies the consent policy and keeps the tickets of open consent pages."""

    def __init__(self, sandbox: Sandbox) -> None:
        self._sandbox = sandbox
        self._pending: dict[str, _PendingConsent] = {}

    def decide(self, consent: ConsentRequest, action_url: str) -> Response:
        """Apply the consent policy to a validated request and return the response."""
        sandbox = self._sandbox
        try:
            user = sandbox.consenting_user()
        except LookupError as error:
            return error_page(500, "No user to consent", str(error))

        policy = sandbox.settings.consent_policy
        if policy is ConsentPolicy.APPROVE:
            return consent.approve(user)
        if policy is ConsentPolicy.DENY:
            return consent.deny()

        now = sandbox.now()
        self._pending = {
            key: value for key, value in self._pending.items() if value.expires_at > now
        }
        ticket = secrets.token_urlsafe(24)
        self._pending[ticket] = _PendingConsent(consent, user, now + TICKET_LIFETIME)
        return HTMLResponse(_render_page(consent, user, action_url, ticket))

    async def submit(self, request: Request) -> Response:
        """Handle the form post of a consent page."""
        form = dict(parse_form(await request.body()))
        ticket = form.get("ticket", "")
        decision = form.get("decision", "")
        with self._sandbox.lock:
            pending = self._pending.pop(ticket, None)
            if pending is None or pending.expires_at <= self._sandbox.now():
                logger.info("consent form posted with an unknown or expired ticket")
                return error_page(
                    400,
                    "Consent expired",
                    "The consent ticket is unknown, used or expired. "
                    "Start the authorization again from the application.",
                )
            if decision == "approve":
                return pending.request.approve(pending.user)
            if decision == "deny":
                return pending.request.deny()
        logger.info("consent form posted with decision %r", decision)
        return error_page(400, "Invalid decision", f"Unknown decision {decision!r}.")


def _render_page(
    consent: ConsentRequest, user: User, action_url: str, ticket: str
) -> str:
    scope_items = "".join(f"<li>{html.escape(scope)}</li>" for scope in consent.scopes)
    return f"""<!doctype html>
<html><head><title>Authorize {html.escape(consent.client_name)}</title></head>
<body>
<h1>{html.escape(consent.client_name)} is requesting access</h1>
<p>Signed in as {html.escape(user.display_name)} ({html.escape(user.email)}).</p>
<p>Access to {html.escape(consent.resource_name)}:</p>
<ul>{scope_items}</ul>
<form method="post" action="{html.escape(action_url)}">
<input type="hidden" name="ticket" value="{html.escape(ticket)}">
<button type="submit" name="decision" value="approve">Approve</button>
<button type="submit" name="decision" value="deny">Deny</button>
</form>
</body></html>
"""
