"""Media both ways against the fake fediverse, over real HTTP: our attachments reach
followers as Mastodon-shaped Documents that their server can fetch; theirs, their avatars
and their custom emoji are shown through the node's proxy, so a reader's browser never
contacts the remote server."""

from __future__ import annotations

import io
import re

import aiohttp
import pytest
from PIL import Image
from werkzeug.datastructures import FileStorage

from federation.models import InboxItem, InboxState
from node.models import CustomEmoji, Follow, FollowState, Media, Post
from node.services.remote import remote_actor
from tests.conftest import form_token
from tests.rig import images
from tests.rig.waiting import eventually

pytestmark = pytest.mark.live
LIVE_NODE_OPTIONS = {"run_workers": True}
READER = "ReaderBrowser/1.0"


async def settled(activity_id: str) -> InboxItem | None:
    item = await InboxItem.get_or_none(activity_id=activity_id)
    return item if item and item.state != InboxState.RECEIVED else None


async def test_our_attachments__reach_followers_as_documents_they_can_fetch(live_node, make_account, fediverse, browser):
    # Given carol on remote.test follows alice
    alice = await make_account("alice")
    carol = await fediverse.actor("carol@remote.test")
    await carol.deliver(carol.follow(alice.actor.ap_id), live_node.url("/users/alice/inbox"))
    await eventually(lambda: carol.activities("Accept"), what="the Accept")
    # When alice posts a photo with GPS in its EXIF, described
    client = await browser(alice)
    photo = FileStorage(io.BytesIO(images.jpeg(300, 200)), filename="garden.jpg", content_type="image/jpeg")
    form = {"csrf_token": await form_token(client), "text": "the garden", "visibility": "public",
            "alt_1": "Rows of tomatoes"}
    assert (await client.post("/posts", form=form, files={"media_1": photo})).status_code == 302
    # Then carol receives a Note whose attachment is a Document, as Mastodon sends one
    server = fediverse["remote.test"]
    creates = await eventually(lambda: [r.activity for r in server.accepted if r.activity.get("type") == "Create"],
                               what="the Create at carol's server")
    create = creates[0]
    [attachment] = create["object"]["attachment"]
    assert attachment["type"] == "Document" and attachment["mediaType"] == "image/jpeg"
    assert attachment["name"] == "Rows of tomatoes" and (attachment["width"], attachment["height"]) == (300, 200)
    assert re.fullmatch(r"[0-9A-Za-z#$%*+,\-.:;=?@\[\]^_{|}~]{6,}", attachment["blurhash"])
    assert attachment["url"].startswith(live_node.base_url + "/media/")
    # And her server can fetch the picture, which has no EXIF left
    reply = await fediverse.client.request("GET", attachment["url"])
    assert reply.status == 200 and reply.headers["Content-Type"] == "image/jpeg"
    assert not Image.open(io.BytesIO(reply.body)).getexif() and images.SECRET not in reply.body


def srcs_in(page: str) -> list[str]:
    return re.findall(r'\ssrc="([^"]*)"', page)


async def test_their_media__shown_through_the_proxy_never_fetched_by_the_reader(live_node, make_account, fediverse, browser):
    # Given carol, with an avatar and an emoji in her name, whom alice follows
    server = fediverse["remote.test"]
    avatar = server.serve("/files/avatar.png", images.png(), content_type="image/png")
    blob = server.serve("/files/blob.png", images.png(8, 8), content_type="image/png")
    picture = server.serve("/files/cat.jpg", images.jpeg(), content_type="image/jpeg")
    emoji = {"type": "Emoji", "id": "http://remote.test/emojis/1", "name": ":blob:",
             "icon": {"type": "Image", "mediaType": "image/png", "url": blob}}
    carol = await fediverse.actor("carol@remote.test", display_name="Carol :blob:",
                                  extra={"icon": {"type": "Image", "url": avatar}, "tag": [emoji]})
    alice = await make_account("alice")
    author = await remote_actor(live_node.app.config["KITH_RUNTIME"].resolver, carol.id)
    await Follow.create(follower_id=alice.actor_id, target_id=author.id, state=FollowState.ACCEPTED)
    # When carol posts a described picture, with the emoji in her text
    note = carol.create_note("look :blob: a cat")
    note["object"]["attachment"] = [{"type": "Document", "mediaType": "image/jpeg", "url": picture,
                                     "name": "A cat on a <b>mat</b>", "width": 64, "height": 48,
                                     "blurhash": "LEHV6nWB2yk8pyo0adR*.7kCMdnj"}]
    note["object"]["tag"].append(emoji)
    await carol.deliver(note, live_node.url("/inbox"))
    await eventually(lambda: settled(note["id"]), what="the Create to be processed")
    media = await Media.get()
    assert (media.remote_url, media.description, media.width) == (picture, "A cat on a <b>mat</b>", 64)
    assert await CustomEmoji.filter(post__ap_id=note["object"]["id"], shortcode="blob").exists()
    # Then alice's home page names no other host in any src: picture, avatar, emoji all come from here
    client = await browser(alice)
    page = await (await client.get("/")).get_data(as_text=True)
    sources = srcs_in(page)
    assert len(sources) >= 4, sources  # the avatar, the emoji in her name and text, the picture
    assert all(src.startswith("/") and not src.startswith("//") for src in sources), sources
    assert "remote.test" not in " ".join(sources)
    assert 'alt="A cat on a &lt;b&gt;mat&lt;/b&gt;"' in page
    assert "ALT</abbr></summary><p>A cat on a &lt;b&gt;mat&lt;/b&gt;</p>" in page
    assert page.count('class="emoji"') == 2 and 'alt=":blob:"' in page
    # When a reader's browser loads every one of them (twice) from the node
    async with aiohttp.ClientSession(headers={"User-Agent": READER}) as reader:
        for _ in range(2):
            for src in set(sources):
                async with reader.get(live_node.url(src)) as response:
                    assert response.status == 200, src
                    assert response.headers["Content-Type"].startswith("image/")
    # Then the remote server saw only the node's fetches, one per file: never the reader
    for url in (avatar, blob, picture):
        path = url.removeprefix(server.base_url)
        seen = [h for h in server.hits if h.path == path]
        assert [h.user_agent.split("/")[0] for h in seen] == ["Kith"], (path, seen)
    assert not any(h.user_agent == READER for h in server.hits)


async def test_their_post__hostile_emoji_and_attachments_are_dropped(live_node, make_account, fediverse, browser):
    # Given a post whose emoji and attachments try to inject markup or point anywhere but http(s)
    alice = await make_account("alice")
    carol = await fediverse.actor("carol@remote.test")
    author = await remote_actor(live_node.app.config["KITH_RUNTIME"].resolver, carol.id)
    await Follow.create(follower_id=alice.actor_id, target_id=author.id, state=FollowState.ACCEPTED)
    note = carol.create_note('<p>:evil: :ok_one: <a href="http://x.test/" title=":ok_one:">x</a></p>')
    bad_icon = {"type": "Image", "url": "javascript:alert(1)"}
    note["object"]["tag"] += [
        {"type": "Emoji", "name": ':"><script>alert(1)</script>:', "icon": {"url": "http://remote.test/e.png"}},
        {"type": "Emoji", "name": ":evil:", "icon": bad_icon},
        {"type": "Emoji", "name": ":ok_one:", "icon": {"url": 'http://remote.test/ok.png"onerror="alert(1)'}},
    ]
    note["object"]["attachment"] = [{"type": "Document", "url": "javascript:alert(1)"},
                                    {"type": "Document", "url": "data:image/png;base64,AAAA"},
                                    {"type": "Document", "url": "http://remote.test/f.bin", "mediaType": "<script>"}]
    await carol.deliver(note, live_node.url("/inbox"))
    await eventually(lambda: settled(note["id"]), what="the Create to be processed")
    # Then only the well-formed emoji and the http(s) attachment are kept
    assert [e.shortcode for e in await CustomEmoji.filter(post_id__not_isnull=True)] == ["ok_one"]
    assert [(m.remote_url, m.media_type) for m in await Media.all()] == [
        ("http://remote.test/f.bin", "application/octet-stream")]
    # And the page carries no markup of theirs: one emoji image, in text only, attributes escaped
    page = await (await (await browser(alice)).get("/")).get_data(as_text=True)
    assert "<script>" not in page and "javascript:" not in page and 'onerror="' not in page
    assert page.count('class="emoji"') == 1 and 'title=":ok_one:">x</a>' in page
    assert await Post.all().count() == 1
