"""Link preview cards on a live node: fetched after the post is committed, through the
node's guarded transport, from pages the fake fediverse serves; shown through the media
proxy; and when anything is wrong with the page, no card and no error, the post as it was.

The node here runs with KITH_ALLOW_PRIVATE_ADDRESSES off, so the SSRF guard is the real
one: only the mapped fake hosts are reachable, and a link to loopback is refused.
"""

from __future__ import annotations

import asyncio
import time
from datetime import datetime, timedelta, timezone

import pytest
from aiohttp import web

from federation.audience import Visibility
from node.models import LinkCard, LinkCardState, Post, PostLinkCard
from node.proxy_urls import ProxyUrls
from node.services.posting import Draft, publish_post
from tests.conftest import form_token
from tests.rig.livenode import settings_for
from tests.rig.waiting import eventually

pytestmark = pytest.mark.live
LIVE_NODE_OPTIONS = {"run_workers": True}

STORY = b"""<!doctype html><html><head><meta charset="utf-8">
<title>Plain title</title>
<meta property="og:title" content="Rivers return to the valley">
<meta property="og:description" content="After forty years, the water is back.">
<meta property="og:site_name" content="The Valley News">
<meta property="og:image" content="/images/river.jpg">
</head><body><p>The story.</p></body></html>"""


@pytest.fixture
def live_settings(tmp_path, node_socket):
    # The real guard: private and loopback addresses refused; fake hosts reached by the map.
    return settings_for(node_socket.getsockname()[1], tmp_path / "data", {"KITH_ALLOW_PRIVATE_ADDRESSES": "0"})


@pytest.fixture
async def news(fediverse):
    server = await fediverse.add_server("news.test")
    server.serve_page("/story", STORY)
    return server


async def compose(client, text: str, **fields):
    return await client.post("/posts", form={"csrf_token": await form_token(client), "text": text,
                                             "visibility": "public", **fields})


async def settled_card(post: Post) -> LinkCard:
    """Wait until the card of `post` has been fetched or has failed; return it."""
    async def done():
        link = await PostLinkCard.get_or_none(post_id=post.id).select_related("card")
        return link.card if link and link.card.state != LinkCardState.PENDING else None
    return await eventually(done, what="the link card fetch")


def page_hits(server, path: str) -> list:
    return [hit for hit in server.hits if hit.path == path]


async def test_local_post__gets_its_card_after_posting_on_every_page(live_node, make_account, browser, news):
    # Given alice posts a link to a page with OpenGraph data
    alice = await make_account("alice")
    client = await browser(alice)
    response = await compose(client, "Good news: http://news.test/story #rivers")
    assert response.status_code == 302
    post = await Post.get()
    # When the worker has fetched it
    card = await settled_card(post)
    assert card.state == LinkCardState.FETCHED and card.url == "http://news.test/story"
    # Then the post page, her profile and her home show the card...
    for path in (response.headers["Location"], "/@alice", "/", "/tags/rivers"):
        page = await (await client.get(path)).get_data(as_text=True)
        assert 'class="link-card" href="http://news.test/story"' in page, path
        assert "Rivers return to the valley" in page and "After forty years, the water is back." in page, path
        assert "The Valley News" in page, path
        # ...with its image only through the signed same-origin proxy, never the remote URL
        assert "news.test/images" not in page, path
        src = page.split('class="link-card"')[1].split('<img src="')[1].split('"')[0]
        _, media, proxy, signature, encoded = src.split("/")
        assert (media, proxy) == ("media", "proxy")
        proxy_urls = ProxyUrls(live_node.app.config["KITH_URIS"], live_node.app.config["KITH_SECRET"])
        assert proxy_urls.remote_url(signature, encoded) == "http://news.test/images/river.jpg"


async def test_anonymous_pages__kept_in_the_cache_show_the_card_once_it_is_fetched(live_node, make_account, uris, browser, fediverse):
    # Given a public post linking a page that takes a moment to answer
    slow = await fediverse.add_server("slow.test")
    slow.serve_page("/story", STORY)
    slow.slow(1)
    alice = await make_account("alice")
    post = await publish_post(uris, alice, Draft("http://slow.test/story", Visibility.PUBLIC), 5000)
    # When an anonymous reader sees the profile before the card is there (the page is kept)
    reader = await browser(None)
    assert "link-card" not in await (await reader.get("/@alice")).get_data(as_text=True)
    assert (await settled_card(post)).state == LinkCardState.FETCHED
    # Then the next anonymous reading shows the card: filling it changed alice's pages' version
    assert "Rivers return to the valley" in await (await reader.get("/@alice")).get_data(as_text=True)


async def test_fetch__sends_nothing_but_the_user_agent(live_node, make_account, uris, news):
    # Given the page sets a cookie whenever it is fetched
    news.serve_page("/cookie", STORY, headers={"Set-Cookie": "tracker=alice; Path=/"})
    news.serve_page("/cookie2", STORY)
    alice = await make_account("alice")
    # When two posts link pages of that site
    for path in ("/cookie", "/cookie2"):
        post = await publish_post(uris, alice, Draft(f"see http://news.test{path}", Visibility.PUBLIC), 5000)
        assert (await settled_card(post)).state == LinkCardState.FETCHED
    # Then neither request carried a cookie, a signature, credentials or a referrer
    for hit in page_hits(news, "/cookie") + page_hits(news, "/cookie2"):
        headers = {name.lower(): value for name, value in hit.headers.items()}
        assert headers["user-agent"].startswith("Kith/")
        assert not {"cookie", "signature", "authorization", "referer", "date", "digest"} & set(headers)
        assert hit.key_id is None


async def test_card__shared_by_url_and_fetched_again_when_old(live_node, make_account, uris, news):
    alice = await make_account("alice")
    first = await publish_post(uris, alice, Draft("http://news.test/story", Visibility.PUBLIC), 5000)
    await settled_card(first)
    # A second post linking the same URL shares the card without fetching again
    second = await publish_post(uris, alice, Draft("again http://news.test/story", Visibility.PUBLIC), 5000)
    assert await LinkCard.all().count() == 1
    assert {link.card_id for link in await PostLinkCard.all()} == {(await LinkCard.get()).id}
    await asyncio.sleep(1.5)  # longer than the worker's poll
    assert len(page_hits(news, "/story")) == 1 and second.id
    # Once the card is old, the next post linking it has it fetched again
    await LinkCard.all().update(fetched_at=datetime.now(timezone.utc) - timedelta(days=30))
    news.serve_page("/story", STORY.replace(b"Rivers return", b"Rivers returned"))
    third = await publish_post(uris, alice, Draft("once more http://news.test/story", Visibility.PUBLIC), 5000)
    card = await eventually(lambda: LinkCard.get_or_none(title="Rivers returned to the valley"), what="the refetch")
    assert len(page_hits(news, "/story")) == 2 and await PostLinkCard.filter(post_id=third.id, card_id=card.id).exists()


async def test_checkbox__on_by_default_and_off_means_no_card_and_no_fetch(live_node, make_account, browser, news):
    alice = await make_account("alice")
    client = await browser(alice)
    home = await (await client.get("/")).get_data(as_text=True)
    assert 'name="link_preview" value="on" checked' in home
    # When alice unticks the box (the form then sends only the hidden "off")
    response = await compose(client, "no preview please http://news.test/story", link_preview="off")
    assert response.status_code == 302
    post = await Post.get()
    # Then the post keeps her choice, has no card, and the page is never fetched
    assert post.link_preview is False and not await PostLinkCard.exists()
    await asyncio.sleep(1.5)
    assert page_hits(news, "/story") == []


@pytest.fixture
async def endless(fediverse):
    """A page that never ends (its title never comes): mapped as endless.test."""
    async def page(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Type": "text/html"})
        await response.prepare(request)
        try:
            await response.write(b"<html><head>")
            for _ in range(20_000):  # 20 MB at most, in case nothing stops reading
                await response.write(b"<meta name=filler content='" + b"x" * 1000 + b"'>")
        except (ConnectionResetError, asyncio.CancelledError):
            pass
        return response

    app = web.Application()
    app.router.add_get("/page", page)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    fediverse.map_host("endless.test", site._server.sockets[0].getsockname()[1])
    yield
    await runner.cleanup()


# case: (path, what the page serves, why the log says it gave no card)
BAD_PAGES = {
    "not HTML": ("/image.png", dict(body=b"\x89PNG\r\n\x1a\n<title>no</title>", content_type="image/png"), "image/png"),
    "JSON": ("/data", dict(body=b'{"title": "no"}', content_type="application/json"), "application/json"),
    "not found": ("/gone", dict(body=STORY, status=404), "answered 404"),
    "server error": ("/broken", dict(body=STORY, status=500), "answered 500"),
    "redirect loop": ("/loop", dict(body=b"", status=302, headers={"Location": "/loop"}), "too many redirects"),
    "broken HTML": ("/garbage", dict(body=b"\x00\xff<<<title<meta property=og:title content="), "no title"),
    "no title": ("/untitled", dict(body=b"<html><head></head><body><h1>Hi</h1></body></html>"), "no title"),
}
OTHER_REASONS = {"oversized": "no title", "slow": "no answer within 0.5 s"}


@pytest.mark.parametrize("case", [*BAD_PAGES, "oversized", "slow"])
async def test_bad_pages__no_card_no_error_post_unaffected(live_node, make_account, browser, news, endless, case):
    # Given a link to a page that cannot give a card
    if case == "oversized":
        url = "http://endless.test/page"
    elif case == "slow":
        live_node.app.config["KITH_RUNTIME"].card_worker.timeout = 0.5
        news.serve_page("/slow", STORY)
        news.slow(2)
        url = "http://news.test/slow"
    else:
        path, options, _ = BAD_PAGES[case]
        news.serve_page(path, **options)
        url = f"http://news.test{path}"
    alice = await make_account("alice")
    client = await browser(alice)
    # When alice posts it
    started = time.monotonic()
    response = await compose(client, f"have a look: {url}")
    assert response.status_code == 302 and time.monotonic() - started < 1.5  # posting never waits for the page
    post = await Post.get()
    # Then the fetch ends without a card...
    card = await settled_card(post)
    assert card.state == LinkCardState.FAILED and card.title == ""
    assert (OTHER_REASONS.get(case) or BAD_PAGES[case][2]) in card.error
    # ...and the post shows as it would have, to its author and to anyone, with no error
    for reader in (client, await browser(None)):
        page = await (await reader.get(response.headers["Location"])).get_data(as_text=True)
        assert "have a look:" in page and "link-card" not in page
        assert "error" not in page.lower() and card.error not in page


async def test_anonymous_pages__of_a_booster_show_the_card_once_it_is_fetched(live_node, make_account, uris, browser, fediverse):
    from datetime import datetime, timezone

    from node.ids import new_id
    from node.models import Actor, Follow, FollowState
    from node.services.link_cards import attach_link_card
    from node.services.reactions import boost

    # Given bob follows and boosts carol's post, which links a slow page
    slow = await fediverse.add_server("slow.test")
    slow.serve_page("/story", STORY)
    slow.slow(1)
    bob = await make_account("bob")
    carol = await Actor.create(ap_id="http://remote.test/users/carol", username="carol", domain="remote.test",
                               local=False, inbox="http://remote.test/users/carol/inbox")
    await Follow.create(follower_id=bob.actor_id, target_id=carol.id, state=FollowState.ACCEPTED)
    post = await Post.create(id=new_id(), ap_id="http://remote.test/users/carol/statuses/1", author_id=carol.id,
                             local=False, visibility=Visibility.PUBLIC, created_at=datetime.now(timezone.utc),
                             content_html='<p><a href="http://slow.test/story">story</a></p>')
    await attach_link_card(uris, post)
    live_node.app.config["KITH_RUNTIME"].wake_cards()
    await boost(uris, bob, post)
    # When an anonymous reader sees bob's profile before the card is there (the page is kept)
    reader = await browser(None)
    assert "link-card" not in await (await reader.get("/@bob")).get_data(as_text=True)
    assert (await settled_card(post)).state == LinkCardState.FETCHED
    # Then the next anonymous reading shows it: filling the card changed bob's pages' version
    assert "Rivers return to the valley" in await (await reader.get("/@bob")).get_data(as_text=True)
