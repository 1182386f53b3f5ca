"""Requirement PRIV-READ for boosts: a boost is a post, shown as "X boosted" with the post
it boosts, and only to viewers who may see both; deleted or blocked originals never show
through a boost, and no feed, outbox or thread lists a boost as a post."""

from __future__ import annotations

import re

import pytest

from federation.audience import Visibility
from node.models import Post
from node.queries import Viewer, may_view, visible_to
from node.services.posting import delete_post
from tests.rig.world import EXPECTED, VIEWERS, build_world

V = Visibility
ACTIVITY_JSON = {"Accept": "application/activity+json"}


@pytest.fixture
async def world(make_account, uris):
    return await build_world(make_account, uris)


@pytest.fixture
async def browsers(world, browser):
    return {name: await browser(world.account(name)) for name in VIEWERS}


def viewer_of(world, name: str) -> Viewer:
    return Viewer.of(world.account(name))


async def page(client, path: str) -> str:
    return await (await client.get(path)).get_data(as_text=True)


async def test_list_query_agrees_with_can_view__boosts_of_deleted_and_blocked_posts(world):
    # Given bob's boosts of alice's posts, one of which alice then deletes
    await delete_post(world.accounts["alice"], world.posts[V.UNLISTED])
    posts = await Post.all()
    for name in VIEWERS:
        # When the list query and the single-post check answer for this viewer
        viewer = viewer_of(world, name)
        listed = {p.id for p in await Post.filter(visible_to(viewer))}
        checked = {p.id for p in posts if await may_view(viewer, p)}
        # Then they agree, and the boost of the deleted post is nobody's
        assert listed == checked, name
        assert world.boosts[V.UNLISTED].id not in listed, name


async def test_boost__seen_by_whoever_may_see_the_boosted_post(world):
    # The written table for alice's public post, less eve: alice blocks her, bob's boost
    # (which eve may see, as bob's follower) must not show her alice's post.
    for visibility, boost in world.boosts.items():
        allowed = {name for name in VIEWERS if await may_view(viewer_of(world, name), boost)}
        assert allowed == EXPECTED[visibility] - {"eve"} == {"anonymous", "alice", "bob", "carol", "dave", "frank"}


async def test_profile_and_home__show_the_boost_only_where_the_post_may_be_seen(world, browsers):
    public = world.texts[V.PUBLIC]
    for name in VIEWERS:
        body = await page(browsers[name], "/@bob")
        # Then bob's profile shows his boost of alice's post, except to eve
        assert (public in body and "boosted" in body) == (name != "eve"), name
    # eve follows bob: his boosts reach her home, but not alice's posts in them
    eve_home = await page(browsers["eve"], "/")
    assert public not in eve_home and world.texts[V.UNLISTED] not in eve_home
    assert "bob-followers-only" in eve_home  # bob's own post does reach her


async def test_deleted_original__gone_from_the_boosters_profile_even_when_cached(world, browsers):
    public = world.texts[V.PUBLIC]
    anonymous = browsers["anonymous"]
    assert public in await page(anonymous, "/@bob")  # now kept for anonymous readers
    # When alice deletes the boosted post
    await delete_post(world.accounts["alice"], world.posts[V.PUBLIC])
    # Then nobody sees it through bob's boost, anonymous readers of the cached page included
    for name in VIEWERS:
        assert public not in await page(browsers[name], "/@bob"), name
        assert public not in await page(browsers[name], "/"), name


async def test_feeds_outbox_and_threads__never_list_a_boost(world, browsers, client):
    anonymous = browsers["anonymous"]
    for path in ("/@bob.rss", "/@bob.atom"):
        assert world.texts[V.PUBLIC] not in await page(anonymous, path)
    outbox = await client.get("/users/bob/outbox", headers=ACTIVITY_JSON)
    assert (await outbox.get_json())["totalItems"] == 0
    items = await (await client.get("/users/bob/outbox?page=true", headers=ACTIVITY_JSON)).get_json()
    assert items["orderedItems"] == []
    thread = await page(browsers["alice"], f"/@alice/{world.posts[V.PUBLIC].id}")
    heard = " ".join(re.sub(r"<[^>]+>", " ", thread).split())  # what a screen reader reads
    assert "boosted" not in thread and not re.search(r"\d+ repl", heard) and "1 boost" in heard


async def test_boost_urls__no_page_no_note_and_the_announce_at_its_id(world, browsers, client):
    boost = world.boosts[V.PUBLIC]
    # A boost has no page of its own, and its object URL is not a Note
    for name in VIEWERS:
        assert (await browsers[name].get(f"/@bob/{boost.id}")).status_code == 404, name
    assert (await client.get(f"/users/bob/statuses/{boost.id}", headers=ACTIVITY_JSON)).status_code == 404
    # Its id (as Mastodon's reblogs) serves the Announce, until the boosted post is deleted
    response = await client.get(boost.ap_id.removeprefix("http://localhost:8000"), headers=ACTIVITY_JSON)
    announce = await response.get_json()
    assert response.status_code == 200 and announce["type"] == "Announce" and announce["id"] == boost.ap_id
    assert announce["object"] == world.posts[V.PUBLIC].ap_id
    await delete_post(world.accounts["alice"], world.posts[V.PUBLIC])
    gone = await client.get(boost.ap_id.removeprefix("http://localhost:8000"), headers=ACTIVITY_JSON)
    assert gone.status_code == 404
