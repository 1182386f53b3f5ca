"""A second, independent draft-cavage HTTP signature implementation, for the test rig only.

Written from draft-cavage-http-signatures-12 with `cryptography` directly; it deliberately
imports nothing from `federation/`. The fake servers verify what Kith sends with this code,
and Kith verifies what the fake servers send with its own, so a mistake in Kith's signer
cannot hide behind the same mistake in Kith's verifier.

Minimal on purpose: RSA with PKCS#1 v1.5 and SHA-256 (labelled "rsa-sha256" or "hs2019"),
the `Date` header for time, a SHA-256 `Digest` (RFC 3230) for bodies. Also the rig's key
pairs: GoToSocial's recorded testrig keys first, then generated ones, made once per session.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import json
import re
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime, parsedate_to_datetime
from pathlib import Path
from typing import Mapping, NamedTuple
from urllib.parse import urlsplit

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

# Mastodon's window: signatures up to 12 hours old, and up to 1 hour in the future.
MAX_AGE = timedelta(hours=12)
MAX_AHEAD = timedelta(hours=1)
_PARAM = re.compile(r'([A-Za-z]+)="([^"]*)"')
FIXTURE_KEYS = Path("/work/shared/fixtures/gotosocial/keys.json")


def sign(method: str, url: str, headers: Mapping[str, str], body: bytes | None,
         key_id: str, private_pem: str, now: datetime | None = None) -> dict[str, str]:
    """Return `headers` plus Host, Date, Digest (when there is a body) and Signature.

    Signs "(request-target) host date", then "digest" and "content-type" when present.
    """
    out = {k: v for k, v in headers.items() if k.lower() not in ("host", "date", "digest")}
    out["Host"] = _host_of(url)
    out["Date"] = format_datetime((now or datetime.now(timezone.utc)).astimezone(timezone.utc),
                                  usegmt=True)
    if body is not None:
        out["Digest"] = digest_of(body)
    names = ["(request-target)", "host", "date"]
    names += [n for n in ("digest", "content-type") if _get(out, n) is not None]
    target = _path_of(url)
    text = signing_string(method, target, out, names)
    key = serialization.load_pem_private_key(private_pem.encode(), password=None)
    assert isinstance(key, rsa.RSAPrivateKey), "the rig signs with RSA keys only"
    signature = key.sign(text.encode("latin-1"), padding.PKCS1v15(), hashes.SHA256())
    out["Signature"] = (f'keyId="{key_id}",algorithm="rsa-sha256",headers="{" ".join(names)}",'
                        f'signature="{base64.b64encode(signature).decode()}"')
    return out


def verify(method: str, path_with_query: str, headers: Mapping[str, str], body: bytes | None,
           public_pem: str, now: datetime | None = None) -> tuple[bool, str]:
    """Return (True, "valid") when the request is signed by `public_pem`'s key, else (False, why).

    Requires (request-target), host and date to be signed, and digest too for a body; the
    Digest must match the body and the Date must be within Mastodon's window.
    """
    params = signature_params(headers)
    if params is None:
        return False, "no Signature header"
    if params.get("algorithm", "hs2019").lower() not in ("rsa-sha256", "hs2019"):
        return False, f"unsupported algorithm {params['algorithm']!r}"
    names = params.get("headers", "date").lower().split()
    problem = (_coverage_problem(method, names, body) or _date_problem(headers, now)
               or _digest_problem(headers, body))
    if problem:
        return False, problem
    try:
        text = signing_string(method, path_with_query, headers, names)
    except KeyError as missing:
        return False, f"signed header {missing} is not in the request"
    return _rsa_verifies(public_pem, params.get("signature", ""), text)


def key_id_of(headers: Mapping[str, str]) -> str | None:
    """Return the keyId the Signature header names, or None when there is none."""
    params = signature_params(headers)
    return params.get("keyId") if params else None


def signature_params(headers: Mapping[str, str]) -> dict[str, str] | None:
    """Return the Signature header's name="value" pairs, or None when unsigned."""
    value = _get(headers, "signature")
    return dict(_PARAM.findall(value)) if value else None


def signing_string(method: str, target: str, headers: Mapping[str, str], names: list[str]) -> str:
    """Return the text draft-cavage section 2.3 signs; raise KeyError for a missing header."""
    lines = []
    for name in names:
        if name == "(request-target)":
            lines.append(f"(request-target): {method.lower()} {target}")
            continue
        value = _get(headers, name)
        if value is None:
            raise KeyError(name)
        lines.append(f"{name}: {value.strip()}")
    return "\n".join(lines)


def digest_of(body: bytes) -> str:
    """Return the RFC 3230 Digest value for `body`."""
    return "SHA-256=" + base64.b64encode(hashlib.sha256(body).digest()).decode()


def _coverage_problem(method: str, names: list[str], body: bytes | None) -> str | None:
    with_body = bool(body) or method.upper() == "POST"
    required = ["(request-target)", "host", "date"] + (["digest"] if with_body else [])
    missing = [name for name in required if name not in names]
    return f"not signed: {', '.join(missing)}" if missing else None


def _date_problem(headers: Mapping[str, str], now: datetime | None) -> str | None:
    try:
        signed_at = parsedate_to_datetime(_get(headers, "date") or "")
    except (TypeError, ValueError):
        return "Date is missing or not an HTTP date"
    if signed_at.tzinfo is None:  # "-0000" parses naive; HTTP dates are UTC
        signed_at = signed_at.replace(tzinfo=timezone.utc)
    now = now or datetime.now(timezone.utc)
    if signed_at < now - MAX_AGE or signed_at > now + MAX_AHEAD:
        return f"Date {signed_at.isoformat()} is outside the accepted window"
    return None


def _digest_problem(headers: Mapping[str, str], body: bytes | None) -> str | None:
    given = _get(headers, "digest")
    if given is None:
        return "body sent without a Digest" if body else None
    # Several digests may be listed ("SHA-256=..,SHA-512=.."); the SHA-256 one must match.
    sha256 = [part.strip() for part in given.split(",") if part.strip().upper().startswith("SHA-256=")]
    if not sha256:
        return "Digest has no SHA-256 value"
    if sha256[0][len("SHA-256="):] != digest_of(body or b"")[len("SHA-256="):]:
        return "Digest does not match the body"
    return None


def _rsa_verifies(public_pem: str, signature_b64: str, text: str) -> tuple[bool, str]:
    try:
        key = serialization.load_pem_public_key(public_pem.encode())
        signature = base64.b64decode(signature_b64, validate=True)
    except ValueError as exc:
        return False, f"unusable key or signature: {exc}"
    if not isinstance(key, rsa.RSAPublicKey):
        return False, "the rig verifies RSA keys only"
    try:
        key.verify(signature, text.encode("latin-1"), padding.PKCS1v15(), hashes.SHA256())
    except InvalidSignature:
        return False, "signature does not verify with this key"
    return True, "valid"


def _get(headers: Mapping[str, str], name: str) -> str | None:
    # Case-insensitive lookup; works on plain dicts and on aiohttp's CIMultiDict alike.
    for key, value in headers.items():
        if key.lower() == name:
            return value
    return None


def _host_of(url: str) -> str:
    parts = urlsplit(url)
    default = {"http": 80, "https": 443}[parts.scheme]
    host = (parts.hostname or "").lower()
    return host if parts.port in (None, default) else f"{host}:{parts.port}"


def _path_of(url: str) -> str:
    parts = urlsplit(url)
    return (parts.path or "/") + (f"?{parts.query}" if parts.query else "")


# --- keys ----------------------------------------------------------------------------------

class RigKeys(NamedTuple):
    private_pem: str
    public_pem: str


@functools.cache
def _fixture_keys() -> tuple[RigKeys, ...]:
    """The ten RSA-2048 pairs recorded from GoToSocial's testrig, when the fixtures exist."""
    try:
        accounts = json.loads(FIXTURE_KEYS.read_text())["accounts"].values()
    except (OSError, ValueError, KeyError):
        return ()
    return tuple(RigKeys(a["privateKeyPem"], a["publicKeyPem"]) for a in accounts)


@functools.cache
def rig_keys(index: int) -> RigKeys:
    """Return key pair number `index`: a recorded one, else one generated once per session."""
    recorded = _fixture_keys()
    if index < len(recorded):
        return recorded[index]
    # Generating costs ~100 ms, hence the cache: every test reuses pair `index`.
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private_pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                    serialization.NoEncryption()).decode()
    public_pem = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()
    return RigKeys(private_pem, public_pem)


class KeyPool:
    """Hands out distinct key pairs within one fake fediverse, cached across tests."""

    def __init__(self) -> None:
        self._next = 0

    def take(self) -> RigKeys:
        keys = rig_keys(self._next)
        self._next += 1
        return keys
