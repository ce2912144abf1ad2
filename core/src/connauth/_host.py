"""The host application's identity, shown to Jira admins during setup."""

from __future__ import annotations

from pydantic import BaseModel
from pydantic import ConfigDict
from pydantic import field_validator

from connauth._urls import check_url

__all__ = ["HostIdentity"]


class HostIdentity(BaseModel):
    """The host application as Jira admins see it.

    Checklists fill these values into the steps an admin follows in Jira, so
    nothing about any one host is hard-coded in connauth or its plugins.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str
    """Vendor and application name the admin enters in Jira (for example in
    the developer console's distribution form or the application link)."""

    redirect_url: str
    """OAuth callback URL of the host, registered in Jira byte for byte."""

    privacy_policy_url: str
    """Privacy-policy URL that Atlassian's distribution form asks for."""

    public_base_url: str
    """Public base URL of the host, for example the application URL of an
    OAuth 1.0a application link."""

    @field_validator("name")
    @classmethod
    def _name_not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("name must not be blank; give the host's product name")
        return value

    @field_validator("redirect_url", "privacy_policy_url", "public_base_url")
    @classmethod
    def _https_url(cls, value: str, info: object) -> str:
        field = getattr(info, "field_name", "url")
        return check_url(value, field=field)
