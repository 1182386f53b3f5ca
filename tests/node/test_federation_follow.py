"""A server that was not written for Kith finds a Kith user, follows it, receives exactly
the posts it should (with signatures it verifies), and is followed back.

Requirement PRIV-DELIVER is proved here over real HTTP: per visibility, exactly the right
inboxes, no others.
"""

from __future__ import annotations

import aiohttp
import pytest

from federation.audience import Visibility
from node.models import Follow, FollowState, Post
from node.services.posting import Draft, delete_post, publish_post
from tests.conftest import form_token
from tests.rig.waiting import eventually

pytestmark = pytest.mark.live
LIVE_NODE_OPTIONS = {"run_workers": True}


async def follow_alice(live_node, remote) -> dict:
    """The remote actor finds alice by WebFinger, reads her actor, and follows her."""
    async with aiohttp.ClientSession() as session:
        url = live_node.url(f"/.well-known/webfinger?resource=acct:alice@{live_node.host}")
        async with session.get(url) as response:
            jrd = await response.json(content_type=None)
    actor_url = next(link["href"] for link in jrd["links"] if link["rel"] == "self")
    reply = await remote.get(actor_url)
    assert reply.status == 200
    follow = remote.follow(actor_url)
    assert (await remote.deliver(follow, live_node.url("/users/alice/inbox"))).status == 202
    return follow


async def test_follow__auto_accepted_with_a_verified_accept(live_node, make_account, fediverse):
    alice = await make_account("alice")
    carol = await fediverse.actor("carol@remote.test")
    follow = await follow_alice(live_node, carol)
    accept = (await eventually(lambda: carol.activities("Accept"), what="an Accept"))[0]
    assert accept["object"]["id"] == follow["id"]
    received = [r for r in carol.received if r.activity["type"] == "Accept"][0]
    assert received.verified and received.key_owner == alice.actor.ap_id
    assert await Follow.filter(target_id=alice.actor_id, state=FollowState.ACCEPTED).count() == 1


async def test_follow__locked_account_pends_until_approved_in_the_web_ui(live_node, make_account, fediverse, browser):
    alice = await make_account("alice", locked=True)
    carol = await fediverse.actor("carol@remote.test")
    await follow_alice(live_node, carol)
    follow = await eventually(lambda: Follow.get_or_none(target_id=alice.actor_id), what="a follow request")
    assert follow.state == FollowState.REQUESTED and carol.activities("Accept") == []
    # When alice approves it on the follow-requests page
    client = await browser(alice)
    page = await (await client.get("/follow-requests")).get_data(as_text=True)
    assert "carol" in page
    response = await client.post("/follow-requests", form={
        "csrf_token": await form_token(client, "/follow-requests"), "actor": carol.id, "decision": "approve"})
    assert response.status_code == 302
    # Then the Accept reaches carol and the follow is accepted
    await eventually(lambda: carol.activities("Accept"), what="the Accept after approval")
    assert (await Follow.get(id=follow.id)).state == FollowState.ACCEPTED


async def test_follow__undo_removes_the_follower(live_node, make_account, fediverse):
    alice = await make_account("alice")
    carol = await fediverse.actor("carol@remote.test")
    follow = await follow_alice(live_node, carol)
    await eventually(lambda: carol.activities("Accept"))
    assert (await carol.deliver(carol.undo(follow), live_node.url("/inbox"))).status == 202
    await eventually(lambda: _no_followers(alice), what="the follow to go")


async def _no_followers(alice) -> bool:
    return not await Follow.exists(target_id=alice.actor_id)


async def test_posts__reach_exactly_their_audience(live_node, make_account, fediverse, uris):
    # Given carol on remote.test follows alice; dave on other.test does not; bob is local
    alice = await make_account("alice")
    await make_account("bob")
    carol = await fediverse.actor("carol@remote.test")
    dave = await fediverse.actor("dave@other.test")
    await follow_alice(live_node, carol)
    await eventually(lambda: carol.activities("Accept"))
    # When alice posts once with every visibility (the direct one to bob only)
    for visibility in Visibility:
        mention = " @bob" if visibility is Visibility.DIRECT else ""
        await publish_post(uris, alice, Draft(f"to-{visibility.value}{mention}", visibility), 5000)
    live_node.app.config["KITH_RUNTIME"].wake_delivery()
    # Then remote.test gets the public, unlisted and followers-only posts, verified...
    wanted = {"to-public", "to-unlisted", "to-followers"}
    await eventually(lambda: wanted <= _texts(fediverse["remote.test"]), what="the three posts at remote.test")
    assert all(r.verified for r in fediverse["remote.test"].received)
    # ...at its shared inbox, once each; and nothing else, anywhere
    creates = [r for r in fediverse["remote.test"].received if r.activity["type"] == "Create"]
    assert sorted(r.inbox for r in creates) == ["http://remote.test/inbox"] * 3
    assert _texts(fediverse["remote.test"]) == wanted
    assert _texts(fediverse["other.test"]) == set() and dave.received == []


async def test_delete__goes_to_every_inbox_that_got_the_post(live_node, make_account, fediverse, uris):
    alice = await make_account("alice")
    carol = await fediverse.actor("carol@remote.test")
    follow = await follow_alice(live_node, carol)
    await eventually(lambda: carol.activities("Accept"))
    post = await publish_post(uris, alice, Draft("soon gone", Visibility.PUBLIC), 5000)
    remote = fediverse["remote.test"]
    await eventually(lambda: _of_type(remote, "Create"), what="the Create")
    # carol stops following before alice deletes: the ledger still sends the Delete
    await carol.deliver(carol.undo(follow), live_node.url("/inbox"))
    await eventually(lambda: _no_followers(alice))
    await delete_post(alice, post)
    delete = (await eventually(lambda: _of_type(remote, "Delete"), what="the Delete"))[0]
    assert delete["object"]["id"] == post.ap_id


async def test_follow_back__remote_posts_reach_home(live_node, make_account, fediverse, browser):
    # Given alice follows carol from the web UI, by handle
    alice = await make_account("alice")
    carol = await fediverse.actor("carol@remote.test")
    client = await browser(alice)
    found = await client.get("/search", query_string={"q": "@carol@remote.test"})
    assert found.status_code == 302 and found.headers["Location"] == "/@carol@remote.test"
    profile = await (await client.get("/@carol@remote.test")).get_data(as_text=True)
    assert "Follow" in profile
    await client.post("/follow", form={"csrf_token": await form_token(client, "/@carol@remote.test"), "actor": carol.id})
    follow = (await eventually(lambda: carol.activities("Follow"), what="alice's Follow"))[0]
    assert await Follow.filter(follower_id=alice.actor_id, state=FollowState.REQUESTED).exists()
    # When carol accepts and posts for her followers
    await carol.deliver(carol.accept(follow), live_node.url("/users/alice/inbox"))
    await eventually(lambda: Follow.exists(follower_id=alice.actor_id, state=FollowState.ACCEPTED))
    note = carol.create_note("hello from remote.test", visibility="followers")
    assert (await carol.deliver(note, live_node.url("/inbox"))).status == 202
    # Then it is on alice's home timeline, and on nobody's page for anonymous readers
    await eventually(lambda: Post.exists(ap_id=note["object"]["id"]), what="carol's post stored")
    home = await (await client.get("/")).get_data(as_text=True)
    assert "hello from remote.test" in home
    anonymous = await browser(None)
    assert "hello from remote.test" not in await (await anonymous.get("/@carol@remote.test")).get_data(as_text=True)


async def test_unfollow__sends_undo(live_node, make_account, fediverse, browser):
    alice = await make_account("alice")
    carol = await fediverse.actor("carol@remote.test")
    client = await browser(alice)
    await client.get("/search", query_string={"q": "carol@remote.test"})
    token = await form_token(client, "/@carol@remote.test")
    await client.post("/follow", form={"csrf_token": token, "actor": carol.id})
    await eventually(lambda: carol.activities("Follow"))
    await client.post("/unfollow", form={"csrf_token": token, "actor": carol.id})
    undo = (await eventually(lambda: carol.activities("Undo"), what="the Undo"))[0]
    assert undo["object"]["type"] == "Follow"
    assert not await Follow.exists(follower_id=alice.actor_id)


def _of_type(server, kind: str) -> list[dict]:
    """The verified activities of type `kind` that reached any inbox of `server`."""
    return [r.activity for r in server.accepted if r.activity.get("type") == kind]


def _texts(server) -> set[str]:
    import re

    found = set()
    for received in server.received:
        obj = received.activity.get("object")
        if received.activity.get("type") == "Create" and isinstance(obj, dict):
            found |= set(re.findall(r"to-[a-z]+", obj.get("content", "")))
    return found


async def test_accept__settles_only_the_follow_it_answers(live_node, make_account, fediverse, uris):
    from node.services import social
    from node.services.remote import remote_actor

    # Given alice and bob both asked to follow carol
    alice, bob = await make_account("alice"), await make_account("bob")
    carol = await fediverse.actor("carol@remote.test")
    target = await remote_actor(live_node.app.config["KITH_RUNTIME"].resolver, carol.id)
    for account in (alice, bob):
        await social.follow(uris, account, target)
    # When carol accepts bob's under an id of her server's own (not the one we sent)
    accept = {"@context": "https://www.w3.org/ns/activitystreams", "id": f"{carol.id}#accepts/1",
              "type": "Accept", "actor": carol.id,
              "object": {"id": "http://remote.test/follows/99", "type": "Follow", "actor": bob.actor.ap_id,
                         "object": carol.id}}
    assert (await carol.deliver(accept, live_node.url("/users/bob/inbox"))).status == 202
    # Then bob's follow is accepted and alice's still waits
    await eventually(lambda: Follow.exists(follower_id=bob.actor_id, state=FollowState.ACCEPTED))
    assert await Follow.exists(follower_id=alice.actor_id, state=FollowState.REQUESTED)
