"""Errors of this plugin, subclasses of connauth's own tree."""

from __future__ import annotations

from connauth import AuthError

__all__ = ["CredentialsNotForwarded"]


class CredentialsNotForwarded(AuthError):
    """A redirect led to another origin, which responded with 401.

    httpx drops ``Authorization`` when a redirect changes the scheme, host or
    port (except an upgrade from ``http`` to ``https`` on default ports), and
    connauth relies on that so that credentials never reach another server.
    ``origin`` is where the request was sent and ``redirect_origin`` where the
    redirect led, each as ``scheme://host:port``.
    """

    def __init__(
        self,
        message: str,
        *,
        origin: str,
        redirect_origin: str,
        status_code: int | None = None,
        connector_id: str | None = None,
        step: str | None = None,
    ) -> None:
        super().__init__(
            message, status_code=status_code, connector_id=connector_id, step=step
        )
        self.origin = origin
        self.redirect_origin = redirect_origin
