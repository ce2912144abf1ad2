"""The steps a Jira Data Center admin follows to create the application link."""

from __future__ import annotations

from urllib.parse import urlsplit

from connauth import Checklist
from connauth import ChecklistStep
from connauth import ConfigError
from connauth import CopyBackField
from connauth import HostIdentity
from connauth import MethodConfig
from connauth import ShownValue
from connauth_oauth1a._config import OAuth1aConfig
from connauth_oauth1a._keys import public_key_pem

__all__ = ["build_checklist"]

NO_KEY_YET = (
    "No key pair yet. Run 'connauth keygen', keep the private key for this "
    "connector's private_key, and paste the public key here."
)


def build_checklist(host: HostIdentity, config: MethodConfig | None) -> Checklist:
    """Return the OAuth 1.0a setup checklist filled in with ``host``'s values.

    With ``config``, the public key is derived from its private key; otherwise
    the step explains how to generate a pair.
    """
    public_key = _public_key(config)
    return Checklist(
        method="oauth1a",
        title="Connect a Jira Data Center site with an OAuth 1.0a application link",
        steps=(
            _base_url_step(),
            _key_step(public_key),
            _outbound_step(host),
            _link_step(host),
            _incoming_step(host, public_key),
            _sha1_step(),
        ),
    )


def _public_key(config: MethodConfig | None) -> str:
    if not isinstance(config, OAuth1aConfig):
        return NO_KEY_YET
    try:
        return public_key_pem(config.rsa_private_key)
    except ConfigError:
        return NO_KEY_YET


def _base_url_step() -> ChecklistStep:
    return ChecklistStep(
        id="jira-base-url",
        title="Note Jira's public base URL",
        instructions=(
            "In Jira, open Administration > System > General configuration and copy "
            "the Base URL. Use exactly this URL as site_url: Jira checks each "
            "signature against its public scheme, host and port, so an internal "
            "address or another port fails with signature_invalid.",
            "If the site has no TLS, site_url may be http://, but only with "
            "allow_insecure_http set on this connector: signed requests and tokens "
            "then travel unencrypted.",
            "Leave the endpoint paths at their defaults unless a proxy serves Jira's "
            "OAuth servlets elsewhere.",
        ),
        copy_back=(
            CopyBackField(field="site_url", label="Jira base URL"),
            CopyBackField(field="allow_insecure_http", label="Allow plain HTTP"),
            CopyBackField(field="request_token_path", label="Request-token path"),
            CopyBackField(field="authorize_path", label="Authorization path"),
            CopyBackField(field="access_token_path", label="Access-token path"),
        ),
    )


def _key_step(public_key: str) -> ChecklistStep:
    return ChecklistStep(
        id="generate-key",
        title="Create an RSA key pair",
        instructions=(
            "Run 'connauth keygen' to create a 2048-bit RSA key pair, or use an RSA "
            "key of at least 2048 bits that you already have.",
            "The private key stays with this host as the connector's private_key; "
            "if it is encrypted, give its passphrase as private_key_passphrase. "
            "Only the public key goes into Jira.",
        ),
        show=(ShownValue(label="Public key", value=public_key, multiline=True),),
        copy_back=(
            CopyBackField(field="private_key", label="Private key (PEM)", secret=True),
            CopyBackField(
                field="private_key_passphrase",
                label="Private key passphrase",
                secret=True,
            ),
        ),
    )


def _outbound_step(host: HostIdentity) -> ChecklistStep:
    parts = urlsplit(host.public_base_url)
    port = parts.port or 443
    return ChecklistStep(
        id="jira-outbound-https",
        title=f"Let Jira reach {host.name}",
        instructions=(
            f"When the link is created, Jira's server connects to {host.name} at its "
            f"public URL over HTTPS (port {port}) to identify the application. Allow "
            "this outbound connection in Jira's firewall or proxy.",
            "If Jira cannot connect, it reports that it received no response from "
            "the URL. The link can still be created, and logins still work, because "
            "the browser carries the callback rather than Jira's server.",
        ),
        show=(
            ShownValue(label="Host URL", value=host.public_base_url),
            ShownValue(label="Port", value=str(port)),
        ),
    )


def _link_step(host: HostIdentity) -> ChecklistStep:
    return ChecklistStep(
        id="create-application-link",
        title="Create the application link",
        instructions=(
            "In Jira, open Administration > Applications > Application links and "
            "create a link to the URL shown here.",
            "Choose the type Generic Application, which holds an OAuth 1.0a consumer "
            "key and public key, and set the application name shown here.",
            "Make it an incoming link: the application calls Jira's REST API, and "
            "Jira does not call the application.",
        ),
        show=(
            ShownValue(label="Application URL", value=host.public_base_url),
            ShownValue(label="Application name", value=host.name),
            ShownValue(label="Application type", value="Generic Application"),
        ),
    )


def _incoming_step(host: HostIdentity, public_key: str) -> ChecklistStep:
    return ChecklistStep(
        id="incoming-authentication",
        title="Set the link's incoming authentication",
        instructions=(
            "Edit the new link and open Incoming Authentication.",
            "Enter a consumer key of at least 15 characters, for example a random "
            "string, and copy the same value into this connector's consumer_key.",
            "Enter the consumer name, the public key from the key-pair step and the "
            "consumer callback URL shown here, then save.",
        ),
        show=(
            ShownValue(label="Consumer name", value=host.name),
            ShownValue(label="Public key", value=public_key, multiline=True),
            ShownValue(label="Consumer callback URL", value=host.redirect_url),
        ),
        copy_back=(CopyBackField(field="consumer_key", label="Consumer key"),),
    )


def _sha1_step() -> ChecklistStep:
    return ChecklistStep(
        id="host-sha1-signatures",
        title="Check that this host may sign with SHA-1",
        instructions=(
            "Application links verify RSA-SHA1 signatures only. Some operating "
            "system crypto policies forbid SHA-1 signatures, for example the "
            "DEFAULT policy of RHEL 9 and its rebuilds; 'connauth check' reports it.",
            "On such a host, allow SHA-1 signatures for the process that runs "
            "connauth (on RHEL 9: 'update-crypto-policies --set DEFAULT:SHA1'), or "
            "connect the site with OAuth 2.0 instead.",
        ),
    )
