"""What a page shows of a post: the post, its author, and what is loaded for it.

Pages get `PostView`s, never bare posts: `views_of` loads the extras of a whole page in
batch (one query per kind of extra, never one per post). The posts given must already be
the ones the viewer may see (node.queries); nothing here widens an audience. A boost (a
post with `boost_of`) becomes the view of the post it boosts, with its booster.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from federation.audience import is_boostable
from node.media.views import load_media
from node.models import Actor, LinkCard, Media, Post
from node.pollviews import PollView, attach_polls
from node.queries import Viewer
from node.reactions import Counts, attach_counts
from node.services.link_cards import load_link_cards


@dataclass
class PostView:
    post: Post  # the post shown: for a boost, the boosted post
    author: Actor  # the shown post's author
    booster: Actor | None = None  # who boosted it, when this entry is a boost
    entry_id: int | None = None  # the boost's own id, when this entry is a boost
    counts: Counts = field(default_factory=Counts)
    poll: PollView | None = None
    link_card: LinkCard | None = None  # the preview of its first link (node.services.link_cards)
    media: list[Media] = field(default_factory=list)
    emojis: dict[str, str] = field(default_factory=dict)  # the post's, {shortcode: icon URL}
    author_emojis: dict[str, str] = field(default_factory=dict)  # the author's name's
    booster_emojis: dict[str, str] = field(default_factory=dict)  # the booster's name's

    @property
    def may_boost(self) -> bool:
        """Whether the shown post may be boosted (audience.is_boostable)."""
        return is_boostable(self.post.visibility)

    @property
    def cursor(self) -> int:
        """The id a page of these views continues after ("Older posts"): the entry's own
        (a boost's), which orders the page."""
        return self.entry_id or self.post.id


async def views_of(posts: list[Post], viewer: Viewer, author: Actor | None = None,
                   reply_counts: dict[int, int] | None = None) -> list[PostView]:
    """Return the views of `posts` for `viewer`, in the same order; `author`, when the page
    already has it (a profile), is the author of those of its posts; `reply_counts`, the
    visible replies of those posts the page counted already (a thread)."""
    await _load_authors(posts, author)
    views = await _entries(posts)
    await attach_counts(views, viewer, reply_counts or {})
    await load_media(views)
    await attach_polls(views, viewer)
    await load_link_cards(views)
    return views


async def _entries(posts: list[Post]) -> list[PostView]:
    """Return one view per post, a boost's showing the post it boosts (with its author, in
    one query for the page); a boost whose post is gone meanwhile is left out."""
    boosted_ids = {post.boost_of_id for post in posts if post.boost_of_id is not None}
    boosted = {p.id: p for p in await Post.filter(id__in=boosted_ids).select_related("author")} if boosted_ids else {}
    views = []
    for post in posts:
        if post.boost_of_id is None:
            views.append(PostView(post=post, author=post.author))
        elif post.boost_of_id in boosted:
            original = boosted[post.boost_of_id]
            views.append(PostView(post=original, author=original.author, booster=post.author, entry_id=post.id))
    return views


async def view_of(post: Post, viewer: Viewer) -> PostView:
    """Return the view of one post for `viewer`."""
    return (await views_of([post], viewer))[0]


async def _load_authors(posts: list[Post], known: Actor | None) -> None:
    for post in posts:
        if known is not None and post.author_id == known.id:
            post.author = known
    missing = [post for post in posts if not isinstance(post.__dict__.get("_author"), Actor)]
    if missing:
        await Post.fetch_for_list(missing, "author")
