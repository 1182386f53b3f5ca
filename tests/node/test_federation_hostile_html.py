"""Hostile HTML from the fediverse, through the whole inbound path to every page and feed.

Remote accounts whose display names and bios carry payloads send signed Creates whose
content, summary (content warning), name and attachment descriptions carry the XSS corpus
(tests/rig/xss.py), some with `url` and `inReplyTo` of their own. A local author writes
hostile text and content warnings too. Then the post pages, home, profiles, tag pages and
RSS/Atom feeds are read as a browser (and a feed reader's XML parser) would read them:
nothing active survives anywhere, and the text parts read back exactly as they were sent.
"""

from __future__ import annotations

import itertools

import pytest

from federation.audience import Visibility
from node.models import Follow, FollowState, Post
from node.services.posting import Draft, publish_post
from node.services.remote import remote_actor
from tests.rig.waiting import eventually
from tests.rig.xss import PAYLOADS, TEXT_PAYLOADS, feed_parts, hazards, scheme_of, texts

pytestmark = pytest.mark.live
LIVE_NODE_OPTIONS = {"run_workers": True}

GROUP = 20  # posts per hashtag, so each tag page and tag feed holds its whole group
NAMES = list(TEXT_PAYLOADS.values())


def hostile_create(actor, index: int, payload: str, parent: str) -> dict:
    """A Create whose every text-bearing field carries a payload."""
    group = f"xss{index // GROUP}"
    tag = f'<a href="http://evil.test/tags/{group}" class="mention hashtag" rel="tag">#<span>{group}</span></a>'
    create = actor.create_note(f"<p>{tag}</p><p>before {payload} after</p><p>next</p>", in_reply_to=parent,
                               summary=NAMES[index % len(NAMES)] if index % 3 == 0 else None, publish=False)
    note = create["object"]
    note["name"] = payload
    note["tag"] = [{"type": "Hashtag", "href": f"http://evil.test/tags/{group}", "name": f"#{group}"}]
    note["attachment"] = [{"type": "Document", "mediaType": "image/png", "url": "http://evil.test/a.png",
                           "name": payload, "width": 10, "height": 10}]
    return create


@pytest.fixture
async def hostile_world(live_node, make_account, fediverse, uris):
    """alice follows hostile remote accounts, which send her the corpus; she writes hostile
    text herself. Returns (alice, the two thread roots, the number of hashtag groups)."""
    alice = await make_account("alice")
    resolver = live_node.app.config["KITH_RUNTIME"].resolver
    mallory = await fediverse.actor("mallory@evil.test", display_name=NAMES[0],
                                    summary="".join(itertools.islice(PAYLOADS.values(), 0, None, 7)))
    named = [await fediverse.actor(f"n{i}@evil.test", display_name=name) for i, name in enumerate(NAMES)]
    for actor in [mallory, *named]:
        author = await remote_actor(resolver, actor.id)
        await Follow.create(follower_id=alice.actor_id, target_id=author.id, state=FollowState.ACCEPTED)
    # alice's own hostile text, each also its content warning, and two roots for the threads
    for text in TEXT_PAYLOADS.values():
        await publish_post(uris, alice, Draft(text, Visibility.PUBLIC, content_warning=text), 5000)
    roots = [await publish_post(uris, alice, Draft(f"thread {n}", Visibility.PUBLIC), 5000) for n in (1, 2)]
    # the corpus, half in reply to each root; then one post from each hostile name
    activities = [(mallory, hostile_create(mallory, i, payload, roots[i * 2 // len(PAYLOADS)].ap_id))
                  for i, payload in enumerate(PAYLOADS.values())]
    activities += [(actor, actor.create_note(f"<p>hello from n{i}</p>", publish=False)) for i, actor in enumerate(named)]
    # ...and two whose page links are themselves hostile
    for field in ("url", "inReplyTo"):
        create = mallory.create_note(f"<p>odd {field}</p>", publish=False)
        create["object"][field] = "javascript:alert(document.cookie)"
        activities.append((mallory, create))
    for actor, create in activities:
        assert (await actor.deliver(create, live_node.url("/inbox"))).status == 202
    expected = len(activities) + len(TEXT_PAYLOADS) + 2
    await eventually(lambda: _count_is(expected), timeout=60, what=f"{expected} posts stored")
    return alice, roots, (len(PAYLOADS) + GROUP - 1) // GROUP


async def _count_is(n: int) -> bool:
    return await Post.all().count() == n


async def read(client, path: str) -> str:
    response = await client.get(path)
    assert response.status_code == 200, path
    return await response.get_data(as_text=True)


async def home_pages(client) -> list[str]:
    """Every page of the home timeline, following "Older posts"."""
    pages, path = [], "/"
    while path:
        pages.append(await read(client, path))
        older = [p for p in pages[-1].split('href="') if p.startswith("/?before=")]
        path = older[0].split('"')[0] if older else None
    return pages


async def test_hostile_html__nothing_active_on_any_page_and_text_reads_back(hostile_world, browser):
    alice, roots, groups = hostile_world
    signed_in, anonymous = await browser(alice), await browser(None)
    pages = {f"home {n}": page for n, page in enumerate(await home_pages(signed_in))}
    for reader_name, reader in (("alice", signed_in), ("anonymous", anonymous)):
        for root in roots:
            pages[f"thread {root.id} for {reader_name}"] = await read(reader, f"/@alice/{root.id}")
        for group in range(groups):
            pages[f"tag {group} for {reader_name}"] = await read(reader, f"/tags/xss{group}")
        for handle in ["alice", "mallory@evil.test", *(f"n{i}@evil.test" for i in range(len(NAMES)))]:
            pages[f"profile {handle} for {reader_name}"] = await read(reader, f"/@{handle}")
    # Then no page has anything that could run, load from elsewhere or post elsewhere
    for name, page in pages.items():
        assert hazards(page) == [], name
    everything = "".join(pages.values())
    assert everything.count("before ") >= len(PAYLOADS)  # the pages do hold the hostile posts
    # And the text parts read back exactly as sent: content warnings...
    warnings = {text.removesuffix(" (show)") for page in pages.values() for text in texts(page, "details.cw > summary")}
    assert warnings == set(TEXT_PAYLOADS.values())
    # ...display names, on posts and as profile titles...
    names = {text for page in pages.values() for text in texts(page, "a.author strong")}
    assert set(NAMES) <= names
    titles = {text for page in pages.values() for text in texts(page, "title")}
    assert {f"{name} (@n{i}@evil.test) · Kith" for i, name in enumerate(NAMES)} <= titles
    # ...and alt text, wherever an attachment is shown, is one of the payloads as written
    alts = {node_alt for page in pages.values() for node_alt in _alts(page)}
    assert alts <= set(PAYLOADS.values()) | {""}


async def test_hostile_html__feeds_carry_nothing_active(hostile_world, browser):
    _, _, groups = hostile_world
    anonymous = await browser(None)
    feeds = {f"tag {g}": await read(anonymous, f"/tags/xss{g}.rss") for g in range(groups)}
    feeds |= {kind: await read(anonymous, f"/@alice.{kind}") for kind in ("rss", "atom")}
    for name, feed in feeds.items():
        # Read with an XML parser (a feed breaking out of its CDATA would not even parse)
        bodies, titles, links = feed_parts(feed)
        assert bodies and titles and links, name
        for body in bodies:
            assert hazards(body) == [], (name, body)
        assert all(scheme_of(link) in ("http", "https") for link in links), (name, links)
    # alice's content warnings are her entries' titles, as plain text
    _, titles, _ = feed_parts(feeds["atom"])
    assert set(TEXT_PAYLOADS.values()) <= set(titles)


def _alts(page: str) -> list[str]:
    from selectolax.lexbor import LexborHTMLParser

    return [node.attributes.get("alt") or "" for node in LexborHTMLParser(page).css("img")]
