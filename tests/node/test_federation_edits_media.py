"""Edits change everything they change, both ways, over real HTTP with real signatures.

In: the owner's Update replaces our copy's attachments (descriptions, images added or
removed), custom emoji, hashtags (so its tag pages) and link card, and moves the boosters'
cached pages; a change of an image description or of the sensitive mark alone is an edit
with a version; the history says what changed that its text does not show. Anyone else's
Update changes nothing. Out: an author's new alt text reaches followers as the `name` of the
Note's attachment.
"""

from __future__ import annotations

import io
from datetime import datetime, timezone

import pytest
from werkzeug.datastructures import FileStorage

from federation.models import InboxState
from node.models import (Actor, CustomEmoji, Follow, FollowState, LinkCardState, Media, Post, PostEdit,
                         PostLinkCard, Tag)
from node.services.reactions import boost
from node.services.remote import remote_actor
from tests.conftest import form_token
from tests.node.test_federation_edits import (deliver_and_settle, deliveries_done, follow_alice, of_type, stamp,
                                              update_of)
from tests.rig import images
from tests.rig.shared_fixtures import fixture_json
from tests.rig.waiting import eventually

pytestmark = pytest.mark.live
LIVE_NODE_OPTIONS = {"run_workers": True}
AS = "https://www.w3.org/ns/activitystreams"
FIRST_PAGE = b"<html><head><title>First story</title></head><body></body></html>"
SECOND_PAGE = b"<html><head><title>Second story</title></head><body></body></html>"


async def followed(live_node, fediverse, make_account, handle: str = "carol@remote.test"):
    """alice, and the remote actor `handle` whom she follows."""
    alice = await make_account("alice")
    remote = await fediverse.actor(handle)
    actor = await remote_actor(live_node.app.config["KITH_RUNTIME"].resolver, remote.id)
    await Follow.create(follower_id=alice.actor_id, target_id=actor.id, state=FollowState.ACCEPTED)
    return alice, remote


def document(url: str, name: str | None) -> dict:
    return {"type": "Document", "mediaType": "image/jpeg", "url": url, "name": name, "width": 64, "height": 48}


def blob_emoji(server) -> dict:
    icon = server.serve("/files/blob.png", images.png(8, 8), content_type="image/png")
    return {"type": "Emoji", "id": "http://remote.test/emojis/1", "name": ":blob:",
            "icon": {"type": "Image", "mediaType": "image/png", "url": icon}}


async def card_of(post: Post) -> tuple[str, str] | None:
    """(url, title) of the post's card once fetched, or None."""
    link = await PostLinkCard.get_or_none(post_id=post.id).select_related("card")
    if link is None or link.card.state == LinkCardState.PENDING:
        return None
    return link.card.url, link.card.title


async def test_owner_update__replaces_descriptions_media_emoji_tags_and_link_card(
        live_node, make_account, fediverse, browser, uris):
    # Given carol's public post, followed by alice: two described pictures, a link, #cats
    alice, carol = await followed(live_node, fediverse, make_account)
    server = fediverse["remote.test"]
    cat = server.serve("/files/cat.jpg", images.jpeg(), content_type="image/jpeg")
    dog = server.serve("/files/dog.jpg", images.jpeg(), content_type="image/jpeg")
    news = await fediverse.add_server("news.test")
    first, second = news.serve_page("/first", FIRST_PAGE), news.serve_page("/second", SECOND_PAGE)
    create = carol.create_note("placeholder")
    create["object"].update(
        content=f'<p>pets <a href="{first}">{first}</a> #cats</p>',
        attachment=[document(cat, "A cat on a mat"), document(dog, "A dog in the rain")],
        tag=[{"type": "Hashtag", "name": "#cats", "href": "http://remote.test/tags/cats"}])
    await deliver_and_settle(live_node, carol, create)
    post = await Post.get(ap_id=create["object"]["id"])
    assert await eventually(lambda: card_of(post), what="the first card") == (first, "First story")
    # ...which alice boosted (her profile is kept for anonymous readers under changed_at)
    await boost(uris, alice, post)
    boosted_at = (await Actor.get(id=alice.actor_id)).changed_at
    # When carol edits it: the cat described anew, the dog removed, an emoji, another link and tag
    update = update_of(create, content=f'<p>pets :blob: <a href="{second}">{second}</a> #dogs</p>',
                       attachment=[document(cat, "A grey cat asleep on a mat")],
                       tag=[blob_emoji(server),
                            {"type": "Hashtag", "name": "#dogs", "href": "http://remote.test/tags/dogs"}])
    item = await deliver_and_settle(live_node, carol, update)
    # Then our copy has the new attachments, emoji, tags and card
    assert item.state == InboxState.PROCESSED, item.error
    assert [(m.remote_url, m.description) for m in await Media.filter(post_id=post.id)] == [
        (cat, "A grey cat asleep on a mat")]
    assert [(e.shortcode, e.icon_url) for e in await CustomEmoji.filter(post_id=post.id)] == [
        ("blob", "http://remote.test/files/blob.png")]
    assert [t.name for t in await Tag.filter(post_id=post.id)] == ["dogs"]
    assert await eventually(lambda: card_of(post), what="the second card") == (second, "Second story")
    assert (await Actor.get(id=alice.actor_id)).changed_at > boosted_at
    # And one version was kept, with what was attached to it
    [old] = await PostEdit.filter(post_id=post.id)
    assert old.media == [{"kind": "image", "description": "A cat on a mat"},
                         {"kind": "image", "description": "A dog in the rain"}] and old.media_changed
    # And the pages show the new version; the old card and tag page no longer have it
    client = await browser(alice)
    page = await (await client.get("/")).get_data(as_text=True)
    assert 'alt="A grey cat asleep on a mat"' in page and "A dog in the rain" not in page
    assert 'alt=":blob:"' in page and "Second story" in page and "First story" not in page
    assert str(post.id) not in await (await client.get("/tags/cats")).get_data(as_text=True)
    assert f"/{post.id}/history" in await (await client.get("/tags/dogs")).get_data(as_text=True)
    # And the history says the media changed, with what the old version had
    history = await (await client.get(f"/@carol@remote.test/{post.id}/history")).get_data(as_text=True)
    assert "Changed by the next edit: text, media" in history
    assert "Image: “A cat on a mat”" in history and "Image: “A dog in the rain”" in history


async def test_owner_update__a_new_description_alone_is_an_edit(live_node, make_account, fediverse, browser):
    alice, carol = await followed(live_node, fediverse, make_account)
    cat = fediverse["remote.test"].serve("/files/cat.jpg", images.jpeg(), content_type="image/jpeg")
    create = carol.create_note("the same words")
    create["object"]["attachment"] = [document(cat, None)]
    await deliver_and_settle(live_node, carol, create)
    post = await Post.get(ap_id=create["object"]["id"])
    # When carol only describes her picture (Mastodon lets an author edit only that)
    item = await deliver_and_settle(live_node, carol, update_of(create, attachment=[document(cat, "A cat, described")]))
    # Then that is a version: edited, the old one kept, the history saying what changed
    assert item.state == InboxState.PROCESSED, item.error
    now = await Post.get(id=post.id)
    assert now.edited_at is not None and (await Media.get(post_id=post.id)).description == "A cat, described"
    [old] = await PostEdit.filter(post_id=post.id)
    assert old.media == [{"kind": "image", "description": ""}] and old.media_changed
    assert old.content_html == now.content_html
    history = await (await (await browser(alice)).get(f"/@carol@remote.test/{post.id}/history")).get_data(as_text=True)
    assert "Changed by the next edit: media" in history and "no description" in history
    # And the same Update again changes nothing more
    await deliver_and_settle(live_node, carol, update_of(create, 2, attachment=[document(cat, "A cat, described")]))
    assert await PostEdit.filter(post_id=post.id).count() == 1


async def test_owner_update__the_sensitive_mark_alone_is_an_edit(live_node, make_account, fediverse, browser):
    alice, carol = await followed(live_node, fediverse, make_account)
    cat = fediverse["remote.test"].serve("/files/cat.jpg", images.jpeg(), content_type="image/jpeg")
    create = carol.create_note("a picture")
    create["object"]["attachment"] = [document(cat, "A cat")]
    await deliver_and_settle(live_node, carol, create)
    post = await Post.get(ap_id=create["object"]["id"])
    # When carol marks her media sensitive, without a content warning
    await deliver_and_settle(live_node, carol, update_of(create, sensitive=True))
    # Then the post is sensitive now, the version before was not, and both pages say so
    assert (await Post.get(id=post.id)).sensitive
    [old] = await PostEdit.filter(post_id=post.id)
    assert not old.sensitive and not old.media_changed
    client = await browser(alice)
    history = await (await client.get(f"/@carol@remote.test/{post.id}/history")).get_data(as_text=True)
    assert "Changed by the next edit: sensitive mark." in history
    assert "Sensitive media" in history  # the current version's picture, behind its mark
    # And unmarking it is another version, the one before it marked sensitive
    await deliver_and_settle(live_node, carol, update_of(create, 2))
    assert not (await Post.get(id=post.id)).sensitive and await PostEdit.filter(post_id=post.id).count() == 2
    history = await (await client.get(f"/@carol@remote.test/{post.id}/history")).get_data(as_text=True)
    assert history.count("marked sensitive") == 1


async def test_update_of_the_media_by_anyone_but_the_owner__is_refused(live_node, make_account, fediverse):
    alice, carol = await followed(live_node, fediverse, make_account)
    dave = await fediverse.actor("dave@remote.test")
    cat = fediverse["remote.test"].serve("/files/cat.jpg", images.jpeg(), content_type="image/jpeg")
    create = carol.create_note("carol's picture")
    create["object"]["attachment"] = [document(cat, "carol's cat")]
    await deliver_and_settle(live_node, carol, create)
    post = await Post.get(ap_id=create["object"]["id"])
    # When dave, on carol's own server and really signing, sends her Note with his changes, as
    # hers and as his own (same server: only the stored author tells)
    hijack = update_of(create, attachment=[document(cat, "dave was here"), document(cat, "and here")],
                       tag=[blob_emoji(fediverse["remote.test"])], sensitive=True)
    for n, note in enumerate((hijack["object"], {**hijack["object"], "attributedTo": dave.id})):
        attempt = {**hijack, "id": f"{dave.id}#u{n}", "actor": dave.id, "object": note}
        item = await deliver_and_settle(live_node, dave, attempt)
        # Then each is refused with a reason, and nothing of the post changes
        assert item.state == InboxState.ERRORED and item.error, n
    assert "may not change" in item.error  # the second, stopped by the stored author
    assert [m.description for m in await Media.filter(post_id=post.id)] == ["carol's cat"]
    assert not await CustomEmoji.filter(post_id=post.id).exists() and not await PostEdit.exists()
    assert not (await Post.get(id=post.id)).sensitive


GTS_NOTE = "gotosocial/documents/gts-note-with-tags-and-emoji.json"
GTS_ALBUM = "gotosocial/documents/note-multiple-attachments.json"


async def test_gotosocial_note__its_summary_description_edited_and_its_emoji_dropped(
        live_node, make_account, fediverse):
    # Given GoToSocial's note: one Image described in `summary`, a :rainbow: emoji, #welcome
    note = fixture_json(GTS_NOTE)
    alice, admin = await followed(live_node, fediverse, make_account, "admin@localhost:8080")
    create = {"@context": AS, "id": note["id"] + "/activity", "type": "Create", "actor": admin.id,
              "to": note["to"], "cc": note["cc"], "object": note}
    await deliver_and_settle(live_node, admin, create)
    post = await Post.get(ap_id=note["id"])
    [media] = await Media.filter(post_id=post.id)
    assert media.description.startswith("Black and white image")
    assert [e.shortcode for e in await CustomEmoji.filter(post_id=post.id)] == ["rainbow"]
    # When GoToSocial sends the edit: the description changed, the emoji gone from text and tags
    picture = {**note["attachment"][0], "summary": "Old sign: Welcome On Board, in 50s letters"}
    content = note["content"].replace(" :rainbow:", "")
    update = update_of(create, content=content, contentMap={"en": content}, attachment=[picture],
                       tag=[t for t in note["tag"] if t["type"] != "Emoji"], updated="2021-10-20T12:00:00Z")
    item = await deliver_and_settle(live_node, admin, update)
    # Then the copy has the new description, no emoji, the same tag, and one version
    assert item.state == InboxState.PROCESSED, item.error
    [media] = await Media.filter(post_id=post.id)
    assert media.description == "Old sign: Welcome On Board, in 50s letters"
    assert media.blurhash == note["attachment"][0]["blurhash"]
    assert not await CustomEmoji.filter(post_id=post.id).exists()
    assert [t.name for t in await Tag.filter(post_id=post.id)] == ["welcome"]
    [old] = await PostEdit.filter(post_id=post.id)
    assert old.media_changed and old.media[0]["description"].startswith("Black and white image")
    assert stamp((await Post.get(id=post.id)).edited_at) == "2021-10-20T12:00:00Z"


async def test_gotosocial_album__two_of_four_pictures_removed(live_node, make_account, fediverse, browser):
    # Given GoToSocial's test note with four pictures (one undescribed, descriptions with markup)
    note = fixture_json(GTS_ALBUM)
    alice, bot = await followed(live_node, fediverse, make_account, "hourlycatbot@example.org")
    # (the fake server speaks http: the note's ids are moved from https to its actor's)
    note = {**note, "id": note["id"].replace("https://", "http://"), "attributedTo": bot.id,
            "content": "<p>cats</p>", "published": stamp(datetime.now(timezone.utc)), "cc": []}
    create = {"@context": AS, "id": note["id"] + "/activity", "type": "Create", "actor": bot.id,
              "to": [note["to"]], "cc": [], "object": note}
    await deliver_and_settle(live_node, bot, create)
    post = await Post.get(ap_id=note["id"])
    assert await Media.filter(post_id=post.id).count() == 4
    # When the bot removes the last two
    item = await deliver_and_settle(live_node, bot, update_of(create, attachment=note["attachment"][:2]))
    # Then two remain, in order, and the history lists the four, their markup as text
    assert item.state == InboxState.PROCESSED, item.error
    kept = await Media.filter(post_id=post.id).order_by("position")
    assert [m.description[:12] for m in kept] == ["DESCRIPTION:", "hello: here'"]
    history = await (await (await browser(alice)).get(f"/@hourlycatbot@example.org/{post.id}/history")).get_data(
        as_text=True)
    assert history.count("<li>Image: ") == 4 and "no description" in history
    assert "here&#39;s &lt;&lt;a&gt;&gt; picture" in history and "<<a>>" not in history
    assert "Changed by the next edit: media" in history


# --- out ------------------------------------------------------------------------------------

async def test_local_alt_text_edit__the_update_carries_the_new_name(live_node, make_account, fediverse, browser):
    # Given carol on remote.test follows alice, who posted a described photo
    alice = await make_account("alice")
    carol = await fediverse.actor("carol@remote.test")
    await follow_alice(live_node, carol, alice)
    client = await browser(alice)
    photo = FileStorage(io.BytesIO(images.jpeg(300, 200)), filename="garden.jpg", content_type="image/jpeg")
    form = {"csrf_token": await form_token(client), "text": "the garden", "visibility": "public",
            "alt_1": "Rows of tomatoes"}
    assert (await client.post("/posts", form=form, files={"media_1": photo})).status_code == 302
    await eventually(lambda: of_type(fediverse["remote.test"], "Create"), what="the Create")
    post = await Post.get()
    media = await Media.get(post_id=post.id)
    # When she describes it better on the edit page, the text as it was
    path = f"/@alice/{post.id}/edit"
    page = await (await client.get(path)).get_data(as_text=True)
    assert f'name="alt_{media.id}"' in page and "Rows of tomatoes</textarea>" in page
    response = await client.post(path, form={"csrf_token": await form_token(client, path), "text": "the garden",
                                             f"alt_{media.id}": "Rows of ripe red tomatoes, a watering can"})
    assert response.status_code == 302
    # Then carol's server gets a verified Update whose attachment has the new name
    [update] = await eventually(lambda: of_type(fediverse["remote.test"], "Update"), what="the Update")
    [attachment] = update["object"]["attachment"]
    assert attachment["name"] == "Rows of ripe red tomatoes, a watering can"
    assert attachment["url"] == live_node.url(f"/media/{media.file_name}") and update["object"]["updated"]
    assert all(r.verified for r in fediverse["remote.test"].received)
    await eventually(deliveries_done, what="the Update sent")
    # And the history keeps the old description and says the media changed
    [old] = await PostEdit.filter(post_id=post.id)
    assert old.media == [{"kind": "image", "description": "Rows of tomatoes"}] and old.media_changed
    history = await (await client.get(f"/@alice/{post.id}/history")).get_data(as_text=True)
    assert "Image: “Rows of tomatoes”" in history and "Changed by the next edit: media" in history
