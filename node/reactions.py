"""What a post card shows of the talk around each post: how many replies, boosts and likes
it has, and whether the viewer liked or boosted it; loaded for a whole page at once.

One grouped query per kind for the page, never one per post; the viewer's own like and
boost are counted in the same queries. Replies are counted only where the viewer may see
them (that a followers-only or direct reply exists is itself something its audience knows);
a like or boost says only that someone reacted to a post the viewer can already see.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from tortoise.expressions import Q
from tortoise.functions import Count

from node.models import Favourite, Post
from node.queries import Viewer, visible_reply_counts

if TYPE_CHECKING:
    from node.postviews import PostView


@dataclass(frozen=True)
class Counts:
    replies: int = 0
    boosts: int = 0
    likes: int = 0
    liked: bool = False  # by the viewer
    boosted: bool = False  # by the viewer


async def counts_of(posts: list[Post], viewer: Viewer, known_replies: dict[int, int] | None = None) -> dict[int, Counts]:
    """Return the Counts of each of `posts` (by id) for `viewer`, in a few queries for all;
    `known_replies` are reply counts the caller has already (a thread page's)."""
    ids = list({post.id for post in posts})
    if not ids:
        return {}
    known_replies = known_replies or {}
    replies = {**await visible_reply_counts(viewer, [i for i in ids if i not in known_replies]), **known_replies}
    boosts = await _grouped(Post.filter(boost_of_id__in=ids, deleted_at=None), "boost_of_id", "author_id", viewer)
    likes = await _grouped(Favourite.filter(post_id__in=ids), "post_id", "actor_id", viewer)
    return {
        post_id: Counts(replies=replies.get(post_id, 0), boosts=boosts.get(post_id, (0, 0))[0],
                        likes=likes.get(post_id, (0, 0))[0], liked=likes.get(post_id, (0, 0))[1] > 0,
                        boosted=boosts.get(post_id, (0, 0))[1] > 0)
        for post_id in ids
    }


async def attach_counts(views: list[PostView], viewer: Viewer, known_replies: dict[int, int] | None = None) -> None:
    """Set the `counts` of each of a page's PostViews (in the queries of `counts_of`)."""
    counts = await counts_of([view.post for view in views], viewer, known_replies)
    for view in views:
        view.counts = counts.get(view.post.id, view.counts)


async def _grouped(query, key: str, by: str, viewer: Viewer) -> dict[int, tuple[int, int]]:
    """Return {key: (rows, rows whose `by` is the viewer)} for the rows of `query`."""
    me = viewer.actor_id
    if me is None:
        rows = await query.annotate(n=Count("id")).group_by(key).values_list(key, "n")
        return {row_key: (n, 0) for row_key, n in rows}
    mine = Count("id", _filter=Q(**{by: me}))
    rows = await query.annotate(n=Count("id"), mine=mine).group_by(key).values_list(key, "n", "mine")
    return {row_key: (n, own) for row_key, n, own in rows}
