"""Configuration models shared by every method, and storage of their secrets.

Secrets are ``SecretStr`` fields: ``repr``, ``str``, ``model_dump_json`` and
JSON schemas show them masked. Storing a configuration therefore needs the
explicit serializer :func:`dump_with_secrets`, whose output must only ever go
to an encrypted store.
"""

from __future__ import annotations

import functools
import ssl
from collections.abc import Mapping
from typing import Any
from typing import TypeVar

from pydantic import BaseModel
from pydantic import ConfigDict
from pydantic import Field
from pydantic import SecretStr
from pydantic import field_validator

from connauth._errors import ConfigError
from connauth._urls import check_url

__all__ = [
    "HttpSettings",
    "MethodConfig",
    "dump_with_secrets",
    "load_with_secrets",
    "secret_field_names",
]

ConfigT = TypeVar("ConfigT", bound=BaseModel)


class MethodConfig(BaseModel):
    """Base class of every method's configuration model.

    Subclasses add their own fields, with secrets typed as ``SecretStr``.
    ``site_url`` is the Jira site's public URL, as the admin's browser shows
    it: the site, not an API gateway.
    """

    # hide_input_in_errors: pydantic's error text would otherwise repeat the
    # raw input of a rejected field, a secret included.
    model_config = ConfigDict(frozen=True, extra="forbid", hide_input_in_errors=True)

    site_url: str = Field(description="Public URL of the Jira site.")

    @field_validator("site_url")
    @classmethod
    def _site_url_shape(cls, value: str) -> str:
        return check_url(value, field="site_url", allow_http=cls.allows_http_site())

    @classmethod
    def allows_http_site(cls) -> bool:
        """Whether ``site_url`` may be plain HTTP. Only methods whose protocol is
        safe without TLS may override this, and only behind an explicit opt-in."""
        return False


class HttpSettings(BaseModel):
    """Transport settings for every request a connector sends.

    They apply to token requests as well as API calls, so a proxy or private CA
    configured here is never bypassed by a refresh.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    verify: bool | str = Field(
        default=True,
        description="True to verify TLS with the system CAs, or a CA bundle path.",
    )
    timeout: float = Field(default=10.0, gt=0, description="Timeout in seconds.")
    proxy: str | None = Field(
        default=None,
        # repr=False: a proxy URL may carry a password.
        repr=False,
        description="Proxy URL; when set, proxy environment variables are ignored.",
    )

    def client_options(self) -> dict[str, Any]:
        """Return keyword arguments for ``httpx.Client`` and ``httpx.AsyncClient``.

        A CA bundle path becomes an ``ssl.SSLContext``: httpx 0.28 deprecates
        passing the path itself.
        """
        verify = (
            ssl_context(self.verify) if isinstance(self.verify, str) else self.verify
        )
        options: dict[str, Any] = {"verify": verify, "timeout": self.timeout}
        if self.proxy is not None:
            options["proxy"] = self.proxy
            options["trust_env"] = False
        return options


@functools.lru_cache(maxsize=32)
def ssl_context(ca_bundle: str) -> ssl.SSLContext:
    """Return a TLS client context that trusts the CA certificates in ``ca_bundle``.

    Contexts are cached per path because loading a bundle costs milliseconds.
    NOTE: a bundle file replaced on disk is read again only after a restart.
    """
    try:
        return ssl.create_default_context(cafile=ca_bundle)
    except (OSError, ssl.SSLError) as error:
        raise ConfigError(
            f"CA bundle {ca_bundle!r} cannot be loaded ({error}); give the path of "
            "a PEM file of CA certificates in http.verify"
        ) from None


def secret_field_names(model: type[BaseModel]) -> frozenset[str]:
    """Return the names of the ``SecretStr`` fields of ``model`` (optional or not)."""
    names = set()
    for name, field in model.model_fields.items():
        annotation = field.annotation
        members = getattr(annotation, "__args__", (annotation,))
        if SecretStr in members:
            names.add(name)
    return frozenset(names)


def dump_with_secrets(model: BaseModel) -> dict[str, Any]:
    """Dump ``model`` to JSON-compatible data with secrets in clear text.

    Only for writing to an encrypted store: ``model_dump_json`` masks
    ``SecretStr`` as ``"**********"``, which would lose the secret.
    """
    data: dict[str, Any] = model.model_dump(mode="json")
    for name in secret_field_names(type(model)):
        value = getattr(model, name)
        data[name] = value.get_secret_value() if value is not None else None
    return data


def load_with_secrets(model: type[ConfigT], data: Mapping[str, Any]) -> ConfigT:
    """Load data written by :func:`dump_with_secrets` back into ``model``."""
    return model.model_validate(dict(data))
