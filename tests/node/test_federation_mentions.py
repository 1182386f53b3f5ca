"""Mentions of remote accounts in composed posts: resolved by WebFinger, linked, tagged,
and the mentioned actor addressed; unknown ones stay plain text and the author is told."""

from __future__ import annotations

import pytest

from node.models import Mention, Post
from tests.conftest import form_token
from tests.rig.waiting import eventually

pytestmark = pytest.mark.live
LIVE_NODE_OPTIONS = {"run_workers": True}


async def compose(client, **fields):
    return await client.post("/posts", form={"csrf_token": await form_token(client), **fields})


async def test_direct_post__to_a_remote_mention_reaches_only_their_own_inbox(live_node, make_account, fediverse, browser):
    alice = await make_account("alice")
    carol = await fediverse.actor("carol@remote.test")
    dave = await fediverse.actor("dave@remote.test")
    client = await browser(alice)
    response = await compose(client, text="psst @carol@remote.test", visibility="direct")
    assert response.status_code == 302 and "unresolved" not in response.headers["Location"]
    post = await Post.get()
    assert 'href="http://remote.test/@carol" class="u-url mention"' in post.content_html
    assert await Mention.filter(post_id=post.id, actor__ap_id=carol.id).exists()
    create = (await eventually(lambda: carol.activities("Create"), what="the direct post"))[0]
    assert create["to"] == [carol.id] and create["object"]["tag"][0] == {
        "type": "Mention", "href": carol.id, "name": "@carol@remote.test"}
    received = [r for r in fediverse["remote.test"].accepted if r.activity.get("type") == "Create"]
    assert [r.inbox for r in received] == [carol.inbox]  # never the shared inbox
    assert dave.received == []


async def test_unknown_remote_mention__stays_text_and_the_author_is_told(live_node, make_account, fediverse, browser):
    alice = await make_account("alice")
    client = await browser(alice)
    response = await compose(client, text="hello @nobody@remote.test and @ghost@nowhere.test", visibility="public")
    location = response.headers["Location"]
    assert response.status_code == 302 and "unresolved=" in location
    page = await (await client.get(location)).get_data(as_text=True)
    assert "could not be found" in page and "@nobody@remote.test" in page
    post = await Post.get()
    assert "@nobody@remote.test" in post.content_html and "mention" not in post.content_html
    assert await Mention.all().count() == 0
