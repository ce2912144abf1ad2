"""Prerequisite validation: what can be checked before anything is sent."""

from __future__ import annotations

from connauth import CheckResult
from connauth import CheckStatus
from connauth import ConfigError
from connauth import CryptoPolicyError
from connauth import HostIdentity
from connauth import MethodConfig
from connauth_oauth1a._config import MIN_CONSUMER_KEY_LENGTH
from connauth_oauth1a._config import OAuth1aConfig
from connauth_oauth1a._config import signer_for
from connauth_oauth1a._keys import RECOMMENDED_RSA_BITS

__all__ = ["validate_prerequisites"]


def validate_prerequisites(
    config: MethodConfig, host: HostIdentity
) -> list[CheckResult]:
    """Return every finding about ``config``; an empty list when all is well.

    The config model already rejects most of these. They are checked again
    here for configurations built without validation (``model_construct``),
    and this is where the runtime's RSA-SHA1 self-test and the warnings live.
    """
    if not isinstance(config, OAuth1aConfig):
        return [
            CheckResult(
                id="oauth1a-config",
                status=CheckStatus.FAIL,
                message=f"expected an OAuth1aConfig, got {type(config).__name__}",
            )
        ]
    findings = [*_consumer_key(config), *_transport(config)]
    key_findings = _private_key(config)
    findings.extend(key_findings)
    if not any(finding.failed for finding in key_findings):
        findings.extend(_rsa_sha1(config))
    return findings


def _consumer_key(config: OAuth1aConfig) -> list[CheckResult]:
    length = len(config.consumer_key)
    if length >= MIN_CONSUMER_KEY_LENGTH:
        return []
    return [
        CheckResult(
            id="consumer-key",
            status=CheckStatus.FAIL,
            message=f"consumer_key has {length} characters; Jira's application link "
            f"form asks for at least {MIN_CONSUMER_KEY_LENGTH}",
            step="incoming-authentication",
            details={"length": length},
        )
    ]


def _transport(config: OAuth1aConfig) -> list[CheckResult]:
    if not config.is_plain_http:
        return []
    if not config.allow_insecure_http:
        return [
            CheckResult(
                id="site-url-https",
                status=CheckStatus.FAIL,
                message="site_url uses plain http://; use the site's https:// URL, or "
                "set allow_insecure_http = true if the site has no TLS",
                step="jira-base-url",
            )
        ]
    return [
        CheckResult(
            id="site-url-https",
            status=CheckStatus.WARN,
            message="site_url uses plain http:// (allow_insecure_http is set): signed "
            "requests and tokens travel unencrypted; move the site to HTTPS",
            step="jira-base-url",
        )
    ]


def _private_key(config: OAuth1aConfig) -> list[CheckResult]:
    try:
        key = config.rsa_private_key
    except ConfigError as error:
        return [
            CheckResult(
                id="private-key",
                status=CheckStatus.FAIL,
                message=error.message,
                step="generate-key",
            )
        ]
    if key.key_size >= RECOMMENDED_RSA_BITS:
        return []
    return [
        CheckResult(
            id="private-key",
            status=CheckStatus.WARN,
            message=f"private_key is an RSA key of {key.key_size} bits; create a "
            f"{RECOMMENDED_RSA_BITS}-bit pair with 'connauth keygen' and put its "
            "public key into the application link",
            step="generate-key",
            details={"bits": key.key_size},
        )
    ]


def _rsa_sha1(config: OAuth1aConfig) -> list[CheckResult]:
    try:
        signer_for(config)
    except CryptoPolicyError as error:
        return [
            CheckResult(
                id="rsa-sha1-signing",
                status=CheckStatus.FAIL,
                message=error.message,
                step=error.step,
            )
        ]
    return []
