"""Remote ancestors fetched on demand: a thread page whose chain of parents reaches a post
not stored here fetches it from its origin (signed as the instance actor), stores it with
the audience its addressing gives, and stops at loops, at the depth, count and time bounds,
and at parents the origin will not give."""

from __future__ import annotations

import asyncio
import time

import pytest

from federation.audience import Visibility
from federation.models import InboxItem, InboxState
from node.handlers import Handlers
from node.models import Follow, FollowState, Post
from node.queries import Viewer
from node.services.ancestors import MAX_DEPTH, MAX_FETCHES, AncestorFetcher
from node.services.posting import Draft, publish_post
from node.services.remote import remote_actor
from tests.rig.waiting import eventually

pytestmark = pytest.mark.live
LIVE_NODE_OPTIONS = {"run_workers": True}


async def follows(live_node, account, fake) -> None:
    """`account` follows the fake remote actor (accepted), so its posts are kept here."""
    actor = await remote_actor(live_node.app.config["KITH_RUNTIME"].resolver, fake.id)
    await Follow.create(follower_id=account.actor_id, target_id=actor.id, state=FollowState.ACCEPTED)


async def stored(live_node, fake, create: dict) -> Post:
    """Deliver a Create from `fake` and return the post once the worker stored it."""
    assert (await fake.deliver(create, live_node.url("/inbox"))).status == 202
    return await eventually(lambda: Post.get_or_none(ap_id=create["object"]["id"]), what="the post stored")


def status_gets(server) -> list[str]:
    return [h.path for h in server.hits if h.method == "GET" and "/statuses/" in h.path]


async def page(browser, account, post) -> str:
    response = await (await browser(account)).get(f"/@{post.author.username}/{post.id}")
    assert response.status_code == 200
    return await response.get_data(as_text=True)


async def test_chain_of_remote_replies__fetched_and_stored_with_their_audience(live_node, make_account, fediverse,
                                                                               uris, browser):
    # Given r1 (carol, public) <- r2 (dave, followers-only) <- r3 (carol, public); only r3 reached us
    alice = await make_account("alice")
    carol, dave = await fediverse.actor("carol@remote.test"), await fediverse.actor("dave@other.test")
    await follows(live_node, alice, carol)
    r1 = carol.create_note("first-in-chain", visibility="public")
    r2 = dave.create_note("second-for-followers", visibility="followers", in_reply_to=r1["object"]["id"])
    r3 = carol.create_note("third-in-chain", visibility="public", in_reply_to=r2["object"]["id"])
    r3_post = await stored(live_node, carol, r3)
    reply = await publish_post(uris, alice, Draft("alice-answers", Visibility.PUBLIC, in_reply_to=r3_post.ap_id), 5000)
    await reply.fetch_related("author")
    # When an anonymous reader opens alice's reply
    anonymous_page = await page(browser, None, reply)
    # Then r2 was fetched (signed: it is followers-only) and stored as followers-only, so the
    # page shows r3 and stops there; r1 beyond it was not needed
    r2_post = await Post.get(ap_id=r2["object"]["id"]).select_related("author")
    assert r2_post.visibility is Visibility.FOLLOWERS and r2_post.author.ap_id == dave.id
    assert (await Post.get(id=r3_post.id)).in_reply_to_id == r2_post.id
    assert "third-in-chain" in anonymous_page and "second-for-followers" not in anonymous_page
    assert not await Post.exists(ap_id=r1["object"]["id"])
    assert all(h.key_id == live_node.url("/actor#main-key") for h in fediverse["other.test"].hits
               if "/statuses/" in h.path)
    # When alice, who follows dave, opens it
    await follows(live_node, alice, dave)
    alice_page = await page(browser, alice, reply)
    # Then the whole chain is there, oldest first, r1 now stored as public
    assert alice_page.index("first-in-chain") < alice_page.index("second-for-followers") \
        < alice_page.index("third-in-chain") < alice_page.index("alice-answers")
    assert (await Post.get(ap_id=r1["object"]["id"])).visibility is Visibility.PUBLIC
    # And a third reading fetches nothing more
    before = len(status_gets(fediverse["remote.test"])) + len(status_gets(fediverse["other.test"]))
    await page(browser, alice, reply)
    assert len(status_gets(fediverse["remote.test"])) + len(status_gets(fediverse["other.test"])) == before


async def test_loop__a_replies_to_b_replies_to_a_ends_the_walk(live_node, make_account, fediverse, uris, browser):
    # Given carol's a answers b, and b answers a; only a reached us
    alice = await make_account("alice")
    carol = await fediverse.actor("carol@remote.test")
    await follows(live_node, alice, carol)
    a = carol.create_note("loop-a", visibility="public")
    b = carol.create_note("loop-b", visibility="public", in_reply_to=a["object"]["id"])
    a["object"]["inReplyTo"] = b["object"]["id"]
    fediverse["remote.test"].serve(a["object"]["id"], {"@context": a["@context"], **a["object"]})
    a_post = await stored(live_node, carol, a)
    reply = await publish_post(uris, alice, Draft("alice-in-the-loop", Visibility.PUBLIC, in_reply_to=a_post.ap_id), 5000)
    await reply.fetch_related("author")
    # When the reply's page is read, twice
    first = await page(browser, alice, reply)
    second = await page(browser, alice, reply)
    # Then b was fetched once, both are linked to each other, and each page shows each once
    assert status_gets(fediverse["remote.test"]).count(f"/users/carol/statuses/{b['object']['id'].rsplit('/', 1)[1]}") == 1
    b_post = await Post.get(ap_id=b["object"]["id"])
    assert (await Post.get(id=a_post.id)).in_reply_to_id == b_post.id and b_post.in_reply_to_id == a_post.id
    for body in (first, second):
        assert body.count("loop-a") == 1 and body.count("loop-b") == 1
        assert body.index("loop-b") < body.index("loop-a") < body.index("alice-in-the-loop")
    # And the walk ends at the loop itself, not at the depth bound: unbounded, it returns at once
    runtime = live_node.app.config["KITH_RUNTIME"]
    unbounded = AncestorFetcher(Handlers(runtime.uris, runtime.resolver), runtime.uris.base, max_depth=10**9)
    assert await asyncio.wait_for(unbounded.fill(reply, Viewer.of(alice)), timeout=5) == 0  # nothing new to link


async def test_deep_chain__fetched_a_few_at_a_time_and_no_deeper_than_the_bound(live_node, make_account, fediverse,
                                                                              uris, browser):
    # Given a chain of 30 replies by carol, of which only the last reached us
    alice = await make_account("alice")
    carol = await fediverse.actor("carol@remote.test")
    await follows(live_node, alice, carol)
    chain = [carol.create_note("link-0", visibility="public")]
    for n in range(1, 30):
        chain.append(carol.create_note(f"link-{n}", visibility="public", in_reply_to=chain[-1]["object"]["id"]))
    last = await stored(live_node, carol, chain[-1])
    reply = await publish_post(uris, alice, Draft("at-the-end", Visibility.PUBLIC, in_reply_to=last.ap_id), 5000)
    await reply.fetch_related("author")
    # When the page is read again and again
    fetched_per_view = []
    for _ in range(5):
        before = len(status_gets(fediverse["remote.test"]))
        await page(browser, alice, reply)
        fetched_per_view.append(len(status_gets(fediverse["remote.test"])) - before)
    # Then each reading fetched at most MAX_FETCHES, and the chain stops MAX_DEPTH posts up
    assert all(n <= MAX_FETCHES for n in fetched_per_view) and fetched_per_view[-1] == 0
    assert sum(fetched_per_view) == MAX_DEPTH - 1  # the first ancestor was delivered, not fetched
    assert await Post.filter(local=False).count() == MAX_DEPTH
    body = await page(browser, alice, reply)
    assert "link-10<" in body and "link-29<" in body and "link-9<" not in body


async def test_parent_the_origin_refuses__not_stored_and_not_asked_again_soon(live_node, make_account, fediverse,
                                                                              uris, browser):
    # Given three of carol's replies to parents remote.test will not give: missing (404),
    # refused to the instance actor (401), and one that claims an author on another server
    alice = await make_account("alice")
    carol, dave = await fediverse.actor("carol@remote.test"), await fediverse.actor("dave@other.test")
    await follows(live_node, alice, carol)
    remote = fediverse["remote.test"]
    missing = remote.url("/users/carol/statuses/404404")
    refused = carol.create_note("refused-parent", visibility="public")["object"]["id"]
    forged = remote.serve("/users/carol/statuses/777", {
        "@context": "https://www.w3.org/ns/activitystreams", "id": remote.url("/users/carol/statuses/777"),
        "type": "Note", "attributedTo": dave.id, "content": "forged-parent", "to": [dave.followers]})
    replies = []
    for parent in (missing, refused, forged):
        post = await stored(live_node, carol, carol.create_note("child", visibility="public", in_reply_to=parent))
        replies.append(await publish_post(uris, alice, Draft("answer", Visibility.PUBLIC, in_reply_to=post.ap_id), 5000))
    for reply in replies:
        await reply.fetch_related("author")
    # When each reply's page is read twice
    for n, reply in enumerate(replies):
        if n == 1:
            remote.fail_next(401, method="GET")  # as a server that will not show it to us
        await page(browser, alice, reply)
    asked = list(status_gets(remote))
    for reply in replies:
        body = await page(browser, alice, reply)
        assert "child" in body and "parent" not in body
    # Then none of the parents is stored, each was asked for once, and not again
    assert not await Post.filter(ap_id__in=[missing, refused, forged]).exists()
    assert status_gets(remote) == asked
    assert [p.rsplit("/", 1)[1] for p in asked[-3:]] == ["404404", refused.rsplit("/", 1)[1], "777"]


async def test_blocked_server__never_asked_for_a_parent(live_node, make_account, fediverse, uris, browser):
    from node.models import DomainBlock

    # Given carol answers dave, whose server alice's node blocks
    alice = await make_account("alice")
    carol, dave = await fediverse.actor("carol@remote.test"), await fediverse.actor("dave@other.test")
    await follows(live_node, alice, carol)
    parent = dave.create_note("from-a-blocked-server", visibility="public")
    child = await stored(live_node, carol, carol.create_note("answer-to-dave", visibility="public",
                                                           in_reply_to=parent["object"]["id"]))
    await DomainBlock.create(domain="other.test")
    live_node.app.config["KITH_RUNTIME"].blocked_hosts.forget()
    reply = await publish_post(uris, alice, Draft("alice-here", Visibility.PUBLIC, in_reply_to=child.ap_id), 5000)
    await reply.fetch_related("author")
    # When the thread is read, Then dave's server hears nothing and his post is not stored
    body = await page(browser, alice, reply)
    assert "answer-to-dave" in body and "from-a-blocked-server" not in body
    assert status_gets(fediverse["other.test"]) == [] and not await Post.exists(ap_id=parent["object"]["id"])


async def test_slow_origin__the_page_does_not_wait_past_its_budget(live_node, make_account, fediverse, uris, browser):
    alice = await make_account("alice")
    carol = await fediverse.actor("carol@remote.test")
    await follows(live_node, alice, carol)
    parent = carol.create_note("slow-parent", visibility="public")
    child = await stored(live_node, carol, carol.create_note("slow-child", visibility="public",
                                                           in_reply_to=parent["object"]["id"]))
    reply = await publish_post(uris, alice, Draft("waiting", Visibility.PUBLIC, in_reply_to=child.ap_id), 5000)
    await reply.fetch_related("author")
    fediverse["remote.test"].slow(6)
    try:
        started = time.monotonic()
        body = await page(browser, alice, reply)
        took = time.monotonic() - started
        assert took < 5 and "slow-child" in body and "slow-parent" not in body
        started = time.monotonic()
        await page(browser, alice, reply)  # the failure is remembered: no second wait
        assert time.monotonic() - started < 1
    finally:
        fediverse["remote.test"].slow(0)


async def test_reply_before_its_parent__linked_when_the_parent_arrives(live_node, make_account, fediverse):
    alice = await make_account("alice")
    carol = await fediverse.actor("carol@remote.test")
    await follows(live_node, alice, carol)
    parent = carol.create_note("parent-late", visibility="public")
    child = await stored(live_node, carol, carol.create_note("child-early", visibility="public",
                                                           in_reply_to=parent["object"]["id"]))
    assert child.in_reply_to_id is None
    parent_post = await stored(live_node, carol, parent)
    assert (await Post.get(id=child.id)).in_reply_to_id == parent_post.id
    assert await InboxItem.filter(state=InboxState.ERRORED).count() == 0
