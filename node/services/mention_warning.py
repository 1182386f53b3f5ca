"""The warning before a followers-only post goes out: mentioned people are in a post's
audience (as in Mastodon), so one who does not follow the author will see it all the same.
The author is told who, and sends it anyway or changes it.

Not warned about: the author of the post answered (the reply is meant for them), and, on an
edit, whoever the post mentioned already (they had it before).
"""

from __future__ import annotations

from typing import Iterable

from tortoise.expressions import Q

from federation.audience import Visibility
from node.models import Actor, Follow, FollowState, Post
from node.services.posting import MentionLookup


async def unfollowing_mentioned(author: Actor, visibility: Visibility, mentions: MentionLookup, *,
                                in_reply_to: str | None = None, already: Iterable[int] = ()) -> list[Actor]:
    """Return the accounts a followers-only post mentions that do not follow its author,
    leaving out the author of the post it answers (`in_reply_to`, its URL) and the actor ids
    in `already`."""
    if visibility is not Visibility.FOLLOWERS:
        return []
    skip = {author.id, *already, *await _author_of(in_reply_to)}
    mentioned = list({a.id: a for a in mentions.found.values() if a.id not in skip}.values())
    if not mentioned:
        return []
    following = set(await Follow.filter(
        target_id=author.id, state=FollowState.ACCEPTED, follower_id__in=[a.id for a in mentioned],
    ).values_list("follower_id", flat=True))
    return [a for a in mentioned if a.id not in following]


async def _author_of(url: str | None) -> list[int]:
    if not url:
        return []
    return await Post.filter(Q(ap_id=url) | Q(url=url)).limit(1).values_list("author_id", flat=True)
