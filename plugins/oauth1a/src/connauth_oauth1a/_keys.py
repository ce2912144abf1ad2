"""RSA keys for application links: loading what admins paste, and generating pairs.

Jira stores the consumer's public key in the application link and verifies
RSA-SHA1 signatures with it, so the host needs the matching private key.
:func:`load_private_key` accepts the forms in which people paste keys and
raises a typed error for every form it cannot use. Messages never contain key
material.

Key size policy: keys below :data:`MIN_RSA_BITS` (1024) are rejected with
:class:`~connauth.KeyTypeError`. Keys from 1024 up to 2047 bits load, because
existing application links may hold them (the RSA-SHA1 test vector that RFC
5849 implementations share is 1024 bits), but the plugin's prerequisite
validation warns about them. New keys are :data:`RECOMMENDED_RSA_BITS` (2048)
bits or more.
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass
from dataclasses import field

from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.asymmetric.types import PrivateKeyTypes
from pydantic import SecretStr

from connauth import KeyFormatError
from connauth import KeyPassphraseRequired
from connauth import KeyTypeError

__all__ = [
    "MIN_RSA_BITS",
    "RECOMMENDED_RSA_BITS",
    "KeyPair",
    "generate_key_pair",
    "load_private_key",
    "public_key_pem",
]

MIN_RSA_BITS = 1024
"""Smallest RSA modulus, in bits, that :func:`load_private_key` accepts."""

RECOMMENDED_RSA_BITS = 2048
"""Smallest RSA modulus, in bits, for new keys; smaller keys draw a warning."""

STEP = "generate-key"
"""Checklist step that fixes a key problem."""

_UTF8_BOM = b"\xef\xbb\xbf"
_PEM_BLOCK = re.compile(r"-----BEGIN ([A-Z0-9 ]+)-----(.*?)-----END \1-----", re.DOTALL)
_PRIVATE_LABELS = frozenset(
    {"PRIVATE KEY", "RSA PRIVATE KEY", "ENCRYPTED PRIVATE KEY", "OPENSSH PRIVATE KEY"}
)
_PUBLIC_LABELS = frozenset({"PUBLIC KEY", "RSA PUBLIC KEY", "SSH2 PUBLIC KEY"})
_CERTIFICATE_LABELS = frozenset(
    {"CERTIFICATE", "TRUSTED CERTIFICATE", "X509 CERTIFICATE", "CERTIFICATE REQUEST"}
)
_OPENSSH_MAGIC = b"openssh-key-v1\x00"

_PUBLIC_KEY_HINT = (
    "The private key stays with this host; the public key goes into the Jira "
    "application link. Give the private key ('-----BEGIN PRIVATE KEY-----' or "
    "'-----BEGIN RSA PRIVATE KEY-----'), or create a pair with 'connauth keygen'."
)


@dataclass(frozen=True)
class KeyPair:
    """A generated RSA key pair as PEM text.

    ``private_pem`` is PKCS#8 and stays with the host; ``public_pem`` is
    SubjectPublicKeyInfo and goes into the Jira application link.
    """

    private_pem: str = field(repr=False)
    public_pem: str


def generate_key_pair(
    bits: int = RECOMMENDED_RSA_BITS, *, passphrase: str | None = None
) -> KeyPair:
    """Generate an RSA key pair for an application link.

    With ``passphrase``, the private key is encrypted with the best encryption
    that cryptography offers. Raises :class:`~connauth.KeyTypeError` for
    ``bits`` below :data:`RECOMMENDED_RSA_BITS`.
    """
    if bits < RECOMMENDED_RSA_BITS:
        raise KeyTypeError(
            f"an RSA key of {bits} bits is too small for a new application link; "
            f"use at least {RECOMMENDED_RSA_BITS} bits",
            step=STEP,
        )
    key = rsa.generate_private_key(public_exponent=65537, key_size=bits)
    encryption: serialization.KeySerializationEncryption = (
        serialization.BestAvailableEncryption(passphrase.encode("utf-8"))
        if passphrase
        else serialization.NoEncryption()
    )
    private_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption
    )
    return KeyPair(
        private_pem=private_pem.decode("ascii"), public_pem=public_key_pem(key)
    )


def public_key_pem(private_key: rsa.RSAPrivateKey) -> str:
    """Return the SubjectPublicKeyInfo PEM of ``private_key``, as Jira's
    application link form expects it."""
    public = private_key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return public.decode("ascii")


def load_private_key(
    data: str | bytes | SecretStr,
    passphrase: str | bytes | SecretStr | None = None,
    *,
    min_bits: int = MIN_RSA_BITS,
) -> rsa.RSAPrivateKey:
    """Load an RSA private key from the text or bytes an admin supplied.

    Accepted forms: PKCS#1 (``RSA PRIVATE KEY``) and PKCS#8 (``PRIVATE KEY``,
    ``ENCRYPTED PRIVATE KEY``) PEM, OpenSSH (``OPENSSH PRIVATE KEY``), DER
    bytes, and base64 DER without PEM lines. The text may have CRLF line ends,
    indented lines, surrounding blank lines or quotes, a UTF-8 byte order mark,
    or literal ``\\n`` escapes in place of line breaks (as ``.env`` files keep
    them). Other PEM blocks next to the private key, such as its certificate,
    are ignored.

    Raises:
        KeyPassphraseRequired: the key is encrypted and ``passphrase`` is None.
        KeyFormatError: the data is a public key, a certificate, a file path,
            damaged, or the passphrase is wrong or given for a plain key.
        KeyTypeError: the key is not RSA, or smaller than ``min_bits``.
    """
    secret = _secret_bytes(passphrase)
    if isinstance(data, SecretStr):
        data = data.get_secret_value()
    if isinstance(data, bytes):
        data = data.removeprefix(_UTF8_BOM)
        if data.startswith(b"\x30"):
            return _checked(_load_der(data, secret), min_bits)
        try:
            data = data.decode("utf-8")
        except UnicodeDecodeError:
            raise _format_error(
                "private_key is neither PEM text nor DER bytes; give the PEM text "
                "of the private key"
            ) from None
    text = _clean_text(data)
    return _checked(_load_text(text, secret), min_bits)


def _secret_bytes(passphrase: str | bytes | SecretStr | None) -> bytes | None:
    if isinstance(passphrase, SecretStr):
        passphrase = passphrase.get_secret_value()
    if isinstance(passphrase, str):
        passphrase = passphrase.encode("utf-8")
    return passphrase or None


def _clean_text(text: str) -> str:
    """Undo the damage that config files and environment variables do to PEM."""
    text = text.removeprefix("\ufeff").strip()
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "\"'":
        text = text[1:-1].strip()
    # A PEM body never contains a backslash, so a literal "\n" is always an
    # escaped line break (as .env files and JSON strings keep them).
    for escaped in ("\\r\\n", "\\n", "\\r"):
        text = text.replace(escaped, "\n")
    return text


def _load_text(text: str, passphrase: bytes | None) -> PrivateKeyTypes:
    blocks = [
        (label, body) for label, body in _PEM_BLOCK.findall(text) if label.strip()
    ]
    if not blocks:
        return _load_unarmored(text, passphrase)

    private = [(label, body) for label, body in blocks if label in _PRIVATE_LABELS]
    if len(private) > 1:
        raise _format_error(
            "private_key contains several private keys; give only the one whose "
            "public key is in the Jira application link"
        )
    if private:
        label, body = private[0]
        return _load_block(label, _tidy_body(body), passphrase)

    labels = {label for label, _ in blocks}
    if labels & _PUBLIC_LABELS:
        raise _format_error(f"private_key contains a public key. {_PUBLIC_KEY_HINT}")
    if labels & _CERTIFICATE_LABELS:
        raise _format_error(
            f"private_key contains a certificate, not a private key. {_PUBLIC_KEY_HINT}"
        )
    if "EC PRIVATE KEY" in labels or "DSA PRIVATE KEY" in labels:
        kind = "an EC" if "EC PRIVATE KEY" in labels else "a DSA"
        raise _type_error(f"{kind} key")
    shown = ", ".join(sorted(labels))
    raise _format_error(
        f"private_key contains a PEM block of type {shown}, which is not a private "
        "key; give the RSA private key in PEM format"
    )


def _tidy_body(body: str) -> str:
    """Strip each line, which removes indentation and CR characters."""
    lines = [line.strip() for line in body.strip().splitlines()]
    return "\n".join(lines)


def _load_block(label: str, body: str, passphrase: bytes | None) -> PrivateKeyTypes:
    pem = f"-----BEGIN {label}-----\n{body}\n-----END {label}-----\n".encode("ascii")
    encrypted = _is_encrypted(label, body)
    if encrypted and passphrase is None:
        raise KeyPassphraseRequired(
            "private_key is encrypted; set private_key_passphrase to its passphrase",
            problems=(("private_key_passphrase", "passphrase missing", STEP),),
            step=STEP,
        )
    if not encrypted and passphrase is not None:
        raise _format_error(
            "private_key_passphrase is set, but private_key is not encrypted; "
            "remove private_key_passphrase",
            field_name="private_key_passphrase",
        )
    try:
        if label == "OPENSSH PRIVATE KEY":
            return serialization.load_ssh_private_key(pem, passphrase)
        return serialization.load_pem_private_key(pem, passphrase)
    except TypeError:
        # cryptography raises a bare TypeError when the passphrase and the key's
        # encryption disagree, in case _is_encrypted() guessed wrong.
        if passphrase is None:
            raise KeyPassphraseRequired(
                "private_key is encrypted; set private_key_passphrase",
                problems=(("private_key_passphrase", "passphrase missing", STEP),),
                step=STEP,
            ) from None
        raise _format_error(
            "private_key_passphrase is set, but private_key is not encrypted; "
            "remove private_key_passphrase",
            field_name="private_key_passphrase",
        ) from None
    except UnsupportedAlgorithm:
        raise _format_error(
            f"private_key ({label}) uses an encryption or algorithm that this "
            "runtime cannot read; convert it to unencrypted PKCS#8 with 'openssl "
            "pkcs8 -topk8 -nocrypt', or set a passphrase with 'ssh-keygen -p -m PKCS8'"
        ) from None
    except ValueError:
        if encrypted:
            raise _format_error(
                "private_key_passphrase does not decrypt private_key; check the "
                "passphrase",
                field_name="private_key_passphrase",
            ) from None
        raise _format_error(
            f"private_key looks like a {label} but its content is damaged or "
            "truncated; copy the whole key again, from the BEGIN line to the END line"
        ) from None


def _is_encrypted(label: str, body: str) -> bool:
    if label == "ENCRYPTED PRIVATE KEY":
        return True
    if label == "RSA PRIVATE KEY":
        return "Proc-Type: 4,ENCRYPTED" in body
    if label == "OPENSSH PRIVATE KEY":
        return _openssh_cipher(body) not in (None, b"none")
    return False


def _openssh_cipher(body: str) -> bytes | None:
    """Return the cipher name of an OpenSSH private key, or None if unreadable."""
    try:
        raw = base64.b64decode("".join(body.split()), validate=True)
    except (binascii.Error, ValueError):
        return None
    if not raw.startswith(_OPENSSH_MAGIC):
        return None
    rest = raw[len(_OPENSSH_MAGIC) :]
    length = int.from_bytes(rest[:4], "big")
    return rest[4 : 4 + length]


def _load_unarmored(text: str, passphrase: bytes | None) -> PrivateKeyTypes:
    if "-----BEGIN" in text:
        raise _format_error(
            "private_key has a BEGIN line without its matching END line; copy the "
            "whole key, from the BEGIN line to the END line"
        )
    if _looks_like_path(text):
        raise _format_error(
            "private_key looks like a file path; it must contain the key itself. "
            'In a connector file, write private_key = { file = "PATH" }'
        )
    if (
        text.startswith("ssh-rsa ")
        or text.startswith("ecdsa-")
        or text.startswith("ssh-ed25519 ")
    ):
        raise _format_error(
            f"private_key contains an SSH public key. {_PUBLIC_KEY_HINT}"
        )
    try:
        der = base64.b64decode("".join(text.split()), validate=True)
    except (binascii.Error, ValueError):
        der = b""
    if der.startswith(b"\x30"):
        return _load_der(der, passphrase)
    raise _format_error(
        "private_key is not a PEM private key: no '-----BEGIN ... PRIVATE KEY-----' "
        "line was found"
    )


def _looks_like_path(text: str) -> bool:
    if "\n" in text or len(text) > 4096:
        return False
    return (
        text.startswith(("/", "~", "./", "../"))
        or bool(re.match(r"^[A-Za-z]:[\\/]", text))
        or text.lower().endswith((".pem", ".key", ".der", ".p8", ".txt"))
    )


def _load_der(data: bytes, passphrase: bytes | None) -> PrivateKeyTypes:
    try:
        return serialization.load_der_private_key(data, passphrase)
    except TypeError:
        if passphrase is None:
            raise KeyPassphraseRequired(
                "private_key is encrypted; set private_key_passphrase",
                problems=(("private_key_passphrase", "passphrase missing", STEP),),
                step=STEP,
            ) from None
        raise _format_error(
            "private_key_passphrase is set, but private_key is not encrypted; "
            "remove private_key_passphrase",
            field_name="private_key_passphrase",
        ) from None
    except (ValueError, UnsupportedAlgorithm):
        pass
    try:
        serialization.load_der_public_key(data)
    except (ValueError, UnsupportedAlgorithm):
        raise _format_error(
            "private_key is DER data that is not a private key, or is damaged; "
            "give the private key in PEM format"
        ) from None
    raise _format_error(f"private_key contains a public key. {_PUBLIC_KEY_HINT}")


def _checked(key: PrivateKeyTypes, min_bits: int) -> rsa.RSAPrivateKey:
    if isinstance(key, ec.EllipticCurvePrivateKey):
        raise _type_error(f"an EC key on curve {key.curve.name}")
    if not isinstance(key, rsa.RSAPrivateKey):
        raise _type_error(f"a {type(key).__name__} key")
    if key.key_size < min_bits:
        raise KeyTypeError(
            f"private_key is an RSA key of {key.key_size} bits; Jira needs at least "
            f"{min_bits} bits and new keys should have {RECOMMENDED_RSA_BITS}. "
            "Create a new pair with 'connauth keygen'",
            problems=(("private_key", "RSA key too small", STEP),),
            step=STEP,
        )
    return key


def _type_error(kind: str) -> KeyTypeError:
    return KeyTypeError(
        f"private_key is {kind}, but Jira application links sign with RSA-SHA1 "
        "and need an RSA key; create one with 'connauth keygen'",
        problems=(("private_key", "not an RSA key", STEP),),
        step=STEP,
    )


def _format_error(message: str, *, field_name: str = "private_key") -> KeyFormatError:
    return KeyFormatError(message, problems=((field_name, message, STEP),), step=STEP)
