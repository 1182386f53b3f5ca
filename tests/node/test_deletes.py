"""Deleting one's post: its object URL answers 410 Gone with a Tombstone to every fetch, its
pages the 404 of a post that does not exist, and nothing it said is left to show."""

from __future__ import annotations

import json

import pytest

from federation.audience import Visibility
from node.models import Post, PostEdit
from node.services.editing import Edit, edit_post
from node.services.posting import Draft, delete_post, publish_post
from tests.conftest import form_token

AP = {"Accept": "application/activity+json"}


@pytest.mark.parametrize("visibility", [Visibility.PUBLIC, Visibility.FOLLOWERS, Visibility.DIRECT])
async def test_deleted_post__410_tombstone_for_fetches_404_for_pages(browser, make_account, uris, visibility):
    alice = await make_account("alice")
    post = await publish_post(uris, alice, Draft("words to take back", visibility), 5000)
    await edit_post(uris, alice, post, Edit("words to take back, edited"), 5000)
    client = await browser(alice)
    response = await client.post(f"/@alice/{post.id}/delete",
                                 form={"csrf_token": await form_token(client, f"/@alice/{post.id}/delete")})
    assert response.status_code == 302
    for path in (f"/users/alice/statuses/{post.id}", f"/users/alice/statuses/{post.id}/activity"):
        for headers in (AP, {"Accept": "text/html"}):
            reply = await (await browser(None)).get(path, headers=headers)
            tomb = json.loads(await reply.get_data())
            assert reply.status_code == 410 and tomb == {
                "@context": "https://www.w3.org/ns/activitystreams", "id": post.ap_id, "type": "Tombstone",
                "deleted": tomb["deleted"]}, (path, headers)
    for path in (f"/@alice/{post.id}", f"/@alice/{post.id}/history", f"/@alice/{post.id}/edit",
                 f"/@alice/{post.id}/delete"):
        reply = await client.get(path)
        assert reply.status_code == 404 and "take back" not in await reply.get_data(as_text=True), path
    stored = await Post.get(id=post.id)
    assert stored.source == stored.content_html == "" and await PostEdit.all().count() == 0


async def test_local_only_deleted_post__still_never_served_to_fetches(browser, make_account, uris):
    alice = await make_account("alice")
    post = await publish_post(uris, alice, Draft("here only", Visibility.LOCAL), 5000)
    await delete_post(alice, post)
    reply = await (await browser(None)).get(f"/users/alice/statuses/{post.id}", headers=AP)
    assert reply.status_code == 404
