"""The inbox against hostile and broken senders: every refusal is a 4xx with a reason or a
quiet drop, nothing accepted is lost, and nothing changes state wrongly."""

from __future__ import annotations


import pytest

from federation.models import InboxItem, InboxState, RemoteKey
from node.models import DomainBlock, Follow, Post
from tests.rig.waiting import eventually

pytestmark = pytest.mark.live
LIVE_NODE_OPTIONS = {"run_workers": True}


async def processed(activity_id: str) -> InboxItem | None:
    item = await InboxItem.get_or_none(activity_id=activity_id)
    return item if item is not None and item.state != InboxState.RECEIVED else None


async def test_unsigned_tampered_or_foreign_signatures__401_and_nothing_stored(live_node, make_account, fediverse):
    alice = await make_account("alice")
    carol = await fediverse.actor("carol@remote.test")
    mallory = await fediverse.actor("mallory@other.test")
    inbox = live_node.url("/users/alice/inbox")
    follow = carol.follow(alice.actor.ap_id)

    def other_body(headers, body):
        return headers, body.replace(b"Follow", b"Block")

    def old_date(headers, body):
        headers["Date"] = "Wed, 01 Jan 2025 00:00:00 GMT"
        return headers, body

    cases = [
        ("unsigned", await carol.deliver(follow, inbox, signed=False)),
        ("tampered body", await carol.deliver(follow, inbox, tamper=other_body)),
        ("stale date", await carol.deliver(follow, inbox, tamper=old_date)),
        # mallory's valid signature on carol's activity: the key is not the actor's
        ("someone else's key", await carol.deliver(follow, inbox, signer=mallory)),
    ]
    for name, reply in cases:
        assert reply.status == 401, (name, reply.status, reply.body)
        assert reply.body.strip(), name  # a reason comes with the refusal
    assert await InboxItem.all().count() == 0 and await Follow.all().count() == 0


async def test_replayed_activity__stored_and_processed_once(live_node, make_account, fediverse):
    alice = await make_account("alice")
    carol = await fediverse.actor("carol@remote.test")
    follow = carol.follow(alice.actor.ap_id)
    for _ in range(3):
        assert (await carol.deliver(follow, live_node.url("/inbox"))).status == 202
    await eventually(lambda: processed(follow["id"]))
    assert await InboxItem.all().count() == 1 and await Follow.all().count() == 1
    await eventually(lambda: carol.activities("Accept"))
    assert len(carol.activities("Accept")) == 1


async def test_blocked_server__answered_202_and_dropped_before_any_fetch(live_node, make_account, fediverse):
    alice = await make_account("alice")
    await DomainBlock.create(domain="other.test")
    mallory = await fediverse.actor("mallory@other.test")
    reply = await mallory.deliver(mallory.follow(alice.actor.ap_id), live_node.url("/inbox"))
    assert reply.status == 202
    assert await InboxItem.all().count() == 0
    assert [h for h in fediverse["other.test"].hits if h.method == "GET"] == []  # nothing fetched


async def test_create_attributed_to_someone_else__is_refused_by_the_worker(live_node, make_account, fediverse):
    alice = await make_account("alice")
    carol = await fediverse.actor("carol@remote.test")
    dave = await fediverse.actor("dave@other.test")
    forged = dave.create_note("words put in carol's mouth", visibility="direct", mentions=[alice.actor.ap_id],
                              publish=False)
    forged["actor"] = carol.id  # carol signs an activity claiming dave's Note
    reply = await carol.deliver(forged, live_node.url("/inbox"))
    assert reply.status == 202
    item = await eventually(lambda: processed(forged["id"]))
    assert item.state == InboxState.ERRORED and item.error
    assert await Post.all().count() == 0


async def test_delete_by_someone_other_than_the_author__changes_nothing(live_node, make_account, fediverse):
    alice = await make_account("alice")
    carol = await fediverse.actor("carol@remote.test")
    mallory = await fediverse.actor("mallory@other.test")
    note = carol.create_note("hello alice", visibility="direct", mentions=[alice.actor.ap_id])
    await carol.deliver(note, live_node.url("/inbox"))
    post = await eventually(lambda: Post.get_or_none(ap_id=note["object"]["id"]))
    delete = {"@context": "https://www.w3.org/ns/activitystreams", "id": f"{mallory.id}#delete-1",
              "type": "Delete", "actor": mallory.id, "object": note["object"]["id"]}
    assert (await mallory.deliver(delete, live_node.url("/inbox"))).status == 202
    await eventually(lambda: processed(delete["id"]))
    assert (await Post.get(id=post.id)).deleted_at is None
    # while the author's own Delete works
    own = {**delete, "id": f"{carol.id}#delete-1", "actor": carol.id}
    await carol.deliver(own, live_node.url("/inbox"))
    await eventually(lambda: processed(own["id"]))
    assert (await Post.get(id=post.id)).deleted_at is not None


async def test_rotated_key__refetched_once_and_accepted(live_node, make_account, fediverse):
    alice = await make_account("alice")
    carol = await fediverse.actor("carol@remote.test")
    first = carol.follow(alice.actor.ap_id)
    assert (await carol.deliver(first, live_node.url("/inbox"))).status == 202
    old_pem = (await RemoteKey.get(key_id=carol.key_id)).public_key_pem
    # carol's server rotates her key; the node still holds the old one
    carol.keys = fediverse["remote.test"]._keys.take()
    second = carol.undo(first)
    assert (await carol.deliver(second, live_node.url("/inbox"))).status == 202
    assert (await RemoteKey.get(key_id=carol.key_id)).public_key_pem != old_pem


@pytest.mark.parametrize("body", [b'{"type": "Note"}', b'"just a string"', b'{"actor": 5, "type": "Follow"}'])
async def test_json_that_is_not_an_activity__400(live_node, make_account, fediverse, body):
    await make_account("alice")
    carol = await fediverse.actor("carol@remote.test")

    def replace(headers, _):
        return headers, body

    reply = await carol.deliver({"type": "Follow"}, live_node.url("/inbox"), tamper=replace)
    assert reply.status == 400
    assert await InboxItem.all().count() == 0


async def test_unknown_activity_type__202_and_ignored(live_node, make_account, fediverse):
    await make_account("alice")
    carol = await fediverse.actor("carol@remote.test")
    odd = {"@context": "https://www.w3.org/ns/activitystreams", "id": f"{carol.id}#odd-1",
           "type": "EmojiReact", "actor": carol.id, "object": "http://remote.test/x", "content": "🙂"}
    assert (await carol.deliver(odd, live_node.url("/inbox"))).status == 202
    item = await eventually(lambda: processed(odd["id"]))
    assert item.state == InboxState.PROCESSED
