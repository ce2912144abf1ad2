"""Errors specific to the ``oauth2`` method, placed in connauth's error tree."""

from __future__ import annotations

from connauth import ConfigError

__all__ = ["SiteNotGranted"]


class SiteNotGranted(ConfigError):
    """The Cloud grant does not cover the configured site.

    ``granted`` lists the ``(name, url)`` of every site the grant covers, so a
    host can show them next to the configured ``site_url``.
    """

    def __init__(
        self,
        message: str,
        *,
        granted: tuple[tuple[str, str], ...],
        connector_id: str | None = None,
        step: str | None = None,
    ) -> None:
        super().__init__(
            message,
            problems=(("site_url", "not covered by the grant", step),),
            connector_id=connector_id,
            step=step,
        )
        self.granted = granted
