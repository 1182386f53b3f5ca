"""What a page shows of a post: the post, its author, and what is loaded for it.

Pages get `PostView`s, never bare posts: `views_of` loads the extras of a whole page in
batch (one query per kind of extra, never one per post). The posts given must already be
the ones the viewer may see (node.queries); nothing here widens an audience.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from node.media.views import load_media
from node.models import Actor, LinkCard, Media, Post
from node.pollviews import PollView, attach_polls
from node.queries import Viewer
from node.services.link_cards import load_link_cards


@dataclass
class PostView:
    post: Post
    author: Actor
    poll: PollView | None = None
    link_card: LinkCard | None = None  # the preview of its first link (node.services.link_cards)
    media: list[Media] = field(default_factory=list)
    emojis: dict[str, str] = field(default_factory=dict)  # the post's, {shortcode: icon URL}
    author_emojis: dict[str, str] = field(default_factory=dict)  # the author's name's

    @property
    def cursor(self) -> int:
        """The id a page of these views continues after ("Older posts")."""
        return self.post.id


async def views_of(posts: list[Post], viewer: Viewer, author: Actor | None = None) -> list[PostView]:
    """Return the views of `posts` for `viewer`, in the same order; `author`, when the page
    already has it (a profile), is the author of those of its posts."""
    await _load_authors(posts, author)
    views = [PostView(post=post, author=post.author) for post in posts]
    await load_media(views)
    await attach_polls(views, viewer)
    await load_link_cards(views)
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
