"""HTTP signatures: our signer against our verifier, our signer against a check written here
from the specs (so a bug the two share cannot pass), GoToSocial's testrig keys, hand-made
RFC 9421 signatures, and every way a request must be refused."""

from __future__ import annotations

import base64
import hashlib
import json
import re
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, padding

from federation.errors import Malformed
from federation.keys import KeyPair, generate_key_pair, load_private_key, load_public_key
from federation.signatures import (
    RequestFacts,
    Verdict,
    content_digest_header,
    digest_header,
    sign_request,
    signature_key_id,
    verify,
)

NOW = datetime(2024, 5, 1, 12, 0, tzinfo=timezone.utc)
INBOX = "https://remote.test/users/carol/inbox"
KEY_ID = "https://kith.test/users/alice#main-key"
BODY = b'{"type":"Follow","actor":"https://kith.test/users/alice"}'
AS_JSON = "application/activity+json"
FIXTURES = Path(__file__).resolve().parents[2].parent / "shared" / "fixtures"
GTS_KEYS = FIXTURES / "gotosocial" / "keys.json"


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


@pytest.fixture(scope="module")
def alice() -> KeyPair:
    return generate_key_pair()


@pytest.fixture(scope="module")
def rotated() -> KeyPair:
    return generate_key_pair()


@pytest.fixture(scope="module")
def ed_pems() -> tuple[str, str]:
    key = ed25519.Ed25519PrivateKey.generate()
    private = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption()).decode()
    public = key.public_key().public_bytes(serialization.Encoding.PEM,
                                           serialization.PublicFormat.SubjectPublicKeyInfo).decode()
    return private, public


def signed(pem: str, method: str = "POST", url: str = INBOX, body: bytes | None = BODY,
           headers: dict | None = None, when: datetime = NOW, key_id: str = KEY_ID,
           **kwargs) -> tuple[dict, RequestFacts]:
    """Sign with our signer; return what was sent and the request as the receiver sees it."""
    headers = {"Content-Type": AS_JSON} if headers is None and body is not None else headers or {}
    sent = {**headers, **sign_request(method, url, headers, body, key_id, pem, when, **kwargs)}
    return sent, RequestFacts.of(method, url, sent, body)


def replace_header(request: RequestFacts, name: str, value: str | None) -> RequestFacts:
    kept = [(k, v) for k, v in request.headers if k != name.lower()]
    extra = [(name.lower(), value)] if value is not None else []
    return RequestFacts(request.method, request.url, tuple(kept + extra), request.body)


# --- an independent draft-cavage implementation, from draft-cavage-12 2.3 -----------------

def hand_signing_string(method: str, path: str, sent: dict, names: list[str]) -> bytes:
    lower = {k.lower(): v for k, v in sent.items()}
    lines = [f"(request-target): {method.lower()} {path}" if name == "(request-target)"
             else f"{name}: {lower[name]}" for name in names]
    return "\n".join(lines).encode()


def hand_signature(private_pem: str, key_id: str, names: list[str], string: bytes,
                   algorithm: str = "rsa-sha256") -> str:
    key = serialization.load_pem_private_key(private_pem.encode(), None)
    raw = key.sign(string, padding.PKCS1v15(), hashes.SHA256())
    return (f'keyId="{key_id}",algorithm="{algorithm}",headers="{" ".join(names)}",'
            f'signature="{b64(raw)}"')


def hand_cavage_request(private_pem: str, names: list[str], method: str = "POST",
                        path: str = "/users/carol/inbox", headers: dict | None = None,
                        body: bytes | None = BODY, signed_path: str | None = None,
                        algorithm: str = "rsa-sha256") -> RequestFacts:
    sent = {"Host": "remote.test", "Date": format_datetime(NOW, usegmt=True), **(headers or {})}
    if body is not None:
        sent.setdefault("Digest", "SHA-256=" + b64(hashlib.sha256(body).digest()))
    string = hand_signing_string(method, signed_path or path, sent, names)
    sent["Signature"] = hand_signature(private_pem, KEY_ID, names, string, algorithm)
    return RequestFacts.of(method, "https://remote.test" + path, sent, body)


def hand_verifies(public_pem: str, method: str, path: str, sent: dict) -> bool:
    params = dict(re.findall(r'(\w+)="([^"]*)"', sent["Signature"]))
    string = hand_signing_string(method, path, sent, params["headers"].split())
    key = serialization.load_pem_public_key(public_pem.encode())
    try:
        raw = base64.b64decode(params["signature"])
        key.verify(raw, string, padding.PKCS1v15(), hashes.SHA256())
    except Exception:
        return False
    return True


# --- digests ------------------------------------------------------------------------------

def test_digest_header__is_sha256_base64():
    digest = b64(hashlib.sha256(b"Hello world").digest())
    assert digest_header(b"Hello world") == f"SHA-256={digest}"


def test_content_digest_header__is_rfc9530_byte_sequence():
    digest = b64(hashlib.sha256(b"Hello world").digest())
    assert content_digest_header(b"Hello world") == f"sha-256=:{digest}:"


# --- our signer, round trips --------------------------------------------------------------

def test_sign_request__post_round_trip(alice):
    # Given a POST signed by our signer
    sent, request = signed(alice.private_pem)
    # When our verifier checks it
    check = verify(request, alice.public_pem, NOW)
    # Then it is valid and names the key
    assert check.ok and check.verdict is Verdict.VALID, check.reason
    assert check.key_id == KEY_ID == signature_key_id(request)


def test_sign_request__get_with_query_round_trip(alice):
    _, request = signed(alice.private_pem, "GET", "https://remote.test/users/carol/outbox?page=2",
                        body=None, headers={"Accept": AS_JSON})
    check = verify(request, alice.public_pem, NOW)
    assert check.ok and check.reason == "valid", check.reason


def test_sign_request__covers_what_mastodon_expects(alice):
    # Given a POST and a GET signed by our signer
    post, _ = signed(alice.private_pem)
    get, _ = signed(alice.private_pem, "GET", "https://remote.test:443/users/carol", body=None)
    # Then the POST covers its body and type, the GET its target; Host drops a default port
    assert 'algorithm="rsa-sha256"' in post["Signature"]
    assert 'headers="(request-target) host date digest content-type"' in post["Signature"]
    assert post["Digest"] == "SHA-256=" + b64(hashlib.sha256(BODY).digest())
    assert post["Date"] == "Wed, 01 May 2024 12:00:00 GMT" and post["Host"] == "remote.test"
    assert 'headers="(request-target) host date"' in get["Signature"] and "Digest" not in get
    assert get["Host"] == "remote.test"


def test_sign_request__post_without_body_still_has_digest(alice):
    sent, request = signed(alice.private_pem, body=None, headers={})
    assert sent["Digest"] == "SHA-256=" + b64(hashlib.sha256(b"").digest())
    assert verify(request, alice.public_pem, NOW).ok


@pytest.mark.parametrize("method,url,path,body", [
    ("POST", INBOX, "/users/carol/inbox", BODY),
    ("GET", "https://remote.test/users/carol/followers?page=1", "/users/carol/followers?page=1",
     None),
])
def test_sign_request__verifies_with_a_check_written_from_the_spec(alice, method, url, path, body):
    # Given what our signer sends
    sent, _ = signed(alice.private_pem, method, url, body=body)
    # Then a signing string rebuilt by hand (path written out here) verifies with cryptography
    assert hand_verifies(alice.public_pem, method, path, sent)
    # and a different path does not: the check is not vacuous
    assert not hand_verifies(alice.public_pem, method, path + "x", sent)


def test_sign_request__hs2019_label_verifies(alice):
    sent, request = signed(alice.private_pem, algorithm="hs2019")
    assert 'algorithm="hs2019"' in sent["Signature"]
    assert verify(request, alice.public_pem, NOW).ok
    assert hand_verifies(alice.public_pem, "POST", "/users/carol/inbox", sent)


def test_sign_request__ed25519_key_hs2019_round_trip(ed_pems):
    private, public = ed_pems
    _, request = signed(private, algorithm="hs2019")
    assert verify(request, public, NOW).ok


def test_sign_request__ed25519_key_refuses_rsa_label(ed_pems):
    with pytest.raises(ValueError):
        signed(ed_pems[0])


def test_sign_request__replaces_caller_host_date_digest(alice):
    # Given stale Host/Date/Digest headers from the caller
    headers = {"Host": "wrong.test", "Date": "yesterday", "Digest": "SHA-256=AAAA",
               "Content-Type": AS_JSON}
    sent, request = signed(alice.private_pem, headers=headers)
    # Then ours win and the receiver sees one of each
    assert request.header("host") == "remote.test" and request.header("date") == sent["Date"]
    assert verify(request, alice.public_pem, NOW).ok


# --- GoToSocial testrig keys and keyId shapes ---------------------------------------------

def gts_accounts() -> list:
    if not GTS_KEYS.is_file():
        reason = f"shared fixtures not found at {GTS_KEYS}"
        return [pytest.param(None, marks=pytest.mark.skip(reason=reason))]
    accounts = json.loads(GTS_KEYS.read_text())["accounts"]
    return [pytest.param(account, id=name) for name, account in accounts.items()]


@pytest.mark.parametrize("account", gts_accounts())
@pytest.mark.parametrize("algorithm", ["rsa-sha256", "hs2019"])
def test_gotosocial_keys__sign_and_verify(account, algorithm):
    # Given a GoToSocial testrig key and its keyId ('.../main-key' for some accounts)
    sent, request = signed(account["privateKeyPem"], key_id=account["publicKeyId"],
                           algorithm=algorithm)
    # When it is verified by us and by the hand-written check
    check = verify(request, account["publicKeyPem"], NOW)
    # Then both accept it and the keyId comes back unchanged
    assert check.ok, check.reason
    assert signature_key_id(request) == account["publicKeyId"] == check.key_id
    assert hand_verifies(account["publicKeyPem"], "POST", "/users/carol/inbox", sent)


# --- hand-made draft-cavage requests --------------------------------------------------------

FULL = ["(request-target)", "host", "date", "digest"]


def test_verify__hand_signed_cavage_request(alice):
    request = hand_cavage_request(alice.private_pem, FULL)
    assert verify(request, alice.public_pem, NOW).ok


def test_verify__repeated_headers_are_joined(alice):
    # Given a signed header sent on two lines, signed as "a, b" (draft-cavage-12 2.3)
    request = hand_cavage_request(alice.private_pem, [*FULL, "x-tag"], headers={"X-Tag": "a, b"})
    split = [(k, v) for k, v in request.headers if k != "x-tag"] + [("x-tag", "a"), ("X-Tag", " b")]
    # Then the receiver joins the lines and the signature verifies
    assert verify(RequestFacts("POST", request.url, tuple(split), BODY), alice.public_pem, NOW).ok


def test_verify__query_omitted_quirk_is_accepted(alice):
    # Given a GET whose signer left the query out of (request-target) (older Mastodon)
    names = ["(request-target)", "host", "date"]
    request = hand_cavage_request(alice.private_pem, names, "GET", "/outbox?page=2", body=None,
                                  signed_path="/outbox")
    # Then we accept it, and say so
    check = verify(request, alice.public_pem, NOW)
    assert check.ok and "quirk" in check.reason


def test_verify__query_quirk_is_for_get_only(alice):
    # Given a POST whose signer left the query out of (request-target)
    post = hand_cavage_request(alice.private_pem, FULL, "POST", "/inbox?x=1", signed_path="/inbox")
    # Then it gets no leeway: the query may not be appended to a signed POST
    assert verify(post, alice.public_pem, NOW).verdict is Verdict.BAD_SIGNATURE


def test_verify__quirk_does_not_cover_another_path(alice):
    names = ["(request-target)", "host", "date"]
    request = hand_cavage_request(alice.private_pem, names, "GET", "/followers?page=2", body=None,
                                  signed_path="/outbox")
    assert verify(request, alice.public_pem, NOW).verdict is Verdict.BAD_SIGNATURE


def test_verify__created_instead_of_date_with_hs2019(alice):
    # Given an hs2019 signature over (created) rather than Date
    created = int(NOW.timestamp())
    names = ["(request-target)", "host", "(created)", "digest"]
    sent = {"Host": "remote.test", "Digest": digest_header(BODY)}
    string = hand_signing_string("POST", "/inbox", sent, ["(request-target)", "host"])
    string += f"\n(created): {created}\ndigest: {sent['Digest']}".encode()
    signature = hand_signature(alice.private_pem, KEY_ID, names, string, "hs2019")
    sent["Signature"] = signature.replace(",headers", f",created={created},headers")
    request = RequestFacts.of("POST", "https://remote.test/inbox", sent, BODY)
    # Then it verifies now, and expires with its created time
    assert verify(request, alice.public_pem, NOW).ok
    assert verify(request, alice.public_pem, NOW + timedelta(hours=13)).verdict is Verdict.EXPIRED


# --- key rotation ---------------------------------------------------------------------------

def test_verify__rotated_key_says_refetch(alice, rotated):
    # Given a request signed with the actor's new key, and the old key in our cache
    _, request = signed(rotated.private_pem)
    # When verified with the cached key, then with the refetched one
    stale = verify(request, alice.public_pem, NOW)
    fresh = verify(request, rotated.public_pem, NOW)
    # Then the first says a refetch may help, and the second succeeds
    assert stale.verdict is Verdict.BAD_SIGNATURE and stale.key_may_be_stale
    assert stale.key_id == KEY_ID
    assert fresh.ok and not fresh.key_may_be_stale


def test_verify__policy_failures_do_not_ask_for_a_refetch(alice):
    _, request = signed(alice.private_pem, when=NOW - timedelta(days=2))
    check = verify(request, alice.public_pem, NOW)
    assert check.verdict is Verdict.EXPIRED and not check.key_may_be_stale


def test_verify__unusable_public_key_may_be_refetched(alice):
    _, request = signed(alice.private_pem)
    check = verify(request, "-----BEGIN PUBLIC KEY-----\nnope\n-----END PUBLIC KEY-----\n", NOW)
    assert check.verdict is Verdict.BAD_SIGNATURE and check.key_may_be_stale


# --- refusals -------------------------------------------------------------------------------

def test_verify__missing_signature(alice):
    request = RequestFacts.of("POST", INBOX, {"Host": "remote.test"}, BODY)
    check = verify(request, alice.public_pem, NOW)
    assert check.verdict is Verdict.UNSIGNED and check.key_id is None
    assert signature_key_id(request) is None


@pytest.mark.parametrize("garbage", [
    "garbage",
    'keyId="https://kith.test/users/alice#main-key"',
    'keyId="k",signature="not base64!"',
    'keyId="a",keyId="b",signature="AAAA"',
    'keyId="k",signature="AAAA" trailing',
])
def test_verify__garbage_signature_header(alice, garbage):
    request = RequestFacts.of("GET", INBOX, {"Host": "remote.test", "Signature": garbage})
    assert verify(request, alice.public_pem, NOW).verdict is Verdict.MALFORMED
    with pytest.raises(Malformed):
        signature_key_id(request)


@pytest.mark.parametrize("algorithm", ["rsa-sha1", "hmac-sha256", "ecdsa-sha256"])
def test_verify__unknown_algorithm(alice, algorithm):
    _, request = signed(alice.private_pem)
    value = request.header("signature").replace("rsa-sha256", algorithm)
    check = verify(replace_header(request, "Signature", value), alice.public_pem, NOW)
    assert check.verdict is Verdict.UNSUPPORTED


@pytest.mark.parametrize("offset,verdict", [
    (timedelta(hours=-11), Verdict.VALID),
    (timedelta(hours=11), Verdict.VALID),
    (timedelta(hours=-13), Verdict.EXPIRED),
    (timedelta(hours=13), Verdict.EXPIRED),  # from the future
])
def test_verify__date_skew(alice, offset, verdict):
    _, request = signed(alice.private_pem, when=NOW + offset)
    assert verify(request, alice.public_pem, NOW).verdict is verdict


def test_verify__date_skew_is_configurable(alice):
    _, request = signed(alice.private_pem, when=NOW - timedelta(minutes=6))
    check = verify(request, alice.public_pem, NOW, max_skew=timedelta(minutes=5))
    assert check.verdict is Verdict.EXPIRED


@pytest.mark.parametrize("names", [
    ["(request-target)", "host", "date"],  # POST without digest
    ["host", "date", "digest"],  # no (request-target): Mastodon would accept, we do not
    ["(request-target)", "date", "digest"],  # no host
    ["(request-target)", "host", "digest"],  # neither date nor (created)
])
def test_verify__required_header_unsigned(alice, names):
    request = hand_cavage_request(alice.private_pem, names)
    check = verify(request, alice.public_pem, NOW)
    assert check.verdict is Verdict.UNSIGNED, check.reason


def test_verify__get_needs_no_digest(alice):
    names = ["(request-target)", "host", "date"]
    request = hand_cavage_request(alice.private_pem, names, "GET", body=None)
    assert verify(request, alice.public_pem, NOW).ok


def test_verify__digest_mismatch(alice):
    _, request = signed(alice.private_pem)
    tampered = RequestFacts(request.method, request.url, request.headers, BODY + b" ")
    assert verify(tampered, alice.public_pem, NOW).verdict is Verdict.DIGEST_MISMATCH


def test_verify__digest_without_sha256(alice):
    request = hand_cavage_request(alice.private_pem, FULL, headers={"Digest": "MD5=AAAA"})
    assert verify(request, alice.public_pem, NOW).verdict is Verdict.UNSUPPORTED


def test_verify__signed_header_missing_from_request(alice):
    _, request = signed(alice.private_pem)  # covers content-type
    check = verify(replace_header(request, "Content-Type", None), alice.public_pem, NOW)
    assert check.verdict is Verdict.MALFORMED and "content-type" in check.reason


def test_verify__unparsable_date(alice):
    _, request = signed(alice.private_pem)
    check = verify(replace_header(request, "Date", "tomorrow-ish"), alice.public_pem, NOW)
    assert check.verdict is Verdict.MALFORMED


@pytest.mark.parametrize("change", ["path", "query", "method", "host", "body-and-digest"])
def test_verify__tampered_request(alice, change):
    # Given a signed POST changed in transit
    _, request = signed(alice.private_pem)
    method, url, headers, body = request.method, request.url, request.headers, request.body
    if change == "path":
        url = "https://remote.test/users/dave/inbox"
    elif change == "query":
        url = INBOX + "?x=1"
    elif change == "method":
        method = "PUT"
    elif change == "host":
        headers = replace_header(request, "Host", "other.test").headers
    else:
        body = b'{"type":"Delete"}'
        headers = replace_header(request, "Digest", digest_header(body)).headers
    # Then the signature no longer verifies
    check = verify(RequestFacts(method, url, headers, body), alice.public_pem, NOW)
    assert check.verdict is Verdict.BAD_SIGNATURE, check.reason


def test_verify__odd_url_is_malformed_not_raised(alice):
    _, request = signed(alice.private_pem)
    odd = RequestFacts(request.method, "https://[::1/inbox", request.headers, request.body)
    assert verify(odd, alice.public_pem, NOW).verdict is Verdict.MALFORMED


# --- RFC 9421, signed by hand here --------------------------------------------------------

URL_9421 = "https://remote.test/users/carol/inbox?x=1"
# The component values of the request built below, written out from RFC 9421 2.2.
VALUES_9421 = {
    "@method": "POST", "@target-uri": URL_9421, "@authority": "remote.test",
    "@path": "/users/carol/inbox", "@query": "?x=1", "@scheme": "https",
    "@request-target": "/users/carol/inbox?x=1", "content-type": AS_JSON,
}
COVERED = ["@method", "@target-uri", "content-digest"]


def rfc9421_request(private_pem: str, components: list[str], params: str, alg: str = "rsa",
                    body: bytes = BODY, extra: dict | None = None) -> RequestFacts:
    digest = f"sha-256=:{b64(hashlib.sha256(body).digest())}:"
    values = {**VALUES_9421, "content-digest": digest}
    inner = "(" + " ".join(f'"{c}"' for c in components) + ")" + params
    lines = [f'"{c}": {values[c]}' for c in components] + [f'"@signature-params": {inner}']
    base = "\n".join(lines)
    key = serialization.load_pem_private_key(private_pem.encode(), None)
    if alg == "pss":
        pss = padding.PSS(padding.MGF1(hashes.SHA512()), 64)
        raw = key.sign(base.encode(), pss, hashes.SHA512())
    elif alg == "ed25519":
        raw = key.sign(base.encode())
    else:
        raw = key.sign(base.encode(), padding.PKCS1v15(), hashes.SHA256())
    headers = {"Host": "remote.test", "Content-Type": AS_JSON, "Content-Digest": digest,
               "Signature-Input": f"sig1={inner}", "Signature": f"sig1=:{b64(raw)}:",
               **(extra or {})}
    return RequestFacts.of("POST", URL_9421, headers, body)


def params_9421(when: datetime = NOW, tail: str = "") -> str:
    return f';created={int(when.timestamp())};keyid="{KEY_ID}"{tail}'


def test_rfc9421__all_derived_components(alice):
    components = [*COVERED, "@authority", "@path", "@query", "@scheme", "@request-target",
                  "content-type"]
    request = rfc9421_request(alice.private_pem, components, params_9421())
    check = verify(request, alice.public_pem, NOW)
    assert check.ok, check.reason
    assert check.key_id == KEY_ID == signature_key_id(request)


def test_rfc9421__rsa_pss_sha512(alice):
    params = params_9421(tail=';alg="rsa-pss-sha512"')
    request = rfc9421_request(alice.private_pem, COVERED, params, "pss")
    assert verify(request, alice.public_pem, NOW).ok


@pytest.mark.parametrize("tail", ["", ';alg="ed25519"'])
def test_rfc9421__ed25519(ed_pems, tail):
    request = rfc9421_request(ed_pems[0], COVERED, params_9421(tail=tail), "ed25519")
    assert verify(request, ed_pems[1], NOW).ok


def test_rfc9421__parameters_kept_in_order_and_form(alice):
    # Given extra parameters (a token-free string nonce, expires) in an unusual order
    tail = f';nonce="a\\"b";expires={int(NOW.timestamp()) + 300}'
    request = rfc9421_request(alice.private_pem, COVERED, params_9421(tail=tail))
    assert verify(request, alice.public_pem, NOW).ok


def test_rfc9421__second_label_when_first_has_no_signature(alice):
    request = rfc9421_request(alice.private_pem, COVERED, params_9421())
    inputs = 'old=("@method");created=1;keyid="x", ' + request.header("signature-input")
    check = verify(replace_header(request, "Signature-Input", inputs), alice.public_pem, NOW)
    assert check.ok, check.reason


@pytest.mark.parametrize("components,params,verdict", [
    (["@method", "content-digest"], params_9421(), Verdict.UNSIGNED),  # no @target-uri
    (["@method", "@target-uri"], params_9421(), Verdict.UNSIGNED),  # POST, digest not covered
    (COVERED, f';keyid="{KEY_ID}"', Verdict.UNSIGNED),  # no created
    (COVERED, ';created=1714564800', Verdict.MALFORMED),  # no keyid
    (COVERED, params_9421(tail=';alg="hmac-sha256"'), Verdict.UNSUPPORTED),
    (COVERED, params_9421(NOW - timedelta(hours=13)), Verdict.EXPIRED),
    (COVERED, params_9421(NOW + timedelta(hours=13)), Verdict.EXPIRED),
    (COVERED, params_9421(tail=f";expires={int(NOW.timestamp()) - 7200}"), Verdict.EXPIRED),
])
def test_rfc9421__refusals(alice, components, params, verdict):
    request = rfc9421_request(alice.private_pem, components, params)
    check = verify(request, alice.public_pem, NOW)
    assert check.verdict is verdict, check.reason


def test_rfc9421__unsupported_component(alice):
    request = rfc9421_request(alice.private_pem, COVERED, params_9421())
    extra = '"content-digest" "@query-param";name="x"'
    inputs = request.header("signature-input").replace('"content-digest"', extra)
    check = verify(replace_header(request, "Signature-Input", inputs), alice.public_pem, NOW)
    assert check.verdict is Verdict.UNSUPPORTED


@pytest.mark.parametrize("value,verdict", [
    ("SHA-256=:AAAA:", Verdict.MALFORMED),  # upper-case key: not an RFC 8941 dictionary
    ("sha-256=AAAA", Verdict.MALFORMED),  # a token, not a byte sequence
    ("md5=:AAAA:", Verdict.UNSUPPORTED),
])
def test_rfc9421__content_digest_refusals(alice, value, verdict):
    request = rfc9421_request(alice.private_pem, COVERED, params_9421())
    check = verify(replace_header(request, "Content-Digest", value), alice.public_pem, NOW)
    assert check.verdict is verdict, check.reason


def test_rfc9421__tampered_body_and_target(alice):
    request = rfc9421_request(alice.private_pem, COVERED, params_9421())
    tampered = RequestFacts(request.method, request.url, request.headers, BODY + b" ")
    moved = RequestFacts(request.method, INBOX, request.headers, request.body)
    assert verify(tampered, alice.public_pem, NOW).verdict is Verdict.DIGEST_MISMATCH
    assert verify(moved, alice.public_pem, NOW).verdict is Verdict.BAD_SIGNATURE


@pytest.mark.parametrize("inputs", ["sig1=(", 'sig1=("@method";created=1', "sig1=x, ", "Sig1=()"])
def test_rfc9421__garbage_signature_input(alice, inputs):
    request = rfc9421_request(alice.private_pem, COVERED, params_9421())
    broken = replace_header(request, "Signature-Input", inputs)
    assert verify(broken, alice.public_pem, NOW).verdict is Verdict.MALFORMED
    with pytest.raises(Malformed):
        signature_key_id(broken)


# --- key loading --------------------------------------------------------------------------

def test_load_private_key__is_cached(alice):
    assert load_private_key(alice.private_pem) is load_private_key(alice.private_pem)


def test_load_public_key__accepts_pkcs1_and_refuses_garbage(alice):
    pkcs1 = load_public_key(alice.public_pem).public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.PKCS1).decode()
    assert "RSA PUBLIC KEY" in pkcs1 and load_public_key(pkcs1)
    with pytest.raises(ValueError):
        load_public_key("not a key")
