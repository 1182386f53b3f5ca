"""Requirement PRIV-CARD: a link preview card is part of its post. Nobody outside the post's
audience sees it on any page (anonymous readers, non-followers, a blocked account); no
feed and no ActivityPub document carries it to anyone."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from federation.audience import Visibility
from node.models import LinkCard, LinkCardState, PostLinkCard
from tests.rig.world import EXPECTED, VIEWERS, build_world

AP_ACCEPT = "application/activity+json"


def card_title(visibility: Visibility) -> str:
    return f"card-of-the-{visibility.value}-post"


@pytest.fixture
async def world(make_account, uris):
    # Given alice's post of every visibility, each with a fetched card of its own
    world = await build_world(make_account, uris)
    for visibility, post in world.posts.items():
        card = await LinkCard.create(
            url=f"https://news.example/{visibility.value}", state=LinkCardState.FETCHED,
            title=card_title(visibility), description=f"{card_title(visibility)}-description",
            site_name="News", image_url=f"https://news.example/{visibility.value}.png",
            fetched_at=datetime.now(timezone.utc), next_try_at=datetime.now(timezone.utc))
        await PostLinkCard.create(post_id=post.id, card_id=card.id)
    return world


@pytest.fixture
async def browsers(world, browser):
    return {name: await browser(world.account(name)) for name in VIEWERS}


async def test_cards__shown_on_post_profile_and_home_pages_only_to_the_audience(world, browsers):
    home_audience = {"alice", "bob", "dave"}  # as in test_read_paths: eve blocked, frank pending
    for name in VIEWERS:
        profile = await (await browsers[name].get("/@alice")).get_data(as_text=True)
        home = await (await browsers[name].get("/")).get_data(as_text=True)
        for visibility, post in world.posts.items():
            allowed = name in EXPECTED[visibility]
            page = await browsers[name].get(f"/@alice/{post.id}")
            body = await page.get_data(as_text=True)
            # The post page: the card with the post, or the 404 of a missing post without it
            assert page.status_code == (200 if allowed else 404), (visibility, name)
            assert (card_title(visibility) in body) == allowed, (visibility, name)
            assert (card_title(visibility) in profile) == allowed, (visibility, name)
            assert (card_title(visibility) in home) == (allowed and name in home_audience), (visibility, name)


async def test_cards__never_in_feeds_or_activitypub_documents(world, browsers):
    for feed in ("rss", "atom"):
        body = await (await browsers["anonymous"].get(f"/@alice.{feed}")).get_data(as_text=True)
        assert "card-of-the" not in body and "news.example" not in body
    for visibility, post in world.posts.items():
        # Another server asking for the post (unsigned here; signed fetches are
        # tests/privacy/test_authorized_fetch.py) gets the Note at most, never the card
        response = await browsers["anonymous"].get(f"/users/alice/statuses/{post.id}", headers={"Accept": AP_ACCEPT})
        body = await response.get_data(as_text=True)
        assert card_title(visibility) not in body and "news.example" not in body, visibility


async def test_cards__of_a_post_turned_off_or_deleted_are_not_shown(world, browsers):
    from node.models import Post
    from node.services.posting import delete_post

    public = world.posts[Visibility.PUBLIC]
    await Post.filter(id=public.id).update(link_preview=False)
    body = await (await browsers["bob"].get("/@alice")).get_data(as_text=True)
    assert card_title(Visibility.PUBLIC) not in body and card_title(Visibility.UNLISTED) in body
    await delete_post(world.accounts["alice"], world.posts[Visibility.UNLISTED])
    body = await (await browsers["bob"].get("/@alice")).get_data(as_text=True)
    assert card_title(Visibility.UNLISTED) not in body
