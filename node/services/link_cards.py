"""Link preview cards: which link of a post gets one, queuing its fetch with the post,
fetching it later, and loading the cards of a page of posts.

The fetch is a durable job, not an in-process task: the card row is written pending in the
transaction that stores the post (local or from the inbox), and `LinkCardWorker` (run with
the inbox and delivery workers) claims and fills it. So posting and inbox processing never
wait for a remote page; a crash or restart between the commit and the fetch loses nothing;
several processes never fetch the same URL at once; and a node whose web processes run no
workers still gets its cards. Cards are shared by URL and fetched again when a post links
one that has grown old.

Every fetch goes through the node's one transport: its resolver refuses private addresses
and rechecks every redirect; it sends no cookies, no signature, nothing but its User-Agent.
Only the head of an HTML page is read (`PEEK`), within `FETCH_TIMEOUT` seconds. A page that
gives no card leaves the post as it was: nobody but the operator's log hears why.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta, timezone
from html.parser import HTMLParser
from typing import TYPE_CHECKING, Callable
from urllib.parse import urlsplit

from tortoise.expressions import Subquery
from tortoise.transactions import in_transaction

from federation.audience import Visibility
from federation.claims import PassWorker, claim_due
from federation.errors import FetchError
from federation.transport import Peek, Transport
from node.link_metadata import LinkFacts, link_facts
from node.models import Actor, Follow, FollowState, LinkCard, LinkCardState, Post, PostLinkCard
from node.uris import Uris

if TYPE_CHECKING:
    from node.postviews import PostView

log = logging.getLogger(__name__)

FETCH_TIMEOUT = 5.0  # seconds for the whole fetch, redirects included
PEEK = Peek(limit=256 * 1024, media_types=frozenset({"text/html", "application/xhtml+xml"}))
ACCEPT_HTML = "text/html, application/xhtml+xml;q=0.9"
REFRESH_AFTER = timedelta(days=14)  # a card this old is fetched again when a post links it
RETRY_FAILED_AFTER = timedelta(days=1)
MAX_URL_BYTES = 1024  # LinkCard.url; longer links get no card
LEASE = timedelta(minutes=2)
# Links that are not "a link": mentions and hashtags, as Mastodon, GoToSocial, Pleroma and
# Misskey mark them (microformats classes, rel="tag", an h-card around a mention).
_SKIPPED_CLASSES = {"mention", "hashtag", "u-url"}


class NoCard(Exception):
    """The page was fetched but gives no card (not 200, or no title)."""


# --- which link ------------------------------------------------------------------------------

def first_link(content_html: str, own_host: str) -> str | None:
    """Return the first link of a post's (sanitised) HTML that is not a mention, a hashtag or
    a page of this node, or None."""
    finder = _LinkFinder()
    finder.feed(content_html)
    finder.close()
    for href, text in finder.links:
        parts = urlsplit(href)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            continue
        if parts.netloc.lower() == own_host.lower() or text.lstrip().startswith(("@", "#")):
            continue
        if len(href.encode()) <= MAX_URL_BYTES:
            return href
    return None


class _LinkFinder(HTMLParser):
    """Collects (href, text) of the links of a fragment that are not mentions or hashtags."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[tuple[str, str]] = []
        self._open: list[tuple[str, bool]] = []  # (tag, is an h-card) of the open spans and links
        self._current: list[str] | None = None
        self._href = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        classes = set(values.get("class", "").split())
        if tag == "span":
            self._open.append(("span", "h-card" in classes))
        elif tag == "a":
            in_card = any(card for _, card in self._open)
            skipped = in_card or classes & _SKIPPED_CLASSES or "tag" in values.get("rel", "").lower().split()
            self._current, self._href = (None, "") if skipped else ([], values.get("href", "").strip())

    def handle_endtag(self, tag: str) -> None:
        if tag == "span" and self._open:
            self._open.pop()
        elif tag == "a" and self._current is not None:
            self.links.append((self._href, "".join(self._current)))
            self._current = None

    def handle_data(self, data: str) -> None:
        if self._current is not None:
            self._current.append(data)


# --- queuing, in the post's transaction -----------------------------------------------------

async def attach_link_card(uris: Uris, post: Post) -> None:
    """Give `post` the card of its first link, queuing a fetch when the card is new or old;
    call it inside the transaction that stores the post. Does nothing for posts that want no
    card, direct posts (a private conversation's links are not fetched: a one-time link
    would be spent), and remote posts of authors nobody here follows."""
    if not post.link_preview or post.visibility == Visibility.DIRECT:
        return
    url = first_link(post.content_html, uris.host)
    if url is None:
        return
    if not post.local and not await Follow.exists(
            target_id=post.author_id, follower__local=True, state=FollowState.ACCEPTED):
        return
    card = await _card_for(url)
    await PostLinkCard.bulk_create([PostLinkCard(post_id=post.id, card_id=card.id)], ignore_conflicts=True)


async def refresh_link_card(uris: Uris, post: Post) -> None:
    """Give an edited post the card of its new first link (or none); call it inside the
    transaction that changes the post's content or its link_preview choice."""
    await PostLinkCard.filter(post_id=post.id).delete()
    await attach_link_card(uris, post)


async def _card_for(url: str) -> LinkCard:
    """Return the card row of `url`, made pending if it is new or old enough to refetch."""
    now = _now()
    # Two processes may link the same new URL at once: the loser's insert is a no-op, not an
    # error that would abort the transaction storing its post.
    await LinkCard.bulk_create([LinkCard(url=url, next_try_at=now)], ignore_conflicts=True)
    card = await LinkCard.get(url=url)
    if _is_stale(card, now):
        await LinkCard.filter(id=card.id, state=card.state).update(state=LinkCardState.PENDING, next_try_at=now)
    return card


def _is_stale(card: LinkCard, now: datetime) -> bool:
    if card.state == LinkCardState.PENDING or card.fetched_at is None:
        return False
    age = now - card.fetched_at
    return age > (REFRESH_AFTER if card.state == LinkCardState.FETCHED else RETRY_FAILED_AFTER)


# --- reading, for pages ------------------------------------------------------------------------

async def load_link_cards(views: list[PostView]) -> None:
    """Set the card of each view whose post has one to show (one query for the page). The
    views must be of posts the viewer may see: the card is part of the post."""
    wanted = {view.post.id: view for view in views if view.post.link_preview and view.post.deleted_at is None}
    if not wanted:
        return
    links = await PostLinkCard.filter(post_id__in=list(wanted)).exclude(card__title="").select_related("card")
    for link in links:
        wanted[link.post_id].link_card = link.card


# --- fetching, in the worker -----------------------------------------------------------------

async def page_card(transport: Transport, url: str, timeout: float = FETCH_TIMEOUT) -> LinkFacts:
    """Return the card of the page at `url`; raise FetchError (refused, unreachable, not
    HTML, too slow) or NoCard."""
    try:
        async with asyncio.timeout(timeout):
            response = await transport.get(url, accept=ACCEPT_HTML, peek=PEEK)
    except TimeoutError:
        raise FetchError(f"no answer within {timeout} s") from None
    if response.status != 200:
        raise NoCard(f"answered {response.status}")
    # Parsing a hostile head of PEEK.limit bytes takes ~30 ms: off the event loop, so pages
    # served by this process do not wait behind it.
    facts = await asyncio.to_thread(link_facts, response.body, response.headers.get("Content-Type"), response.url)
    if facts is None:
        raise NoCard("the page names no title")
    return facts


class LinkCardWorker(PassWorker):
    """Fills pending cards, a few at a time, with the node's transport."""

    name = "link card"

    def __init__(self, transport: Transport, *, now: Callable[[], datetime] | None = None,
                 batch: int = 8, poll_every: float = 1.0, timeout: float = FETCH_TIMEOUT) -> None:
        super().__init__(poll_every)
        self._transport = transport
        self._now = now or _now
        self._batch = batch
        self.timeout = timeout

    async def run_due(self) -> int:
        """Fetch the cards due now, at most `batch` at once; return how many were claimed."""
        cards = await claim_due(LinkCard, LinkCardState.PENDING, self._now(), self._batch, LEASE)
        await asyncio.gather(*(self._fill(card) for card in cards))
        return len(cards)

    async def _fill(self, card: LinkCard) -> None:
        try:
            facts = await page_card(self._transport, card.url, self.timeout)
        except (FetchError, NoCard) as e:
            return await self._failed(card, str(e))
        except Exception as e:  # a bug must not leave the card claimed or stop the others
            log.exception("link card fetch failed unexpectedly")
            return await self._failed(card, f"{type(e).__name__}: {e}")
        now = self._now()
        async with in_transaction():
            await LinkCard.filter(id=card.id).update(
                state=LinkCardState.FETCHED, title=facts.title, description=facts.description,
                site_name=facts.site_name, image_url=facts.image_url, error="", fetched_at=now,
                locked_until=None)
            await _touch_local_authors(card, now)

    async def _failed(self, card: LinkCard, reason: str) -> None:
        # The URL came from a post that may not be public: logged only at debug level.
        log.debug("no link card for %s: %s", card.url, reason)
        # A card fetched before keeps what it showed; a new one stays empty (no card).
        await LinkCard.filter(id=card.id).update(
            state=LinkCardState.FAILED, error=reason[:200], fetched_at=self._now(), locked_until=None)


async def _touch_local_authors(card: LinkCard, now: datetime) -> None:
    """Mark the local accounts whose pages show `card` as changed: the authors of posts with
    it and the boosters of those posts. Their pages, kept for anonymous readers under that
    version (node.cache), must now show it."""
    with_card = Post.filter(link_card__card_id=card.id)
    authors = await with_card.filter(local=True).values_list("author_id", flat=True)
    boosters = await Post.filter(boost_of_id__in=Subquery(with_card.values("id")), local=True) \
        .values_list("author_id", flat=True)
    if authors or boosters:
        await Actor.filter(id__in={*authors, *boosters}).update(changed_at=now)


def _now() -> datetime:
    return datetime.now(timezone.utc)
