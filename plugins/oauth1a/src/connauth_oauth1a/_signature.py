"""The signature base string and the ``Authorization`` header (RFC 5849 §3.4.1, §3.5.1).

authlib's ``normalize_base_string_uri`` applies a ``Host`` header to the base
string URI (§3.4.1.2). The rest is done here, for two reasons:

- authlib's ``construct_base_string`` percent-decodes every ``oauth_*`` value
  once more, which changes a callback URL that contains ``%``, and drops
  ``realm`` from the query as well as from the header, while RFC 5849 drops it
  from the header only;
- authlib's ``escape`` converts between bytes and text around urllib's
  ``quote`` on every call, which made building the base string cost more
  than half as much as the RSA signature itself. The tests check that
  :func:`normalize_parameters` and :func:`percent_encode` give the same
  results as authlib's functions.

URLs follow httpx: the base string covers the URL as httpx sends it, with the
host lowercased, the default port dropped, and characters such as a space in
the path percent-encoded. A plain ASCII URL that httpx would send unchanged
is split with urllib, which is faster than httpx's parser; any other URL goes
through ``httpx.URL``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from collections.abc import Mapping
from collections.abc import Sequence
from typing import NamedTuple
from urllib.parse import parse_qsl
from urllib.parse import unquote
from urllib.parse import urlsplit

import httpx
from authlib.oauth1.rfc5849.signature import normalize_base_string_uri

__all__ = [
    "FORM_CONTENT_TYPE",
    "RequestTarget",
    "authorization_header",
    "collect_parameters",
    "is_form_content_type",
    "normalize_parameters",
    "parse_authorization_header",
    "parse_target",
    "percent_encode",
    "signature_base_string",
    "with_host",
]

FORM_CONTENT_TYPE = "application/x-www-form-urlencoded"

Parameters = list[tuple[str, str]]

_AUTH_PARAM = re.compile(r'([A-Za-z0-9_.~-]+)\s*=\s*"((?:[^"\\]|\\.)*)"')
_UNRESERVED = re.compile(r"[A-Za-z0-9._~-]*")
# A path that httpx sends as it is: only characters valid in a path, every "%"
# followed by two hex digits, and no "." or ".." segments (httpx removes them).
_PLAIN_PATH = re.compile(r"(?:[A-Za-z0-9._~!$&'()*+,;=:@/-]|%[0-9A-Fa-f]{2})*")
_DOT_SEGMENT = re.compile(r"(?:^|/)\.\.?(?:/|$)")
_DEFAULT_PORTS = {"http": 80, "https": 443}
_ENCODED_OCTETS = tuple(
    chr(octet) if _UNRESERVED.fullmatch(chr(octet)) else f"%{octet:02X}"
    for octet in range(256)
)


class RequestTarget(NamedTuple):
    """The parts of a request URL that the signature covers."""

    scheme: str
    """Lowercase scheme."""
    base_string_uri: str
    """Scheme, authority and path without query (RFC 5849 §3.4.1.2)."""
    query: str
    """The query as sent, still percent-encoded."""


def parse_target(url: str | httpx.URL) -> RequestTarget:
    """Split ``url`` into what the base string needs, as httpx would send it."""
    if isinstance(url, str) and url.isascii():
        target = _split_plain(url)
        if target is not None:
            return target
    parsed = httpx.URL(url)
    path = parsed.raw_path.split(b"?", 1)[0].decode("ascii")
    host = parsed.raw_host.decode("ascii")
    uri = f"{parsed.scheme}://{_authority(parsed.scheme, host, parsed.port)}{path}"
    return RequestTarget(parsed.scheme, uri, parsed.query.decode("ascii"))


def with_host(target: RequestTarget, host: str | None) -> str:
    """Return the base string URI, using the ``Host`` header's authority when
    it differs from the URL's, as RFC 5849 §3.4.1.2 requires."""
    uri = target.base_string_uri
    if host is None:
        return uri
    authority = uri.split("://", 1)[1].split("/", 1)[0]
    if host.lower() == authority:
        return uri
    return str(normalize_base_string_uri(uri, host))


def is_form_content_type(content_type: str | None) -> bool:
    """Return whether a ``Content-Type`` value is
    ``application/x-www-form-urlencoded``, with or without parameters such as
    ``charset``."""
    if not content_type:
        return False
    media_type = content_type.split(";", 1)[0].strip().lower()
    return media_type == FORM_CONTENT_TYPE


def collect_parameters(
    query: str,
    protocol_parameters: Iterable[tuple[str, str]],
    *,
    content_type: str | None = None,
    body: bytes | None = None,
) -> Parameters:
    """Collect the parameters that the signature covers (RFC 5849 §3.4.1.3.1).

    Sources: the query (form-decoded, so ``+`` is a space), the protocol
    parameters, and the body only when it is ``application/x-www-form-urlencoded``.
    ``oauth_signature`` is excluded wherever it appears. Values are returned
    decoded; the caller passes decoded protocol parameters too.
    """
    # keep_blank_values keeps "c2" and "c%40=" as names with empty values, as
    # the normalization of RFC 5849 §3.4.1.3.2 requires.
    parameters = parse_qsl(query, keep_blank_values=True)
    if body and is_form_content_type(content_type):
        text = body.decode("utf-8", "replace")
        parameters.extend(parse_qsl(text, keep_blank_values=True))
    parameters = [
        (name, value) for name, value in parameters if name != "oauth_signature"
    ]
    parameters.extend(protocol_parameters)
    return parameters


def percent_encode(value: str) -> str:
    """Encode ``value`` as RFC 5849 §3.6 requires: UTF-8, then every octet
    outside ``ALPHA DIGIT - . _ ~`` as ``%XX`` with uppercase hex."""
    if _UNRESERVED.fullmatch(value):
        return value
    # A table lookup per octet: urllib's quote() makes a Python-level call per
    # octet, which is several times slower on the long strings of a base string.
    return "".join(map(_ENCODED_OCTETS.__getitem__, value.encode("utf-8")))


def normalize_parameters(parameters: Sequence[tuple[str, str]]) -> str:
    """Normalize parameters (RFC 5849 §3.4.1.3.2).

    1. Encode each name and value (§3.6).
    2. Sort by name in byte order, and by value where names are equal.
    3. Join each name to its value with "=", even when the value is empty.
    4. Join the pairs with "&".
    """
    encoded = sorted(
        (percent_encode(name), percent_encode(value)) for name, value in parameters
    )
    return "&".join(f"{name}={value}" for name, value in encoded)


def signature_base_string(
    method: str, uri: str, parameters: Sequence[tuple[str, str]]
) -> str:
    """Return the signature base string (RFC 5849 §3.4.1.1).

    1. The request method in uppercase, encoded.
    2. An "&", then the encoded base string URI.
    3. An "&", then the encoded normalized parameters.
    """
    normalized = normalize_parameters(parameters)
    # The normalized string holds only unreserved characters, "%", "=" and "&",
    # so encoding it (§3.6) replaces exactly those three.
    encoded = normalized.replace("%", "%25").replace("=", "%3D").replace("&", "%26")
    return f"{percent_encode(method.upper())}&{percent_encode(uri)}&{encoded}"


def authorization_header(protocol_parameters: Iterable[tuple[str, str]]) -> str:
    """Return an ``Authorization`` header value with the protocol parameters
    (RFC 5849 §3.5.1): names and values encoded (§3.6) and values quoted."""
    pairs = ", ".join(
        f'{percent_encode(name)}="{percent_encode(value)}"'
        for name, value in protocol_parameters
    )
    return f"OAuth {pairs}"


def parse_authorization_header(value: str) -> Mapping[str, str] | None:
    """Return the decoded parameters of an ``OAuth`` authorization header, or
    ``None`` when the header uses another scheme. ``realm`` is left out
    (RFC 5849 §3.4.1.3.1)."""
    scheme, _, rest = value.strip().partition(" ")
    if scheme.lower() != "oauth":
        return None
    return {
        unquote(name): unquote(quoted.replace('\\"', '"'))
        for name, quoted in _AUTH_PARAM.findall(rest)
        if name != "realm"
    }


def _split_plain(url: str) -> RequestTarget | None:
    """Split a URL that httpx would send unchanged, or return ``None``."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    host = parts.hostname
    path = parts.path or "/"
    if (
        scheme not in _DEFAULT_PORTS
        or not host
        or not _PLAIN_PATH.fullmatch(path)
        or _DOT_SEGMENT.search(path)
    ):
        return None
    authority = _authority(scheme, host, port)
    return RequestTarget(scheme, f"{scheme}://{authority}{path}", parts.query)


def _authority(scheme: str, host: str, port: int | None) -> str:
    """Return host and port for the base string URI: the port only when it is
    not the scheme's default (RFC 5849 §3.4.1.2). httpx keeps ":443" when the
    URL's scheme is written in uppercase, so the port is checked here again."""
    authority = f"[{host}]" if ":" in host else host
    if port is not None and port != _DEFAULT_PORTS.get(scheme):
        authority = f"{authority}:{port}"
    return authority
