"""Encryption keys of the token store.

Records are sealed with Fernet (AES-128-CBC with HMAC-SHA256, from
``cryptography``). A key ring holds one or more keys: the first encrypts, all
decrypt, so keys can be rotated without a flag day. There is no plaintext
fallback: without a key the store does not open.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

from cryptography.fernet import Fernet
from cryptography.fernet import InvalidToken

from connauth._errors import RecordTampered
from connauth._errors import StoreKeyError

__all__ = ["KEY_ENV", "KeyRing"]

logger = logging.getLogger(__name__)

KEY_ENV = "CONNAUTH_STORE_KEY"
"""Environment variable with the store keys: Fernet keys separated by commas,
the encrypting key first."""


class KeyRing:
    """Fernet keys of a store: the first encrypts, every key decrypts."""

    def __init__(self, keys: list[bytes]) -> None:
        if not keys:
            raise StoreKeyError(
                f"no store key given; set {KEY_ENV} or let connauth create a key file"
            )
        try:
            self._fernets = [Fernet(key) for key in keys]
        except ValueError:
            raise StoreKeyError(
                "a store key is not a valid Fernet key (32 url-safe base64 bytes); "
                "create one with 'connauth keygen --store-key'"
            ) from None

    def __repr__(self) -> str:
        return f"KeyRing(<{len(self._fernets)} keys>)"

    @classmethod
    def from_environment(cls) -> KeyRing | None:
        """Load keys from :data:`KEY_ENV`; ``None`` when it is unset or empty."""
        value = os.environ.get(KEY_ENV)
        if not value:
            return None
        return cls([part.strip().encode() for part in value.split(",") if part.strip()])

    @classmethod
    def from_environment_or_file(cls, key_file: Path) -> KeyRing:
        """Load keys from :data:`KEY_ENV`, else from ``key_file``, creating the
        file with mode 0600 when it does not exist."""
        keys = cls.from_environment()
        if keys is not None:
            return keys
        return cls.from_file(key_file, create=True)

    @classmethod
    def from_file(cls, key_file: Path, *, create: bool = False) -> KeyRing:
        """Load keys, one per line, from ``key_file``."""
        if create and not key_file.exists():
            _create_key_file(key_file)
        try:
            lines = key_file.read_text(encoding="ascii").split()
        except FileNotFoundError:
            raise StoreKeyError(
                f"store key file {str(key_file)!r} not found; set {KEY_ENV} or "
                "restore the file"
            ) from None
        return cls([line.encode() for line in lines])

    @staticmethod
    def generate() -> bytes:
        """Return a new random Fernet key."""
        return Fernet.generate_key()

    def encrypt(self, plaintext: bytes) -> bytes:
        """Seal ``plaintext`` with the first key."""
        return self._fernets[0].encrypt(plaintext)

    def decrypt(self, token: bytes, *, what: str) -> tuple[bytes, bool]:
        """Open ``token``; return the plaintext and whether a key other than the
        first opened it (so the caller can re-encrypt). ``what`` names the
        record in the error raised when no key authenticates it."""
        for index, fernet in enumerate(self._fernets):
            try:
                return fernet.decrypt(token), index > 0
            except InvalidToken:
                continue
        raise RecordTampered(
            f"{what} could not be authenticated with any store key: it was altered, "
            f"or it was written with a key missing from {KEY_ENV} or the key file"
        )


def _create_key_file(key_file: Path) -> None:
    key_file.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    # O_EXCL: never overwrite a key another process created meanwhile.
    try:
        descriptor = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(Fernet.generate_key() + b"\n")
    logger.info("created store key file %s", key_file)
