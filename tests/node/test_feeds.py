"""RSS 2.0 and Atom feeds: valid, public posts only, newest first, cached with validators."""

from __future__ import annotations

import feedparser
import pytest

from federation.audience import Visibility
from node.services.posting import Draft, publish_post
from tests.conftest import form_token


@pytest.fixture
async def alice(make_account):
    return await make_account("alice")


async def post(uris, account, text, visibility=Visibility.PUBLIC, cw=""):
    return await publish_post(uris, account, Draft(text, visibility, cw), 5000)


@pytest.mark.parametrize("kind,version", [("rss", "rss20"), ("atom", "atom10")])
async def test_feed__parses_cleanly_with_items_newest_first(client, uris, alice, kind, version):
    posts = [await post(uris, alice, f"post number {i} <b>&</b> café") for i in range(25)]
    response = await client.get(f"/@alice.{kind}")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith(f"application/{kind}+xml")
    parsed = feedparser.parse(await response.get_data())
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.version == version
    assert len(parsed.entries) == 20
    newest = list(reversed(posts))[:20]
    assert [e.link for e in parsed.entries] == [p.url for p in newest]
    assert parsed.entries[0].id == newest[0].url
    assert parsed.entries[0].published_parsed is not None
    assert "post number 24" in parsed.entries[0].content[0].value


async def test_feed__content_warning_is_the_title(client, uris, alice):
    await post(uris, alice, "the ending of the film", cw="spoilers")
    for kind in ("rss", "atom"):
        parsed = feedparser.parse(await (await client.get(f"/@alice.{kind}")).get_data())
        assert parsed.entries[0].title == "spoilers"


async def test_feed__etag_and_last_modified_give_304_until_something_changes(client, uris, alice):
    await post(uris, alice, "first")
    first = await client.get("/@alice.rss")
    etag, modified = first.headers["ETag"], first.headers["Last-Modified"]
    assert (await client.get("/@alice.rss", headers={"If-None-Match": etag})).status_code == 304
    assert (await client.get("/@alice.rss", headers={"If-Modified-Since": modified})).status_code == 304
    await post(uris, alice, "second")
    again = await client.get("/@alice.rss", headers={"If-None-Match": etag})
    assert again.status_code == 200 and again.headers["ETag"] != etag
    assert "second" in await again.get_data(as_text=True)


async def test_feed__rss_and_atom_have_different_etags(client, uris, alice):
    await post(uris, alice, "x")
    rss, atom = await client.get("/@alice.rss"), await client.get("/@alice.atom")
    assert rss.headers["ETag"] != atom.headers["ETag"]


async def test_profile_page__advertises_the_feeds(client, alice):
    page = await (await client.get("/@alice")).get_data(as_text=True)
    assert '<link rel="alternate" type="application/rss+xml"' in page
    assert '<link rel="alternate" type="application/atom+xml"' in page


async def test_feeds__404_when_the_user_turns_them_off(browser, alice, uris):
    await post(uris, alice, "hello")
    client = await browser(alice)
    form = {"csrf_token": await form_token(client, "/settings"), "display_name": "", "bio": "",
            "default_visibility": "unlisted", "discoverable": "on"}
    assert (await client.post("/settings", form=form)).status_code == 200
    anonymous = await browser(None)
    assert (await anonymous.get("/@alice.rss")).status_code == 404
    assert (await anonymous.get("/@alice.atom")).status_code == 404
    page = await (await anonymous.get("/@alice")).get_data(as_text=True)
    assert "application/rss+xml" not in page


async def test_feed__unknown_user_is_404(client):
    assert (await client.get("/@nobody.rss")).status_code == 404


async def test_feed__empty_account_still_parses(client, alice):
    parsed = feedparser.parse(await (await client.get("/@alice.atom")).get_data())
    assert not parsed.bozo and parsed.entries == []
