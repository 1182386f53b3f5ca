"""RSA key pairs for actors: generation and PEM encoding. Pure: `cryptography` only."""

from __future__ import annotations

from dataclasses import dataclass

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

KEY_BITS = 2048  # what Mastodon makes and expects


@dataclass(frozen=True)
class KeyPair:
    private_pem: str  # PKCS#8, unencrypted: kept in the database or the data directory
    public_pem: str  # SubjectPublicKeyInfo, as `publicKeyPem` in actor documents


def generate_key_pair() -> KeyPair:
    """Return a new RSA-2048 key pair as PEM text."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=KEY_BITS)
    private_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode("ascii")
    public_pem = (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode("ascii")
    )
    return KeyPair(private_pem=private_pem, public_pem=public_pem)
