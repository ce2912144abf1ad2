"""RSA-SHA1 only, the crypto-policy self-test, and plain HTTP only by opt-in."""

from __future__ import annotations

import base64
import logging
from typing import Any

import httpx
import pytest
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.exceptions import _Reasons
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding
from cryptography.hazmat.primitives.asymmetric import rsa

import connauth_oauth1a._config as config_module
from connauth import Connauth
from connauth import Connector
from connauth import CryptoPolicyError
from connauth import InsecureTransportError
from connauth_oauth1a import OAuth1aConfig
from connauth_oauth1a import OAuth1Signer
from connauth_oauth1a import signer_for
from connauth_oauth1a._signature import parse_authorization_header


class PolicyRestrictedKey(rsa.RSAPrivateKey):
    """An RSA key on a runtime whose crypto policy forbids SHA-1 signatures.

    cryptography's key class is implemented in Rust and cannot be patched, so
    this subclass of its interface delegates everything except ``sign``, which
    raises the error that RHEL 9's DEFAULT policy causes.
    """

    def __init__(self, key: rsa.RSAPrivateKey) -> None:
        self._key = key

    def sign(self, data: bytes, padding: Any, algorithm: Any) -> bytes:
        if isinstance(algorithm, hashes.SHA1):
            raise UnsupportedAlgorithm(
                "sha1 is not supported by this backend for RSA signing.",
                _Reasons.UNSUPPORTED_HASH,
            )
        return self._key.sign(data, padding, algorithm)

    def decrypt(self, ciphertext: bytes, padding: Any) -> bytes:
        return self._key.decrypt(ciphertext, padding)

    @property
    def key_size(self) -> int:
        return self._key.key_size

    def public_key(self) -> rsa.RSAPublicKey:
        return self._key.public_key()

    def private_numbers(self) -> rsa.RSAPrivateNumbers:
        return self._key.private_numbers()

    def private_bytes(self, *args: Any, **kwargs: Any) -> bytes:
        return self._key.private_bytes(*args, **kwargs)

    def __copy__(self) -> PolicyRestrictedKey:
        return self

    def __deepcopy__(self, memo: dict[int, object]) -> PolicyRestrictedKey:
        return self


def test_header_names_rsa_sha1_and_verifies(
    signer: OAuth1Signer, rsa_key: rsa.RSAPrivateKey
) -> None:
    signed = signer.sign(
        "GET", "https://jira.example.test/rest/api/2/myself", token="t"
    )
    parameters = parse_authorization_header(signed.authorization)

    assert parameters is not None
    assert parameters["oauth_signature_method"] == "RSA-SHA1"
    rsa_key.public_key().verify(
        base64.b64decode(parameters["oauth_signature"]),
        signed.base_string.encode(),
        padding.PKCS1v15(),
        hashes.SHA1(),  # noqa: S303 - RSA-SHA1 is the method under test
    )


def test_fresh_nonce_and_timestamp(signer: OAuth1Signer) -> None:
    first = parse_authorization_header(
        signer.sign("GET", "https://jira.example.test/x").authorization
    )
    second = parse_authorization_header(
        signer.sign("GET", "https://jira.example.test/x").authorization
    )

    assert first is not None
    assert second is not None
    assert first["oauth_nonce"] != second["oauth_nonce"]
    assert int(first["oauth_timestamp"]) > 1_700_000_000


def test_sha1_refused_at_construction(rsa_key: rsa.RSAPrivateKey) -> None:
    with pytest.raises(CryptoPolicyError) as caught:
        OAuth1Signer("jira-consumer", PolicyRestrictedKey(rsa_key))

    message = caught.value.message
    assert "crypto policy" in message
    assert "RHEL 9" in message
    assert "SHA-1" in message
    assert caught.value.step == "host-sha1-signatures"


@pytest.mark.filterwarnings(
    "ignore:authentication method 'oauth1a' is deprecated:DeprecationWarning"
)
def test_sha1_refused_never_falls_back(
    rsa_key: rsa.RSAPrivateKey,
    connauth: Connauth,
    connector: Connector,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Every later config gets the restricted key, as on a RHEL 9 host.
    real_loader = config_module.load_private_key
    monkeypatch.setattr(
        config_module,
        "load_private_key",
        lambda *args, **kwargs: PolicyRestrictedKey(real_loader(*args, **kwargs)),
    )
    restricted = connauth.connector(
        "restricted", "oauth1a", dict(_auth_of(connector)), http=connector.http
    )

    findings = connauth.validate(restricted)
    with pytest.raises(CryptoPolicyError):
        signer_for(_own(restricted))

    assert [f.id for f in findings if f.failed] == ["rsa-sha1-signing"]
    assert findings[-1].step == "host-sha1-signatures"
    with pytest.raises(Exception, match="rsa-sha1-signing"):
        connauth.begin_login(restricted)


def test_plain_http_rejected_without_opt_in(signer: OAuth1Signer) -> None:
    with pytest.raises(InsecureTransportError) as caught:
        signer.sign("GET", "http://jira.intranet.test:8080/rest/api/2/myself")

    assert "allow_insecure_http" in caught.value.message


def test_plain_http_signed_with_opt_in(rsa_key: rsa.RSAPrivateKey) -> None:
    signer = OAuth1Signer("jira-consumer", rsa_key, allow_insecure_http=True)

    signed = signer.sign("GET", "http://jira.intranet.test:8080/rest/api/2/myself")

    assert signed.base_string.startswith(
        "GET&http%3A%2F%2Fjira.intranet.test%3A8080%2Frest"
    )
    assert 'oauth_signature_method="RSA-SHA1"' in signed.authorization
    assert "PLAINTEXT" not in signed.authorization


def test_other_schemes_rejected(signer: OAuth1Signer) -> None:
    with pytest.raises(Exception, match="https://"):
        signer.sign("GET", "ftp://jira.example.test/x")


def test_config_http_needs_opt_in(private_pem: str) -> None:
    from pydantic import ValidationError

    with pytest.raises(ValidationError) as caught:
        OAuth1aConfig(
            site_url="http://jira.intranet.test:8080",
            consumer_key="connauth-test-consumer",
            private_key=private_pem,  # type: ignore[arg-type]
        )

    errors = caught.value.errors()
    assert [error["loc"] for error in errors] == [("site_url",)]
    assert "allow_insecure_http" in errors[0]["msg"]


def test_config_http_opt_in_warns(
    private_pem: str, caplog: pytest.LogCaptureFixture
) -> None:
    config = OAuth1aConfig(
        site_url="http://jira.intranet.test:8080",
        consumer_key="connauth-test-consumer",
        private_key=private_pem,  # type: ignore[arg-type]
        allow_insecure_http=True,
    )
    caplog.set_level(logging.WARNING, logger="connauth_oauth1a")

    signer = signer_for(config)
    request = httpx.Request("GET", "http://jira.intranet.test:8080/rest/api/2/myself")
    signer.sign_request(request, token="t")

    assert signer.allow_insecure_http
    assert "Authorization" in request.headers
    assert any("plain HTTP" in record.getMessage() for record in caplog.records)
    assert signer_for(config) is signer


def _auth_of(connector: Connector) -> dict[str, Any]:
    config = _own(connector)
    return {
        "site_url": config.site_url,
        "consumer_key": config.consumer_key,
        "private_key": config.private_key.get_secret_value(),
    }


def _own(connector: Connector) -> OAuth1aConfig:
    assert isinstance(connector.config, OAuth1aConfig)
    return connector.config
