"""The configuration of an ``oauth2`` connector, for Cloud and Data Center alike.

One model serves both deployments, so that ``MethodInfo.config_model`` is a
single form a host can render. ``deployment`` selects the rules: fields that
only make sense on Cloud are rejected on Data Center, and each deployment has
its own scope names and defaults.

Scopes left unset resolve to the deployment's defaults. On Cloud,
``offline_access`` is added to the defaults when ``refresh`` is on. A pinned
scope list is sent as it is and never extended: with ``refresh`` on, it must
contain ``offline_access`` itself, or validation fails naming that scope.
"""

from __future__ import annotations

from typing import Any

from pydantic import ConfigDict
from pydantic import Field
from pydantic import SecretStr
from pydantic import ValidationInfo
from pydantic import field_validator

from connauth import Deployment
from connauth import MethodConfig
from connauth import check_url
from connauth_oauth2._endpoints import ATLASSIAN_ACCESSIBLE_RESOURCES_URL
from connauth_oauth2._endpoints import ATLASSIAN_API_GATEWAY_URL
from connauth_oauth2._endpoints import ATLASSIAN_AUTHORIZE_URL
from connauth_oauth2._endpoints import ATLASSIAN_TOKEN_URL
from connauth_oauth2._endpoints import CloudEndpoints
from connauth_oauth2._endpoints import DataCenterEndpoints
from connauth_oauth2._endpoints import dc_endpoint
from connauth_oauth2._scopes import CLOUD_BASE_SCOPES
from connauth_oauth2._scopes import DC_DEFAULT_SCOPES
from connauth_oauth2._scopes import DC_KNOWN_SCOPES
from connauth_oauth2._scopes import OFFLINE_ACCESS
from connauth_oauth2._scopes import is_scope_token

__all__ = ["OAuth2Config"]

_CLOUD_ONLY_FIELDS = frozenset({"accessible_resources_url", "api_gateway_url"})


class OAuth2Config(MethodConfig):
    """Settings of an OAuth 2.0 connector.

    ``site_url`` is the ``*.atlassian.net`` site on Cloud, used to pick the
    cloud id among the sites a grant covers, and the Jira base URL on Data
    Center. Endpoint fields left unset use the deployment's defaults.
    """

    # pydantic repeats the raw input in ValidationError's text, which for
    # client_secret is the secret itself. Messages name the value where needed.
    model_config = ConfigDict(hide_input_in_errors=True)

    deployment: Deployment = Field(
        description="Jira deployment: 'cloud' (Atlassian 3LO) or 'datacenter' "
        "(the site's own OAuth 2.0 provider)."
    )
    client_id: str = Field(
        description="Client ID of the OAuth 2.0 integration (Cloud) or of the "
        "incoming application link (Data Center)."
    )
    client_secret: SecretStr = Field(description="Client secret issued with it.")
    refresh: bool = Field(
        default=True,
        description="Keep access with a refresh token. On Cloud this needs the "
        "offline_access scope; when off, an admin logs in again once the access "
        "token expires.",
    )
    scopes: tuple[str, ...] | None = Field(
        default=None,
        description="Scopes to request, as a list or one space-separated string. "
        "Unset: 'read:jira-work read:jira-user write:jira-work', plus "
        "'offline_access' when refresh is on (Cloud), or 'WRITE' (Data Center).",
    )
    authorize_url: str | None = Field(
        default=None,
        description=f"Authorization endpoint. Unset: {ATLASSIAN_AUTHORIZE_URL} "
        "(Cloud) or {site_url}/rest/oauth2/latest/authorize (Data Center).",
    )
    token_url: str | None = Field(
        default=None,
        description=f"Token endpoint. Unset: {ATLASSIAN_TOKEN_URL} (Cloud) or "
        "{site_url}/rest/oauth2/latest/token (Data Center).",
    )
    accessible_resources_url: str | None = Field(
        default=None,
        description="Cloud only: endpoint listing the sites a grant covers. "
        f"Unset: {ATLASSIAN_ACCESSIBLE_RESOURCES_URL}.",
    )
    api_gateway_url: str | None = Field(
        default=None,
        description="Cloud only: gateway that REST calls go through, as "
        f"{{gateway}}/ex/jira/{{cloud id}}. Unset: {ATLASSIAN_API_GATEWAY_URL}.",
    )

    @field_validator("client_id")
    @classmethod
    def _client_id_shape(cls, value: str) -> str:
        if not value:
            raise ValueError("client_id must not be empty")
        if any(character.isspace() for character in value):
            raise ValueError(
                "client_id must not contain whitespace; copy it again without "
                "spaces or line breaks"
            )
        return value

    @field_validator("client_secret")
    @classmethod
    def _client_secret_shape(cls, value: SecretStr) -> SecretStr:
        secret = value.get_secret_value()
        if not secret:
            raise ValueError("client_secret must not be empty")
        if secret != secret.strip():
            raise ValueError(
                "client_secret starts or ends with whitespace; copy it again "
                "without the surrounding spaces or line breaks"
            )
        return value

    @field_validator("scopes", mode="before")
    @classmethod
    def _split_scope_string(cls, value: Any) -> Any:
        if isinstance(value, str):
            return tuple(value.split())
        return value

    @field_validator("scopes")
    @classmethod
    def _scopes_shape(
        cls, value: tuple[str, ...] | None, info: ValidationInfo
    ) -> tuple[str, ...] | None:
        if value is None:
            return None
        _check_scope_tokens(value)
        deployment = info.data.get("deployment")
        if deployment is Deployment.CLOUD:
            _check_cloud_scopes(value, refresh=bool(info.data.get("refresh", True)))
        elif deployment is Deployment.DATA_CENTER:
            _check_dc_scopes(value)
        return value

    @field_validator(
        "authorize_url", "token_url", "accessible_resources_url", "api_gateway_url"
    )
    @classmethod
    def _endpoint_shape(cls, value: str | None, info: ValidationInfo) -> str | None:
        field = info.field_name or "url"
        if value is None:
            return None
        if (
            field in _CLOUD_ONLY_FIELDS
            and info.data.get("deployment") is Deployment.DATA_CENTER
        ):
            raise ValueError(
                f"{field} applies to deployment 'cloud' only; remove it from this "
                "Data Center configuration"
            )
        return check_url(value, field=field)

    def requested_scopes(self) -> tuple[str, ...]:
        """Return the scopes that the authorization request contains."""
        if self.scopes is not None:
            return self.scopes
        if self.deployment is Deployment.DATA_CENTER:
            return DC_DEFAULT_SCOPES
        if self.refresh:
            return (*CLOUD_BASE_SCOPES, OFFLINE_ACCESS)
        return CLOUD_BASE_SCOPES

    def cloud_endpoints(self) -> CloudEndpoints:
        """Return the Cloud endpoints, with Atlassian's URLs for unset fields."""
        return CloudEndpoints(
            authorize_url=self.authorize_url or ATLASSIAN_AUTHORIZE_URL,
            token_url=self.token_url or ATLASSIAN_TOKEN_URL,
            accessible_resources_url=(
                self.accessible_resources_url or ATLASSIAN_ACCESSIBLE_RESOURCES_URL
            ),
            api_gateway_url=self.api_gateway_url or ATLASSIAN_API_GATEWAY_URL,
        )

    def dc_endpoints(self) -> DataCenterEndpoints:
        """Return the Data Center endpoints, derived from ``site_url`` when unset."""
        return DataCenterEndpoints(
            authorize_url=self.authorize_url or dc_endpoint(self.site_url, "authorize"),
            token_url=self.token_url or dc_endpoint(self.site_url, "token"),
            api_base_url=self.site_url,
        )

    def token_endpoint(self) -> str:
        """Return the token endpoint of this connector's deployment."""
        if self.deployment is Deployment.DATA_CENTER:
            return self.dc_endpoints().token_url
        return self.cloud_endpoints().token_url


def _check_scope_tokens(scopes: tuple[str, ...]) -> None:
    if not scopes:
        raise ValueError(
            "scopes must not be empty; list the scopes to request, or remove the "
            "field to use the defaults"
        )
    invalid = [scope for scope in scopes if not is_scope_token(scope)]
    if invalid:
        raise ValueError(
            f"scopes contains invalid scope names {invalid!r}; a scope is one word "
            "of printable ASCII without quotes or backslashes"
        )
    duplicates = sorted({scope for scope in scopes if scopes.count(scope) > 1})
    if duplicates:
        raise ValueError(f"scopes lists {duplicates!r} more than once; remove them")


def _check_cloud_scopes(scopes: tuple[str, ...], *, refresh: bool) -> None:
    foreign = [scope for scope in scopes if scope in DC_KNOWN_SCOPES]
    if foreign:
        raise ValueError(
            f"scopes {foreign!r} are Jira Data Center scopes; on Cloud use scopes "
            "such as 'read:jira-work', or set deployment to 'datacenter'"
        )
    if refresh and OFFLINE_ACCESS not in scopes:
        raise ValueError(
            f"scopes must include '{OFFLINE_ACCESS}' when refresh is on, because "
            "Atlassian issues a refresh token only for that scope; add it, or set "
            "refresh to false"
        )


def _check_dc_scopes(scopes: tuple[str, ...]) -> None:
    foreign = [scope for scope in scopes if ":" in scope or scope == OFFLINE_ACCESS]
    if foreign:
        raise ValueError(
            f"scopes {foreign!r} are Atlassian Cloud scopes; Jira Data Center uses "
            "READ, WRITE, ADMIN or SYSTEM_ADMIN, or set deployment to 'cloud'"
        )
