"""HTTP request signatures, in both generations the fediverse speaks.

Owns: draft-cavage-12 signing and verification (`Signature: keyId=...`, rsa-sha256 and
hs2019), RFC 9421 HTTP Message Signatures verification (`Signature-Input` + `Signature`, as
Mastodon 4.5 sends them), and the `Digest` (RFC 3230) and `Content-Digest` (RFC 9530) body
digests. The RFC 8941 structured-field syntax they use is `federation/structured_fields.py`.

`verify()` never raises on bad input: it returns a `SignatureCheck` whose verdict says why,
and only `Verdict.BAD_SIGNATURE` means "refetch the key once and verify again" (the signer may
have rotated keys). Fetching and caching keys is I/O and lives in `federation/resolver.py`;
mapping verdicts to HTTP answers is `node/security.py`'s job.

Pure core: imports only the standard library and `cryptography`.
"""

from __future__ import annotations

import base64
import enum
import hashlib
import hmac
import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime, parsedate_to_datetime
from typing import Any, Iterable, Literal, Mapping
from urllib.parse import urlsplit

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ed25519, padding, rsa

from federation.errors import Malformed
from federation.keys import PrivateKey, PublicKey, load_private_key, load_public_key
from federation.structured_fields import (
    StructuredFieldError,
    Token,
    parse_dictionary,
    serialize,
    serialize_params,
)

MAX_SKEW = timedelta(hours=12)
# Past an explicit `expires` we allow for clock error, at most this much (Mastodon: 1 hour).
EXPIRES_GRACE = timedelta(hours=1)
REQUEST_TARGET = "(request-target)"
CAVAGE_ALGORITHMS = ("rsa-sha256", "hs2019")
RFC9421_ALGORITHMS = ("rsa-v1_5-sha256", "rsa-pss-sha512", "ed25519")
_DIGESTS = {"sha-256": hashlib.sha256, "sha-512": hashlib.sha512}


@dataclass(frozen=True)
class RequestFacts:
    """What a signature can cover in an incoming request.

    `url` is the target URI as the client addressed it (scheme, host, raw path and query).
    Header values are as received (ASGI servers decode them as latin-1); repeated headers
    stay separate pairs, in order.
    """

    method: str
    url: str
    headers: tuple[tuple[str, str], ...] = ()
    body: bytes = b""

    @classmethod
    def of(cls, method: str, url: str,
           headers: Mapping[str, str] | Iterable[tuple[str, str]],
           body: bytes | None = None) -> RequestFacts:
        """Return facts with the method upper-cased and header names lower-cased."""
        pairs = headers.items() if isinstance(headers, Mapping) else headers
        return cls(method.upper(), url, tuple((k.lower(), v) for k, v in pairs), body or b"")

    @property
    def path(self) -> str:
        """Return the path with its query string, as `(request-target)` signs it."""
        parts = urlsplit(self.url)
        return (parts.path or "/") + (f"?{parts.query}" if parts.query else "")

    def header(self, name: str) -> str | None:
        """Return the header's values joined with ", " (RFC 9110 5.3), or None if absent."""
        values = [v.strip() for k, v in self.headers if k.lower() == name.lower()]
        return ", ".join(values) if values else None


class Verdict(enum.Enum):
    VALID = "valid"
    UNSIGNED = "unsigned"  # no signature, or a required header or component not covered
    MALFORMED = "malformed"  # unparsable signature, Date or digest header (Mastodon: 400)
    UNSUPPORTED = "unsupported"  # an algorithm or component we do not implement
    EXPIRED = "expired"  # Date, created or expires outside the accepted window
    DIGEST_MISMATCH = "digest_mismatch"  # the body is not the one that was signed
    BAD_SIGNATURE = "bad_signature"  # does not verify with this key: refetch it once


@dataclass(frozen=True)
class SignatureCheck:
    """The outcome of `verify()`: a verdict, the key the request names, a loggable reason."""

    verdict: Verdict
    key_id: str | None
    reason: str

    @property
    def ok(self) -> bool:
        return self.verdict is Verdict.VALID

    @property
    def key_may_be_stale(self) -> bool:
        """True when a freshly fetched key might verify: the only verdict worth a refetch."""
        return self.verdict is Verdict.BAD_SIGNATURE


class _Fail(Exception):
    """Internal: stop checking with this verdict; `verify()` turns it into a SignatureCheck."""

    def __init__(self, verdict: Verdict, reason: str) -> None:
        super().__init__(reason)
        self.verdict, self.reason = verdict, reason


# --- digests -----------------------------------------------------------------------------

def digest_header(body: bytes) -> str:
    """Return the draft-cavage `Digest` value for `body`: "SHA-256=<base64>"."""
    return "SHA-256=" + _b64(hashlib.sha256(body).digest())


def content_digest_header(body: bytes) -> str:
    """Return the RFC 9530 `Content-Digest` value for `body`: "sha-256=:<base64>:"."""
    return f"sha-256=:{_b64(hashlib.sha256(body).digest())}:"


def _check_digest(request: RequestFacts) -> None:
    given = {}
    for part in (request.header("digest") or "").split(","):
        algorithm, _, value = part.strip().partition("=")
        if algorithm.lower() in _DIGESTS:
            given[algorithm.lower()] = _unb64(value.strip(), "Digest")
    _match_body(given, request.body, "Digest")


def _check_content_digest(request: RequestFacts) -> None:
    # Mastodon answers 400 for a Content-Digest that is not an RFC 8941 dictionary, e.g.
    # "SHA-256=:...:" (dictionary keys are lower case).
    members = _sf_header(request, "content-digest")
    given = {name: value for name, (value, _) in members.items() if name in _DIGESTS}
    if not all(isinstance(value, bytes) for value in given.values()):
        raise _Fail(Verdict.MALFORMED, "Content-Digest values must be byte sequences")
    _match_body(given, request.body, "Content-Digest")


def _match_body(given: Mapping[str, bytes], body: bytes, header: str) -> None:
    if not given:
        raise _Fail(Verdict.UNSUPPORTED, f"{header} has no sha-256 or sha-512 digest")
    for algorithm, digest in given.items():
        if not hmac.compare_digest(_DIGESTS[algorithm](body).digest(), digest):
            raise _Fail(Verdict.DIGEST_MISMATCH, f"{header} {algorithm} does not match the body")


# --- signing (draft-cavage) ----------------------------------------------------------------

def sign_request(method: str, url: str, headers: Mapping[str, str], body: bytes | None,
                 key_id: str, private_key_pem: str, now: datetime | None = None,
                 algorithm: Literal["rsa-sha256", "hs2019"] = "rsa-sha256") -> dict[str, str]:
    """Return the headers that sign this request as `key_id`: Host, Date, Digest, Signature.

    Signs (request-target) with the query, host, date, digest (for a body, and always on
    POST) and content-type when `headers` has one. Raises ValueError for an unusable key.
    """
    if '"' in key_id or "\\" in key_id:
        raise ValueError("keyId must not contain quotes or backslashes")
    added = {"Host": _authority(url), "Date": _format_http_date(now)}
    if body is not None or method.upper() == "POST":
        added["Digest"] = digest_header(body or b"")
    kept = [(k, v) for k, v in headers.items() if k.lower() not in {"host", "date", "digest"}]
    request = RequestFacts.of(method, url, [*kept, *added.items()], body)
    names = [REQUEST_TARGET, "host", "date"]
    names += [name for name in ("digest", "content-type") if request.header(name) is not None]
    base = _cavage_base(request, names, request.path, {})
    signature = _sign(load_private_key(private_key_pem), algorithm, base)
    added["Signature"] = (f'keyId="{key_id}",algorithm="{algorithm}",'
                          f'headers="{" ".join(names)}",signature="{_b64(signature)}"')
    return added


def _sign(key: PrivateKey, algorithm: str, message: bytes) -> bytes:
    if isinstance(key, rsa.RSAPrivateKey):
        return key.sign(message, padding.PKCS1v15(), hashes.SHA256())
    if algorithm != "hs2019":
        raise ValueError("an Ed25519 signature must be labelled hs2019")
    return key.sign(message)


# --- verification --------------------------------------------------------------------------

def signature_key_id(request: RequestFacts) -> str | None:
    """Return the key id the request's signature names, None if unsigned; raise Malformed."""
    if request.header("signature") is None:
        return None
    try:
        return _parse(request).key_id
    except _Fail as fail:
        raise Malformed(fail.reason) from None


def verify(request: RequestFacts, public_key_pem: str, now: datetime,
           max_skew: timedelta = MAX_SKEW) -> SignatureCheck:
    """Return whether `request` is validly signed with this key, and if not why; never raises."""
    key_id = None
    try:
        parsed = _parse(request)
        key_id = parsed.key_id
        reason = parsed.check(request, public_key_pem, _aware(now), max_skew)
    except _Fail as fail:
        return SignatureCheck(fail.verdict, key_id, fail.reason)
    except ValueError as exc:  # e.g. a URL urlsplit refuses: bad input, not a bug of ours
        return SignatureCheck(Verdict.MALFORMED, key_id, f"malformed request: {exc}")
    return SignatureCheck(Verdict.VALID, key_id, reason)


def _parse(request: RequestFacts) -> _Cavage | _Message:
    if request.header("signature-input") is not None:  # RFC 9421, as Mastodon tells them apart
        return _parse_message(request)
    value = request.header("signature")
    if value is None:
        raise _Fail(Verdict.UNSIGNED, "request has no Signature header")
    return _parse_cavage(value)


def _check_window(created: datetime | None, expires: datetime | None, now: datetime,
                  max_skew: timedelta) -> None:
    if created is not None and abs(now - created) > max_skew:
        raise _Fail(Verdict.EXPIRED, f"signed at {created.isoformat()}, over {max_skew} from now")
    if expires is not None and now > expires + min(max_skew, EXPIRES_GRACE):
        raise _Fail(Verdict.EXPIRED, f"signature expired at {expires.isoformat()}")


def _public_key(pem: str) -> PublicKey:
    try:
        return load_public_key(pem)
    except ValueError as exc:  # a refetched key may be usable
        raise _Fail(Verdict.BAD_SIGNATURE, f"public key unusable: {exc}") from None


def _verifies(key: PublicKey, scheme: str, signature: bytes, message: bytes) -> bool:
    try:
        if scheme == "ed25519" and isinstance(key, ed25519.Ed25519PublicKey):
            key.verify(signature, message)
        elif scheme == "rsa-v1_5-sha256" and isinstance(key, rsa.RSAPublicKey):
            key.verify(signature, message, padding.PKCS1v15(), hashes.SHA256())
        elif scheme == "rsa-pss-sha512" and isinstance(key, rsa.RSAPublicKey):
            pss = padding.PSS(padding.MGF1(hashes.SHA512()), 64)  # RFC 9421 3.3.1
            key.verify(signature, message, pss, hashes.SHA512())
        else:
            return False  # the key's type does not fit the algorithm (a rotated key might)
    except InvalidSignature:
        return False
    return True


def _scheme_for(key: PublicKey) -> str:
    # "Derive the algorithm from the key" (hs2019, or RFC 9421 without alg): for RSA that is
    # PKCS#1 v1.5 with SHA-256 in practice (Mastodon, GoToSocial), not the PSS the draft hints.
    return "ed25519" if isinstance(key, ed25519.Ed25519PublicKey) else "rsa-v1_5-sha256"


# --- draft-cavage-12 -----------------------------------------------------------------------

_CAVAGE_PARAM = re.compile(r'\s*([A-Za-z]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^",\s]*))\s*(?:,|$)')


@dataclass(frozen=True)
class _Cavage:
    key_id: str
    algorithm: str
    headers: tuple[str, ...]
    signature: bytes
    params: Mapping[str, str]

    def check(self, request: RequestFacts, pem: str, now: datetime, max_skew: timedelta) -> str:
        _require_cavage_coverage(request, self.headers)
        targets = _request_targets(request)
        bases = [_cavage_base(request, self.headers, target, self.params) for target in targets]
        _check_window(self._created(request), _epoch(self.params.get("expires")), now, max_skew)
        if "digest" in self.headers:
            _check_digest(request)
        key = _public_key(pem)
        scheme = "rsa-v1_5-sha256" if self.algorithm == "rsa-sha256" else _scheme_for(key)
        for target, base in zip(targets, bases):
            if _verifies(key, scheme, self.signature, base):
                return "valid" if target == request.path else "valid without the query (quirk)"
        raise _Fail(Verdict.BAD_SIGNATURE, "signature does not verify with this key")

    def _created(self, request: RequestFacts) -> datetime | None:
        if "(created)" in self.headers:
            return _epoch(self.params["created"])
        return _parse_http_date(request.header("date") or "")


def _parse_cavage(value: str) -> _Cavage:
    params = _cavage_params(value)
    if not params.get("keyid") or not params.get("signature"):
        raise _Fail(Verdict.MALFORMED, "Signature needs keyId and signature")
    algorithm = params.get("algorithm", "hs2019").lower()  # Mastodon's default
    if algorithm not in CAVAGE_ALGORITHMS:
        raise _Fail(Verdict.UNSUPPORTED, f"unsupported algorithm {algorithm!r}")
    default = "(created)" if algorithm == "hs2019" else "date"  # draft-cavage-12 2.1.6, Mastodon
    headers = tuple(params.get("headers", default).lower().split())
    return _Cavage(params["keyid"], algorithm, headers, _unb64(params["signature"], "signature"),
                   params)


def _cavage_params(value: str) -> dict[str, str]:
    params: dict[str, str] = {}
    pos = 0
    while pos < len(value):
        match = _CAVAGE_PARAM.match(value, pos)
        if match is None:
            raise _Fail(Verdict.MALFORMED, 'Signature is not a list of name="value" pairs')
        name = match[1].lower()
        if name in params:
            raise _Fail(Verdict.MALFORMED, f"Signature repeats {name}")
        quoted = match[2]
        params[name] = re.sub(r"\\(.)", r"\1", quoted) if quoted is not None else match[3]
        pos = match.end()
    return params


def _require_cavage_coverage(request: RequestFacts, signed: tuple[str, ...]) -> None:
    # Stricter than Mastodon, which lets digest stand in for (request-target) and wants host
    # only on GET: every mainstream signer covers all of these, and without them a captured
    # signature could be replayed to another path or host within the Date window.
    required = [REQUEST_TARGET, "host"] + (["digest"] if request.method == "POST" else [])
    missing = [name for name in required if name not in signed]
    if "date" not in signed and "(created)" not in signed:
        missing.append("date or (created)")
    if missing:
        raise _Fail(Verdict.UNSIGNED, "required headers not signed: " + ", ".join(missing))


def _request_targets(request: RequestFacts) -> list[str]:
    # Query quirk, accepted on purpose for GET and HEAD: older Mastodon left the query string
    # out of (request-target); Mastodon (SignedRequest#verified?) and GoToSocial (since 0.14,
    # docs "Query Parameters") retry without it, and so do we. The cost: such a signature
    # does not protect the query, so within the Date window a captured GET could be replayed
    # with another query (paging what the signer may read anyway). POSTs get no such leeway.
    full = request.path
    bare = full.split("?", 1)[0]
    return [full, bare] if bare != full and request.method in ("GET", "HEAD") else [full]


def _cavage_base(request: RequestFacts, names: Iterable[str], target: str,
                 params: Mapping[str, str]) -> bytes:
    lines = [f"{name}: {_cavage_value(request, name, target, params)}" for name in names]
    return _wire("\n".join(lines))


def _cavage_value(request: RequestFacts, name: str, target: str,
                  params: Mapping[str, str]) -> str:
    if name == REQUEST_TARGET:
        return f"{request.method.lower()} {target}"
    if name in ("(created)", "(expires)"):
        value = params.get(name[1:-1])
        if value is None or params.get("algorithm", "hs2019").lower() != "hs2019":
            raise _Fail(Verdict.MALFORMED, f"{name} needs hs2019 and a {name[1:-1]} parameter")
        return value
    value = request.header(name)
    if value is None:
        raise _Fail(Verdict.MALFORMED, f"signed header {name!r} is missing from the request")
    return value


# --- RFC 9421 ------------------------------------------------------------------------------

_DERIVED = {
    "@method": lambda r: r.method,
    "@target-uri": lambda r: r.url,
    "@authority": lambda r: _authority(r.url),
    "@scheme": lambda r: urlsplit(r.url).scheme.lower(),
    "@request-target": lambda r: r.path,
    "@path": lambda r: urlsplit(r.url).path or "/",
    "@query": lambda r: "?" + urlsplit(r.url).query,
}


@dataclass(frozen=True)
class _Message:
    key_id: str
    components: tuple[str, ...]
    params: Mapping[str, Any]
    signature_params: str  # the serialised Signature-Input member: the base's last line
    signature: bytes

    def check(self, request: RequestFacts, pem: str, now: datetime, max_skew: timedelta) -> str:
        _require_message_coverage(request, self)
        base = _message_base(request, self)
        created, expires = _epoch(self.params["created"]), _epoch(self.params.get("expires"))
        _check_window(created, expires, now, max_skew)
        if "content-digest" in self.components:
            _check_content_digest(request)
        key = _public_key(pem)
        if not _verifies(key, self.params.get("alg") or _scheme_for(key), self.signature, base):
            raise _Fail(Verdict.BAD_SIGNATURE, "signature does not verify with this key")
        return "valid"


def _parse_message(request: RequestFacts) -> _Message:
    inputs, signatures = _sf_header(request, "signature-input"), _sf_header(request, "signature")
    label = next((label for label in inputs if label in signatures), None)
    if label is None:
        raise _Fail(Verdict.MALFORMED, "no Signature-Input label has a Signature")
    (items, params), (signature, _) = inputs[label], signatures[label]
    if not isinstance(items, list) or not isinstance(signature, bytes):
        raise _Fail(Verdict.MALFORMED, f"{label} is not an inner list and a byte sequence")
    components = tuple(_component_name(value, item_params) for value, item_params in items)
    if len(set(components)) != len(components):
        raise _Fail(Verdict.MALFORMED, "Signature-Input repeats a component")
    _check_message_params(params)
    serialised = serialize(items) + serialize_params(params)
    return _Message(str(params["keyid"]), components, params, serialised, signature)


def _check_message_params(params: Mapping[str, Any]) -> None:
    if not isinstance(params.get("keyid"), str) or not params["keyid"]:
        raise _Fail(Verdict.MALFORMED, "Signature-Input needs a keyid")
    if params.get("alg", RFC9421_ALGORITHMS[0]) not in RFC9421_ALGORITHMS:
        raise _Fail(Verdict.UNSUPPORTED, f"unsupported alg {params['alg']!r}")


def _component_name(value: Any, params: Mapping[str, Any]) -> str:
    if not isinstance(value, str) or isinstance(value, Token) or value != value.lower():
        raise _Fail(Verdict.MALFORMED, f"component {value!r} is not a lower-case string")
    if params or (value.startswith("@") and value not in _DERIVED):
        raise _Fail(Verdict.UNSUPPORTED, f"unsupported component {value!r}")
    return value


def _require_message_coverage(request: RequestFacts, message: _Message) -> None:
    # What Mastodon requires (SignedRequest::HttpMessageSignature#verify_signature_strength!).
    required = ["@method", "@target-uri"] + (["content-digest"] if request.method == "POST" else [])
    missing = [name for name in required if name not in message.components]
    if "created" not in message.params:
        missing.append("the created parameter")
    if missing:
        raise _Fail(Verdict.UNSIGNED, "required components not covered: " + ", ".join(missing))


def _message_base(request: RequestFacts, message: _Message) -> bytes:
    """RFC 9421 2.5: one line per covered component, then "@signature-params"."""
    lines = [f'"{name}": {_component_value(request, name)}' for name in message.components]
    lines.append(f'"@signature-params": {message.signature_params}')
    return _wire("\n".join(lines))


def _component_value(request: RequestFacts, name: str) -> str:
    if name.startswith("@"):
        return _DERIVED[name](request)
    value = request.header(name)
    if value is None:
        raise _Fail(Verdict.MALFORMED, f"covered header {name!r} is missing from the request")
    return value


# --- RFC 8941 structured fields (federation/structured_fields.py) --------------------------

def _sf_header(request: RequestFacts, name: str) -> dict[str, tuple[Any, dict[str, Any]]]:
    try:
        return parse_dictionary(request.header(name) or "")
    except StructuredFieldError as exc:
        raise _Fail(Verdict.MALFORMED, f"{name} is not an RFC 8941 dictionary: {exc}") from None


# --- small helpers -------------------------------------------------------------------------

def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(value: str, what: str) -> bytes:
    try:
        return base64.b64decode(value, validate=True)
    except ValueError:
        raise _Fail(Verdict.MALFORMED, f"{what} is not base64") from None


def _wire(text: str) -> bytes:
    try:
        return text.encode("latin-1")  # the bytes on the wire, as ASGI decoded them
    except UnicodeEncodeError:
        raise _Fail(Verdict.MALFORMED, "signed text is not latin-1") from None


def _authority(url: str) -> str:
    """Return the host[:port] of `url`, lower case, without a default port (Host, @authority)."""
    parts = urlsplit(url)
    host = parts.netloc.rpartition("@")[2].lower()
    default = {"http": ":80", "https": ":443"}.get(parts.scheme.lower(), "")
    return host.removesuffix(default) if default else host


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def _format_http_date(now: datetime | None) -> str:
    moment = _aware(now) if now else datetime.now(timezone.utc)
    return format_datetime(moment.astimezone(timezone.utc), usegmt=True)


def _parse_http_date(value: str) -> datetime:
    try:
        return _aware(parsedate_to_datetime(value))
    except (TypeError, ValueError, IndexError):
        raise _Fail(Verdict.MALFORMED, f"Date is not an HTTP date: {value!r}") from None


def _epoch(value: Any) -> datetime | None:
    if value is None:
        return None
    try:
        if isinstance(value, bool):
            raise ValueError(value)
        return datetime.fromtimestamp(int(value), timezone.utc)
    except (TypeError, ValueError, OverflowError, OSError):
        raise _Fail(Verdict.MALFORMED, f"{value!r} is not a Unix time") from None
