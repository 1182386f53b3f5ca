"""Recorded documents from GoToSocial (shared fixtures): their custom emoji (posts and an
actor's name) and attachments are kept and shown as small images and pictures through the
media proxy, never from their own server."""

from __future__ import annotations

import json
import re
from datetime import datetime, timezone
from pathlib import Path

import pytest

from federation.actors import parse_actor
from federation.audience import Visibility
from federation.notes import note_fields
from node.html import sanitize
from node.media.attachments import emoji_rows, store_remote_media
from node.media.emoji import emojify_html
from node.models import Actor, CustomEmoji, Follow, FollowState, Media, Post
from node.services.remote import save_remote_actor

FIXTURES = Path(__file__).resolve().parents[2].parent / "shared" / "fixtures" / "gotosocial" / "documents"
pytestmark = pytest.mark.skipif(not FIXTURES.is_dir(), reason=f"shared fixtures not found at {FIXTURES}")


def load(name: str) -> dict:
    return json.loads((FIXTURES / name).read_text())


def srcs_in(page: str) -> list[str]:
    return re.findall(r'\ssrc="([^"]*)"', page)


@pytest.mark.parametrize("name, shortcodes", [
    ("note-with-emoji.json", ["shocked_pikachu"]),
    ("note-with-emoji-no-id.json", ["shocked_pikachu"]),
    ("note-with-emoji-null-id.json", ["shocked_pikachu"]),
    ("note-with-emoji-empty-id.json", ["shocked_pikachu"]),
    ("create-note-with-emojis-and-tags.json", ["party_parrot", "amaze", "blobsunglasses"]),
])
async def test_post_emoji__from_gotosocial_fixtures_render_as_proxied_images(app, name, shortcodes):
    # Given a recorded post with custom emoji
    document = load(name)
    note = note_fields(document.get("object", document))
    rows = emoji_rows(note.emojis, post_id=1)
    assert [r.shortcode for r in rows] == shortcodes
    # When its sanitised content is shown
    proxied = app.config["KITH_PROXY_URLS"].url_for
    shown = emojify_html(sanitize(note.content_html), {r.shortcode: r.icon_url for r in rows}, proxied)
    # Then each :shortcode: is a small image from this origin, named by its shortcode
    for code in shortcodes:
        assert re.search(rf'<img class="emoji" src="/media/proxy/[^"]+" alt=":{code}:"', shown), shown
    assert all(src.startswith("/media/proxy/") for src in srcs_in(str(shown)))


async def test_actor_emoji__gotosocial_actor_name_shown_with_its_emoji_and_avatar_through_the_proxy(client):
    # Given GoToSocial's actor with an emoji, an avatar and a header image, known here
    document = load("gts-actor-with-emoji.json")
    document["name"] = "original zork :rainbow: (he/they)"
    actor = await save_remote_actor(parse_actor(document))
    assert [e.shortcode for e in await CustomEmoji.filter(actor_id=actor.id)] == ["rainbow"]
    # When anyone opens their page here
    page = await (await client.get(f"/@{actor.handle}")).get_data(as_text=True)
    # Then the name carries the emoji image, and every picture comes from this origin
    assert re.search(r'<h1 id="profile-name">.*<img class="emoji" src="/media/proxy/[^"]+" alt=":rainbow:"', page)
    sources = srcs_in(page)
    assert len(sources) == 3 and all(src.startswith("/media/proxy/") for src in sources), sources
    # And a refreshed document without the emoji drops it
    document["tag"] = []
    await save_remote_actor(parse_actor(document))
    assert not await CustomEmoji.filter(actor_id=actor.id).exists()


async def test_attachments__gotosocial_multiple_attachments_kept_and_shown_described(browser, make_account):
    # Given the recorded post with four attachments, by someone alice follows
    note = note_fields(load("note-multiple-attachments.json"))
    author = await Actor.create(ap_id=note.attributed_to, username="hourlycatbot", domain="example.org",
                                inbox="https://example.org/users/hourlycatbot/inbox")
    post = await Post.create(id=1, ap_id=note.ap_id, author_id=author.id, local=False,
                             visibility=Visibility.PUBLIC, content_html="", created_at=datetime.now(timezone.utc))
    await store_remote_media(post, author, note)
    alice = await make_account("alice")
    await Follow.create(follower_id=alice.actor_id, target_id=author.id, state=FollowState.ACCEPTED)
    # Then all four are kept in order with their descriptions
    media = await Media.filter(post_id=post.id).order_by("position")
    assert [m.media_type for m in media] == ["image/jpeg"] * 4
    assert media[2].description == "" and media[0].description.startswith("DESCRIPTION: here's <<a>>")
    # And alice's home shows them through the proxy, alt text escaped
    page = await (await (await browser(alice)).get("/")).get_data(as_text=True)
    pictures = re.findall(r'<img src="(/media/proxy/[^"]+)" alt="([^"]*)"', page)
    assert len(pictures) == 4 and pictures[2][1] == "Image without a description"
    assert "DESCRIPTION: here&#39;s &lt;&lt;a&gt;&gt; picture" in page
    assert "files.example.org" not in " ".join(srcs_in(page))
