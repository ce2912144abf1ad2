"""Loading private keys in the forms admins paste them, and generating pairs."""

from __future__ import annotations

import base64
import datetime
import logging
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from connauth import KeyFormatError
from connauth import KeyPassphraseRequired
from connauth import KeyTypeError
from connauth_oauth1a import generate_key_pair
from connauth_oauth1a import load_private_key
from connauth_oauth1a import public_key_pem

PASSPHRASE = "correct horse battery"


def _pem(key: rsa.RSAPrivateKey, fmt: serialization.PrivateFormat) -> str:
    return key.private_bytes(
        serialization.Encoding.PEM, fmt, serialization.NoEncryption()
    ).decode("ascii")


def _same_key(loaded: rsa.RSAPrivateKey, original: rsa.RSAPrivateKey) -> bool:
    return loaded.private_numbers() == original.private_numbers()


def _certificate_pem(key: rsa.RSAPrivateKey) -> str:
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "consumer")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(now)
        .not_valid_after(now + datetime.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    return certificate.public_bytes(serialization.Encoding.PEM).decode("ascii")


def _assert_no_key_material(error: Exception, pem: str) -> None:
    body_lines = [line for line in pem.splitlines() if line and "-----" not in line]
    text = f"{error} {error!r}"
    for line in body_lines:
        assert line.strip() not in text


# Forms 1 to 5: PKCS#1, PKCS#8, CRLF, indented with blank lines, byte order mark.


def test_pkcs1_pem_loads(rsa_key: rsa.RSAPrivateKey) -> None:
    pem = _pem(rsa_key, serialization.PrivateFormat.TraditionalOpenSSL)

    assert pem.startswith("-----BEGIN RSA PRIVATE KEY-----")
    assert _same_key(load_private_key(pem), rsa_key)


def test_pkcs8_pem_loads(rsa_key: rsa.RSAPrivateKey, private_pem: str) -> None:
    assert private_pem.startswith("-----BEGIN PRIVATE KEY-----")
    assert _same_key(load_private_key(private_pem), rsa_key)


def test_crlf_line_ends_load(rsa_key: rsa.RSAPrivateKey, private_pem: str) -> None:
    assert _same_key(load_private_key(private_pem.replace("\n", "\r\n")), rsa_key)


def test_indented_with_blank_lines_loads(
    rsa_key: rsa.RSAPrivateKey, private_pem: str
) -> None:
    indented = "\n" + "".join(f"    {line}\n" for line in private_pem.splitlines())
    indented += "   \n\n"

    assert _same_key(load_private_key(indented), rsa_key)


def test_byte_order_mark_loads(rsa_key: rsa.RSAPrivateKey, private_pem: str) -> None:
    assert _same_key(load_private_key("\ufeff" + private_pem), rsa_key)
    assert _same_key(load_private_key(b"\xef\xbb\xbf" + private_pem.encode()), rsa_key)


# Form 6: literal backslash-n escapes, as .env files keep them.


def test_escaped_newlines_load(rsa_key: rsa.RSAPrivateKey, private_pem: str) -> None:
    escaped = private_pem.replace("\n", "\\n")

    assert "\n" not in escaped
    assert _same_key(load_private_key(escaped), rsa_key)


def test_quoted_escaped_newlines_load(
    rsa_key: rsa.RSAPrivateKey, private_pem: str
) -> None:
    quoted = '"' + private_pem.replace("\n", "\\r\\n") + '"'

    assert _same_key(load_private_key(quoted), rsa_key)


# Forms 7 and 8: encrypted PKCS#8 without and with the passphrase.


@pytest.fixture(scope="module")
def encrypted_pem(rsa_key: rsa.RSAPrivateKey) -> str:
    return rsa_key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(PASSPHRASE.encode()),
    ).decode("ascii")


def test_encrypted_without_passphrase_raises(encrypted_pem: str) -> None:
    with pytest.raises(KeyPassphraseRequired) as caught:
        load_private_key(encrypted_pem)

    assert "private_key_passphrase" in caught.value.message
    assert caught.value.problems[0][0] == "private_key_passphrase"
    _assert_no_key_material(caught.value, encrypted_pem)


def test_encrypted_with_passphrase_loads(
    rsa_key: rsa.RSAPrivateKey, encrypted_pem: str
) -> None:
    assert _same_key(load_private_key(encrypted_pem, PASSPHRASE), rsa_key)


def test_encrypted_with_wrong_passphrase_raises(encrypted_pem: str) -> None:
    with pytest.raises(KeyFormatError) as caught:
        load_private_key(encrypted_pem, "wrong")

    assert not isinstance(caught.value, KeyPassphraseRequired)
    assert "does not decrypt" in caught.value.message
    assert PASSPHRASE not in str(caught.value)


def test_encrypted_pkcs1_without_passphrase_raises(rsa_key: rsa.RSAPrivateKey) -> None:
    pem = rsa_key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.BestAvailableEncryption(PASSPHRASE.encode()),
    ).decode("ascii")

    with pytest.raises(KeyPassphraseRequired):
        load_private_key(pem)
    assert _same_key(load_private_key(pem, PASSPHRASE), rsa_key)


def test_passphrase_for_plain_key_raises(private_pem: str) -> None:
    with pytest.raises(KeyFormatError, match="not encrypted"):
        load_private_key(private_pem, PASSPHRASE)


# Form 9: OpenSSH private key format.


def test_openssh_key_loads(rsa_key: rsa.RSAPrivateKey) -> None:
    pem = _pem(rsa_key, serialization.PrivateFormat.OpenSSH)

    assert pem.startswith("-----BEGIN OPENSSH PRIVATE KEY-----")
    assert _same_key(load_private_key(pem), rsa_key)


# Forms 10 and 11: public key and certificate given in place of the private key.


def test_public_key_raises_with_hint(rsa_key: rsa.RSAPrivateKey) -> None:
    pem = public_key_pem(rsa_key)

    with pytest.raises(KeyFormatError) as caught:
        load_private_key(pem)

    message = caught.value.message
    assert "public key" in message
    assert "application link" in message
    assert "private key stays with this host" in message


def test_pkcs1_public_key_raises(rsa_key: rsa.RSAPrivateKey) -> None:
    pem = (
        rsa_key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.PKCS1)
        .decode()
    )

    with pytest.raises(KeyFormatError, match="public key"):
        load_private_key(pem)


def test_ssh_public_key_raises(rsa_key: rsa.RSAPrivateKey) -> None:
    line = (
        rsa_key.public_key()
        .public_bytes(
            serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH
        )
        .decode()
    )

    with pytest.raises(KeyFormatError, match="SSH public key"):
        load_private_key(line)


def test_certificate_raises_with_hint(rsa_key: rsa.RSAPrivateKey) -> None:
    with pytest.raises(KeyFormatError) as caught:
        load_private_key(_certificate_pem(rsa_key))

    assert "certificate" in caught.value.message
    assert "application link" in caught.value.message


def test_key_with_certificate_bundle_loads(
    rsa_key: rsa.RSAPrivateKey, private_pem: str
) -> None:
    bundle = _certificate_pem(rsa_key) + private_pem

    assert _same_key(load_private_key(bundle), rsa_key)


# Form 12: an EC key.


def test_ec_key_raises_type_error() -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    for fmt in (
        serialization.PrivateFormat.PKCS8,
        serialization.PrivateFormat.TraditionalOpenSSL,
    ):
        pem = key.private_bytes(
            serialization.Encoding.PEM, fmt, serialization.NoEncryption()
        ).decode()

        with pytest.raises(KeyTypeError) as caught:
            load_private_key(pem)

        assert "RSA" in caught.value.message
        _assert_no_key_material(caught.value, pem)


def test_small_rsa_key_raises_type_error(data_dir: Path) -> None:
    # The 1024-bit key of the RFC 5849 RSA-SHA1 test case.
    pem = (data_dir / "rfc5849_test_private_key.pem").read_text()

    assert load_private_key(pem).key_size == 1024
    with pytest.raises(KeyTypeError, match="1024 bits"):
        load_private_key(pem, min_bits=2048)


# Forms 13 and 14: bytes versus str, and a file path versus the contents.


def test_bytes_and_str_load_alike(rsa_key: rsa.RSAPrivateKey, private_pem: str) -> None:
    der = rsa_key.private_bytes(
        serialization.Encoding.DER,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )

    assert _same_key(load_private_key(private_pem.encode()), rsa_key)
    assert _same_key(load_private_key(private_pem), rsa_key)
    assert _same_key(load_private_key(der), rsa_key)
    assert _same_key(load_private_key(base64.b64encode(der).decode()), rsa_key)


@pytest.mark.parametrize(
    "path",
    ["/etc/connauth/jira.pem", "~/keys/jira.key", "C:\\keys\\jira.pem", "jira.pem"],
)
def test_file_path_rejected_explicitly(path: str) -> None:
    with pytest.raises(KeyFormatError) as caught:
        load_private_key(path)

    assert "file path" in caught.value.message
    assert "{ file =" in caught.value.message


# Damaged input.


def test_truncated_key_raises(private_pem: str) -> None:
    lines = private_pem.splitlines()
    damaged = "\n".join(lines[:5] + lines[-1:])

    with pytest.raises(KeyFormatError, match="damaged or truncated") as caught:
        load_private_key(damaged)

    _assert_no_key_material(caught.value, private_pem)


def test_missing_end_line_raises(private_pem: str) -> None:
    with pytest.raises(KeyFormatError, match="END line") as caught:
        load_private_key(private_pem.rsplit("-----END", 1)[0])

    _assert_no_key_material(caught.value, private_pem)


def test_garbage_raises() -> None:
    with pytest.raises(KeyFormatError, match="no '-----BEGIN"):
        load_private_key("not a key at all")


def test_loading_logs_nothing(
    private_pem: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)

    load_private_key(private_pem)
    with pytest.raises(KeyFormatError):
        load_private_key(private_pem[:200])

    assert caplog.records == []


# Key generation for 'connauth keygen'.


def test_generated_pair_matches() -> None:
    pair = generate_key_pair()
    key = load_private_key(pair.private_pem)

    assert key.key_size == 2048
    assert public_key_pem(key) == pair.public_pem
    assert pair.private_pem.startswith("-----BEGIN PRIVATE KEY-----")
    assert pair.public_pem.startswith("-----BEGIN PUBLIC KEY-----")
    assert "PRIVATE" not in repr(pair)


def test_generated_pair_with_passphrase() -> None:
    pair = generate_key_pair(3072, passphrase=PASSPHRASE)

    assert pair.private_pem.startswith("-----BEGIN ENCRYPTED PRIVATE KEY-----")
    with pytest.raises(KeyPassphraseRequired):
        load_private_key(pair.private_pem)
    assert load_private_key(pair.private_pem, PASSPHRASE).key_size == 3072


def test_generate_rejects_small_keys() -> None:
    with pytest.raises(KeyTypeError, match="1024 bits"):
        generate_key_pair(1024)
