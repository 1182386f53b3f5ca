"""Links to private and loopback addresses are refused by the node's real SSRF guard (this
node runs with KITH_ALLOW_PRIVATE_ADDRESSES off), directly and through redirects, and not
one connection reaches them. Which remote posts get cards: followed authors' yes, strangers'
and direct messages no."""

from __future__ import annotations

import asyncio

import pytest

from federation.audience import Visibility
from node.models import Follow, FollowState, LinkCardState, Post, PostLinkCard
from node.services.posting import Draft, publish_post
from node.services.remote import remote_actor
from tests.node.test_link_cards import STORY, live_settings, news, page_hits, settled_card  # noqa: F401
from tests.rig.waiting import eventually

pytestmark = pytest.mark.live
LIVE_NODE_OPTIONS = {"run_workers": True}


@pytest.fixture
async def trap():
    """A loopback listener that counts every connection made to it (there must be none)."""
    connections = []

    async def accepted(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        connections.append(writer.get_extra_info("peername"))
        writer.close()

    server = await asyncio.start_server(accepted, "127.0.0.1", 0)
    yield server.sockets[0].getsockname()[1], connections
    server.close()
    await server.wait_closed()


PRIVATE_LINKS = {
    "loopback literal, http": ("http://127.0.0.1:{port}/", "only https"),
    "loopback literal": ("https://127.0.0.1:{port}/", "non-public"),
    "IPv6 loopback": ("https://[::1]:{port}/", "non-public"),
    "IPv4-mapped IPv6 loopback": ("https://[::ffff:127.0.0.1]:{port}/", "non-public"),
    "a name for loopback": ("https://localhost:{port}/", "non-public"),
    "loopback as one decimal number": ("https://2130706433:{port}/", "not a canonical IPv4 address"),
    "redirect to a loopback literal": ("http://news.test/to-literal", "non-public"),
    "redirect to a name for loopback": ("http://news.test/to-name", "non-public"),
}


@pytest.mark.parametrize("case", PRIVATE_LINKS)
async def test_private_targets__refused_without_a_connection(live_node, make_account, uris, news, trap, case):
    # Given a loopback service, linked directly or through a redirect from a public-looking page
    port, connections = trap
    news.serve_page("/to-literal", b"", status=302, headers={"Location": f"https://127.0.0.1:{port}/"})
    news.serve_page("/to-name", b"", status=301, headers={"Location": f"https://localhost:{port}/admin"})
    link, reason = PRIVATE_LINKS[case]
    alice = await make_account("alice")
    # When alice posts the link
    post = await publish_post(uris, alice, Draft(f"look {link.format(port=port)}", Visibility.PUBLIC), 5000)
    # Then the guard refuses it: no card, and the loopback service never saw a connection
    card = await settled_card(post)
    assert card.state == LinkCardState.FAILED and reason in card.error
    assert connections == []


async def follow(live_node, account, remote) -> None:
    author = await remote_actor(live_node.app.config["KITH_RUNTIME"].resolver, remote.id)
    await Follow.create(follower_id=account.actor_id, target_id=author.id, state=FollowState.ACCEPTED)


async def stored(activity) -> Post:
    return await eventually(lambda: Post.get_or_none(ap_id=activity["object"]["id"]), what="the remote post")


async def test_remote_post__of_a_followed_author_gets_a_card(live_node, make_account, fediverse, news, browser):
    # Given alice follows carol
    alice = await make_account("alice")
    carol = await fediverse.actor("carol@remote.test")
    await follow(live_node, alice, carol)
    # When carol's public post with a link (and a mention and a hashtag before it) arrives
    note = carol.create_note(
        '<p><span class="h-card"><a href="http://127.0.0.1/@alice" class="u-url mention">@<span>alice</span></a></span> '
        '<a href="http://remote.test/tags/rivers" class="mention hashtag" rel="tag">#<span>rivers</span></a> '
        '<a href="http://news.test/story" rel="nofollow noopener noreferrer">news.test/story</a></p>')
    assert (await carol.deliver(note, live_node.url("/inbox"))).status == 202
    post = await stored(note)
    # Then the card of its link (not the mention's or hashtag's) is fetched and shown at home
    card = await settled_card(post)
    assert card.state == LinkCardState.FETCHED and card.url == "http://news.test/story"
    home = await (await (await browser(alice)).get("/")).get_data(as_text=True)
    assert "Rivers return to the valley" in home


async def test_remote_posts__from_strangers_and_direct_ones_get_no_card(live_node, make_account, fediverse, news):
    # Given alice follows carol but not dave
    alice = await make_account("alice")
    carol = await fediverse.actor("carol@remote.test")
    dave = await fediverse.actor("dave@other.test")
    await follow(live_node, alice, carol)
    # When dave mentions alice with a link, and carol writes to her directly with one
    link = '<p><a href="http://news.test/story">news.test/story</a></p>'
    from_stranger = dave.create_note(link, visibility="public", mentions=[alice.actor.ap_id])
    direct = carol.create_note(link, visibility="direct", mentions=[alice.actor.ap_id])
    for sender, note in ((dave, from_stranger), (carol, direct)):
        assert (await sender.deliver(note, live_node.url("/inbox"))).status == 202
        await stored(note)
    # Then both are kept, neither gets a card, and the page is never fetched
    assert not await PostLinkCard.exists()
    await asyncio.sleep(1.5)  # longer than the worker's poll
    assert page_hits(news, "/story") == []


async def test_inbox__is_not_held_up_by_a_slow_page(live_node, make_account, fediverse, news):
    # Given alice follows carol, and a page that takes 3 s to answer
    alice = await make_account("alice")
    carol = await fediverse.actor("carol@remote.test")
    await follow(live_node, alice, carol)
    slow = await fediverse.add_server("slow.test")
    slow.serve_page("/story", STORY)
    slow.slow(3)
    # When carol posts a link to it, then another post
    first = carol.create_note('<p>slow page <a href="http://slow.test/story">slow.test/story</a></p>')
    second = carol.create_note("next post")
    for note in (first, second):
        await carol.deliver(note, live_node.url("/inbox"))
    # Then both posts are stored while the card is still being fetched
    linked = await stored(first)
    await stored(second)
    link = await PostLinkCard.get(post_id=linked.id).select_related("card")
    assert link.card.state == LinkCardState.PENDING
    assert (await settled_card(linked)).state == LinkCardState.FETCHED
