"""Rendered bodies are kept by version: a change to the author shows at once."""

from __future__ import annotations

from federation.audience import Visibility
from node.cache import RenderedCache
from node.services.posting import Draft, delete_post, publish_post
from tests.conftest import form_token


async def test_cache__keeps_the_newest_entries_only():
    cache, made = RenderedCache(size=2), []

    async def make(key):
        made.append(key)
        return f"body-{key}"

    for key in ("a", "b", "a", "c", "b"):
        assert await cache.get_or_make(key, lambda key=key: make(key)) == f"body-{key}"
    assert made == ["a", "b", "c", "b"]  # "b" was the oldest when "c" came


async def test_anonymous_profile__shows_a_new_post_and_a_deletion_at_once(client, make_account, uris):
    alice = await make_account("alice")
    first = await publish_post(uris, alice, Draft("first-post-text", Visibility.PUBLIC), 5000)
    assert "first-post-text" in await (await client.get("/@alice")).get_data(as_text=True)
    await publish_post(uris, alice, Draft("second-post-text", Visibility.PUBLIC), 5000)
    assert "second-post-text" in await (await client.get("/@alice")).get_data(as_text=True)
    await delete_post(alice, first)
    assert "first-post-text" not in await (await client.get("/@alice")).get_data(as_text=True)


async def test_anonymous_profile__cache_never_serves_a_signed_in_view(browser, make_account, uris):
    # Given alice's local post, which anonymous readers may not see
    alice = await make_account("alice")
    await publish_post(uris, alice, Draft("local-only-text", Visibility.LOCAL), 5000)
    signed_in = await browser(alice)
    assert "local-only-text" in await (await signed_in.get("/@alice")).get_data(as_text=True)
    # When an anonymous reader comes after, and before, a signed-in one
    anonymous = await browser(None)
    assert "local-only-text" not in await (await anonymous.get("/@alice")).get_data(as_text=True)
    assert "local-only-text" in await (await signed_in.get("/@alice")).get_data(as_text=True)


async def test_anonymous_profile__settings_change_shows_at_once(browser, make_account):
    alice = await make_account("alice")
    anonymous = await browser(None)
    assert "application/rss+xml" in await (await anonymous.get("/@alice")).get_data(as_text=True)
    client = await browser(alice)
    form = {"csrf_token": await form_token(client, "/settings"), "display_name": "Alice Renamed",
            "bio": "", "default_visibility": "unlisted"}
    await client.post("/settings", form=form)
    page = await (await anonymous.get("/@alice")).get_data(as_text=True)
    assert "Alice Renamed" in page and "application/rss+xml" not in page
