"""Requirement PRIV-READ: no post is shown to anyone outside its audience, on any page or
feed; a hidden post answers 404, exactly like a post that does not exist."""

from __future__ import annotations

import pytest

from federation.audience import Visibility
from node.models import Post
from node.queries import Viewer, may_view, visible_to
from node.services.posting import delete_post
from tests.rig.world import EXPECTED, VIEWERS, build_world


@pytest.fixture
async def world(make_account, uris):
    return await build_world(make_account, uris)


@pytest.fixture
async def browsers(world, browser):
    return {name: await browser(world.account(name)) for name in VIEWERS}


def viewer_of(world, name: str) -> Viewer:
    return Viewer.of(world.account(name))


async def test_list_query_agrees_with_can_view__every_viewer_and_post(world):
    # Given every post of the world, one of them deleted
    deleted = world.others[0]
    await delete_post(world.accounts["bob"], deleted)
    posts = await Post.all()
    for name in VIEWERS:
        viewer = viewer_of(world, name)
        # When the list query and the single-post check answer for this viewer
        listed = {p.id for p in await Post.filter(visible_to(viewer))}
        checked = {p.id for p in posts if await may_view(viewer, p)}
        # Then they agree
        assert listed == checked, f"list query and can_view disagree for {name}"
        assert deleted.id not in listed


async def test_audience_of_each_visibility__matches_the_written_table(world):
    for visibility, post in world.posts.items():
        allowed = {name for name in VIEWERS if await may_view(viewer_of(world, name), post)}
        assert allowed == EXPECTED[visibility], visibility


async def test_post_page__answers_404_outside_the_audience(world, browsers):
    for visibility, post in world.posts.items():
        for name in VIEWERS:
            # When each viewer opens the post page
            response = await browsers[name].get(f"/@alice/{post.id}")
            body = await response.get_data(as_text=True)
            # Then only the audience gets it; everyone else the 404 of a missing post
            if name in EXPECTED[visibility]:
                assert response.status_code == 200, (visibility, name)
                assert world.texts[visibility] in body
            else:
                assert response.status_code == 404, (visibility, name)
                assert world.texts[visibility] not in body, (visibility, name)
    missing = await browsers["anonymous"].get("/@alice/1")
    assert missing.status_code == 404


async def test_profile_page__lists_only_what_the_viewer_may_see(world, browsers):
    for name in VIEWERS:
        body = await (await browsers[name].get("/@alice")).get_data(as_text=True)
        for visibility in Visibility:
            shown = world.texts[visibility] in body
            assert shown == (name in EXPECTED[visibility]), (visibility, name)


async def test_home_timeline__shows_no_post_outside_its_audience(world, browsers):
    # Home shows one's own posts, followed accounts' posts and posts mentioning one.
    home_audience = {"alice", "bob", "dave"}  # eve is blocked; frank is only pending
    for name in VIEWERS:
        body = await (await browsers[name].get("/")).get_data(as_text=True)
        for visibility in Visibility:
            expected = name in home_audience and name in EXPECTED[visibility]
            assert (world.texts[visibility] in body) == expected, (visibility, name)
    bob_text = "bob-followers-only"
    assert bob_text not in await (await browsers["alice"].get("/")).get_data(as_text=True)


@pytest.mark.parametrize("feed", ["rss", "atom"])
async def test_feeds__carry_public_posts_only(world, browsers, feed):
    for name in ("anonymous", "alice", "bob", "dave"):
        # When anyone, even the author or a follower, reads the feed
        response = await browsers[name].get(f"/@alice.{feed}")
        body = await response.get_data(as_text=True)
        # Then only the public post is in it
        assert response.status_code == 200
        for visibility in Visibility:
            assert (world.texts[visibility] in body) == (visibility is Visibility.PUBLIC), (visibility, name)


async def test_deleted_post__is_gone_for_everyone(world, browsers):
    post = world.posts[Visibility.PUBLIC]
    await delete_post(world.accounts["alice"], post)
    for name in VIEWERS:
        response = await browsers[name].get(f"/@alice/{post.id}")
        assert response.status_code == 404, name
    for feed in ("rss", "atom"):
        body = await (await browsers["anonymous"].get(f"/@alice.{feed}")).get_data(as_text=True)
        assert world.texts[Visibility.PUBLIC] not in body


async def test_tag_page_and_feed__list_public_posts_only(make_account, uris, browser):
    from node.services.posting import Draft, publish_post

    # Given alice tags a post of every visibility, and blocks eve
    alice, bob, eve = await make_account("alice"), await make_account("bob"), await make_account("eve")
    from node.models import Block

    await Block.create(blocker_id=alice.actor_id, target_id=eve.actor_id)
    for visibility in Visibility:
        await publish_post(uris, alice, Draft(f"tagged-{visibility.value} #Kith", visibility), 5000)
    for name, account in (("anonymous", None), ("bob", bob), ("alice", alice), ("eve", eve)):
        # When anyone reads the tag page
        body = await (await (await browser(account)).get("/tags/kith")).get_data(as_text=True)
        feed = await (await (await browser(account)).get("/tags/kith.rss")).get_data(as_text=True)
        # Then only the public post is listed, and not at all to the blocked eve on the page
        for visibility in Visibility:
            expected = visibility is Visibility.PUBLIC and name != "eve"
            assert (f"tagged-{visibility.value}" in body) == expected, (visibility, name)
            assert (f"tagged-{visibility.value}" in feed) == (visibility is Visibility.PUBLIC), (visibility, name)
