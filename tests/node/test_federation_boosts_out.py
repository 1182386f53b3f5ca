"""Our likes and boosts reach the fake fediverse, signed, addressed and delivered as
Mastodon's are, and so do their Undos (to wherever the undone activity went)."""

from __future__ import annotations

import pytest

from federation.audience import Visibility
from federation.vocab import PUBLIC
from node.models import Favourite, Follow, FollowState, Post
from node.services.posting import Draft, publish_post
from node.services.remote import remote_actor
from tests.conftest import form_token
from tests.rig.waiting import eventually

pytestmark = pytest.mark.live
LIVE_NODE_OPTIONS = {"run_workers": True}


async def act(client, post_id: int, action: str):
    response = await client.post(f"/posts/{post_id}/{action}", form={"csrf_token": await form_token(client)})
    assert response.status_code == 302, await response.get_data(as_text=True)


async def remote_post(live_node, alice, author, text: str = "from afar") -> Post:
    """Return `author`'s public post as the node stores it, alice following the author."""
    resolver = live_node.app.config["KITH_RUNTIME"].resolver
    actor = await remote_actor(resolver, author.id)
    await Follow.get_or_create(follower_id=alice.actor_id, target_id=actor.id, defaults={"state": FollowState.ACCEPTED})
    create = author.create_note(text)
    assert (await author.deliver(create, live_node.url("/inbox"))).status == 202
    return await eventually(lambda: Post.get_or_none(ap_id=create["object"]["id"]), what="the remote post")


async def follower(live_node, fake, account) -> None:
    resolver = live_node.app.config["KITH_RUNTIME"].resolver
    await Follow.create(follower_id=(await remote_actor(resolver, fake.id)).id, target_id=account.actor_id,
                        state=FollowState.ACCEPTED)


def deliveries(fediverse, kind: str):
    return [r for host in ("remote.test", "other.test") for r in fediverse[host].received
            if isinstance(r.activity, dict) and r.activity.get("type") == kind]


async def test_like__goes_to_the_authors_own_inbox_and_undo_follows_it(live_node, make_account, fediverse, browser):
    # Given alice, following carol, reads carol's post; dave follows alice elsewhere
    alice = await make_account("alice")
    carol = await fediverse.actor("carol@remote.test")
    dave = await fediverse.actor("dave@other.test")
    await follower(live_node, dave, alice)
    post = await remote_post(live_node, alice, carol)
    client = await browser(alice)
    # When alice likes it
    await act(client, post.id, "like")
    # Then one signed Like reaches carol's own inbox (not the shared one, not alice's followers)
    like = (await eventually(lambda: deliveries(fediverse, "Like"), what="the Like"))
    favourite = await Favourite.get()
    assert [(r.inbox, r.verified, r.key_owner) for r in like] == [(carol.inbox, True, alice.actor.ap_id)]
    assert like[0].activity == {"@context": "https://www.w3.org/ns/activitystreams",
                                "id": f"{alice.actor.ap_id}#likes/{favourite.id}", "type": "Like",
                                "actor": alice.actor.ap_id, "object": post.ap_id}
    # When she unlikes it, the Undo goes where the Like went, embedding it
    await act(client, post.id, "unlike")
    undo = await eventually(lambda: deliveries(fediverse, "Undo"), what="the Undo")
    assert [(r.inbox, r.verified) for r in undo] == [(carol.inbox, True)]
    assert undo[0].activity["id"] == f"{favourite.ap_id}/undo" and undo[0].activity["actor"] == alice.actor.ap_id
    assert undo[0].activity["object"] == {k: v for k, v in like[0].activity.items() if k != "@context"}
    assert not await Favourite.exists()


async def test_boost__announced_to_followers_and_the_author_and_undone_there(live_node, make_account, fediverse, browser, uris):
    # Given alice (followed by dave on other.test) reads carol's post on remote.test
    alice = await make_account("alice")
    carol = await fediverse.actor("carol@remote.test")
    dave = await fediverse.actor("dave@other.test")
    await follower(live_node, dave, alice)
    post = await remote_post(live_node, alice, carol)
    client = await browser(alice)
    # When alice boosts it
    await act(client, post.id, "boost")
    boost = await Post.get(boost_of_id=post.id)
    # Then the Announce reaches dave's server (her follower) and carol's (the author), signed
    sent = await eventually(lambda: len(deliveries(fediverse, "Announce")) == 2 and deliveries(fediverse, "Announce"),
                            what="both Announces")
    assert sorted(r.inbox for r in sent) == ["http://other.test/inbox", "http://remote.test/inbox"]
    assert all(r.verified and r.key_owner == alice.actor.ap_id for r in sent)
    announce = sent[0].activity
    assert announce["id"] == boost.ap_id == uris.activity("alice", boost.id)
    assert (announce["actor"], announce["object"]) == (alice.actor.ap_id, post.ap_id)
    assert announce["to"] == [PUBLIC] and announce["cc"] == [carol.id, alice.actor.followers_url]
    assert carol.activities("Announce")  # her server sees it is addressed to her
    # When she unboosts, the Undo goes to the same two inboxes, to Public
    await act(client, post.id, "unboost")
    undos = await eventually(lambda: len(deliveries(fediverse, "Undo")) == 2 and deliveries(fediverse, "Undo"),
                             what="both Undos")
    assert sorted(r.inbox for r in undos) == ["http://other.test/inbox", "http://remote.test/inbox"]
    undo = undos[0].activity
    assert undo["id"] == f"{alice.actor.ap_id}#announces/{boost.id}/undo" and undo["to"] == [PUBLIC]
    assert undo["object"] == {k: v for k, v in announce.items() if k != "@context"}
    assert not await Post.exists(boost_of_id=post.id)


async def test_local_post__liked_sends_nothing_boosted_reaches_only_the_boosters_followers(
        live_node, make_account, fediverse, browser, uris):
    # Given bob's public post, alice followed by dave on other.test
    alice, bob = await make_account("alice"), await make_account("bob")
    dave = await fediverse.actor("dave@other.test")
    await follower(live_node, dave, alice)
    post = await publish_post(uris, bob, Draft("local words", Visibility.PUBLIC), 5000)
    client = await browser(alice)
    # When alice likes and boosts it
    await act(client, post.id, "like")
    await act(client, post.id, "boost")
    # Then the like stays here; the boost goes to her follower's server alone
    sent = await eventually(lambda: deliveries(fediverse, "Announce"), what="the Announce")
    assert [r.inbox for r in sent] == ["http://other.test/inbox"]
    assert sent[0].activity["cc"] == [bob.actor.ap_id, alice.actor.followers_url]
    assert deliveries(fediverse, "Like") == []
