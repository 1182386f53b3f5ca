"""Fixed signatures recorded from Mastodon's own specs must verify, or fail, exactly as
recorded: sign and verify share code, so only outside vectors catch a bug they share.

The vectors live in the shared fixtures beside the repository (../shared/fixtures); a clone
without them skips these tests.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

import pytest

from federation.signatures import RequestFacts, Verdict, signature_key_id, verify

FIXTURES = Path(__file__).resolve().parents[2].parent / "shared" / "fixtures"
VECTORS = FIXTURES / "mastodon" / "signature_vectors.json"
MISSING = f"shared fixtures not found at {VECTORS} (they sit beside the repository)"

# Our verdict for each recorded HTTP vector: why it fails, not only that it fails.
VERDICTS = {
    "mastodon-cavage-get-valid": Verdict.VALID,
    "mastodon-cavage-get-query-valid": Verdict.VALID,
    "mastodon-cavage-get-query-omitted-quirk": Verdict.VALID,  # we accept the quirk
    "mastodon-cavage-get-query-mismatch": Verdict.BAD_SIGNATURE,
    "mastodon-cavage-get-path-mismatch": Verdict.BAD_SIGNATURE,
    "mastodon-cavage-method-mismatch": Verdict.UNSIGNED,  # a POST without a signed Digest
    "mastodon-cavage-unparsable-date": Verdict.MALFORMED,
    "mastodon-cavage-stale-date": Verdict.EXPIRED,
    "mastodon-cavage-post-valid": Verdict.VALID,
    "mastodon-cavage-post-digest-unsigned": Verdict.UNSIGNED,
    "mastodon-cavage-post-tampered-body": Verdict.DIGEST_MISMATCH,
    "mastodon-cavage-post-tampered-path": Verdict.BAD_SIGNATURE,
    "mastodon-rfc9421-get-valid": Verdict.VALID,
    "mastodon-rfc9421-get-query-valid": Verdict.VALID,
    "mastodon-rfc9421-get-query-mismatch": Verdict.BAD_SIGNATURE,
    "mastodon-rfc9421-get-path-mismatch": Verdict.BAD_SIGNATURE,
    "mastodon-rfc9421-method-mismatch": Verdict.UNSIGNED,
    "mastodon-rfc9421-stale-created": Verdict.EXPIRED,
    "mastodon-rfc9421-post-valid": Verdict.VALID,
    "mastodon-rfc9421-post-digest-uncovered": Verdict.UNSIGNED,
    "mastodon-rfc9421-post-tampered-body": Verdict.DIGEST_MISMATCH,
    "mastodon-rfc9421-post-tampered-path": Verdict.BAD_SIGNATURE,
    "mastodon-rfc9421-malformed-content-digest": Verdict.MALFORMED,  # Mastodon answers 400
}


def load_vectors() -> dict | None:
    return json.loads(VECTORS.read_text()) if VECTORS.is_file() else None


DATA = load_vectors()


def vector_params(select=lambda vector: True) -> list:
    if DATA is None:
        return [pytest.param(None, marks=pytest.mark.skip(reason=MISSING))]
    params = []
    for vector in filter(select, DATA["vectors"]):
        marks = []
        if not vector["kind"].startswith("http-"):
            marks = [pytest.mark.skip(reason=f"{vector['kind']}: not an HTTP signature")]
        params.append(pytest.param(vector, id=vector["id"], marks=marks))
    return params


def request_of(spec: dict) -> RequestFacts:
    body = spec["body"].encode() if spec["body"] is not None else None
    return RequestFacts.of(spec["method"], spec["url"], [tuple(h) for h in spec["headers"]], body)


def moment(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


@pytest.mark.parametrize("vector", vector_params())
def test_vector__verifies_or_fails_as_recorded(vector):
    # Given the recorded request, clock and key
    request = request_of(vector["request"])
    key = DATA["keys"].get(vector["key"]) if vector["key"] else None
    assert request.path == vector["request"]["path"]
    # When we resolve the key it names and verify with it
    key_id = signature_key_id(request)
    check = verify(request, key["publicKeyPem"], moment(vector["now"])) if key else None
    # Then the verdict is the recorded one
    if key is None:  # the keyId does not resolve: nothing can verify it
        known = {k["keyId"] for k in DATA["keys"].values()}
        assert vector["expect"] == "invalid" and key_id not in known
        return
    assert key_id == key["keyId"] == check.key_id
    assert check.ok is (vector["expect"] == "valid"), check.reason
    assert check.verdict is VERDICTS[vector["id"]], check.reason


@pytest.mark.parametrize("vector", vector_params(lambda v: "actually_signed_base" in v))
def test_vector__verifies_as_actually_signed(vector):
    # Given the request the signature was really made over (its base lines, rebuilt)
    lines = dict(line.split(": ", 1) for line in vector["actually_signed_base"].split("\n"))
    headers = [("Content-Digest", lines['"content-digest"'])] if '"content-digest"' in lines else []
    headers.append(("Signature-Input", "sig1=" + lines['"@signature-params"']))
    headers.append(next(h for h in vector["request"]["headers"] if h[0] == "Signature"))
    request = RequestFacts.of(lines['"@method"'], lines['"@target-uri"'], headers, b"Hello world")
    created = int(lines['"@signature-params"'].split("created=")[1].split(";")[0])
    # When it is verified at its creation time
    now = datetime.fromtimestamp(created, timezone.utc)
    check = verify(request, DATA["keys"][vector["key"]]["publicKeyPem"], now)
    # Then it verifies (our RFC 9421 base is the signer's), unless our policy refuses it first
    expected = Verdict.UNSIGNED if '"content-digest"' not in lines else Verdict.VALID
    assert check.verdict is expected, check.reason
