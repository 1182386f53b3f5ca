"""Boosts and likes arriving from the fake fediverse: a boost by someone followed here
brings its post (fetched from its origin) into home; boosts of our posts keep working and
notify; shapes recorded from GoToSocial are taken or refused as pinned here."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from federation.audience import Visibility
from federation.models import InboxItem, InboxState
from federation.vocab import PUBLIC
from node.models import Favourite, Follow, FollowState, Notification, NotificationKind, Post
from node.services.posting import Draft, publish_post
from node.services.remote import remote_actor
from tests.rig.waiting import eventually

pytestmark = pytest.mark.live
LIVE_NODE_OPTIONS = {"run_workers": True}
AS = "https://www.w3.org/ns/activitystreams"
FIXTURES = Path(__file__).resolve().parents[2].parent / "shared" / "fixtures" / "gotosocial" / "documents"
needs_fixtures = pytest.mark.skipif(not FIXTURES.is_dir(), reason=f"shared fixtures not found at {FIXTURES}")


def fixture(name: str, replacements: dict[str, str]) -> dict:
    """Return a recorded GoToSocial document with its servers' URLs replaced by ours."""
    text = (FIXTURES / name).read_text(encoding="utf-8")
    for old, new in sorted(replacements.items(), key=lambda item: -len(item[0])):
        text = text.replace(old, new)
    return json.loads(text)


async def settled(activity_id: str) -> InboxItem | None:
    item = await InboxItem.get_or_none(activity_id=activity_id)
    return item if item and item.state != InboxState.RECEIVED else None


async def send(live_node, fake, activity: dict) -> InboxItem:
    assert (await fake.deliver(activity, live_node.url("/inbox"))).status == 202
    return await eventually(lambda: settled(activity["id"]), what=f"{activity['type']} processed")


async def follows(live_node, account, fake) -> None:
    resolver = live_node.app.config["KITH_RUNTIME"].resolver
    await Follow.create(follower_id=account.actor_id, target_id=(await remote_actor(resolver, fake.id)).id,
                        state=FollowState.ACCEPTED)


def announce(booster, object_id, n: int = 1, **addressing) -> dict:
    return {"@context": AS, "id": f"{booster.id}/statuses/{900 + n}/activity", "type": "Announce",
            "actor": booster.id, "published": "2026-11-30T12:00:00Z", "object": object_id,
            **(addressing or {"to": [PUBLIC], "cc": [booster.followers]})}


async def test_announce_of_a_remote_post__fetched_from_its_origin_and_shown_in_home(live_node, make_account, fediverse, browser):
    # Given alice follows carol; dave (whom nobody here follows) posted publicly on other.test
    alice = await make_account("alice")
    carol = await fediverse.actor("carol@remote.test")
    dave = await fediverse.actor("dave@other.test")
    await follows(live_node, alice, carol)
    note = dave.create_note("dave-says-hello")["object"]
    # When carol boosts dave's post
    boost = announce(carol, note["id"], cc=[dave.id, carol.followers], to=[PUBLIC])
    item = await send(live_node, carol, boost)
    # Then the post came from other.test, and carol's boost of it is a post of hers
    assert item.state == InboxState.PROCESSED, item.error
    assert any(hit.path.endswith(note["id"].split("other.test")[1]) for hit in fediverse["other.test"].hits)
    original = await Post.get(ap_id=note["id"]).select_related("author")
    row = await Post.get(boost_of_id=original.id).select_related("author")
    assert original.author.ap_id == dave.id and original.visibility is Visibility.PUBLIC
    assert (row.author.ap_id, row.ap_id, row.visibility) == (carol.id, boost["id"], Visibility.PUBLIC)
    assert row.created_at.isoformat().startswith("2026-11-30T12:00:00")
    # And alice's home shows it as carol's boost
    home = await (await (await browser(alice)).get("/")).get_data(as_text=True)
    assert "Carol</a> boosted" in home and "dave-says-hello" in home
    # When carol takes the boost back, the boost goes (the post stays known)
    undo = carol.undo(boost)
    await send(live_node, carol, undo)
    assert not await Post.exists(boost_of_id=original.id) and await Post.exists(ap_id=note["id"])


async def test_announce_of_a_remote_post__refused_when_nobody_follows_or_it_may_not_be_boosted(
        live_node, make_account, fediverse):
    alice = await make_account("alice")
    carol = await fediverse.actor("carol@remote.test")
    dave = await fediverse.actor("dave@other.test")
    public = dave.create_note("public-but-nobody-follows-carol")["object"]
    item = await send(live_node, carol, announce(carol, public["id"], 1))
    assert item.state == InboxState.ERRORED and "nobody here follows" in item.error
    # A followers-only post is refused, and not even kept
    await follows(live_node, alice, carol)
    private = dave.create_note("dave-followers-only", visibility="followers")["object"]
    item = await send(live_node, carol, announce(carol, private["id"], 2))
    assert item.state == InboxState.ERRORED and "cannot be boosted" in item.error
    assert not await Post.exists(ap_id=private["id"]) and not await Post.exists(boost_of_id__isnull=False)


async def test_like_and_boost_of_our_post__notify_until_undone(live_node, make_account, fediverse, browser, uris):
    alice = await make_account("alice")
    carol = await fediverse.actor("carol@remote.test")
    post = await publish_post(uris, alice, Draft("notice me", Visibility.PUBLIC), 5000)
    like = {"@context": AS, "id": f"{carol.id}#likes/1", "type": "Like", "actor": carol.id, "object": post.ap_id}
    boost = announce(carol, post.ap_id)
    for activity in (like, boost):
        await send(live_node, carol, activity)
    page = await (await (await browser(alice)).get("/notifications")).get_data(as_text=True)
    assert "liked your post" in page and "boosted your post" in page and "@carol@remote.test" in page
    for activity in (like, boost):
        await send(live_node, carol, carol.undo(activity))
    assert await Notification.filter(account_id=alice.id).count() == 0
    assert not await Favourite.exists() and not await Post.exists(boost_of_id=post.id)


async def test_undo_naming_the_activity_by_id_alone(live_node, make_account, fediverse, uris):
    alice = await make_account("alice")
    carol = await fediverse.actor("carol@remote.test")
    post = await publish_post(uris, alice, Draft("undo me", Visibility.PUBLIC), 5000)
    like = {"@context": AS, "id": f"{carol.id}#likes/2", "type": "Like", "actor": carol.id, "object": post.ap_id}
    boost = announce(carol, post.ap_id, 3)
    for activity in (like, boost):
        await send(live_node, carol, activity)
        await send(live_node, carol, {"@context": AS, "id": f"{activity['id']}/undo", "type": "Undo",
                                      "actor": carol.id, "object": activity["id"]})
    assert not await Favourite.exists() and not await Post.exists(boost_of_id=post.id)


async def test_blocked_actor__likes_refused_and_nobody_told(live_node, make_account, fediverse, uris):
    from node.models import Block

    alice = await make_account("alice")
    carol = await fediverse.actor("carol@remote.test")
    resolver = live_node.app.config["KITH_RUNTIME"].resolver
    await Block.create(blocker_id=alice.actor_id, target_id=(await remote_actor(resolver, carol.id)).id)
    post = await publish_post(uris, alice, Draft("not for carol", Visibility.PUBLIC), 5000)
    item = await send(live_node, carol, {"@context": AS, "id": f"{carol.id}#likes/3", "type": "Like",
                                         "actor": carol.id, "object": post.ap_id})
    assert item.state == InboxState.ERRORED and not await Notification.exists()


async def test_follow_mention_and_reply__notify_the_local_account(live_node, make_account, fediverse, browser, uris):
    alice = await make_account("alice", locked=True)
    bob = await make_account("bob")
    carol = await fediverse.actor("carol@remote.test")
    post = await publish_post(uris, alice, Draft("ask me", Visibility.PUBLIC), 5000)
    # carol asks to follow the locked alice, and follows bob
    await send(live_node, carol, carol.follow(alice.actor.ap_id))
    await send(live_node, carol, carol.follow(bob.actor.ap_id))
    # carol mentions bob, and replies to alice (mentioning her, as Mastodon does)
    await send(live_node, carol, carol.create_note("hi bob", mentions=[bob.actor.ap_id]))
    await send(live_node, carol, carol.create_note("an answer", mentions=[alice.actor.ap_id], in_reply_to=post.ap_id))
    kinds = {(n.account_id, n.kind) for n in await Notification.all()}
    assert kinds == {(alice.id, NotificationKind.FOLLOW_REQUEST), (bob.id, NotificationKind.FOLLOW),
                     (bob.id, NotificationKind.MENTION), (alice.id, NotificationKind.REPLY)}
    page = await (await (await browser(alice)).get("/notifications")).get_data(as_text=True)
    assert "asked to follow you" in page and "replied to your post" in page and "an answer" in page


# --- recorded shapes (GoToSocial) ---------------------------------------------------------------

@needs_fixtures
async def test_fixture_announce_addressable__a_followers_only_boost_seen_by_followers_only(
        live_node, make_account, fediverse, browser):
    # Given GoToSocial's Announce to the booster's followers, cc the post's author
    alice, bob = await make_account("alice"), await make_account("bob")
    carol = await fediverse.actor("carol@remote.test")
    dave = await fediverse.actor("dave@other.test")
    await follows(live_node, alice, carol)
    note = dave.create_note("boosted-for-followers")["object"]
    activity = fixture("announce-addressable.json", {
        "https://example.org/users/someone/statuses/107043888547829808/activity": f"{carol.id}/statuses/1/activity",
        "https://example.org/users/someone": carol.id,
        "https://another.instance/users/someone_else/statuses/107026674805188668": note["id"],
        "https://another.instance/users/someone_else": dave.id,
    })
    # When it arrives
    item = await send(live_node, carol, activity)
    # Then the boost is followers-only: in alice's home (she follows carol), not on carol's page for others
    assert item.state == InboxState.PROCESSED, item.error
    assert (await Post.get(boost_of__ap_id=note["id"])).visibility is Visibility.FOLLOWERS
    assert "boosted-for-followers" in await (await (await browser(alice)).get("/")).get_data(as_text=True)
    for viewer in (None, bob):
        page = await (await (await browser(viewer)).get("/@carol@remote.test")).get_data(as_text=True)
        assert "boosted-for-followers" not in page


@needs_fixtures
async def test_fixture_announce_object_array__a_boost_of_our_post_addressed_to_its_author(
        live_node, make_account, fediverse, uris):
    alice = await make_account("alice")
    carol = await fediverse.actor("carol@remote.test")
    post = await publish_post(uris, alice, Draft("boost me", Visibility.PUBLIC), 5000)
    activity = fixture("announce-object-array.json", {
        "http://fossbros-anonymous.io/db22128d-884e-4358-9935-6a7c3940535d": f"{carol.id}/boosts/1",
        "http://fossbros-anonymous.io/users/foss_satan": carol.id,
        "http://localhost:8080/users/1happyturtle/statuses/01F8MHBQCBTDKN6X5VHGMMN4MA": post.ap_id,
        "http://localhost:8080/users/the_mighty_zork": alice.actor.ap_id,
    })
    item = await send(live_node, carol, activity)
    # Addressed to alice alone: a direct boost, which still counts and tells her
    assert item.state == InboxState.PROCESSED, item.error
    assert (await Post.get(boost_of_id=post.id)).visibility is Visibility.DIRECT
    assert await Notification.exists(account_id=alice.id, kind=NotificationKind.BOOST, post_id=post.id)


@needs_fixtures
async def test_fixture_gts_self_boost_of_a_followers_only_post__refused(live_node, make_account, fediverse):
    # Pinned: a boost never carries a followers-only post, not even its author's own boost to
    # the same followers (Mastodon keeps those; a boost here is only of public and unlisted posts).
    alice = await make_account("alice")
    carol = await fediverse.actor("carol@remote.test")
    await follows(live_node, alice, carol)
    note = carol.create_note("carol-followers-only", visibility="followers")["object"]
    activity = fixture("gts-announce-self-boost-followers-only.json", {
        "http://localhost:8080/users/the_mighty_zork/statuses/01G74JJ1KS331G2JXHRMZCE0ER": f"{carol.id}/statuses/2",
        "http://localhost:8080/users/the_mighty_zork/statuses/01FCTA44PW9H1TB328S9AQXKDS": note["id"],
        "http://localhost:8080/users/the_mighty_zork": carol.id,
    })
    item = await send(live_node, carol, activity)
    assert item.state == InboxState.ERRORED and "cannot be boosted" in item.error
    assert not await Post.exists(ap_id=note["id"]) and not await Post.exists(boost_of_id__isnull=False)


@needs_fixtures
@pytest.mark.parametrize("name", ["like-request.json", "announce-request.json"])
async def test_fixture_gts_interaction_requests__ignored(live_node, make_account, fediverse, uris, name):
    # Pinned: GoToSocial asks (LikeRequest, AnnounceRequest) only for posts whose interaction
    # policy wants approval; ours carry none, so it sends plain Like and Announce. A request
    # is answered 202 and dropped: nothing is counted and nobody is told.
    alice = await make_account("alice")
    carol = await fediverse.actor("carol@remote.test")
    post = await publish_post(uris, alice, Draft("asked about", Visibility.PUBLIC), 5000)
    activity = fixture(name, {
        "http://fossbros-anonymous.io/requests/87fb1478-ac46-406a-8463-96ce05645219": f"{carol.id}/requests/1",
        "http://fossbros-anonymous.io/users/foss_satan": carol.id,
        "http://localhost:8080/users/admin/statuses/01F8MH75CBF9JFX4ZAD54N0W0R": post.ap_id,
        "http://localhost:8080/users/admin": alice.actor.ap_id,
    })
    item = await send(live_node, carol, activity)
    assert item.state == InboxState.PROCESSED
    assert not await Favourite.exists() and not await Post.exists(boost_of_id=post.id)
    assert not await Notification.exists()
