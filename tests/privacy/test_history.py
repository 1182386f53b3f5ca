"""Requirement PRIV-READ for edit histories: the history page of a post has exactly the
post's audience. Anyone else (anonymous, a non-follower, a blocked account, a pending
follower) gets the 404 of a post that does not exist, and no earlier version leaks: neither
its text nor the descriptions of the images it had."""

from __future__ import annotations

import pytest

from federation.audience import Visibility
from node.models import Media
from node.services.editing import Edit, edit_post
from node.services.posting import delete_post
from tests.rig.world import EXPECTED, VIEWERS, build_world


@pytest.fixture
async def world(make_account, uris):
    world = await build_world(make_account, uris)
    alice = world.accounts["alice"]
    for visibility, post in world.posts.items():
        # each with an image whose description the edit changes (the history keeps the old one)
        image = await Media.create(owner_id=alice.actor_id, post_id=post.id, file_name=f"{post.id}.jpg",
                                   thumbnail_name=f"{post.id}-small.jpg", media_type="image/jpeg",
                                   description=f"alt-before-{visibility.value}")
        edit = Edit(f"now-{visibility.value} for @dave", descriptions={image.id: f"alt-now-{visibility.value}"})
        await edit_post(uris, alice, post, edit, 5000)
    return world


async def test_history_page__answers_404_outside_the_audience(world, browser):
    for name in VIEWERS:
        client = await browser(world.account(name))
        for visibility, post in world.posts.items():
            # When each viewer opens the history of each of alice's edited posts
            response = await client.get(f"/@alice/{post.id}/history")
            body = await response.get_data(as_text=True)
            # Then only the post's audience sees it, with the earlier version
            if name in EXPECTED[visibility]:
                assert response.status_code == 200, (visibility, name)
                assert world.texts[visibility] in body and f"now-{visibility.value}" in body
                assert f"alt-before-{visibility.value}" in body and f"alt-now-{visibility.value}" in body
            else:
                assert response.status_code == 404, (visibility, name)
                assert world.texts[visibility] not in body and f"now-{visibility.value}" not in body
                assert "alt-before" not in body and "alt-now" not in body


async def test_history_page__of_a_missing_or_deleted_post_is_404(world, browser):
    post = world.posts[Visibility.PUBLIC]
    await delete_post(world.accounts["alice"], post)
    for name in VIEWERS:
        client = await browser(world.account(name))
        for path in (f"/@alice/{post.id}/history", "/@alice/1/history", f"/@bob/{post.id}/history",
                     f"/@carol@remote.test/{post.id}/history"):
            response = await client.get(path)
            assert response.status_code == 404, (name, path)
            assert world.texts[Visibility.PUBLIC] not in await response.get_data(as_text=True)


async def test_edited_mark__is_shown_only_where_the_post_is(world, browser):
    # The "edited" link sits on the post card, so it appears exactly where the post does.
    for name in VIEWERS:
        body = await (await (await browser(world.account(name))).get("/@alice")).get_data(as_text=True)
        for visibility, post in world.posts.items():
            assert (f"{post.url}/history" in body) == (name in EXPECTED[visibility]), (visibility, name)


async def test_remote_post_history__has_the_remote_posts_audience(make_account, browser):
    # Given carol@remote.test's followers-only post, edited, as our copy of it; bob follows her
    from datetime import datetime, timezone

    from node.models import Actor, Block, Follow, FollowState, Post, PostEdit

    alice, bob, eve = await make_account("alice"), await make_account("bob"), await make_account("eve")
    carol = await Actor.create(ap_id="https://remote.test/users/carol", username="carol", domain="remote.test",
                               local=False, inbox="https://remote.test/users/carol/inbox",
                               url="https://remote.test/@carol", followers_url="https://remote.test/users/carol/followers")
    now = datetime.now(timezone.utc)
    post = await Post.create(id=1234567, ap_id="https://remote.test/users/carol/statuses/1", author_id=carol.id,
                             local=False, visibility=Visibility.FOLLOWERS, content_html="<p>carol-now</p>",
                             created_at=now, edited_at=now)
    await PostEdit.create(post_id=post.id, content_html="<p>carol-before</p>", current_from=now, current_until=now,
                          media=[{"kind": "image", "description": "carol-old-alt"}], media_changed=True)
    for follower in (bob, eve):
        await Follow.create(follower_id=follower.actor_id, target_id=carol.id, state=FollowState.ACCEPTED)
    await Block.create(blocker_id=carol.id, target_id=eve.actor_id)
    # When each reads its history page
    for name, account, allowed in (("anonymous", None, False), ("alice", alice, False), ("eve", eve, False),
                                   ("bob", bob, True)):
        response = await (await browser(account)).get(f"/@carol@remote.test/{post.id}/history")
        body = await response.get_data(as_text=True)
        # Then only her follower bob sees it (eve follows but is blocked)
        assert (response.status_code == 200) == allowed, name
        assert ("carol-before" in body) == allowed and ("carol-now" in body) == allowed, name
        assert ("carol-old-alt" in body) == allowed, name
