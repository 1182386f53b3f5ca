"""Editing what goes with a post's text from the edit page: the descriptions (alt text) of its
images, as Mastodon allows, and the link preview choice. A new description is a version and
goes out in the Update; the preview choice is the author's setting, never a version."""

from __future__ import annotations

import json

from federation.audience import Visibility
from federation.models import Delivery
from node.models import Actor, Media, Post, PostEdit, PostLinkCard
from node.services.editing import Edit, edit_post
from node.services.posting import Draft, publish_post
from tests.conftest import form_token
from tests.node.test_edits import remote_follower
from tests.node.test_media_uploads import compose, upload
from tests.rig import images


async def post_with_images(client, text: str, *descriptions: str) -> tuple[Post, list[Media]]:
    files = {f"media_{n}": upload(images.jpeg()) for n in range(1, len(descriptions) + 1)}
    alts = {f"alt_{n}": d for n, d in enumerate(descriptions, 1)}
    assert (await compose(client, files, text=text, **alts)).status_code == 302
    post = await Post.all().order_by("-id").first()
    return post, await Media.filter(post_id=post.id).order_by("position")


async def save(client, post, **fields):
    path = f"/@alice/{post.id}/edit"
    return await client.post(path, form={"csrf_token": await form_token(client, path), **fields})


async def test_edit_page__describes_an_image_anew_and_the_update_says_so(browser, make_account):
    # Given alice's post with two images, one undescribed, and carol following her from afar
    alice = await make_account("alice")
    await remote_follower("carol", "remote.test", alice)
    client = await browser(alice)
    post, (first, second) = await post_with_images(client, "two pictures", "A red door", "")
    # When she opens the edit page
    page = await (await client.get(f"/@alice/{post.id}/edit")).get_data(as_text=True)
    # Then each image is there with its description to change, and the page says what cannot
    assert f'name="alt_{first.id}"' in page and "A red door</textarea>" in page
    assert f'name="alt_{second.id}"' in page and f'src="/media/{second.thumbnail_name}"' in page
    assert "cannot be added or removed" in page
    # When she describes the second one, the text and the first as they were
    response = await save(client, post, text="two pictures", **{f"alt_{first.id}": "A red door",
                                                                 f"alt_{second.id}": "  A blue window  "})
    # Then that is a version: the new description is stored, the old ones kept in the history
    assert response.status_code == 302
    assert [m.description for m in await Media.filter(post_id=post.id).order_by("position")] == [
        "A red door", "A blue window"]
    [old] = await PostEdit.filter(post_id=post.id)
    assert old.media == [{"kind": "image", "description": "A red door"}, {"kind": "image", "description": ""}]
    assert old.media_changed and old.source == "two pictures" and (await Post.get(id=post.id)).edited_at
    # And the Update queued for carol carries the new description as the attachment's name
    [update] = await Delivery.filter(activity_id__contains="#updates/")
    note = json.loads(update.body)["object"]
    assert [a["name"] for a in note["attachment"]] == ["A red door", "A blue window"]


async def test_edit__a_post_of_images_alone_can_be_described(browser, make_account):
    alice = await make_account("alice")
    client = await browser(alice)
    post, [image] = await post_with_images(client, "", "")
    response = await save(client, post, text="", **{f"alt_{image.id}": "A cat on a mat"})
    assert response.status_code == 302 and (await Media.get(id=image.id)).description == "A cat on a mat"


async def test_edit__a_description_too_long_is_refused_and_what_was_typed_kept(browser, make_account):
    alice = await make_account("alice")
    client = await browser(alice)
    post, [image] = await post_with_images(client, "a picture", "short")
    response = await save(client, post, text="a picture, edited", **{f"alt_{image.id}": "x" * 1501})
    page = await response.get_data(as_text=True)
    assert response.status_code == 400 and "description of image 1 may have at most 1500" in page
    assert "a picture, edited</textarea>" in page and "x" * 1501 + "</textarea>" in page
    assert (await Media.get(id=image.id)).description == "short" and not await PostEdit.exists()
    assert (await Post.get(id=post.id)).source == "a picture"


async def test_edit__names_only_the_posts_own_images(browser, make_account, uris):
    # Given alice's two posts with an image each
    alice = await make_account("alice")
    client = await browser(alice)
    first, [theirs] = await post_with_images(client, "first", "first image")
    second, _ = await post_with_images(client, "second", "second image")
    # When an edit of the second names the first post's image
    assert not await edit_post(uris, alice, second, Edit("second", descriptions={theirs.id: "changed"}), 5000)
    # Then nothing changes anywhere
    assert (await Media.get(id=theirs.id)).description == "first image" and not await PostEdit.exists()
    # And a form field that is not a Media id is ignored, not an error
    response = await save(client, second, text="second", alt_99999999999999999999999="x", alt_x1="y")
    assert response.status_code == 302 and not await PostEdit.exists()


async def test_edit__the_link_preview_choice_alone_is_no_version_and_sends_nothing(browser, make_account, uris):
    # Given alice's public post with a link, which has a card, and a follower elsewhere
    alice = await make_account("alice")
    await remote_follower("carol", "remote.test", alice)
    post = await publish_post(uris, alice, Draft("read https://news.example/story", Visibility.PUBLIC), 5000)
    assert await PostLinkCard.exists(post_id=post.id)
    queued, changed_at = await Delivery.all().count(), (await Actor.get(id=alice.actor_id)).changed_at
    client = await browser(alice)
    page = await (await client.get(f"/@alice/{post.id}/edit")).get_data(as_text=True)
    assert 'name="link_preview" value="on" checked' in page
    # When she unticks "Show a link preview" (the form then sends only the hidden "off")
    response = await save(client, post, text="read https://news.example/story", link_preview="off")
    # Then the card is gone and the choice kept, with no version and nothing sent
    assert response.status_code == 302
    assert not (await Post.get(id=post.id)).link_preview and not await PostLinkCard.exists(post_id=post.id)
    assert not await PostEdit.exists() and (await Post.get(id=post.id)).edited_at is None
    assert await Delivery.all().count() == queued
    assert (await Actor.get(id=alice.actor_id)).changed_at > changed_at  # her cached pages
    page = await (await client.get(f"/@alice/{post.id}/edit")).get_data(as_text=True)
    assert 'name="link_preview" value="on">' in page
    # And ticking it again brings the card back; with a new text too, that edit is a version
    response = await save(client, post, text="read https://news.example/other", link_preview="on")
    assert response.status_code == 302 and (await Post.get(id=post.id)).link_preview
    link = await PostLinkCard.get(post_id=post.id).select_related("card")
    assert link.card.url == "https://news.example/other" and await PostEdit.all().count() == 1
