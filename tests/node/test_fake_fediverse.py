"""The fake fediverse rig itself: fake servers over real HTTP, two independent signature
implementations that agree, signature checks on POST, failure injection, and a live node
reachable from a fake server."""

from __future__ import annotations

import json
import time
from datetime import datetime, timedelta, timezone
from types import SimpleNamespace

import aiohttp
import pytest

from federation import signatures
from federation.actors import parse_actor
from federation.errors import FetchError
from federation.transport import Transport
from federation.webfinger import Handle, actor_url_from_jrd
from tests.rig import httpsig
from tests.rig.fakeserver import FakeServer, Hit
from tests.rig.httpsig import rig_keys
from tests.rig.remote import ACCEPT_AP
from tests.rig.fixtures import fediverse  # noqa: F401  (pytest fixture)
from tests.rig.livenode import live_node, live_settings, node_socket  # noqa: F401  (fixtures)

INBOX = "http://remote.test/users/carol/inbox"
KEY_ID = "http://other.test/users/dave#main-key"


@pytest.fixture
def settings(live_settings):  # noqa: F811  (the live node needs its real base URL)
    return live_settings


@pytest.fixture
async def carol(fediverse):  # noqa: F811
    return await fediverse.actor("carol@remote.test")


@pytest.fixture
async def dave(fediverse):  # noqa: F811
    return await fediverse.actor("dave@other.test")


@pytest.fixture
async def transport(fediverse):  # noqa: F811
    """Kith's own outgoing client, mapped onto the fake hosts."""
    client = Transport(fediverse.transport_config())
    yield client
    await client.close()


def kith_verifies(method: str, url: str, headers: dict, body: bytes | None, public_pem: str):
    facts = signatures.RequestFacts.of(method, url, headers, body)
    return signatures.verify(facts, public_pem, datetime.now(timezone.utc))


# --- documents over real HTTP --------------------------------------------------------------

async def test_fake_server__serves_webfinger_and_actor_over_http(fediverse, carol, transport):  # noqa: F811
    # Given carol on remote.test
    # When Kith's transport asks remote.test for her WebFinger and actor documents
    jrd = await transport.get("http://remote.test/.well-known/webfinger?resource=acct:carol@remote.test",
                              accept="application/jrd+json")
    actor = await transport.get(carol.id, accept=ACCEPT_AP)
    # Then Kith's parsers accept both, with carol's key and the shared inbox
    assert jrd.status == 200 and actor.status == 200
    assert actor_url_from_jrd(json.loads(jrd.body), Handle("carol", "remote.test")) == "http://remote.test/users/carol"
    info = parse_actor(json.loads(actor.body))
    assert (info.username, info.inbox, info.shared_inbox) == ("carol", INBOX, "http://remote.test/inbox")
    assert (info.public_key_id, info.public_key_pem) == (carol.key_id, carol.keys.public_pem)


async def test_fake_server__serves_nodeinfo_outbox_and_registered_objects(fediverse, carol):  # noqa: F811
    # Given a public note carol published and a document registered by path
    create = carol.create_note("hello fediverse")
    fediverse["remote.test"].serve("/objects/1", {"id": "http://remote.test/objects/1", "type": "Note"})
    client = fediverse.client
    # When they are fetched
    links = (await client.request("GET", "http://remote.test/.well-known/nodeinfo")).json()
    nodeinfo = (await client.request("GET", links["links"][0]["href"])).json()
    outbox = (await client.request("GET", carol.outbox_url)).json()
    note = (await client.request("GET", create["object"]["id"])).json()
    registered = (await client.request("GET", "http://remote.test/objects/1")).json()
    # Then each is served as a Mastodon server would
    assert nodeinfo["software"]["name"] == "mastodon"
    assert outbox["orderedItems"] == [create]
    assert note["content"] == "<p>hello fediverse</p>" and note["to"] == [
        "https://www.w3.org/ns/activitystreams#Public"]
    assert registered["type"] == "Note"


async def test_fake_actor__addresses_notes_like_mastodon(carol, dave):
    # Given carol writes one note of each visibility mentioning dave
    notes = {v: carol.create_note("hi", visibility=v, mentions=[dave.id])["object"]
             for v in ("public", "unlisted", "followers", "direct")}
    public = "https://www.w3.org/ns/activitystreams#Public"
    # Then to/cc follow Mastodon's rules, and the mention is tagged
    assert (notes["public"]["to"], notes["public"]["cc"]) == ([public], [carol.followers, dave.id])
    assert (notes["unlisted"]["to"], notes["unlisted"]["cc"]) == ([carol.followers], [public, dave.id])
    assert (notes["followers"]["to"], notes["followers"]["cc"]) == ([carol.followers], [dave.id])
    assert (notes["direct"]["to"], notes["direct"]["cc"]) == ([dave.id], [])
    assert notes["direct"]["tag"] == [{"type": "Mention", "href": dave.id, "name": "@dave@other.test"}]
    # And only public and unlisted ones are listed in the outbox
    assert len(carol.outbox) == 2


# --- two independent signature implementations agree ----------------------------------------

@pytest.mark.parametrize("method, body", [("POST", b'{"type": "Follow"}'), ("GET", None)])
def test_rig_signature__verifies_with_rig_and_kith(method, body):
    # Given a request signed by the rig's signer
    keys = rig_keys(0)
    headers = {"Content-Type": "application/activity+json"} if body else {"Accept": ACCEPT_AP}
    signed = httpsig.sign(method, "http://remote.test/users/carol/inbox?x=1", headers, body, KEY_ID,
                          keys.private_pem)
    # Then both verifiers accept it
    assert httpsig.verify(method, "/users/carol/inbox?x=1", signed, body, keys.public_pem) == (True, "valid")
    check = kith_verifies(method, "http://remote.test/users/carol/inbox?x=1", signed, body, keys.public_pem)
    assert check.ok, check.reason
    assert check.key_id == KEY_ID


@pytest.mark.parametrize("algorithm", ["rsa-sha256", "hs2019"])
@pytest.mark.parametrize("method, body", [("POST", b'{"type": "Create"}'), ("GET", None)])
def test_kith_signature__verifies_with_rig_verifier(algorithm, method, body):
    # Given a request signed by Kith's signer
    keys = rig_keys(1)
    headers = {"Content-Type": "application/activity+json"} if body else {}
    added = signatures.sign_request(method, "http://127.0.0.1:8123/inbox", headers, body, KEY_ID,
                                    keys.private_pem, algorithm=algorithm)
    # Then the rig's independent verifier accepts it
    ok, reason = httpsig.verify(method, "/inbox", {**headers, **added}, body, keys.public_pem)
    assert ok, reason
    assert added["Host"] == "127.0.0.1:8123"


@pytest.mark.parametrize("change, reason", [
    (lambda h, b: (h, b + b" "), "Digest does not match the body"),
    (lambda h, b: ({**h, "Host": "evil.test"}, b), "signature does not verify with this key"),
    (lambda h, b: ({k: v for k, v in h.items() if k != "Digest"}, b), "body sent without a Digest"),
], ids=["body", "host", "digest dropped"])
def test_rig_verifier__refuses_a_tampered_request(change, reason):
    # Given a signed POST changed after signing
    keys = rig_keys(0)
    body = b'{"type": "Follow"}'
    headers, body = change(httpsig.sign("POST", INBOX, {}, body, KEY_ID, keys.private_pem), body)
    # Then the rig refuses it, saying why
    assert httpsig.verify("POST", "/users/carol/inbox", headers, body, keys.public_pem) == (False, reason)


def test_rig_verifier__refuses_another_key_and_an_old_date():
    keys, other = rig_keys(0), rig_keys(1)
    body = b"{}"
    long_ago = datetime.now(timezone.utc) - timedelta(hours=13)
    signed = httpsig.sign("POST", INBOX, {}, body, KEY_ID, keys.private_pem)
    stale = httpsig.sign("POST", INBOX, {}, body, KEY_ID, keys.private_pem, now=long_ago)
    assert httpsig.verify("POST", "/users/carol/inbox", signed, body, other.public_pem)[0] is False
    assert "outside the accepted window" in httpsig.verify("POST", "/users/carol/inbox", stale, body,
                                                           keys.public_pem)[1]


# --- a fake server checks signatures on POST -------------------------------------------------

async def test_fake_server__records_a_valid_delivery_with_its_signer(fediverse, carol, dave):  # noqa: F811
    # Given dave (other.test) signs a Follow of carol with the rig signer
    follow = dave.follow(carol.id)
    # When he delivers it to carol's inbox on remote.test
    reply = await dave.deliver(follow, carol.inbox)
    # Then remote.test fetched dave's key from other.test, verified, and recorded it
    assert reply.status == 202
    [record] = fediverse["remote.test"].received
    assert (record.inbox, record.activity, record.verified) == (carol.inbox, follow, True)
    assert (record.key_id, record.key_owner) == (dave.key_id, dave.id)
    assert [r.activity for r in carol.received] == [follow]
    assert Hit("GET", "/users/dave", 200) in fediverse["other.test"].hits


async def test_fake_server__verifies_what_kiths_signer_sends(fediverse, carol, dave, transport):  # noqa: F811
    # Given Kith's transport and signer, signing as dave
    body = json.dumps(dave.create_note("via kith", visibility="direct", mentions=[carol.id])).encode()

    def sign(method, url, headers, body):
        return signatures.sign_request(method, url, headers, body, dave.key_id, dave.keys.private_pem)

    # When it posts to remote.test's shared inbox
    reply = await transport.post(carol.shared_inbox, body, content_type="application/activity+json", sign=sign)
    # Then the rig's verifier accepts it and carol sees it (addressed to her)
    assert reply.status == 202
    assert [r.verified for r in fediverse["remote.test"].received] == [True]
    assert carol.received[0].inbox == "http://remote.test/inbox"


@pytest.mark.parametrize("tamper", [
    lambda h, b: (h, b.replace(b"Follow", b"Block")),
    lambda h, b: ({k: v for k, v in h.items() if k != "Signature"}, b),
], ids=["body changed after signing", "unsigned"])
async def test_fake_server__refuses_a_tampered_or_unsigned_post(fediverse, carol, dave, tamper):  # noqa: F811
    # When dave delivers a Follow altered after signing (or not signed at all)
    reply = await dave.deliver(dave.follow(carol.id), carol.inbox, tamper=tamper)
    # Then remote.test answers 401, records the refusal, and carol received nothing
    assert reply.status == 401
    [record] = fediverse["remote.test"].received
    assert record.verified is False and record.status == 401
    assert carol.received == []


async def test_fake_server__refuses_a_signature_made_with_another_key(fediverse, carol, dave):  # noqa: F811
    # Given a request claiming dave's keyId but signed with carol's key
    impostor = SimpleNamespace(key_id=dave.key_id, keys=carol.keys)
    # When delivered
    reply = await dave.deliver(dave.follow(carol.id), carol.inbox, signer=impostor)
    # Then the key fetched from other.test does not verify it
    assert reply.status == 401
    assert fediverse["remote.test"].received[0].reason == "signature does not verify with this key"


async def test_signed_fetch__requires_a_valid_signature(fediverse, dave):  # noqa: F811
    # Given a server in Mastodon's secure mode with one account
    secure = await fediverse.add_server("secure.test", require_signed_fetch=True)
    erin = secure.add_actor("erin")
    # When dave fetches erin unsigned, then signed
    unsigned = await dave.get(erin.id, signed=False)
    signed = await dave.get(erin.id)
    # Then only the signed fetch is answered; WebFinger stays open
    assert (unsigned.status, signed.status) == (401, 200)
    assert signed.json()["id"] == erin.id
    webfinger = await dave.get("http://secure.test/.well-known/webfinger?resource=acct:erin@secure.test",
                               signed=False)
    assert webfinger.status == 200


# --- failure injection ---------------------------------------------------------------------

async def test_fail_next__answers_the_given_status_then_recovers(fediverse, carol, dave):  # noqa: F811
    # Given remote.test will fail the next two POSTs with 503 and Retry-After
    fediverse["remote.test"].fail_next(503, times=2, retry_after=30, method="POST")
    # When dave delivers three times
    replies = [await dave.deliver(dave.follow(carol.id), carol.inbox) for _ in range(3)]
    # Then two 503s with Retry-After, then the delivery is accepted
    assert [r.status for r in replies] == [503, 503, 202]
    assert replies[0].headers["Retry-After"] == "30"
    assert len(fediverse["remote.test"].accepted) == 1


async def test_offline__refuses_connections_until_it_comes_back(fediverse, carol, transport):  # noqa: F811
    server = fediverse["remote.test"]
    # Given a keep-alive connection from Kith's transport
    assert (await transport.get(carol.id, accept=ACCEPT_AP)).status == 200
    # When the server goes offline, requests fail to connect
    await server.go_offline()
    with pytest.raises(FetchError):
        await transport.get(carol.id, accept=ACCEPT_AP)
    with pytest.raises(aiohttp.ClientConnectionError):
        await fediverse.client.request("GET", carol.id)
    # Then once it is back, they succeed on the same port
    await server.come_back()
    assert (await transport.get(carol.id, accept=ACCEPT_AP)).status == 200


async def test_slow__delays_answers(fediverse, carol):  # noqa: F811
    fediverse["remote.test"].slow(0.2)
    started = time.monotonic()
    reply = await fediverse.client.request("GET", carol.id)
    assert reply.status == 200 and time.monotonic() - started >= 0.2


async def test_gone__actor_answers_410(fediverse, carol, dave):  # noqa: F811
    fediverse["remote.test"].gone("carol")
    statuses = [
        (await fediverse.client.request("GET", carol.id)).status,
        (await fediverse.client.request(
            "GET", "http://remote.test/.well-known/webfinger?resource=acct:carol@remote.test")).status,
        (await dave.deliver(dave.follow(carol.id), carol.inbox)).status,
    ]
    assert statuses == [410, 410, 410]


async def test_standalone_fake_server__works_without_a_fediverse():
    async with FakeServer("solo.test") as server:
        frank = server.add_actor("frank")
        reply = await frank.deliver(frank.follow("http://solo.test/users/frank"), server.url("/inbox"))
        assert reply.status == 202 and frank.received[0].key_owner == frank.id


# --- the live node -------------------------------------------------------------------------

async def test_live_node__serves_healthz_and_webfinger_to_a_fake_server(live_node, make_account, carol):  # noqa: F811
    # Given a live node with a local account alice
    await make_account("alice")
    handle = f"alice@{live_node.host}"
    # When carol's server asks it over real HTTP
    health = await carol.get(live_node.url("/healthz"), signed=False, accept="text/plain")
    jrd = await carol.get(live_node.url(f"/.well-known/webfinger?resource=acct:{handle}"), signed=False,
                          accept="application/jrd+json")
    # Then the node answers, naming alice's actor at its real base URL
    assert (health.status, health.body) == (200, b"ok\n")
    assert jrd.status == 200
    assert actor_url_from_jrd(jrd.json(), Handle("alice", live_node.host)) == live_node.url("/users/alice")


async def test_live_node__reaches_fake_servers_through_the_host_map(live_node, fediverse, carol):  # noqa: F811
    # Given the node's runtime, built with the fediverse's host map
    runtime = live_node.app.config["KITH_RUNTIME"]
    # When it fetches carol by her remote.test URL
    reply = await runtime.transport.get(carol.id, accept=ACCEPT_AP)
    # Then remote.test answered it, Host header and all
    assert reply.status == 200 and json.loads(reply.body)["id"] == carol.id
    assert fediverse["remote.test"].hits[-1].path == "/users/carol"

