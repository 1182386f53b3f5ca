"""Requirement PRIV-READ for the people pages: search, follow requests, followers and
following are for the signed-in owner only; a remote profile shows anonymous readers only
what anyone may see."""

from __future__ import annotations

import pytest

from federation.audience import Visibility
from node.ids import new_id
from node.models import Actor, Follow, FollowState, Post


@pytest.mark.parametrize("path", ["/search", "/search?q=@carol@remote.test", "/follow-requests", "/followers", "/following"])
async def test_people_pages__send_anonymous_readers_to_sign_in(client, path):
    response = await client.get(path)
    assert response.status_code == 302 and response.headers["Location"].endswith("/login")


@pytest.mark.parametrize("path", ["/follow", "/unfollow", "/follow-requests", "/followers/remove"])
async def test_people_forms__refuse_anonymous_posts(client, path):
    response = await client.post(path, form={"actor": "https://remote.test/users/carol"})
    assert response.status_code == 400  # no CSRF token: nothing happens


async def test_follower_lists__show_only_ones_own(browser, make_account):
    alice, bob, carol = await make_account("alice"), await make_account("bob"), await make_account("carol")
    await Follow.create(follower_id=carol.actor_id, target_id=alice.actor_id, state=FollowState.ACCEPTED)
    await Follow.create(follower_id=bob.actor_id, target_id=alice.actor_id, state=FollowState.REQUESTED)
    alice_page = await (await (await browser(alice)).get("/followers")).get_data(as_text=True)
    bob_page = await (await (await browser(bob)).get("/followers")).get_data(as_text=True)
    assert "@carol@" in alice_page and "@bob@" not in alice_page
    assert "@carol@" not in bob_page
    requests = await (await (await browser(alice)).get("/follow-requests")).get_data(as_text=True)
    assert "@bob@" in requests


async def test_remote_profile__anonymous_readers_see_only_public_posts(browser, make_account):
    alice = await make_account("alice")
    carol = await Actor.create(ap_id="https://remote.test/users/carol", username="carol", domain="remote.test",
                               inbox="https://remote.test/users/carol/inbox", followers_url="https://remote.test/users/carol/followers")
    await Follow.create(follower_id=alice.actor_id, target_id=carol.id, state=FollowState.ACCEPTED)
    for visibility in (Visibility.PUBLIC, Visibility.FOLLOWERS, Visibility.DIRECT):
        post_id = new_id()
        await Post.create(id=post_id, ap_id=f"https://remote.test/users/carol/statuses/{post_id}", author_id=carol.id,
                          local=False, visibility=visibility, content_html=f"<p>carol-{visibility.value}</p>",
                          created_at=Post._meta.fields_map["created_at"].to_python_value("2026-11-25T10:00:00+00:00"))
    anonymous = await (await (await browser(None)).get("/@carol@remote.test")).get_data(as_text=True)
    follower = await (await (await browser(alice)).get("/@carol@remote.test")).get_data(as_text=True)
    assert "carol-public" in anonymous and "carol-followers" not in anonymous and "carol-direct" not in anonymous
    assert "carol-followers" in follower and "carol-direct" not in follower
    assert (await (await browser(None)).get("/@nobody@remote.test")).status_code == 404
