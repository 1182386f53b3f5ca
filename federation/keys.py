"""RSA key pairs for actors: generation, PEM encoding, and cached PEM loading.
Pure: `cryptography` only."""

from __future__ import annotations

import functools
from dataclasses import dataclass

from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, rsa

KEY_BITS = 2048  # what Mastodon makes and expects

PublicKey = rsa.RSAPublicKey | ed25519.Ed25519PublicKey
PrivateKey = rsa.RSAPrivateKey | ed25519.Ed25519PrivateKey


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


# Keyed by the PEM text itself, so a rotated key is simply a new entry. Loading a private key
# costs ~35 ms (OpenSSL checks the RSA parameters); every delivery re-signs with the same key.
@functools.lru_cache(maxsize=64)
def load_private_key(pem: str) -> PrivateKey:
    """Return the RSA or Ed25519 private key in `pem` (PKCS#8 or PKCS#1); raise ValueError."""
    try:
        key = serialization.load_pem_private_key(pem.encode("ascii"), password=None)
    except (UnsupportedAlgorithm, TypeError, UnicodeError) as exc:
        raise ValueError(f"unusable private key: {exc}") from exc
    if not isinstance(key, (rsa.RSAPrivateKey, ed25519.Ed25519PrivateKey)):
        raise ValueError(f"unsupported private key type {type(key).__name__}")
    return key


@functools.lru_cache(maxsize=1024)
def load_public_key(pem: str) -> PublicKey:
    """Return the RSA or Ed25519 public key in `pem` (SPKI or PKCS#1); raise ValueError."""
    try:
        key = serialization.load_pem_public_key(pem.encode("ascii"))
    except (UnsupportedAlgorithm, UnicodeError) as exc:
        raise ValueError(f"unusable public key: {exc}") from exc
    if not isinstance(key, (rsa.RSAPublicKey, ed25519.Ed25519PublicKey)):
        raise ValueError(f"unsupported public key type {type(key).__name__}")
    return key


@functools.lru_cache(maxsize=16)
def public_pem_of(private_pem: str) -> str:
    """Return the SubjectPublicKeyInfo PEM of the public half of `private_pem`."""
    return (
        load_private_key(private_pem)
        .public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode("ascii")
    )
