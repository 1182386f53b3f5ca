"""The notifications page (requirement PRIV-READ for notifications): signed-in only, one's
own only, newest first and paged, each naming who and linking the post; never a post the
account may no longer see; an unread count in the header, cleared by viewing the page."""

from __future__ import annotations

import re

from federation.audience import Visibility
from node.models import Block, Follow, FollowState, Notification
from node.services import reactions, social
from node.services.posting import Draft, delete_post, publish_post

V = Visibility


async def page(client, path: str = "/notifications") -> str:
    return await (await client.get(path)).get_data(as_text=True)


def unread(body: str) -> int:
    match = re.search(r'href="/notifications">Notifications(?: <span class="badge">(\d+) new</span>)?</a>', body)
    assert match, "no notifications link in the header"
    return int(match.group(1) or 0)


async def test_notifications__need_a_signed_in_account(client):
    response = await client.get("/notifications")
    assert response.status_code == 302 and response.headers["Location"].endswith("/login")


async def test_notifications__each_kind_names_who_and_links_the_post(make_account, browser, uris):
    # Given bob follows alice, mentions her, replies to her, likes and boosts her post
    alice, bob = await make_account("alice"), await make_account("bob")
    await social.follow(uris, bob, alice.actor)
    post = await publish_post(uris, alice, Draft("alice-original", V.PUBLIC), 5000)
    await publish_post(uris, bob, Draft("hello @alice, bob-mention", V.PUBLIC), 5000)
    await publish_post(uris, bob, Draft("@alice bob-reply", V.PUBLIC, in_reply_to=post.ap_id), 5000)
    await reactions.like(bob, post)
    await reactions.boost(uris, bob, post)
    client = await browser(alice)
    # Then the header counts five unread
    assert unread(await page(client, "/")) == 5
    # When alice opens her notifications
    body = await page(client)
    # Then each is there, newest first, naming bob; the reply is one notification, not also a mention
    kinds = [n.kind for n in await Notification.filter(account_id=alice.id).order_by("-id")]
    assert kinds == ["boost", "like", "reply", "mention", "follow"]
    order = [body.index(text) for text in ("boosted your post", "liked your post", "replied to your post",
                                            "mentioned you", "followed you")]
    assert order == sorted(order) and body.count("@bob@localhost:8000") >= 5
    assert "bob-reply" in body and "bob-mention" in body and "alice-original" in body
    # And having seen them, the count is gone (this page's header included)
    assert unread(body) == 0 and unread(await page(client, "/")) == 0


async def test_notifications__follow_requests_to_a_locked_account(make_account, browser, uris):
    alice, bob = await make_account("alice", locked=True), await make_account("bob")
    await social.follow(uris, bob, alice.actor)
    body = await page(await browser(alice))
    assert "asked to follow you" in body and 'href="/follow-requests"' in body


async def test_notifications__another_account_sees_none_of_mine(make_account, browser, uris):
    alice, bob, carol = await make_account("alice"), await make_account("bob"), await make_account("carol")
    await publish_post(uris, bob, Draft("@alice private-words", V.DIRECT), 5000)
    carol_page = await page(await browser(carol))
    assert "private-words" not in carol_page and "No notifications yet" in carol_page
    assert unread(carol_page) == 0
    assert "private-words" in await page(await browser(alice))


async def test_notifications__about_posts_no_longer_visible_are_left_out(make_account, browser, uris):
    # Given alice follows bob, who answers her post followers-only, and mentions her in another
    alice, bob = await make_account("alice"), await make_account("bob")
    await Follow.create(follower_id=alice.actor_id, target_id=bob.actor_id, state=FollowState.ACCEPTED)
    post = await publish_post(uris, alice, Draft("question", V.PUBLIC), 5000)
    await publish_post(uris, bob, Draft("followers-answer", V.FOLLOWERS, in_reply_to=post.ap_id), 5000)
    mention = await publish_post(uris, bob, Draft("@alice soon-deleted", V.PUBLIC), 5000)
    client = await browser(alice)
    assert "followers-answer" in await page(client) and "soon-deleted" in await page(client)
    # When she stops following him, and he deletes the mention
    await Follow.filter(follower_id=alice.actor_id).delete()
    await delete_post(bob, mention)
    # Then neither notification shows, nor anything of those posts
    body = await page(client)
    assert "followers-answer" not in body and "soon-deleted" not in body
    assert "replied to your post" not in body and "mentioned you" not in body


async def test_notifications__blocked_actors_do_not_notify(make_account, browser, uris):
    alice, bob, carol = await make_account("alice"), await make_account("bob"), await make_account("carol")
    post = await publish_post(uris, alice, Draft("hello", V.PUBLIC), 5000)
    await reactions.like(carol, post)
    # When alice blocks bob, and later carol
    await Block.create(blocker_id=alice.actor_id, target_id=bob.actor_id)
    await reactions.store_like(post, bob.actor, None)  # as a like arriving from elsewhere would be
    await publish_post(uris, bob, Draft("@alice hey", V.PUBLIC), 5000)
    await Block.create(blocker_id=alice.actor_id, target_id=carol.actor_id)
    # Then bob's actions made no notification, and carol's earlier one is no longer shown
    assert not await Notification.exists(from_actor_id=bob.actor_id)
    assert "liked your post" not in await page(await browser(alice))


async def test_notifications__paged_newest_first(make_account, browser, uris):
    alice = await make_account("alice")
    likers = [await make_account(f"fan{n:02d}") for n in range(25)]
    post = await publish_post(uris, alice, Draft("popular", V.PUBLIC), 5000)
    for liker in likers:
        await reactions.like(liker, post)
    client = await browser(alice)
    first = await page(client)
    assert first.count("liked your post") == 20 and "@fan24@" in first and "@fan04@" not in first
    older = re.search(r'href="(/notifications\?before=\d+)">Older notifications', first).group(1)
    second = await page(client, older)
    assert second.count("liked your post") == 5 and "@fan04@" in second and "Older notifications" not in second
    assert (await client.get("/notifications?before=x")).status_code == 400
