"""Requirement PRIV-READ for edit histories: the history page of a post has exactly the
post's audience. Anyone else (anonymous, a non-follower, a blocked account, a pending
follower) gets the 404 of a post that does not exist, and no earlier version leaks."""

from __future__ import annotations

import pytest

from federation.audience import Visibility
from node.services.editing import Edit, edit_post
from node.services.posting import delete_post
from tests.rig.world import EXPECTED, VIEWERS, build_world


@pytest.fixture
async def world(make_account, uris):
    world = await build_world(make_account, uris)
    for visibility, post in world.posts.items():
        await edit_post(uris, world.accounts["alice"], post, Edit(f"now-{visibility.value} for @dave"), 5000)
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
            else:
                assert response.status_code == 404, (visibility, name)
                assert world.texts[visibility] not in body and f"now-{visibility.value}" not in body


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
