"""The ``tls`` check: the site's certificate is valid, trusted and not expiring.

The handshake uses the same trust settings as the connector's requests
(``HttpSettings.verify``: the CA bundle httpx uses by default, a CA bundle
path, or no verification), so a certificate this check accepts is one the
connector's requests accept. When verification fails, a second handshake
without verification fetches the certificate so that the report can name its
issuer and expiry date.
"""

from __future__ import annotations

import asyncio
import ssl
from dataclasses import dataclass
from datetime import UTC
from datetime import datetime

import httpx
from cryptography import x509
from cryptography.x509.oid import NameOID

from connauth._check_options import CheckOptions
from connauth._checks import CheckContext
from connauth._checks import CheckResult
from connauth._checks import CheckStatus
from connauth._checks import ConnectivityCheck
from connauth._network_checks import TCP_CHECK_ID
from connauth._network_checks import Endpoint
from connauth._network_checks import NetworkProbe

__all__ = ["TLS_CHECK_ID", "tls_check"]

TLS_CHECK_ID = "tls"

# OpenSSL's X509_V_ERR_* codes that the messages below distinguish.
_EXPIRED = 10
_NOT_YET_VALID = 9
_UNTRUSTED = frozenset({18, 19, 20, 21})
_HOSTNAME_MISMATCH = 62


@dataclass(frozen=True)
class _Certificate:
    """The facts of a server certificate that the report shows."""

    subject: str
    issuer: str
    not_after: datetime

    @classmethod
    def from_der(cls, der: bytes) -> _Certificate:
        certificate = x509.load_der_x509_certificate(der)
        return cls(
            subject=_common_name(certificate.subject),
            issuer=_common_name(certificate.issuer),
            not_after=certificate.not_valid_after_utc,
        )


def tls_check(probe: NetworkProbe, options: CheckOptions) -> ConnectivityCheck:
    """Build the check of every HTTPS endpoint's certificate."""

    async def run(context: CheckContext) -> CheckResult:
        secure = [e for e in probe.direct_endpoints() if e.scheme == "https"]
        if not secure:
            return _skip_reason(probe)
        client_options = context.http.client_options()
        verify = client_options["verify"]
        trust_env = bool(client_options.get("trust_env", True))
        verified = httpx.create_ssl_context(verify=verify, trust_env=trust_env)
        results = []
        for endpoint in secure:
            result = await _check_endpoint(endpoint, verified, probe, options)
            if result.status is CheckStatus.FAIL:
                return result
            results.append(result)
        if verify is False:
            return _verification_off(results, probe)
        return _worst(results)

    return ConnectivityCheck(
        id=TLS_CHECK_ID,
        title="TLS certificate valid and trusted",
        description="TLS handshake with each HTTPS endpoint using the connector's "
        "CA settings (http.verify); warns when the certificate expires soon.",
        run=run,
        step=probe.site_step,
        timeout=5.0,
        requires=(TCP_CHECK_ID,),
    )


async def _check_endpoint(
    endpoint: Endpoint,
    context: ssl.SSLContext,
    probe: NetworkProbe,
    options: CheckOptions,
) -> CheckResult:
    try:
        addresses = await probe.resolve(endpoint)
        der = await _handshake(addresses[0], endpoint, context)
    except ssl.SSLCertVerificationError as error:
        presented = await _unverified_certificate(addresses[0], endpoint)
        return _verification_failed(endpoint, error, presented, probe)
    except OSError as error:
        # ssl.SSLError is an OSError, so this catches a failed handshake as well
        # as a failed lookup.
        return CheckResult(
            id=TLS_CHECK_ID,
            status=CheckStatus.FAIL,
            message=f"the TLS handshake with {endpoint.address} failed "
            f"({_ssl_reason(error)}); check that site_url's port serves HTTPS",
            step=probe.site_step,
            details={"address": endpoint.address},
        )
    certificate = _Certificate.from_der(der)
    return _expiry_result(endpoint, certificate, probe, options)


async def _handshake(
    address: str, endpoint: Endpoint, context: ssl.SSLContext
) -> bytes:
    """Complete a TLS handshake and return the server's certificate (DER)."""
    _, writer = await asyncio.open_connection(
        address, endpoint.port, ssl=context, server_hostname=endpoint.host
    )
    try:
        ssl_object = writer.get_extra_info("ssl_object")
        der = ssl_object.getpeercert(binary_form=True) if ssl_object else None
    finally:
        writer.close()
        await _closed(writer)
    if not der:
        raise ssl.SSLError("the server presented no certificate")
    return bytes(der)


async def _unverified_certificate(
    address: str, endpoint: Endpoint
) -> _Certificate | None:
    """Return the certificate the server presents, without verifying it."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    try:
        der = await _handshake(address, endpoint, context)
        return _Certificate.from_der(der)
    except (ssl.SSLError, OSError, ValueError):
        return None


async def _closed(writer: asyncio.StreamWriter) -> None:
    try:
        await writer.wait_closed()
    except (ssl.SSLError, OSError):
        # The server may drop the connection without close_notify; the
        # certificate was already read.
        return


def _verification_failed(
    endpoint: Endpoint,
    error: ssl.SSLCertVerificationError,
    presented: _Certificate | None,
    probe: NetworkProbe,
) -> CheckResult:
    reason = error.verify_message or _ssl_reason(error)
    where = f"the certificate of {endpoint.address}"
    details: dict[str, str | int | None] = {
        "address": endpoint.address,
        "verify_code": error.verify_code,
    }
    if presented is not None:
        details |= {
            "subject": presented.subject,
            "issuer": presented.issuer,
            "not_after": presented.not_after.isoformat(),
        }
    code = error.verify_code
    if code == _EXPIRED and presented is not None:
        when = presented.not_after.date().isoformat()
        message = f"{where} expired on {when}; the site's admin must renew it"
    elif code == _NOT_YET_VALID:
        message = (
            f"{where} is not valid yet ({reason}); check this host's clock and "
            "the certificate's start date"
        )
    elif code in _UNTRUSTED:
        issuer = f", issued by {presented.issuer!r}," if presented else ""
        message = (
            f"{where}{issuer} is not trusted by {_trust_source(probe)} ({reason}). "
            "If the site uses a private CA, set http.verify to the path of a PEM "
            "file with that CA's certificate; connauth uses it for every request"
        )
    elif code == _HOSTNAME_MISMATCH:
        message = (
            f"{where} is not valid for the host {endpoint.host} ({reason}); set "
            "site_url to a host name the certificate covers"
        )
    else:
        message = f"{where} failed verification ({reason})"
    return CheckResult(
        id=TLS_CHECK_ID,
        status=CheckStatus.FAIL,
        message=message,
        step=probe.site_step,
        details=details,
    )


def _expiry_result(
    endpoint: Endpoint,
    certificate: _Certificate,
    probe: NetworkProbe,
    options: CheckOptions,
) -> CheckResult:
    left = certificate.not_after - datetime.now(UTC)
    days = left.total_seconds() / 86400
    details: dict[str, str | float] = {
        "address": endpoint.address,
        "issuer": certificate.issuer,
        "not_after": certificate.not_after.isoformat(),
        "days_left": round(days, 1),
    }
    when = certificate.not_after.date().isoformat()
    if days < options.certificate_warning_days:
        return CheckResult(
            id=TLS_CHECK_ID,
            status=CheckStatus.WARN,
            message=f"the certificate of {endpoint.address} expires on {when}, in "
            f"{days:.0f} days; ask the site's admin to renew it before then",
            step=probe.site_step,
            details=details,
        )
    return CheckResult(
        id=TLS_CHECK_ID,
        status=CheckStatus.PASS,
        message=f"the certificate of {endpoint.address} is trusted and valid until "
        f"{when}",
        details=details,
    )


def _verification_off(results: list[CheckResult], probe: NetworkProbe) -> CheckResult:
    worst = _worst(results)
    return CheckResult(
        id=TLS_CHECK_ID,
        status=CheckStatus.WARN,
        message="TLS verification is off (http.verify = false), so any server can "
        "pose as the site and read the credentials; set http.verify to true or to "
        f"the site's CA bundle. {worst.message}",
        step=probe.site_step,
        details=worst.details,
    )


def _worst(results: list[CheckResult]) -> CheckResult:
    for result in results:
        if result.status is CheckStatus.WARN:
            return result
    return results[0]


def _skip_reason(probe: NetworkProbe) -> CheckResult:
    if not probe.direct_endpoints():
        message = (
            "requests go through a proxy, so this host does not connect to the "
            "site itself; the http check tests the path through the proxy"
        )
    else:
        message = "the site uses plain HTTP, so there is no certificate to check"
    return CheckResult(id=TLS_CHECK_ID, status=CheckStatus.SKIP, message=message)


def _trust_source(probe: NetworkProbe) -> str:
    verify = probe.http.verify
    if isinstance(verify, str):
        return f"the CA bundle {verify}"
    return "the default CA bundle (http.verify = true)"


def _ssl_reason(error: Exception) -> str:
    if isinstance(error, ssl.SSLError) and error.reason:
        return str(error.reason)
    if isinstance(error, OSError) and error.strerror:
        return error.strerror
    return type(error).__name__


def _common_name(name: x509.Name) -> str:
    values = name.get_attributes_for_oid(NameOID.COMMON_NAME)
    if values:
        return str(values[0].value)
    return name.rfc4514_string()
