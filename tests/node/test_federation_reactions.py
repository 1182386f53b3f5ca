"""Likes and boosts of our posts arrive, are kept once, can be undone, and only for posts
the actor may see and (for boosts) that may be boosted."""

from __future__ import annotations

import pytest

from federation.audience import Visibility
from federation.models import InboxItem, InboxState
from node.models import Favourite, Follow, FollowState, Post
from node.services.posting import Draft, publish_post
from node.services.remote import remote_actor
from tests.rig.waiting import eventually

pytestmark = pytest.mark.live
LIVE_NODE_OPTIONS = {"run_workers": True}
AS = "https://www.w3.org/ns/activitystreams"


def reaction(actor, kind: str, object_id: str, n: int = 1) -> dict:
    return {"@context": AS, "id": f"{actor.id}#{kind.lower()}-{n}", "type": kind, "actor": actor.id,
            "object": object_id, "to": [f"{AS}#Public"]}


async def settled(activity_id: str) -> InboxItem | None:
    item = await InboxItem.get_or_none(activity_id=activity_id)
    return item if item and item.state != InboxState.RECEIVED else None


async def test_like_and_boost__kept_once_and_undone(live_node, make_account, fediverse, uris):
    alice = await make_account("alice")
    carol = await fediverse.actor("carol@remote.test")
    post = await publish_post(uris, alice, Draft("like me", Visibility.PUBLIC), 5000)
    for kind, rows in (("Like", Favourite.filter(post_id=post.id)), ("Announce", Post.filter(boost_of_id=post.id))):
        first, again = reaction(carol, kind, post.ap_id, 1), reaction(carol, kind, post.ap_id, 2)
        for activity in (first, again):
            assert (await carol.deliver(activity, live_node.url("/inbox"))).status == 202
            await eventually(lambda: settled(activity["id"]))
        assert await rows.count() == 1, kind
        undo = carol.undo(first)
        await carol.deliver(undo, live_node.url("/inbox"))
        await eventually(lambda: settled(undo["id"]))
        assert await rows.count() == 0, kind


async def test_boost__of_a_followers_only_post_is_refused(live_node, make_account, fediverse, uris):
    alice = await make_account("alice")
    carol = await fediverse.actor("carol@remote.test")
    resolver = live_node.app.config["KITH_RUNTIME"].resolver
    follower = await remote_actor(resolver, carol.id)
    await Follow.create(follower_id=follower.id, target_id=alice.actor_id, state=FollowState.ACCEPTED)
    post = await publish_post(uris, alice, Draft("just for followers", Visibility.FOLLOWERS), 5000)
    boost = reaction(carol, "Announce", post.ap_id)
    await carol.deliver(boost, live_node.url("/inbox"))
    item = await eventually(lambda: settled(boost["id"]))
    assert item.state == InboxState.ERRORED and not await Post.exists(boost_of_id=post.id)
    like = reaction(carol, "Like", post.ap_id)  # the follower may like it
    await carol.deliver(like, live_node.url("/inbox"))
    await eventually(lambda: settled(like["id"]))
    assert await Favourite.filter(post_id=post.id).count() == 1


async def test_like__of_a_post_the_actor_cannot_see_is_refused(live_node, make_account, fediverse, uris):
    alice = await make_account("alice")
    dave = await fediverse.actor("dave@other.test")
    post = await publish_post(uris, alice, Draft("not for dave", Visibility.FOLLOWERS), 5000)
    like = reaction(dave, "Like", post.ap_id)
    await dave.deliver(like, live_node.url("/inbox"))
    item = await eventually(lambda: settled(like["id"]))
    assert item.state == InboxState.ERRORED and await Favourite.all().count() == 0


async def test_block__the_blocker_stops_receiving_our_posts_until_undone(live_node, make_account, fediverse, uris):
    from node.models import Block

    # Given carol follows alice and receives her posts
    alice = await make_account("alice")
    carol = await fediverse.actor("carol@remote.test")
    follow = carol.follow(alice.actor.ap_id)
    await carol.deliver(follow, live_node.url("/users/alice/inbox"))
    await eventually(lambda: carol.activities("Accept"))
    # When carol blocks alice
    block = {"@context": AS, "id": f"{carol.id}#blocks/1", "type": "Block", "actor": carol.id,
             "object": alice.actor.ap_id}
    await carol.deliver(block, live_node.url("/users/alice/inbox"))
    await eventually(lambda: settled(block["id"]))
    # Then she is no longer a follower and gets nothing more
    assert await Block.exists(target_id=alice.actor_id) and not await Follow.exists(target_id=alice.actor_id)
    await publish_post(uris, alice, Draft("after the block", Visibility.PUBLIC), 5000)
    live_node.app.config["KITH_RUNTIME"].wake_delivery()
    # And after Undo{Block} the block is gone
    undo = carol.undo(block)
    await carol.deliver(undo, live_node.url("/inbox"))
    await eventually(lambda: settled(undo["id"]))
    assert not await Block.exists(target_id=alice.actor_id)
    assert not any("after the block" in str(r.activity) for r in fediverse["remote.test"].received)


async def test_remote_hashtags__listed_on_the_tag_page_and_feed(live_node, make_account, fediverse, browser):
    import feedparser

    # Given carol, whom alice follows, posts publicly with #Gardening, and for followers with #Secret
    alice = await make_account("alice")
    carol = await fediverse.actor("carol@remote.test")
    resolver = live_node.app.config["KITH_RUNTIME"].resolver
    await Follow.create(follower_id=alice.actor_id, target_id=(await remote_actor(resolver, carol.id)).id,
                        state=FollowState.ACCEPTED)
    for text, tag, visibility in (("tomatoes", "Gardening", "public"), ("for-followers-eyes", "Secret", "followers")):
        note = carol.create_note(f"{text} #{tag}", visibility=visibility)
        note["object"]["tag"].append({"type": "Hashtag", "name": f"#{tag}", "href": f"http://remote.test/tags/{tag}"})
        await carol.deliver(note, live_node.url("/inbox"))
        await eventually(lambda: settled(note["id"]))
    # Then the public one is on the tag page and in its feed; the followers-only one nowhere
    anonymous = await browser(None)
    assert "tomatoes" in await (await anonymous.get("/tags/gardening")).get_data(as_text=True)
    feed = feedparser.parse(await (await anonymous.get("/tags/gardening.rss")).get_data())
    assert not feed.bozo and len(feed.entries) == 1 and "tomatoes" in feed.entries[0].description
    for path in ("/tags/secret", "/tags/secret.rss"):
        assert "for-followers-eyes" not in await (await anonymous.get(path)).get_data(as_text=True)
    assert "for-followers-eyes" not in await (await (await browser(alice)).get("/tags/secret")).get_data(as_text=True)
