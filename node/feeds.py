"""RSS 2.0 and Atom feeds of an account's listed (public) posts, built with feedgen.

Only `queries.feed_posts` chooses the posts, and it asks the audience module which
visibilities are listed. A post with a content warning shows the warning as its title and
keeps its text behind it, as Mastodon's feeds do.
"""

from __future__ import annotations

import html
import re

from feedgen.feed import FeedGenerator

from node.models import Actor, Post
from node.uris import Uris

TITLE_LENGTH = 80


def build_feed(uris: Uris, actor: Actor, posts: list[Post], kind: str) -> bytes:
    """Return the `kind` ("rss" or "atom") feed of `actor` with `posts`, newest first."""
    feed = FeedGenerator()
    name = actor.name_or_username
    feed.id(actor.url)
    feed.title(f"{name} (@{actor.handle})")
    feed.author({"name": name, "uri": actor.url})
    feed.link(href=actor.url, rel="alternate", type="text/html")
    self_url = uris.rss(actor.username) if kind == "rss" else uris.atom(actor.username)
    feed.link(href=self_url, rel="self")
    feed.description(_plain(actor.summary_html) or f"Public posts from @{actor.handle}")
    feed.language("en")
    feed.generator("Kith")
    feed.updated(posts[0].edited_at or posts[0].created_at if posts else actor.changed_at)
    _add_entries(feed, posts, kind)
    return feed.rss_str() if kind == "rss" else feed.atom_str()


def build_tag_feed(uris: Uris, tag: str, posts: list[Post]) -> bytes:
    """Return the RSS feed of public posts with hashtag `tag` (authors loaded), newest first."""
    feed = FeedGenerator()
    page = uris.tag(tag)
    feed.id(page)
    feed.title(f"#{tag}")
    feed.link(href=page, rel="alternate", type="text/html")
    feed.link(href=f"{page}.rss", rel="self")
    feed.description(f"Public posts with #{tag}")
    feed.generator("Kith")
    _add_entries(feed, posts, "rss")
    return feed.rss_str()


def _add_entries(feed: FeedGenerator, posts: list[Post], kind: str) -> None:
    """Add one entry per post: permalink as id, guid and link, the content warning as title."""
    # feedgen puts entries in the order added, latest first unless told otherwise.
    for post in reversed(posts):
        entry = feed.add_entry()
        entry.id(post.url)
        entry.guid(post.url, permalink=True)
        entry.link(href=post.url)
        entry.title(_title(post))
        entry.published(post.created_at)
        entry.updated(post.edited_at or post.created_at)
        # description() also sets Atom's content, so it goes first and content() wins.
        entry.description(post.content_html)
        entry.content(post.content_html, type="CDATA" if kind == "rss" else "html")


def _title(post: Post) -> str:
    if post.content_warning:
        return post.content_warning
    text = _plain(post.content_html)
    return text if len(text) <= TITLE_LENGTH else text[: TITLE_LENGTH - 1] + "…"


def _plain(fragment: str) -> str:
    """Return the text of an HTML fragment: paragraphs and line breaks become spaces."""
    spaced = re.sub(r"<br\s*/?>|</p>", " ", fragment)
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", spaced))).strip()
