"""Read-side queries. Every list of posts is filtered by `visible_to`, which mirrors
`federation.audience.can_view`; every single post is checked with `can_view` itself, and a
thread's posts with `visible_among` (can_view over facts looked up for all of them at once).
Tests prove they agree for every viewer and post of a test world."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from itertools import takewhile

from tortoise.expressions import Q, Subquery

from federation.audience import OPEN_VISIBILITIES, Relation, Visibility, can_view, can_view_boost, is_listed
from node.models import Account, Actor, Block, Follow, FollowState, Mention, Post, Tag
from node.threadwalk import parent_ids, reply_tree

PAGE_SIZE = 20


@dataclass(frozen=True)
class Viewer:
    """Who is reading: an actor (a signed-in account, or later a remote signer) or nobody."""

    actor_id: int | None = None
    is_local: bool = False  # a signed-in account of this node

    @classmethod
    def of(cls, account: Account | None) -> "Viewer":
        return cls(actor_id=account.actor_id, is_local=True) if account else cls()


ANONYMOUS_VIEWER = Viewer()


def visible_to(viewer: Viewer) -> Q:
    """Return the filter on posts that `viewer` may see (deleted posts excluded); a boost
    only when the post it boosts may be boosted and the viewer may see it too."""
    return _row_visible_to(viewer) & _boosted_visible_to(viewer)


def _row_visible_to(viewer: Viewer) -> Q:
    open_posts = Q(visibility__in=[v.value for v in OPEN_VISIBILITIES])
    if viewer.actor_id is None:
        return open_posts & Q(deleted_at=None)
    me = viewer.actor_id
    followed = Subquery(
        Follow.filter(follower_id=me, state=FollowState.ACCEPTED).values("target_id")
    )
    mentioning_me = Subquery(Mention.filter(actor_id=me).values("post_id"))
    blocking_me = Subquery(Block.filter(target_id=me).values("blocker_id"))
    allowed = (
        open_posts
        | Q(visibility=Visibility.FOLLOWERS.value, author_id__in=followed)
        | Q(visibility__in=[Visibility.FOLLOWERS.value, Visibility.DIRECT.value], id__in=mentioning_me)
    )
    if viewer.is_local:
        allowed |= Q(visibility=Visibility.LOCAL.value)
    return ((allowed & ~Q(author_id__in=blocking_me)) | Q(author_id=me)) & Q(deleted_at=None)


def _boosted_visible_to(viewer: Viewer) -> Q:
    # A boosted post is public or unlisted (audience.is_boostable), so the viewer may see it
    # unless it is gone or its author blocks them: both read from the joined row.
    shown = Q(boost_of__deleted_at=None, boost_of__visibility__in=[v.value for v in OPEN_VISIBILITIES])
    if viewer.actor_id is not None:
        shown &= ~Q(boost_of__author_id__in=Subquery(Block.filter(target_id=viewer.actor_id).values("blocker_id")))
    return Q(boost_of_id=None) | shown


async def relation_to(viewer: Viewer, post: Post) -> Relation:
    """Return the facts `can_view` needs about `viewer` and `post`'s author."""
    me, author = viewer.actor_id, post.author_id
    if me is None:
        return Relation()
    if me == author:
        return Relation(is_author=True, is_local=viewer.is_local)
    return Relation(
        is_local=viewer.is_local,
        follows_author=await Follow.exists(
            follower_id=me, target_id=author, state=FollowState.ACCEPTED
        ),
        is_mentioned=await Mention.exists(post_id=post.id, actor_id=me),
        is_blocked=await Block.exists(blocker_id=author, target_id=me),
    )


async def visible_among(viewer: Viewer, ids: list[int]) -> dict[int, Post]:
    """Return, by id, those of the posts `ids` that `viewer` may see: `can_view` itself (and
    `can_view_boost` for a boost), over the facts of all of them looked up at once (a few
    queries, not a few a post).

    For a few hundred known ids this beats `visible_to`, which reads all the viewer's
    follows and every post mentioning them, and whose long IN lists PostgreSQL plans badly
    once it caches a generic plan for the statement."""
    posts = await Post.filter(id__in=ids, deleted_at=None) if ids else []
    boosted = {p.boost_of_id for p in posts if p.boost_of_id is not None}
    originals = {o.id: o for o in await Post.filter(id__in=boosted, deleted_at=None)} if boosted else {}
    relation = await _relations(viewer, [*posts, *originals.values()])

    def visible(post: Post) -> bool:
        if post.boost_of_id is None:
            return can_view(post.visibility, relation(post))
        original = originals.get(post.boost_of_id)
        return original is not None and can_view_boost(post.visibility, relation(post),
                                                       original.visibility, relation(original))

    return {p.id: p for p in posts if visible(p)}


async def visible_reply_counts(viewer: Viewer, ids: list[int]) -> dict[int, int]:
    """Return, by post id, how many replies to each of the posts `ids` `viewer` may see:
    `can_view` over facts looked up for all the replies at once, as `visible_among` does (a
    thread page's 150 posts cost a few light queries, not the viewer's whole follow and
    mention lists)."""
    replies = await Post.filter(in_reply_to_id__in=ids, deleted_at=None).only(
        "id", "author_id", "visibility", "in_reply_to_id") if ids else []
    relation = await _relations(viewer, replies)
    return Counter(r.in_reply_to_id for r in replies if can_view(r.visibility, relation(r)))


async def _relations(viewer: Viewer, posts: list[Post]):
    """Return relation(post) -> Relation for the posts given, as relation_to builds it for one
    post, with the facts of all of them read in three queries."""
    me = viewer.actor_id
    if me is None:
        return lambda post: Relation()
    authors = list({p.author_id for p in posts} - {me})
    followed = set(await Follow.filter(follower_id=me, state=FollowState.ACCEPTED, target_id__in=authors)
                   .values_list("target_id", flat=True)) if authors else set()
    # By post alone: asked with actor_id too, PostgreSQL's generic plan (cached after five
    # runs) walks all the viewer's mentions comparing each with every id, 50 ms for 12,000.
    mentions = await Mention.filter(post_id__in=[p.id for p in posts]).values_list("post_id", "actor_id") \
        if posts else []
    mentioned = {post_id for post_id, actor_id in mentions if actor_id == me}
    blocking = set(await Block.filter(target_id=me, blocker_id__in=authors)
                   .values_list("blocker_id", flat=True)) if authors else set()

    def relation(post: Post) -> Relation:
        if post.author_id == me:
            return Relation(is_author=True, is_local=viewer.is_local)
        return Relation(is_local=viewer.is_local, follows_author=post.author_id in followed,
                        is_mentioned=post.id in mentioned, is_blocked=post.author_id in blocking)

    return relation


async def may_view(viewer: Viewer, post: Post) -> bool:
    """Return whether `viewer` may see `post` (never a deleted one)."""
    if post.deleted_at is not None:
        return False
    if post.boost_of_id is not None:
        return await _may_view_boost(viewer, post)
    if post.visibility in OPEN_VISIBILITIES and viewer.actor_id is None:
        return True
    return can_view(post.visibility, await relation_to(viewer, post))


async def _may_view_boost(viewer: Viewer, boost: Post) -> bool:
    original = await Post.get_or_none(id=boost.boost_of_id)
    if original is None or original.deleted_at is not None:
        return False
    return can_view_boost(boost.visibility, await relation_to(viewer, boost),
                          original.visibility, await relation_to(viewer, original))


async def visible_post(viewer: Viewer, username: str, post_id: int) -> Post | None:
    """Return the post `post_id` of local account `username` if `viewer` may see it (never a
    boost: it has no page of its own)."""
    post = await Post.get_or_none(id=post_id, author__username=username, author__local=True, boost_of_id=None)
    if post is None or not await may_view(viewer, post):
        return None
    return post


async def local_version(username: str) -> tuple[int, datetime, bool] | None:
    """Return (actor id, changed_at, rss_enabled) of local account `username`: the narrow row
    that keys cached pages and feeds, so a cache hit costs no wide join."""
    rows = await Account.filter(username__iexact=username).values_list(
        "actor_id", "actor__changed_at", "rss_enabled"
    )
    return tuple(rows[0]) if rows else None


async def local_account(username: str) -> Account | None:
    """Return local account `username` (case-insensitive) with its actor, or None."""
    # One query; a case-insensitive match scans only the (small) table of local accounts.
    return await Account.get_or_none(username__iexact=username).select_related("actor")


async def profile_posts(
    viewer: Viewer, author: Actor, before_id: int | None = None, limit: int = PAGE_SIZE
) -> list[Post]:
    """Return the author's newest posts that `viewer` may see, older than `before_id`."""
    query = Post.filter(author_id=author.id).filter(visible_to(viewer))
    if before_id is not None:
        query = query.filter(id__lt=before_id)
    return await query.order_by("-id").limit(limit)


# Home first looks among this many newest posts (below the cursor): a home following many
# accounts fills its page there, scanning posts newest first instead of gathering and sorting
# every post of every followed account, as the planners do for the bare query.
HOME_WINDOW = 2000


async def home_posts(
    viewer: Viewer, before_id: int | None = None, limit: int = PAGE_SIZE
) -> list[Post]:
    """Return the home timeline: own posts, followed accounts' posts, posts mentioning me.
    A boost is left out when the home shows the same post among the REPEAT_SPAN posts
    before it (the post itself or an earlier boost), as Mastodon does: a post goes round
    the people one follows once, not once a booster."""
    page: list[Post] = []
    cursor = before_id
    while len(page) < limit:
        wanted = limit - len(page)
        rows = await _home_rows(viewer, cursor, wanted)
        # Whether a boost shows depends only on the REPEAT_SPAN rows below it, whichever page
        # they fall on: read on past the page for those (ids only; only if a boost needs them).
        below = await _home_rows(viewer, rows[-1].id, REPEAT_SPAN, ids_only=True) \
            if rows and any(post.boost_of_id for post in rows) else []
        sequence = [(post.id, post.boost_of_id) for post in rows] + below
        page += [post for i, post in enumerate(rows) if not _repeats(post, sequence[i + 1:i + 1 + REPEAT_SPAN])]
        if len(rows) < wanted:
            break  # the home has no more
        cursor = rows[-1].id
    return page


REPEAT_SPAN = 40


def _repeats(post: Post, older: list[tuple[int, int | None]]) -> bool:
    return post.boost_of_id is not None and any(post.boost_of_id in row for row in older)


async def _home_rows(viewer: Viewer, before_id: int | None, limit: int, ids_only: bool = False) -> list:
    """Return the next `limit` home posts below `before_id` (with their authors), or with
    `ids_only` their (id, boost_of_id) pairs."""

    def rows(query, count: int):
        query = query.order_by("-id").limit(count)
        return query.values_list("id", "boost_of_id") if ids_only else query.prefetch_related("author")

    newest = Post.filter(id__lt=before_id) if before_id is not None else Post.all()
    window = Subquery(newest.order_by("-id").limit(HOME_WINDOW).values("id"))
    found = list(await rows(_home(viewer, before_id).filter(id__in=window), limit))
    if len(found) < limit:
        # A quiet home: the window held every match it had; look further back for the rest.
        last_id = (found[-1][0] if ids_only else found[-1].id) if found else before_id
        found += await rows(_home(viewer, last_id), limit - len(found))
    return found


def _home(viewer: Viewer, before_id: int | None):
    me = viewer.actor_id
    followed = Subquery(
        Follow.filter(follower_id=me, state=FollowState.ACCEPTED).values("target_id")
    )
    mentioning_me = Subquery(Mention.filter(actor_id=me).values("post_id"))
    query = Post.filter(Q(author_id=me) | Q(author_id__in=followed) | Q(id__in=mentioning_me))
    query = query.filter(visible_to(viewer))
    if before_id is not None:
        query = query.filter(id__lt=before_id)
    return query


def _listed() -> Q:
    # Boosts are never listed as posts (feeds, tag pages, the outbox).
    return Q(visibility__in=[v.value for v in Visibility if is_listed(v)], deleted_at=None, boost_of_id=None)


async def feed_posts(author: Actor, limit: int = PAGE_SIZE) -> list[Post]:
    """Return the author's newest listed (public) posts, for RSS and Atom."""
    return await Post.filter(_listed(), author_id=author.id).order_by("-id").limit(limit)


async def tagged_posts(
    viewer: Viewer, tag: str, before_id: int | None = None, limit: int = PAGE_SIZE
) -> list[Post]:
    """Return the newest listed posts with hashtag `tag` that `viewer` may see."""
    query = Post.filter(_listed(), visible_to(viewer), tags__name=tag.lower())
    if before_id is not None:
        query = query.filter(id__lt=before_id)
    return await query.order_by("-id").limit(limit).prefetch_related("author")


def _listed_by(author: Actor) -> Q:
    return _listed() & Q(author_id=author.id)


async def public_post_count(author: Actor) -> int:
    """Return how many listed (public) posts the author has: the outbox's totalItems."""
    return await Post.filter(_listed_by(author)).count()


async def outbox_posts(author: Actor, before_id: int | None, limit: int) -> list[Post]:
    """Return a page of the author's listed posts, newest first, older than `before_id`."""
    query = Post.filter(_listed_by(author))
    if before_id is not None:
        query = query.filter(id__lt=before_id)
    return await query.order_by("-id").limit(limit)


async def mentions_and_tags(post_ids: list[int]) -> dict[int, tuple[list[Actor], list[str]]]:
    """Return each post's mentioned actors and hashtags, in two queries for a whole page."""
    result: dict[int, tuple[list[Actor], list[str]]] = {pid: ([], []) for pid in post_ids}
    if not post_ids:
        return result
    for mention in await Mention.filter(post_id__in=post_ids).select_related("actor").order_by("id"):
        result[mention.post_id][0].append(mention.actor)
    for tag in await Tag.filter(post_id__in=post_ids).order_by("id"):
        result[tag.post_id][1].append(tag.name)
    return result


def _follows_of(actor: Actor, which: str):
    accepted = Follow.filter(state=FollowState.ACCEPTED)
    if which == "followers":
        return accepted.filter(target_id=actor.id), "follower__ap_id"
    return accepted.filter(follower_id=actor.id), "target__ap_id"


async def follow_count(actor: Actor, which: str) -> int:
    """Return the number of accepted followers or followed accounts ("followers"/"following")."""
    query, _ = _follows_of(actor, which)
    return await query.count()


async def follow_collection_ids(actor: Actor, which: str, page: int, size: int) -> list[str]:
    """Return one page (1-based) of follower or followed actor IRIs, newest follow first."""
    query, field = _follows_of(actor, which)
    return await query.order_by("-id").offset((page - 1) * size).limit(size).values_list(field, flat=True)


THREAD_DEPTH = 20  # ancestors shown above a post
REPLY_DEPTH = 40  # levels of replies shown below it
REPLY_LIMIT = 300  # replies shown at most


@dataclass
class Thread:
    ancestors: list[Post]
    replies: list[Post]
    # How many replies the viewer may see, of the posts whose replies the walk found all of
    # (the page need not count those again).
    reply_counts: dict[int, int]


async def thread_of(viewer: Viewer, post: Post) -> Thread:
    """Return the ancestors (oldest first, up to THREAD_DEPTH, stopping at the first one the
    viewer may not see) and the replies below `post` the viewer may see, each followed by its
    own replies (up to REPLY_DEPTH levels; REPLY_LIMIT replies looked at). A reply the viewer
    may not see hides the replies below it too, as a hidden ancestor ends the chain above.

    Both walk the thread on ids alone (node.threadwalk: one recursive query each), then load
    the posts and decide which the viewer may see with `visible_among` (can_view over facts
    looked up for all of them at once): once a direction, not once a level."""
    return Thread(await _ancestors(viewer, post), *await _descendants(viewer, post))


async def _ancestors(viewer: Viewer, post: Post) -> list[Post]:
    if not post.in_reply_to_id:
        return []
    chain = list(takewhile(post.id.__ne__, await parent_ids(post.in_reply_to_id, THREAD_DEPTH)))
    visible = await visible_among(viewer, chain)
    shown = list(takewhile(visible.__contains__, chain))
    return [visible[i] for i in reversed(shown)]


async def _descendants(viewer: Viewer, post: Post) -> tuple[list[Post], dict[int, int]]:
    tree = await reply_tree(post.id, REPLY_DEPTH, REPLY_LIMIT)
    ids = [i for replies in tree.children.values() for i in replies]
    visible = await visible_among(viewer, ids)
    counts = {i: sum(reply in visible for reply in tree.children.get(i, ())) for i in tree.whole}
    return _depth_first(tree.children, visible, post.id), counts


def _depth_first(children: dict[int, list[int]], visible: dict[int, Post], root_id: int) -> list[Post]:
    """Return the visible replies in thread order; the replies under a hidden one stay hidden."""
    ordered: list[Post] = []
    stack = [i for i in reversed(children.get(root_id, [])) if i in visible]
    while stack:
        reply = visible[stack.pop()]
        ordered.append(reply)
        stack.extend(i for i in reversed(children.get(reply.id, [])) if i in visible)
    return ordered
