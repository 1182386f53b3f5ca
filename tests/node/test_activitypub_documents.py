"""ActivityPub documents served to other servers: actors, collections, objects; and what
the inbox answers to bad requests. Signed fetches and deliveries are tested with the fake
fediverse in test_federation_*.py."""

from __future__ import annotations

import json

import pytest

from federation.actors import parse_actor
from federation.audience import Visibility
from federation.vocab import PUBLIC
from node.models import Follow, FollowState
from node.services.posting import Draft, delete_post, publish_post

AP = {"Accept": "application/activity+json"}


async def document(client, path, headers=AP):
    response = await client.get(path, headers=headers)
    return response, (json.loads(await response.get_data()) if response.status_code in (200, 410) else None)


async def test_actor__served_as_activity_json_and_parsed_by_our_own_parser(client, make_account):
    await make_account("alice", locked=True)
    response, actor = await document(client, "/users/alice")
    assert response.status_code == 200 and response.headers["Content-Type"].startswith("application/activity+json")
    info = parse_actor(actor)
    assert info.ap_id == "http://localhost:8000/users/alice" and info.username == "alice"
    assert info.inbox.endswith("/users/alice/inbox") and info.shared_inbox == "http://localhost:8000/inbox"
    assert info.locked is True and info.public_key_pem.startswith("-----BEGIN PUBLIC KEY-----")
    assert actor["@context"][:2] == ["https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1"]
    assert all(isinstance(c, dict) for c in actor["@context"][2:])  # only inline terms beyond the two


@pytest.mark.parametrize("accept", ['application/ld+json; profile="https://www.w3.org/ns/activitystreams"',
                                    "application/activity+json, application/ld+json"])
async def test_actor__json_ld_accept_headers(client, make_account, accept):
    await make_account("alice")
    response, _ = await document(client, "/users/alice", {"Accept": accept})
    assert response.status_code == 200


async def test_actor__browser_is_sent_to_the_profile_page(client, make_account):
    await make_account("alice")
    response = await client.get("/users/alice", headers={"Accept": "text/html"})
    assert response.status_code == 302 and response.headers["Location"] == "/@alice"


async def test_instance_actor__is_an_application_with_a_key(client):
    response, actor = await document(client, "/actor")
    assert actor["type"] == "Application" and actor["publicKey"]["id"] == "http://localhost:8000/actor#main-key"


async def test_outbox__public_posts_only_as_creates(client, make_account, uris):
    alice = await make_account("alice")
    for visibility in Visibility:
        await publish_post(uris, alice, Draft(f"outbox-{visibility.value}", visibility), 5000)
    _, outbox = await document(client, "/users/alice/outbox")
    assert outbox["type"] == "OrderedCollection" and outbox["totalItems"] == 1
    _, page = await document(client, outbox["first"].removeprefix("http://localhost:8000"))
    assert [item["type"] for item in page["orderedItems"]] == ["Create"]
    note = page["orderedItems"][0]["object"]
    assert "outbox-public" in note["content"] and note["to"] == [PUBLIC]


async def test_followers_and_following__counts_and_pages_unless_hidden(client, make_account):
    alice, bob = await make_account("alice"), await make_account("bob")
    await Follow.create(follower_id=bob.actor_id, target_id=alice.actor_id, state=FollowState.ACCEPTED)
    _, followers = await document(client, "/users/alice/followers")
    assert followers["totalItems"] == 1
    _, page = await document(client, "/users/alice/followers?page=1")
    assert page["orderedItems"] == ["http://localhost:8000/users/bob"]
    _, following = await document(client, "/users/bob/following?page=1")
    assert following["orderedItems"] == ["http://localhost:8000/users/alice"]
    assert (await client.get("/users/alice/followers?page=abc", headers=AP)).status_code == 400
    alice.hide_network = True
    await alice.save()
    _, hidden = await document(client, "/users/alice/followers")
    assert hidden["totalItems"] == 1 and "first" not in hidden
    _, hidden_page = await document(client, "/users/alice/followers?page=1")
    assert "orderedItems" not in hidden_page


async def test_featured__an_empty_collection(client, make_account):
    await make_account("alice")
    _, featured = await document(client, "/users/alice/collections/featured")
    assert featured["type"] == "OrderedCollection" and featured["orderedItems"] == []


async def test_statuses__addressed_as_mastodon_does(client, make_account, uris):
    alice = await make_account("alice")
    posts = {v: await publish_post(uris, alice, Draft(f"status-{v.value}", v), 5000) for v in Visibility}
    _, public = await document(client, f"/users/alice/statuses/{posts[Visibility.PUBLIC].id}")
    assert public["to"] == [PUBLIC] and public["cc"] == ["http://localhost:8000/users/alice/followers"]
    _, unlisted = await document(client, f"/users/alice/statuses/{posts[Visibility.UNLISTED].id}")
    assert unlisted["to"] == ["http://localhost:8000/users/alice/followers"] and unlisted["cc"] == [PUBLIC]
    _, create = await document(client, f"/users/alice/statuses/{posts[Visibility.PUBLIC].id}/activity")
    assert create["type"] == "Create" and create["object"]["id"] == posts[Visibility.PUBLIC].ap_id


async def test_statuses__not_public_ones_are_404_to_unsigned_fetches(client, make_account, uris):
    # Requirement PRIV-FETCH: followers, direct and local posts never reach an unsigned fetch.
    alice = await make_account("alice")
    for visibility in (Visibility.FOLLOWERS, Visibility.DIRECT, Visibility.LOCAL):
        post = await publish_post(uris, alice, Draft(f"hidden-{visibility.value}", visibility), 5000)
        for path in (f"/users/alice/statuses/{post.id}", f"/users/alice/statuses/{post.id}/activity"):
            response = await client.get(path, headers=AP)
            assert response.status_code == 404, (visibility, path)
            assert f"hidden-{visibility.value}" not in await response.get_data(as_text=True)


async def test_statuses__a_bad_signature_is_treated_as_unsigned(client, make_account, uris):
    alice = await make_account("alice")
    post = await publish_post(uris, alice, Draft("followers-secret", Visibility.FOLLOWERS), 5000)
    headers = {**AP, "Signature": 'keyId="https://127.0.0.1/key",headers="date",signature="AAAA"',
               "Date": "Wed, 25 Nov 2026 10:00:00 GMT"}
    response = await client.get(f"/users/alice/statuses/{post.id}", headers=headers)
    assert response.status_code == 404


async def test_statuses__deleted_post_is_410_with_a_tombstone(client, make_account, uris):
    alice = await make_account("alice")
    post = await publish_post(uris, alice, Draft("gone soon", Visibility.PUBLIC), 5000)
    await delete_post(alice, post)
    response, tomb = await document(client, f"/users/alice/statuses/{post.id}")
    assert response.status_code == 410 and tomb["type"] == "Tombstone" and "gone soon" not in json.dumps(tomb)


async def test_statuses__browser_goes_to_the_permalink(client, make_account, uris):
    alice = await make_account("alice")
    post = await publish_post(uris, alice, Draft("hello", Visibility.PUBLIC), 5000)
    response = await client.get(f"/users/alice/statuses/{post.id}", headers={"Accept": "text/html"})
    assert response.status_code == 302 and response.headers["Location"] == post.url


@pytest.mark.parametrize("body,content_type,status,reason", [
    (b'{"type": "Follow"}', "text/plain", 415, "expected application/activity+json"),
    (b"not json", "application/activity+json", 400, "not JSON"),
    (b'["a list"]', "application/activity+json", 400, "not an activity"),
    (b'{"type": "Follow", "actor": "https://remote.example/users/x", "id": "https://remote.example/1"}',
     "application/activity+json", 401, "not signed"),
])
async def test_inbox__bad_requests_get_a_reason_and_store_nothing(client, make_account, body, content_type, status, reason):
    from federation.models import InboxItem

    await make_account("alice")
    for path in ("/inbox", "/users/alice/inbox"):
        response = await client.post(path, data=body, headers={"Content-Type": content_type})
        assert response.status_code == status and reason in await response.get_data(as_text=True)
    assert await InboxItem.all().count() == 0


async def test_inbox__over_one_mebibyte_is_413(client, make_account):
    await make_account("alice")
    response = await client.post("/inbox", data=b"{" + b" " * (1024 * 1024) + b"}",
                                 headers={"Content-Type": "application/activity+json"})
    assert response.status_code == 413


async def test_inbox__unknown_account_is_404(client):
    response = await client.post("/users/nobody/inbox", data=b"{}", headers={"Content-Type": "application/activity+json"})
    assert response.status_code == 404
