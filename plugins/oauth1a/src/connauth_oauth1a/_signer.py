"""RSA-SHA1 request signing with a private key parsed once (RFC 5849 §3.4.3).

authlib and oauthlib parse the PEM private key on every signed request, which
costs far more than the signature itself (``benchmarks/oauth1_signing.py``
measures both). :class:`OAuth1Signer` keeps the parsed key, so signing a
request costs one RSA signature plus building the base string.
"""

from __future__ import annotations

import base64
import logging
import secrets
import time
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field

import httpx
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding
from cryptography.hazmat.primitives.asymmetric import rsa

from connauth import CryptoPolicyError
from connauth import InsecureTransportError
from connauth import ProtocolError
from connauth_oauth1a._signature import RequestTarget
from connauth_oauth1a._signature import authorization_header
from connauth_oauth1a._signature import collect_parameters
from connauth_oauth1a._signature import is_form_content_type
from connauth_oauth1a._signature import parse_target
from connauth_oauth1a._signature import signature_base_string
from connauth_oauth1a._signature import with_host

__all__ = ["SIGNATURE_METHOD", "OAuth1Signer", "SignedRequest"]

logger = logging.getLogger(__name__)

SIGNATURE_METHOD = "RSA-SHA1"
"""The only signature method that Jira application links accept for an
external consumer, whose link contains a public key and no shared secret."""

SHA1_POLICY_STEP = "host-sha1-signatures"
"""Checklist step that explains a runtime that rejects SHA-1 signatures."""

_SELF_TEST_MESSAGE = b"connauth RSA-SHA1 self-test"

# SHA-1 is not a choice here: RFC 5849 §3.4.3 defines RSA-SHA1, and it is the
# only method that Jira verifies with an application link's public key.
_SHA1 = hashes.SHA1()  # noqa: S303
_PADDING = padding.PKCS1v15()


@dataclass(frozen=True)
class SignedRequest:
    """The outcome of signing one request.

    ``base_string`` and ``authorization`` contain the token, which is useless
    without the private key but is still not for logs; ``repr`` hides both.
    """

    base_string: str = field(repr=False)
    authorization: str = field(repr=False)
    signature: str = field(repr=False)


class OAuth1Signer:
    """Sign requests for one consumer with RSA-SHA1.

    Construction signs a test message once, so a runtime whose crypto policy
    rejects SHA-1 signatures fails here with
    :class:`~connauth.CryptoPolicyError` rather than on the first request.
    There is no fallback to HMAC-SHA1 or PLAINTEXT: an application link verifies
    RSA-SHA1 only.

    Args:
        consumer_key: the consumer key of the application link.
        private_key: the consumer's RSA private key.
        allow_insecure_http: sign requests to ``http://`` URLs too. Without it,
            signing such a request raises :class:`~connauth.InsecureTransportError`.
    """

    def __init__(
        self,
        consumer_key: str,
        private_key: rsa.RSAPrivateKey,
        *,
        allow_insecure_http: bool = False,
    ) -> None:
        self.consumer_key = consumer_key
        self._private_key = private_key
        self.allow_insecure_http = allow_insecure_http
        self._self_test()

    def __repr__(self) -> str:
        return f"OAuth1Signer(consumer_key={self.consumer_key!r})"

    def sign(
        self,
        method: str,
        url: str | httpx.URL,
        *,
        headers: Mapping[str, str] | httpx.Headers | None = None,
        body: bytes | str | None = None,
        token: str | None = None,
        extra: Mapping[str, str] | None = None,
        nonce: str | None = None,
        timestamp: int | None = None,
    ) -> SignedRequest:
        """Sign one request and return its base string and ``Authorization`` value.

        Args:
            method: the HTTP method.
            url: the full URL, query included, as it will be sent.
            headers: the request headers; ``Content-Type`` decides whether the
                body is signed, and ``Host`` overrides the URL's authority.
            body: the body; signed only when it is form-encoded (RFC 5849
                §3.4.1.3.1). JSON and multipart bodies are not signed.
            token: ``oauth_token``: a request or access token, or ``None``
                when requesting a request token.
            extra: further protocol parameters, such as ``oauth_callback`` or
                ``oauth_verifier``.
            nonce: ``oauth_nonce``; a fresh random one when ``None``.
            timestamp: ``oauth_timestamp`` in seconds since the epoch; the
                current time when ``None``.

        Raises:
            InsecureTransportError: ``url`` is ``http://`` and plain HTTP was not
                allowed.
            ProtocolError: the query or body already carries a protocol
                parameter that the signer adds.
        """
        target = parse_target(url)
        self._check_transport(target)
        header_map = _headers(headers)
        protocol = self._protocol_parameters(token, extra, nonce, timestamp)
        content = body.encode("utf-8") if isinstance(body, str) else body

        parameters = collect_parameters(
            target.query,
            protocol,
            content_type=header_map.get("content-type"),
            body=content,
        )
        _reject_duplicates(parameters, protocol)
        uri = with_host(target, header_map.get("host"))
        base_string = signature_base_string(method, uri, parameters)

        signature = self._signature(base_string)
        protocol.append(("oauth_signature", signature))
        return SignedRequest(
            base_string=base_string,
            authorization=authorization_header(protocol),
            signature=signature,
        )

    def sign_request(
        self,
        request: httpx.Request,
        *,
        token: str | None = None,
        extra: Mapping[str, str] | None = None,
        nonce: str | None = None,
        timestamp: int | None = None,
    ) -> SignedRequest:
        """Sign ``request`` in place: set its ``Authorization`` header.

        The body is read from ``request.content``, so a form-encoded body must
        be in memory. Other bodies are neither read nor changed.
        """
        content_type = request.headers.get("Content-Type")
        body = request.content if is_form_content_type(content_type) else None
        signed = self.sign(
            request.method,
            request.url,
            headers=request.headers,
            body=body,
            token=token,
            extra=extra,
            nonce=nonce,
            timestamp=timestamp,
        )
        request.headers["Authorization"] = signed.authorization
        return signed

    def _protocol_parameters(
        self,
        token: str | None,
        extra: Mapping[str, str] | None,
        nonce: str | None,
        timestamp: int | None,
    ) -> list[tuple[str, str]]:
        stamp = int(time.time()) if timestamp is None else timestamp
        protocol = [
            ("oauth_consumer_key", self.consumer_key),
            ("oauth_nonce", nonce if nonce is not None else secrets.token_hex(16)),
            ("oauth_signature_method", SIGNATURE_METHOD),
            ("oauth_timestamp", str(stamp)),
            ("oauth_version", "1.0"),
        ]
        if token is not None:
            protocol.append(("oauth_token", token))
        protocol.extend((extra or {}).items())
        return protocol

    def _check_transport(self, target: RequestTarget) -> None:
        if target.scheme == "https":
            return
        if target.scheme == "http" and self.allow_insecure_http:
            return
        if target.scheme == "http":
            raise InsecureTransportError(
                "plain HTTP is not allowed for OAuth 1.0a requests, but the request "
                f"goes to {target.base_string_uri}; use the site's https:// URL, "
                "or set allow_insecure_http = true on this connector if the site has "
                "no TLS",
                step="jira-base-url",
            )
        raise ProtocolError(
            f"cannot sign a request to a {target.scheme!r} URL; use an https:// URL"
        )

    def _signature(self, base_string: str) -> str:
        # RFC 5849 §3.4.3: RSASSA-PKCS1-v1_5 with SHA-1 over the base string,
        # then base64 (RFC 2045 §6.8).
        raw = self._private_key.sign(base_string.encode("ascii"), _PADDING, _SHA1)
        return base64.b64encode(raw).decode("ascii")

    def _self_test(self) -> None:
        try:
            self._private_key.sign(_SELF_TEST_MESSAGE, _PADDING, _SHA1)
        except UnsupportedAlgorithm:
            raise CryptoPolicyError(
                "this runtime rejects RSA signatures with SHA-1, which Jira "
                "application links require (OAuth 1.0a RSA-SHA1). The operating "
                "system's crypto policy forbids them: RHEL 9 and its rebuilds do so "
                "in the DEFAULT policy. Allow SHA-1 signatures for this process "
                "(on RHEL 9: 'update-crypto-policies --set DEFAULT:SHA1'), or move "
                "the connector to oauth2",
                step=SHA1_POLICY_STEP,
            ) from None


def _headers(
    headers: Mapping[str, str] | httpx.Headers | None,
) -> Mapping[str, str]:
    """Return the headers that signing reads, keyed in lowercase."""
    if headers is None:
        return {}
    if isinstance(headers, httpx.Headers):
        return headers
    return {name.lower(): value for name, value in headers.items()}


def _reject_duplicates(
    parameters: list[tuple[str, str]], protocol: list[tuple[str, str]]
) -> None:
    """Reject a protocol parameter that the request also carries elsewhere:
    RFC 5849 §3.5 allows each in one place only, and Jira returns 400."""
    names = [name for name, _ in parameters]
    for name, _ in protocol:
        if names.count(name) > 1:
            raise ProtocolError(
                f"the request's query or body already contains {name}; leave the "
                "OAuth protocol parameters to connauth"
            )
