"""Configuration of an OAuth 1.0a application-link connector."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from cryptography.hazmat.primitives.asymmetric import rsa
from pydantic import ConfigDict
from pydantic import Field
from pydantic import ModelWrapValidatorHandler
from pydantic import PrivateAttr
from pydantic import SecretStr
from pydantic import TypeAdapter
from pydantic import ValidationError
from pydantic import field_validator
from pydantic import model_validator
from pydantic_core import InitErrorDetails
from pydantic_core import PydanticCustomError

from connauth import ConfigError
from connauth import MethodConfig
from connauth_oauth1a._keys import load_private_key
from connauth_oauth1a._signer import OAuth1Signer

__all__ = ["OAuth1aConfig", "signer_for"]

logger = logging.getLogger(__name__)

MIN_CONSUMER_KEY_LENGTH = 15
"""Minimum consumer key length that Jira's application link form requires."""

_MASKED = "**********"
_SECRET_FIELDS = frozenset({"private_key", "private_key_passphrase"})


class OAuth1aConfig(MethodConfig):
    """An OAuth 1.0a (RSA-SHA1) connection to a Jira Data Center application link.

    The private key is parsed once, when the configuration is built, so an
    unusable key is reported before anything is sent. Errors about the key
    name the ``private_key`` field and never repeat its value.
    """

    # pydantic repeats a field's input in str(ValidationError); the input of
    # private_key is the key itself.
    model_config = ConfigDict(hide_input_in_errors=True)

    consumer_key: str = Field(
        min_length=MIN_CONSUMER_KEY_LENGTH,
        max_length=255,
        description="Consumer key entered in the application link's incoming "
        "authentication.",
    )
    private_key: SecretStr = Field(
        description="PEM text of the RSA private key whose public key is in the "
        "application link."
    )
    private_key_passphrase: SecretStr | None = Field(
        default=None, description="Passphrase of an encrypted private key."
    )
    allow_insecure_http: bool = Field(
        default=False,
        description="Accept an http:// site_url for a site without TLS. Signed "
        "requests and tokens then travel unencrypted.",
    )
    request_token_path: str = Field(
        default="/plugins/servlet/oauth/request-token",
        description="Path of Jira's request-token endpoint under site_url.",
    )
    authorize_path: str = Field(
        default="/plugins/servlet/oauth/authorize",
        description="Path of Jira's authorization page under site_url.",
    )
    access_token_path: str = Field(
        default="/plugins/servlet/oauth/access-token",
        description="Path of Jira's access-token endpoint under site_url.",
    )

    _rsa_key: rsa.RSAPrivateKey | None = PrivateAttr(default=None)
    _signer: OAuth1Signer | None = PrivateAttr(default=None)

    @classmethod
    def allows_http_site(cls) -> bool:
        # The base check lets http:// through; _check_transport() then accepts
        # it only with allow_insecure_http, which is per connector.
        return True

    @field_validator("consumer_key")
    @classmethod
    def _consumer_key_shape(cls, value: str) -> str:
        if value != value.strip():
            raise ValueError(
                "consumer_key has leading or trailing spaces; remove them, Jira "
                "compares the key exactly"
            )
        if not value.isprintable():
            raise ValueError("consumer_key contains control characters")
        return value

    @field_validator("request_token_path", "authorize_path", "access_token_path")
    @classmethod
    def _relative_path(cls, value: str) -> str:
        parts = urlsplit(value)
        if (
            not value.startswith("/")
            or value.startswith("//")
            or parts.scheme
            or parts.query
            or parts.fragment
        ):
            raise ValueError(
                f"{value!r} must be a path starting with '/' and without query or "
                "fragment; it is joined to site_url"
            )
        return value

    @model_validator(mode="wrap")
    @classmethod
    def _check_transport_and_key(
        cls, data: Any, handler: ModelWrapValidatorHandler[OAuth1aConfig]
    ) -> OAuth1aConfig:
        # A wrap validator, so that a bad key or plain-HTTP URL is reported
        # together with the field errors rather than only once those are fixed.
        try:
            model = handler(data)
        except ValidationError as error:
            raw = data if isinstance(data, Mapping) else {}
            failed = {str(item["loc"][0]) for item in error.errors() if item["loc"]}
            _, extra = _cross_checks(raw, failed)
            if not extra:
                raise
            errors = [*_masked(error), *extra]
            raise ValidationError.from_exception_data(cls.__name__, errors) from None

        key, errors = _cross_checks(model.__dict__, set())
        if errors:
            # Raised directly, so that pydantic shows the masked value rather
            # than the whole input, which contains the private key.
            raise ValidationError.from_exception_data(cls.__name__, errors)
        model._rsa_key = key
        return model

    # pydantic compares private attributes too, and every validation parses a
    # new key object, so equality and hashing look at the fields only.
    def __eq__(self, other: object) -> bool:
        if not isinstance(other, OAuth1aConfig):
            return NotImplemented
        return type(self) is type(other) and self.__dict__ == other.__dict__

    def __hash__(self) -> int:
        return hash((type(self), tuple(self.__dict__.values())))

    @property
    def rsa_private_key(self) -> rsa.RSAPrivateKey:
        """The parsed private key."""
        if self._rsa_key is None:
            # Only a model built with model_construct() gets here.
            self._rsa_key = load_private_key(
                self.private_key, self.private_key_passphrase
            )
        return self._rsa_key

    @property
    def is_plain_http(self) -> bool:
        """Whether ``site_url`` is an ``http://`` URL."""
        return urlsplit(self.site_url).scheme.lower() == "http"

    @property
    def request_token_url(self) -> str:
        """URL of the request-token endpoint."""
        return self._endpoint(self.request_token_path)

    @property
    def authorize_url(self) -> str:
        """URL of the authorization page."""
        return self._endpoint(self.authorize_path)

    @property
    def access_token_url(self) -> str:
        """URL of the access-token endpoint."""
        return self._endpoint(self.access_token_path)

    def _endpoint(self, path: str) -> str:
        return self.site_url.rstrip("/") + path


def signer_for(config: OAuth1aConfig) -> OAuth1Signer:
    """Return the signer of ``config``, built on first use and then kept.

    Raises :class:`~connauth.CryptoPolicyError` when this runtime rejects
    RSA-SHA1 signatures.
    """
    signer = config._signer
    if signer is None:
        signer = OAuth1Signer(
            config.consumer_key,
            config.rsa_private_key,
            allow_insecure_http=config.allow_insecure_http,
        )
        if config.is_plain_http:
            logger.warning(
                "OAuth 1.0a site %s uses plain HTTP because allow_insecure_http is "
                "set: signed requests and tokens travel unencrypted",
                config.site_url,
            )
        config._signer = signer
    return signer


def _cross_checks(
    values: Mapping[str, Any], failed: set[str]
) -> tuple[rsa.RSAPrivateKey | None, list[InitErrorDetails]]:
    """Check what involves several fields: the URL scheme against the opt-in,
    and the key against its passphrase. Fields in ``failed`` are skipped."""
    errors: list[InitErrorDetails] = []
    site_url = values.get("site_url")
    allowed = _as_bool(values.get("allow_insecure_http", False))
    if (
        not {"site_url", "allow_insecure_http"} & failed
        and isinstance(site_url, str)
        and urlsplit(site_url).scheme.lower() == "http"
        and not allowed
    ):
        errors.append(
            _error(
                "site_url",
                site_url,
                "site_url uses plain http://; use the site's https:// URL, or set "
                "allow_insecure_http = true if the site has no TLS",
            )
        )

    key = None
    private_key = values.get("private_key")
    passphrase = values.get("private_key_passphrase")
    if (
        not {"private_key", "private_key_passphrase"} & failed
        and isinstance(private_key, str | bytes | SecretStr)
        and isinstance(passphrase, str | SecretStr | None)
    ):
        try:
            key = load_private_key(private_key, passphrase)
        except ConfigError as error:
            field_name = error.problems[0][0] if error.problems else "private_key"
            errors.append(_error(field_name, _MASKED, error.message))
    return key, errors


def _as_bool(value: Any) -> bool:
    try:
        return TypeAdapter(bool).validate_python(value)
    except ValidationError:
        return False


def _masked(error: ValidationError) -> list[InitErrorDetails]:
    """Return the errors of ``error`` with the input of secret fields masked."""
    details = []
    for item in error.errors():
        field_name = str(item["loc"][0]) if item["loc"] else ""
        shown = _MASKED if field_name in _SECRET_FIELDS else item["input"]
        details.append(_error_at(item["loc"], shown, item["type"], item["msg"]))
    return details


def _error(field_name: str, value: Any, message: str) -> InitErrorDetails:
    return _error_at((field_name,), value, "oauth1a_config", message)


def _error_at(
    loc: tuple[int | str, ...], value: Any, error_type: str, message: str
) -> InitErrorDetails:
    return InitErrorDetails(
        type=PydanticCustomError(error_type, "{reason}", {"reason": message}),
        loc=loc,
        input=value,
    )
