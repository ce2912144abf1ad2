"""Jira's ``oauth_problem`` replies for requests that oauthlib rejected.

The endpoint subclasses here keep the oauthlib request and the first OAuth1Error,
and problem_of() combines them with the problems the validator recorded to name
the problem that Jira would report first. Replies follow net.oauth, which Jira's
service provider uses: a status from its problem table, ``WWW-Authenticate:
OAuth realm="<percent-encoded base URL>", oauth_problem="..."`` and the same
parameters as a form-encoded body.
"""

from __future__ import annotations

import time
from typing import Any

from oauthlib.common import Request as OAuthlibRequest
from oauthlib.oauth1 import AccessTokenEndpoint
from oauthlib.oauth1 import AuthorizationEndpoint
from oauthlib.oauth1 import RequestTokenEndpoint
from oauthlib.oauth1 import ResourceEndpoint
from oauthlib.oauth1.rfc5849 import SIGNATURE_RSA_SHA1
from oauthlib.oauth1.rfc5849 import signature
from oauthlib.oauth1.rfc5849.errors import InvalidRequestError
from oauthlib.oauth1.rfc5849.errors import InvalidSignatureMethodError
from oauthlib.oauth1.rfc5849.errors import OAuth1Error
from oauthlib.oauth1.rfc5849.utils import escape
from starlette.responses import Response

from connauth_sandbox._credentials import generate_oauth1_verifier
from connauth_sandbox._oauth1_validator import ApplicationLinkValidator

FORM_UTF8 = "application/x-www-form-urlencoded;charset=UTF-8"
Problem = tuple[str, list[tuple[str, str]]]

# net.oauth's OAuth.Problems.TO_HTTP_CODE. A problem missing from it gets 403.
PROBLEM_STATUS = {
    **dict.fromkeys(
        (
            "version_rejected",
            "parameter_absent",
            "parameter_rejected",
            "timestamp_refused",
            "signature_method_rejected",
        ),
        400,
    ),
    **dict.fromkeys(
        (
            "nonce_used",
            "token_used",
            "token_expired",
            "token_revoked",
            "token_rejected",
            "token_not_authorized",
            "signature_invalid",
            "consumer_key_unknown",
            "consumer_key_rejected",
            "additional_authorization_required",
            "permission_unknown",
            "permission_denied",
        ),
        401,
    ),
    **dict.fromkeys(("user_refused", "consumer_key_refused"), 503),
}

# The order in which Jira's service provider checks, and so reports, problems
# when several apply: the token servlets look the consumer up first, and REST
# authentication checks the access token before the signature and the consumer.
TOKEN_STEP_ORDER = (
    "parameter_rejected",
    "consumer_key_unknown",
    "nonce_used",
    "token_expired",
    "permission_unknown",
    "permission_denied",
    "token_rejected",
    "signature_invalid",
)
RESOURCE_ORDER = (
    "parameter_rejected",
    "nonce_used",
    "token_rejected",
    "token_expired",
    "signature_invalid",
    "consumer_key_unknown",
)
_MANDATORY = (
    "oauth_consumer_key",
    "oauth_signature_method",
    "oauth_signature",
    "oauth_timestamp",
    "oauth_nonce",
)


def problem_response(
    realm: str, problem: str, params: list[tuple[str, str]] | None = None
) -> Response:
    """Build net.oauth's reply for an OAuth problem."""
    pairs = [("oauth_problem", problem), *(params or [])]
    challenge = ", ".join(
        [f'OAuth realm="{escape(realm)}"']
        + [f'{name}="{escape(value)}"' for name, value in pairs]
    )
    body = "&".join(f"{escape(name)}={escape(value)}" for name, value in pairs)
    return Response(
        body,
        status_code=PROBLEM_STATUS.get(problem, 403),
        headers={"WWW-Authenticate": challenge, "Content-Type": FORM_UTF8},
    )


class _RecordingMixin:
    """Keeps the oauthlib request and the first OAuth1Error for problem_of().

    NOTE: this overrides oauthlib's private ``_create_request`` and
    ``_check_mandatory_parameters`` (as of oauthlib 4.0.1), because the resource
    endpoint discards the errors they raise.
    """

    request_validator: ApplicationLinkValidator

    def _create_request(self, *args: Any, **kwargs: Any) -> OAuthlibRequest:
        try:
            request = super()._create_request(*args, **kwargs)  # type: ignore[misc]
        except OAuth1Error as error:
            self.request_validator.error = error
            raise
        self.request_validator.oauth_request = request
        return request

    def _check_mandatory_parameters(self, request: OAuthlibRequest) -> None:
        try:
            super()._check_mandatory_parameters(request)  # type: ignore[misc]
            _check_host_clock(self.request_validator, request)
        except OAuth1Error as error:
            self.request_validator.error = error
            raise

    def validate_request_token_request(self, request: OAuthlibRequest) -> Any:
        try:
            return super().validate_request_token_request(request)  # type: ignore[misc]
        except OAuth1Error as error:
            self.request_validator.error = self.request_validator.error or error
            raise

    def validate_access_token_request(self, request: OAuthlibRequest) -> Any:
        try:
            return super().validate_access_token_request(request)  # type: ignore[misc]
        except OAuth1Error as error:
            self.request_validator.error = self.request_validator.error or error
            raise


def _check_host_clock(
    validator: ApplicationLinkValidator, request: OAuthlibRequest
) -> None:
    """Reject a timestamp outside the window around the emulated host's clock.

    oauthlib checks the timestamp against this machine's clock only, which
    misses a host whose clock is off by ``clock_offset``.
    """
    offset = validator.sandbox.settings.clock_offset
    window = validator.timestamp_lifetime
    if not offset or not str(request.timestamp or "").isdigit():
        return
    if abs(time.time() + offset - int(request.timestamp)) > window:
        raise InvalidRequestError(
            description="Timestamp given is invalid, differ from allowed by over "
            f"{window} seconds."
        )


class RecordingRequestTokenEndpoint(_RecordingMixin, RequestTokenEndpoint):  # type: ignore[misc]
    pass


class RecordingAccessTokenEndpoint(_RecordingMixin, AccessTokenEndpoint):  # type: ignore[misc]
    pass


class RecordingResourceEndpoint(_RecordingMixin, ResourceEndpoint):  # type: ignore[misc]
    pass


def authorization_endpoint(validator: ApplicationLinkValidator) -> Any:
    """Build oauthlib's authorize step with Jira's 6-character verifiers."""
    return AuthorizationEndpoint(validator, token_generator=generate_oauth1_verifier)


def problem_of(
    validator: ApplicationLinkValidator, order: tuple[str, ...] = TOKEN_STEP_ORDER
) -> Problem:
    """Name the oauth_problem and its extra parameters for a rejected request."""
    if validator.error is not None:
        return _problem_of_error(validator.error, validator)
    request = validator.oauth_request
    for problem in order:
        if problem in validator.problems:
            return problem, validator.problems[problem]
        signature_failed = (
            request is not None and request.validator_log.get("signature") is False
        )
        if problem == "signature_invalid" and signature_failed:
            return problem, _signature_details(request)
    # oauthlib rejected the request for a reason the validator did not record,
    # such as a token of an unexpected format.
    return "token_rejected", []


def _problem_of_error(
    error: OAuth1Error, validator: ApplicationLinkValidator
) -> Problem:
    description = error.description or ""
    if isinstance(error, InvalidSignatureMethodError):
        return "signature_method_rejected", [
            ("oauth_acceptable_signature_methods", SIGNATURE_RSA_SHA1)
        ]
    if "version" in description:
        return "version_rejected", [("oauth_acceptable_versions", "1.0-1.0")]
    if description.startswith("Timestamp"):
        window = validator.timestamp_lifetime
        now = int(time.time() + validator.sandbox.settings.clock_offset)
        return "timestamp_refused", [
            ("oauth_acceptable_timestamps", f"{now - window}-{now + window}")
        ]
    if description.startswith("Missing"):
        return "parameter_absent", [("oauth_parameters_absent", _absent(validator))]
    if "resource owner key" in description or "verifier format" in description:
        return "token_rejected", []
    if "client key" in description:
        return "consumer_key_unknown", []
    return "parameter_rejected", []


def _absent(validator: ApplicationLinkValidator) -> str:
    request = validator.oauth_request
    present = dict(request.oauth_params) if request is not None else {}
    expected = list(_MANDATORY)
    description = validator.error.description if validator.error else ""
    if "callback" in description:
        expected.append("oauth_callback")
    if "resource owner" in description:
        expected.append("oauth_token")
    if "verifier" in description:
        expected.append("oauth_verifier")
    return "&".join(name for name in expected if not present.get(name))


def _signature_details(request: OAuthlibRequest) -> list[tuple[str, str]]:
    """Return what net.oauth adds to signature_invalid, base string included."""
    base_string = signature.signature_base_string(
        request.http_method,
        signature.base_string_uri(request.uri),
        signature.normalize_parameters(request.params),
    )
    return [
        ("oauth_signature", request.signature or ""),
        ("oauth_signature_base_string", base_string),
        ("oauth_signature_method", request.signature_method or ""),
    ]
