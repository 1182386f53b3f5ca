"""Who may see a post and who receives it: the one place Kith decides audiences.

Every read path (pages, feeds, ActivityPub GETs, the client API, search) asks `can_view`
or uses a list query built to agree with it; every delivery asks `recipients_for`.
Pure: standard library only, no ORM, no framework.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass

from federation.vocab import PUBLIC, is_public


class Visibility(str, enum.Enum):
    """A post's audience, widest first."""

    PUBLIC = "public"  # anyone; listed in public timelines and feeds
    UNLISTED = "unlisted"  # anyone with the link; kept out of public listings and feeds
    FOLLOWERS = "followers"  # accepted followers and the mentioned
    DIRECT = "direct"  # the mentioned only
    LOCAL = "local"  # signed-in accounts of this node; never federated, never anonymous

    @classmethod
    def parse(cls, value: str) -> "Visibility":
        """Return the visibility named `value`; raise ValueError naming the choices."""
        try:
            return cls(value.strip().lower())
        except ValueError:
            choices = ", ".join(v.value for v in cls)
            raise ValueError(f"unknown visibility {value!r} (choose one of: {choices})") from None


DEFAULT_VISIBILITY = Visibility.UNLISTED

# Visibilities anyone may read, signed in or not, on this server or another.
OPEN_VISIBILITIES = frozenset({Visibility.PUBLIC, Visibility.UNLISTED})

# Only these appear in feeds and public listings (RSS, Atom, tag pages, outbox).
LISTED_VISIBILITIES = frozenset({Visibility.PUBLIC})


@dataclass(frozen=True)
class Relation:
    """Plain facts about one viewer relative to one post's author.

    The anonymous reader is `Relation()`: no facts hold.
    """

    is_author: bool = False
    is_local: bool = False  # a signed-in account of this node
    follows_author: bool = False  # an accepted follow, not a pending request
    is_mentioned: bool = False
    is_blocked: bool = False  # the author blocks the viewer (or the viewer's server)


ANONYMOUS = Relation()


def can_view(visibility: Visibility, relation: Relation) -> bool:
    """Return whether a viewer with `relation` to the author may see a post of `visibility`."""
    if relation.is_author:
        return True
    if relation.is_blocked:
        return False
    if visibility in OPEN_VISIBILITIES:
        return True
    if visibility is Visibility.LOCAL:
        return relation.is_local
    if visibility is Visibility.FOLLOWERS:
        # Mastodon delivers a followers-only post to the accounts it mentions as well.
        return relation.follows_author or relation.is_mentioned
    if visibility is Visibility.DIRECT:
        return relation.is_mentioned
    return False


def is_listed(visibility: Visibility) -> bool:
    """Return whether posts of `visibility` belong in feeds and public listings."""
    return visibility in LISTED_VISIBILITIES


def is_federated(visibility: Visibility) -> bool:
    """Return whether posts of `visibility` may ever leave this node."""
    return visibility is not Visibility.LOCAL


def is_boostable(visibility: Visibility) -> bool:
    """Return whether posts of `visibility` may be boosted: public and unlisted only, as in
    Mastodon (a boost would carry a followers-only, direct or local post past its audience)."""
    return visibility in OPEN_VISIBILITIES


def can_view_boost(boost: Visibility, booster: Relation, original: Visibility, author: Relation) -> bool:
    """Return whether a viewer may see a boost: the boost itself (`booster`: the viewer's
    relation to the booster) and the boosted post (`author`: to its author), which must be
    boostable; a boost never shows a post its viewer may not see."""
    return can_view(boost, booster) and is_boostable(original) and can_view(original, author)



def visibility_of(
    to: Iterable[str], cc: Iterable[str], author_followers_iri: str | None
) -> Visibility:
    """Return the visibility of an inbound post from its addressing, assuming DIRECT until shown
    otherwise (GoToSocial `ExtractVisibility`): Public in `to` is PUBLIC, Public in `cc` is
    UNLISTED, the author's followers collection in either is FOLLOWERS."""
    to, cc = list(to), list(cc)
    if any(is_public(iri) for iri in to):
        return Visibility.PUBLIC
    if any(is_public(iri) for iri in cc):
        return Visibility.UNLISTED
    # Exact match only: a collection we cannot tie to the author widens nothing.
    if author_followers_iri and author_followers_iri in to + cc:
        return Visibility.FOLLOWERS
    return Visibility.DIRECT


@dataclass(frozen=True)
class Addressing:
    to: tuple[str, ...]
    cc: tuple[str, ...]


def addressing_for(visibility: Visibility, followers_iri: str, mentioned: Iterable[str]) -> Addressing:
    """Return `to` and `cc` for a post, exactly as Mastodon addresses each visibility.

    The only place our `to`/`cc` are written. Local posts are never addressed to anyone
    outside this node: asking for their addressing is a bug, so it raises ValueError.
    """
    mentioned = tuple(dict.fromkeys(mentioned))  # unique, in order
    if visibility is Visibility.PUBLIC:
        return Addressing(to=(PUBLIC,), cc=(followers_iri, *mentioned))
    if visibility is Visibility.UNLISTED:
        return Addressing(to=(followers_iri,), cc=(PUBLIC, *mentioned))
    if visibility is Visibility.FOLLOWERS:
        return Addressing(to=(followers_iri,), cc=mentioned)
    if visibility is Visibility.DIRECT:
        return Addressing(to=mentioned, cc=())
    raise ValueError("local posts are never federated")


def announce_addressing(followers_iri: str, original_author: str) -> Addressing:
    """Return `to` and `cc` of our Announce (a public boost), as Mastodon addresses a public
    reblog: to Public, cc the boosted post's author and the booster's followers."""
    return Addressing(to=(PUBLIC,), cc=(original_author, followers_iri))


@dataclass(frozen=True)
class Recipient:
    """A remote actor who may receive a post: plain facts from the database."""

    ap_id: str
    inbox: str
    shared_inbox: str | None
    host: str
    follows_author: bool = False  # an accepted follow
    mentioned: bool = False
    blocked: bool = False  # the author blocks this actor or its server
    voted: bool = False  # voted in the post's poll (it receives the poll's results)


def inboxes_for(visibility: Visibility, recipients: Iterable[Recipient]) -> set[str]:
    """Return the inboxes a post of `visibility` goes to, one per shared inbox.

    Local posts go nowhere. Direct posts go to the mentioned actors' own inboxes only, never
    a shared one. Followers-only posts go only to servers where an accepted follower lives.
    Those who voted in a poll receive its results like the mentioned, but only for public
    and unlisted posts: a voter is in a narrower audience only as a follower or mentioned.
    Blocked actors are left out before anything else.
    """
    if not is_federated(visibility):
        return set()
    allowed = [r for r in recipients if not r.blocked]
    if visibility is Visibility.DIRECT:
        return {r.inbox for r in allowed if r.mentioned}
    if visibility is Visibility.FOLLOWERS:
        hosts_with_followers = {r.host for r in allowed if r.follows_author}
        allowed = [r for r in allowed if r.host in hosts_with_followers]
    voters_receive = visibility in OPEN_VISIBILITIES
    return {r.shared_inbox or r.inbox for r in allowed
            if r.follows_author or r.mentioned or (r.voted and voters_receive)}


# How far a visibility reaches, for "no wider than": local-only sits beside followers-only
# (neither contains the other), so a reply to either keeps the parent's own.
_REACH = {Visibility.PUBLIC: 4, Visibility.UNLISTED: 3, Visibility.FOLLOWERS: 2, Visibility.LOCAL: 2,
          Visibility.DIRECT: 1}


def reply_visibility(parent: Visibility, preferred: Visibility) -> Visibility:
    """Return the default visibility of a reply: the author's preference, narrowed to the
    parent's audience (a reply to a followers-only or direct post stays as narrow)."""
    if parent in (Visibility.LOCAL, Visibility.FOLLOWERS) and preferred is not Visibility.DIRECT:
        return parent
    return preferred if _REACH[preferred] <= _REACH[parent] else parent
