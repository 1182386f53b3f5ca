"""The home timeline page by page (requirement PRIV-READ): every page holds exactly the next
posts of the home (own posts, followed accounts', those mentioning the reader) that the
reader may see, newest first, whether a page fills from the newest posts or has to look
further back."""

from __future__ import annotations

import random

import pytest

from federation.audience import Visibility
from node import queries
from node.models import Block, Follow, FollowState, Mention, Post
from node.queries import Viewer, home_posts, may_view
from node.services.posting import Draft, publish_post
from node.services.reactions import boost


@pytest.fixture
async def home(make_account, uris):
    """reader follows alice; asked frank (pending); carol and erin are strangers, and erin
    blocks reader. Everyone posts in every visibility, some mentioning reader."""
    names = ("reader", "alice", "frank", "carol", "erin")
    accounts = {name: await make_account(name) for name in names}
    reader = accounts["reader"]
    await Follow.create(follower_id=reader.actor_id, target_id=accounts["alice"].actor_id,
                        state=FollowState.ACCEPTED)
    await Follow.create(follower_id=reader.actor_id, target_id=accounts["frank"].actor_id,
                        state=FollowState.REQUESTED)
    await Block.create(blocker_id=accounts["erin"].actor_id, target_id=reader.actor_id)
    rng = random.Random(4)
    drafts = [(name, visibility, mention) for name in names for visibility in Visibility for mention in (False, True)
              if not (mention and name == "reader")]
    rng.shuffle(drafts)
    for name, visibility, mention in drafts:
        text = f"{name}-{visibility.value}" + (" @reader" if mention else "")
        await publish_post(uris, accounts[name], Draft(text, visibility), 5000)
    return reader


async def expected_home(reader) -> list[int]:
    """The home, written from the rules: membership, then the single-post audience check."""
    viewer = Viewer.of(reader)
    followed = set(await Follow.filter(follower_id=reader.actor_id, state=FollowState.ACCEPTED)
                   .values_list("target_id", flat=True))
    mentioning = set(await Mention.filter(actor_id=reader.actor_id).values_list("post_id", flat=True))
    ids = []
    for post in await Post.all().order_by("-id"):
        member = post.author_id == reader.actor_id or post.author_id in followed or post.id in mentioning
        if member and await may_view(viewer, post):
            ids.append(post.id)
    return ids


@pytest.mark.parametrize("window", [1, 3, 7, 2000])
async def test_home_pages__are_the_visible_home_posts_in_order(home, monkeypatch, window):
    # Given a window smaller than a page, about a page, or larger than the whole database
    monkeypatch.setattr(queries, "HOME_WINDOW", window)
    expected = await expected_home(home)
    assert len(expected) > 12  # the world gives several pages of 4
    # When the reader pages through the home, 4 posts a page
    seen, cursor = [], None
    while True:
        page = await home_posts(Viewer.of(home), cursor, limit=4)
        if not page:
            break
        assert len(page) == 4 or len(seen) + len(page) == len(expected)
        seen += [p.id for p in page]
        cursor = page[-1].id
    # Then the pages together are the visible home posts, newest first, each once
    assert seen == expected


async def test_home_page_two__over_http_continues_where_page_one_ended(home, browser):
    # 20 a page: page 2 starts right after page 1's last post, and never shows a hidden one
    client = await browser(home)
    expected = await expected_home(home)
    posts = {p.id: p for p in await Post.filter(id__in=expected)}
    first = await (await client.get("/")).get_data(as_text=True)
    second = await (await client.get("/", query_string={"before": str(expected[19])})).get_data(as_text=True)
    for i, post_id in enumerate(expected):
        page = first if i < 20 else second
        assert f"post-{post_id}-by" in page and f"post-{post_id}-by" not in (second if i < 20 else first)
        assert posts[post_id].content_html in page
    for hidden in await Post.exclude(id__in=expected):
        assert f"post-{hidden.id}-by" not in first + second


async def boosted_home(make_account, uris) -> tuple:
    """reader follows alice, bob and carol; alice posts, bob boosts it, alice posts twice
    more, carol boosts it too, bob posts."""
    reader, alice, bob, carol = [await make_account(n) for n in ("reader", "alice", "bob", "carol")]
    for other in (alice, bob, carol):
        await Follow.create(follower_id=reader.actor_id, target_id=other.actor_id, state=FollowState.ACCEPTED)
    original = await publish_post(uris, alice, Draft("the original", Visibility.PUBLIC), 5000)
    first_boost = await boost(uris, bob, original)
    filler = [await publish_post(uris, alice, Draft(f"filler {i}", Visibility.PUBLIC), 5000) for i in range(2)]
    second_boost = await boost(uris, carol, original)
    newest = await publish_post(uris, bob, Draft("newest", Visibility.PUBLIC), 5000)
    return reader, [newest, second_boost, *reversed(filler), first_boost, original]


async def paged_home(reader, limit: int) -> list[int]:
    seen, cursor = [], None
    while page := await home_posts(Viewer.of(reader), cursor, limit=limit):
        seen += [p.id for p in page]
        cursor = page[-1].id
    return seen


@pytest.mark.parametrize("limit", [1, 2, 3, 20])
async def test_home__shows_a_boosted_post_once_where_it_first_came(make_account, uris, limit):
    reader, (newest, second_boost, filler1, filler0, first_boost, original) = await boosted_home(make_account, uris)
    # When the reader pages through the home, whatever the page size
    seen = await paged_home(reader, limit)
    # Then alice's post shows once, where she posted it; the boosts of it are left out
    assert seen == [newest.id, filler1.id, filler0.id, original.id]


async def test_home__shows_a_boost_of_a_post_out_of_sight_again(make_account, uris, monkeypatch):
    # Given the post is more than REPEAT_SPAN posts below carol's boost of it
    monkeypatch.setattr(queries, "REPEAT_SPAN", 2)
    reader, (newest, second_boost, filler1, filler0, first_boost, original) = await boosted_home(make_account, uris)
    # Then carol's boost shows it again; bob's, right above it, does not
    assert await paged_home(reader, 3) == [newest.id, second_boost.id, filler1.id, filler0.id, original.id]
