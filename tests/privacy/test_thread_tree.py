"""Threads as trees (requirement PRIV-READ): a post page shows the replies below it, level by
level, that the viewer may see; a reply the viewer may not see hides its own replies; deep
threads are bounded above and below."""

from __future__ import annotations

import pytest

from federation.audience import Visibility
from node import queries
from node.models import Block, Post
from node.queries import Viewer, may_view, thread_of, visible_among, visible_reply_counts, visible_to
from node.services.posting import Draft, delete_post, publish_post
from tests.rig.world import VIEWERS, build_world


@pytest.fixture
async def world(make_account, uris):
    return await build_world(make_account, uris)


async def reply(uris, account, parent: Post, text: str, visibility=Visibility.PUBLIC) -> Post:
    return await publish_post(uris, account, Draft(text, visibility, in_reply_to=parent.ap_id), 5000)


async def tree_under(world, uris) -> tuple[Post, dict[int, int]]:
    """alice's public root; under it one reply of each visibility by alice (mentioning dave),
    each answered publicly by dave, and that answer by bob; a reply by eve (whom alice
    blocks); a deleted reply with an answer. Return the root and each post's parent id."""
    alice, bob, dave, eve = (world.accounts[n] for n in ("alice", "bob", "dave", "eve"))
    root = world.posts[Visibility.PUBLIC]
    parents: dict[int, int] = {}

    async def add(account, parent, text, visibility=Visibility.PUBLIC) -> Post:
        post = await reply(uris, account, parent, text, visibility)
        parents[post.id] = parent.id
        return post

    for visibility in Visibility:
        first = await add(alice, root, f"@dave reply-{visibility.value}", visibility)
        second = await add(dave, first, f"answer-to-{visibility.value}")
        await add(bob if visibility is not Visibility.DIRECT else dave, second, f"third-under-{visibility.value}")
    await Block.filter(blocker_id=alice.actor_id).delete()  # let eve reply, then block her again
    await add(eve, root, "eve-reply")
    await Block.create(blocker_id=alice.actor_id, target_id=eve.actor_id)
    gone = await add(bob, root, "to-be-deleted")
    await add(dave, gone, "answer-to-deleted")
    await delete_post(bob, gone)
    return root, parents


async def expected_replies(viewer: Viewer, root: Post, parents: dict[int, int]) -> list[int]:
    """Walk the tree with the single-post check: a post is shown when the viewer may see it
    and its parent is shown; depth first, oldest sibling first."""
    posts = {p.id: p for p in await Post.filter(id__in=list(parents))}
    shown, order = {root.id}, []

    async def walk(parent_id: int) -> None:
        for child_id in sorted(c for c, p in parents.items() if p == parent_id):
            if await may_view(viewer, posts[child_id]):
                shown.add(child_id)
                order.append(child_id)
                await walk(child_id)

    await walk(root.id)
    return order


async def test_thread_replies__agree_with_can_view_for_every_viewer(world, uris):
    root, parents = await tree_under(world, uris)
    for name in VIEWERS:
        viewer = Viewer.of(world.account(name))
        # When the thread of the root is read as this viewer
        thread = await thread_of(viewer, root)
        # Then the replies are exactly those the single-post check allows, in thread order
        assert thread.ancestors == []
        assert [p.id for p in thread.replies] == await expected_replies(viewer, root, parents), name
        # And the reply counts it found on the way are those the counting query gives
        assert thread.reply_counts.keys() >= {root.id, *(p.id for p in thread.replies)}
        counted = await visible_reply_counts(viewer, list(thread.reply_counts))
        assert {i: counted.get(i, 0) for i in thread.reply_counts} == thread.reply_counts, name


async def test_thread_page__hides_the_replies_under_a_reply_one_may_not_see(world, uris, browser):
    await tree_under(world, uris)
    root = world.posts[Visibility.PUBLIC]
    for name, sees_followers, sees_direct in (("anonymous", False, False), ("carol", False, False),
                                              ("bob", True, False), ("dave", True, True), ("alice", True, True)):
        body = await (await (await browser(world.account(name))).get(f"/@alice/{root.id}")).get_data(as_text=True)
        # A reply two levels below the root shows, when its parents do
        assert "third-under-public" in body and "third-under-unlisted" in body, name
        # Under a followers-only or direct reply: nothing for those outside its audience
        for visibility, sees in ((Visibility.FOLLOWERS, sees_followers), (Visibility.DIRECT, sees_direct)):
            for text in (f"reply-{visibility.value}", f"answer-to-{visibility.value}",
                         f"third-under-{visibility.value}"):
                assert (text in body) == sees, (name, text)
        # Under a deleted reply: nothing, for anyone
        assert "to-be-deleted" not in body and "answer-to-deleted" not in body, name
        # Thread order: each reply is followed by its own replies
        assert body.index("reply-public") < body.index("answer-to-public") < body.index("third-under-public") \
            < body.index("reply-unlisted")
    eve_page = await (await (await browser(world.account("eve"))).get(f"/@alice/{root.id}")).get_data(as_text=True)
    assert "secret-public-words" not in eve_page  # alice blocks eve: the root is a 404


async def test_thread_of__a_blocked_viewer_sees_no_reply_of_the_blocker(make_account, uris):
    alice, bob, eve = [await make_account(n) for n in ("alice", "bob", "eve")]
    root = await publish_post(uris, bob, Draft("bob-root", Visibility.PUBLIC), 5000)
    by_alice = await reply(uris, alice, root, "alice-answer")
    below = await reply(uris, bob, by_alice, "bob-below-alice")
    await Block.create(blocker_id=alice.actor_id, target_id=eve.actor_id)
    assert (await thread_of(Viewer.of(eve), root)).replies == []
    replies = (await thread_of(Viewer.of(bob), root)).replies
    assert [p.id for p in replies] == [by_alice.id, below.id]


async def test_thread_of__a_deep_thread_shows_every_level_below_and_the_nearest_ancestors(make_account, uris):
    # Given a chain of 30 replies, alice and bob taking turns
    alice, bob = await make_account("alice"), await make_account("bob")
    chain = [await publish_post(uris, alice, Draft("level-0", Visibility.PUBLIC), 5000)]
    for depth in range(1, 31):
        chain.append(await reply(uris, (alice, bob)[depth % 2], chain[-1], f"level-{depth}"))
    viewer = Viewer.of(None)
    # When the root is read: every level below, in order
    thread = await thread_of(viewer, chain[0])
    assert thread.ancestors == [] and [p.id for p in thread.replies] == [p.id for p in chain[1:]]
    # When the last reply is read: the THREAD_DEPTH nearest ancestors, oldest first
    thread = await thread_of(viewer, chain[-1])
    assert [p.id for p in thread.ancestors] == [p.id for p in chain[-1 - queries.THREAD_DEPTH:-1]]
    assert thread.replies == []


async def test_thread_of__replies_are_bounded_in_depth_and_count(make_account, uris, monkeypatch):
    alice = await make_account("alice")
    root = await publish_post(uris, alice, Draft("root", Visibility.PUBLIC), 5000)
    chain = [root]
    for depth in range(1, 6):
        chain.append(await reply(uris, alice, chain[-1], f"level-{depth}"))
    siblings = [await reply(uris, alice, root, f"sibling-{i}") for i in range(4)]
    monkeypatch.setattr(queries, "REPLY_DEPTH", 3)
    thread = await thread_of(Viewer.of(None), root)
    # Three levels: the direct replies (chain[1] and the siblings), then chain[2], chain[3]
    assert {p.id for p in thread.replies} == {chain[1].id, chain[2].id, chain[3].id, *(s.id for s in siblings)}
    # Only the posts above the last level have their replies counted on the way
    assert thread.reply_counts == {root.id: 5, chain[1].id: 1, chain[2].id: 1, **{s.id: 0 for s in siblings}}
    monkeypatch.setattr(queries, "REPLY_DEPTH", 40)
    monkeypatch.setattr(queries, "REPLY_LIMIT", 6)
    thread = await thread_of(Viewer.of(None), root)
    assert len(thread.replies) == 6
    # Breadth first within the bound: all five direct replies, then the oldest of the next level
    assert {p.id for p in thread.replies} == {chain[1].id, *(s.id for s in siblings), chain[2].id}
    # Cut off by the count: no post's replies are known to be all there
    assert thread.reply_counts == {}


async def test_thread_of__a_reply_loop_ends(make_account, uris):
    # Remote data may say two posts answer each other
    alice = await make_account("alice")
    first = await publish_post(uris, alice, Draft("loop-a", Visibility.PUBLIC), 5000)
    second = await reply(uris, alice, first, "loop-b")
    await Post.filter(id=first.id).update(in_reply_to_id=second.id, in_reply_to_ap_id=second.ap_id)
    first = await Post.get(id=first.id)
    thread = await thread_of(Viewer.of(None), first)
    assert [p.id for p in thread.ancestors] == [second.id] and [p.id for p in thread.replies] == [second.id]
    # In a loop the walk counts no post's replies (the page's counting query does)
    assert thread.reply_counts == {}


async def test_visible_among__agrees_with_can_view_for_every_viewer(world, uris):
    # Given the world and a reply tree, and a subset of their posts (the thread pages ask so)
    await tree_under(world, uris)
    posts = await Post.all().order_by("id")
    for among in ([p.id for p in posts], [p.id for p in posts[::2]], []):
        for name in VIEWERS:
            viewer = Viewer.of(world.account(name))
            # When the batch check answers for those ids
            listed = set(await visible_among(viewer, among))
            # Then it is exactly the single-post check over them, and the list filter's answer
            checked = {p.id for p in posts if p.id in among and await may_view(viewer, p)}
            assert listed == checked, name
            if among:
                assert listed == {p.id for p in await Post.filter(visible_to(viewer), id__in=among)}, name
