"""Reading Jira's ``oauth_problem`` replies into typed errors.

Jira's OAuth 1.0a service provider (net.oauth) reports a problem in two places:
a form-encoded body such as ``oauth_problem=consumer_key_unknown``, and a
``WWW-Authenticate: OAuth realm="...", oauth_problem="..."`` header. Behind
Jira's OAuth filter a 401 often carries two ``WWW-Authenticate`` headers, which
some clients join with a comma. Both places are read; the body wins when both
name a parameter.
"""

from __future__ import annotations

import re
import time
from collections.abc import Mapping
from datetime import UTC
from datetime import datetime
from email.utils import parsedate_to_datetime
from urllib.parse import unquote
from urllib.parse import urlsplit

import httpx

from connauth import TransientAuthError
from connauth_oauth1a._errors import ConsumerKeyUnknown
from connauth_oauth1a._errors import NonceUsed
from connauth_oauth1a._errors import OAuth1aProblem
from connauth_oauth1a._errors import PermissionDenied
from connauth_oauth1a._errors import SignatureInvalid
from connauth_oauth1a._errors import SignatureMethodRejected
from connauth_oauth1a._errors import TimestampRefused
from connauth_oauth1a._errors import TokenExpired
from connauth_oauth1a._errors import TokenRejected
from connauth_oauth1a._signature import collect_parameters
from connauth_oauth1a._signature import is_form_content_type
from connauth_oauth1a._signature import parse_authorization_header
from connauth_oauth1a._signature import parse_target
from connauth_oauth1a._signature import signature_base_string
from connauth_oauth1a._signature import with_host

__all__ = [
    "oauth_problem_error",
    "parse_oauth_problem",
    "raise_for_oauth_problem",
    "transient_error",
]

_AUTH_PARAM = re.compile(
    r'([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,"]*))'
)
_BODY_TYPES = ("text/plain", "application/x-www-form-urlencoded", "")

STEP_BASE_URL = "jira-base-url"
STEP_INCOMING = "incoming-authentication"


def parse_oauth_problem(response: httpx.Response) -> dict[str, str] | None:
    """Return the ``oauth_*`` parameters of a problem reply, or ``None`` when
    the response names no ``oauth_problem``. Values are percent-decoded."""
    parameters: dict[str, str] = {}
    for header in response.headers.get_list("WWW-Authenticate"):
        parameters.update(_header_parameters(header))
    parameters.update(_body_parameters(response))
    if not parameters.get("oauth_problem"):
        return None
    return parameters


def oauth_problem_error(
    response: httpx.Response,
    *,
    client_base_string: str | None = None,
    connector_id: str | None = None,
) -> OAuth1aProblem | None:
    """Return the typed error for a reply with ``oauth_problem``, else ``None``.

    ``client_base_string`` is the base string that was signed. Without it, the
    base string is computed again from ``response.request``, provided that
    request carries an ``OAuth`` authorization header.
    """
    parameters = parse_oauth_problem(response)
    if parameters is None:
        return None
    if client_base_string is None:
        client_base_string = _client_base_string(response)
    return _problem_error(
        parameters,
        status_code=response.status_code,
        client_base_string=client_base_string,
        connector_id=connector_id,
    )


def raise_for_oauth_problem(
    response: httpx.Response, *, connector_id: str | None = None
) -> None:
    """Raise the typed error when ``response`` carries ``oauth_problem``.

    For API callers and connectivity checks that received a 401 (or a 400 or
    403) from Jira. Returns normally when the response names no problem; the
    caller then handles the status as for any other response.
    """
    error = oauth_problem_error(response, connector_id=connector_id)
    if error is not None:
        raise error


def transient_error(
    response: httpx.Response, endpoint: str
) -> TransientAuthError | None:
    """Return a :class:`~connauth.TransientAuthError` for 429 and 5xx replies."""
    status = response.status_code
    if status != 429 and status < 500:
        return None
    return TransientAuthError(
        f"{endpoint} returned HTTP {status}; retry later",
        retry_after=_retry_after(response),
        status_code=status,
    )


def _header_parameters(header: str) -> dict[str, str]:
    parameters = {}
    for name, quoted, token in _AUTH_PARAM.findall(header):
        if not name.startswith("oauth_"):
            continue
        raw = quoted.replace('\\"', '"').replace("\\\\", "\\") if quoted else token
        parameters[name] = unquote(raw)
    return parameters


def _body_parameters(response: httpx.Response) -> dict[str, str]:
    media_type = response.headers.get("Content-Type", "").split(";")[0].strip().lower()
    if media_type not in _BODY_TYPES:
        return {}
    try:
        text = response.content.decode("utf-8", "replace")
    except httpx.ResponseNotRead:
        return {}
    parameters = {}
    for pair in text.strip().split("&"):
        name, _, value = pair.partition("=")
        if name.startswith("oauth_"):
            parameters[unquote(name)] = unquote(value.replace("+", " "))
    return parameters


def _client_base_string(response: httpx.Response) -> str | None:
    try:
        request = response.request
    except RuntimeError:
        return None
    header = request.headers.get("Authorization", "")
    parameters = parse_authorization_header(header)
    if not parameters:
        return None
    protocol = [(n, v) for n, v in parameters.items() if n != "oauth_signature"]
    content_type = request.headers.get("Content-Type")
    body = None
    if is_form_content_type(content_type):
        try:
            body = request.content
        except httpx.RequestNotRead:
            return None
    target = parse_target(request.url)
    collected = collect_parameters(
        target.query, protocol, content_type=content_type, body=body
    )
    uri = with_host(target, request.headers.get("Host"))
    return signature_base_string(request.method, uri, collected)


def _problem_error(
    parameters: Mapping[str, str],
    *,
    status_code: int,
    client_base_string: str | None,
    connector_id: str | None,
) -> OAuth1aProblem:
    problem = parameters["oauth_problem"]
    advice = parameters.get("oauth_problem_advice")
    suffix = f" Jira's advice: {advice}" if advice else ""

    if problem == "signature_invalid":
        server = parameters.get("oauth_signature_base_string")
        message, step = _signature_invalid_message(server, client_base_string)
        return SignatureInvalid(
            message + suffix,
            problem=problem,
            server_base_string=server,
            client_base_string=client_base_string,
            advice=advice,
            status_code=status_code,
            connector_id=connector_id,
            step=step,
        )

    if problem == "timestamp_refused":
        skew = _skew_seconds(parameters.get("oauth_acceptable_timestamps"))
        return TimestampRefused(
            _timestamp_message(skew) + suffix,
            problem=problem,
            skew_seconds=skew,
            advice=advice,
            status_code=status_code,
            connector_id=connector_id,
        )

    error_class, message, step = _SIMPLE_PROBLEMS.get(
        problem, (OAuth1aProblem, _generic_message(problem), None)
    )
    return error_class(
        message + suffix,
        problem=problem,
        advice=advice,
        status_code=status_code,
        connector_id=connector_id,
        step=step,
    )


_SIMPLE_PROBLEMS: dict[str, tuple[type[OAuth1aProblem], str, str | None]] = {
    "consumer_key_unknown": (
        ConsumerKeyUnknown,
        "Jira has no application link with this consumer key (consumer_key_unknown). "
        "Check that consumer_key equals the consumer key in the application link's "
        "incoming authentication, and that the link exists on this Jira site",
        STEP_INCOMING,
    ),
    "signature_method_rejected": (
        SignatureMethodRejected,
        "Jira rejected the signature method (signature_method_rejected). Application "
        "links accept RSA-SHA1 only; check that the link's incoming authentication "
        "holds this connector's public key",
        STEP_INCOMING,
    ),
    "nonce_used": (
        NonceUsed,
        "Jira has already seen this request's nonce (nonce_used). A request was "
        "sent twice with the same signature; sign it again before resending",
        None,
    ),
    "token_rejected": (
        TokenRejected,
        "Jira rejected the token (token_rejected): it is unknown, revoked, or was "
        "issued on another site or to another consumer. Log in again",
        None,
    ),
    "token_revoked": (
        TokenRejected,
        "Jira revoked the token (token_revoked). Log in again",
        None,
    ),
    "token_used": (
        TokenRejected,
        "the request token was already exchanged (token_used). Log in again",
        None,
    ),
    "token_expired": (
        TokenExpired,
        "the token expired (token_expired). Log in again; a login must finish "
        "within Jira's 10-minute request-token lifetime",
        None,
    ),
    "permission_denied": (
        PermissionDenied,
        "the user denied access, or the authorization ended (permission_denied). "
        "Log in again and choose Allow",
        None,
    ),
    "permission_unknown": (
        PermissionDenied,
        "the request token was not approved yet (permission_unknown). Open the "
        "authorization page, choose Allow, then complete the login",
        None,
    ),
}


def _generic_message(problem: str) -> str:
    return (
        f"Jira rejected the OAuth 1.0a request ({problem}); check the application "
        "link and this connector's configuration"
    )


def _signature_invalid_message(
    server: str | None, client: str | None
) -> tuple[str, str | None]:
    lead = "Jira rejected the signature (signature_invalid)."
    if server is None or client is None:
        return (
            f"{lead} Check that site_url is Jira's public base URL and that the "
            "application link holds the public key of private_key",
            STEP_BASE_URL,
        )
    server_method, server_uri, server_params = _split_base_string(server)
    client_method, client_uri, client_params = _split_base_string(client)
    if server_uri != client_uri:
        return _uri_mismatch_message(lead, server_uri, client_uri), STEP_BASE_URL
    if server_method != client_method or server_params != client_params:
        return _parameter_mismatch_message(lead, server_params, client_params), None
    return (
        f"{lead} Jira computed the same base string as connauth, so the key pair "
        "does not match: the application link holds a public key that does not "
        "belong to private_key. Paste the public key shown by 'connauth checklist' "
        "into the link's incoming authentication",
        STEP_INCOMING,
    )


def _uri_mismatch_message(lead: str, server_uri: str, client_uri: str) -> str:
    server_origin = _origin(server_uri)
    if server_origin != _origin(client_uri):
        return (
            f"{lead} Jira checked the request as {server_uri} but connauth signed "
            f"{client_uri}: the scheme, host or port differ. Set site_url to Jira's "
            f"public base URL ({server_origin}, as in Jira's general configuration). "
            "If a reverse proxy sits in front of Jira, it must pass the public "
            "scheme, host and port to Jira"
        )
    return (
        f"{lead} Jira checked the request as {server_uri} but connauth signed "
        f"{client_uri}: the paths differ. Check the context path in site_url and any "
        "path rewriting in a reverse proxy"
    )


def _parameter_mismatch_message(
    lead: str, server_params: str, client_params: str
) -> str:
    server_names = _parameter_names(server_params)
    client_names = _parameter_names(client_params)
    only_server = sorted(set(server_names) - set(client_names))
    only_client = sorted(set(client_names) - set(server_names))
    detail = []
    if only_server:
        detail.append(f"only Jira saw {', '.join(only_server)}")
    if only_client:
        detail.append(f"only connauth signed {', '.join(only_client)}")
    if not detail:
        detail.append("the parameter values or the method differ")
    return (
        f"{lead} The URLs match but the signed parameters do not: "
        f"{'; '.join(detail)}. A proxy that rewrites the query or the form body "
        "causes this"
    )


def _split_base_string(base_string: str) -> tuple[str, str, str]:
    method, _, rest = base_string.partition("&")
    uri, _, params = rest.partition("&")
    return unquote(method), unquote(uri), unquote(params)


def _parameter_names(normalized: str) -> list[str]:
    return [unquote(pair.partition("=")[0]) for pair in normalized.split("&") if pair]


def _origin(uri: str) -> str:
    parts = urlsplit(uri)
    return f"{parts.scheme}://{parts.netloc}"


def _skew_seconds(acceptable: str | None) -> int | None:
    """Estimate local clock minus Jira's clock from ``oauth_acceptable_timestamps``
    (``"earliest-latest"``, centred on Jira's current time)."""
    if not acceptable:
        return None
    earliest, _, latest = acceptable.partition("-")
    try:
        centre = (int(earliest) + int(latest)) // 2
    except ValueError:
        return None
    return int(time.time()) - centre


def _timestamp_message(skew: int | None) -> str:
    measured = (
        "" if skew is None else f" This host's clock is about {skew:+d} s off Jira's."
    )
    return (
        "Jira rejected oauth_timestamp (timestamp_refused): the clocks of this host "
        f"and Jira differ by more than Jira accepts (5 minutes by default).{measured} "
        "Synchronise both clocks with NTP"
    )


def _retry_after(response: httpx.Response) -> float | None:
    """Return ``Retry-After`` in seconds, given as seconds or as an HTTP date."""
    value = response.headers.get("Retry-After")
    if value is None:
        return None
    try:
        return max(float(value), 0.0)
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max((when - datetime.now(UTC)).total_seconds(), 0.0)
