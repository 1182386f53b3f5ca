"""What a page loads for the media of its posts: attachments, the custom emoji of each
post and of each author's and booster's name. One query per kind for a whole page, never one per post.
"""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING

from tortoise.expressions import Q

from node.models import CustomEmoji, Media

if TYPE_CHECKING:
    from node.postviews import PostView


async def load_media(views: list[PostView]) -> None:
    """Fill in the attachments and emoji of `views` (posts the viewer may see already)."""
    post_ids = [v.post.id for v in views]
    if not post_ids:
        return
    by_post: dict[int, list[Media]] = defaultdict(list)
    for media in await Media.filter(post_id__in=post_ids).order_by("post_id", "position"):
        by_post[media.post_id].append(media)
    remote_names = {v.author.id for v in views if not v.author.local}
    remote_names |= {v.booster.id for v in views if v.booster is not None and not v.booster.local}
    emojis = await emojis_of(post_ids, list(remote_names))
    for view in views:
        view.media = by_post.get(view.post.id, [])
        view.emojis = emojis[("post", view.post.id)]
        view.author_emojis = emojis[("actor", view.author.id)]
        if view.booster is not None:
            view.booster_emojis = emojis[("actor", view.booster.id)]


async def emojis_of(post_ids: list[int], actor_ids: list[int]) -> defaultdict[tuple[str, int], dict[str, str]]:
    """Return {("post", id) or ("actor", id): {shortcode: icon URL}} for those posts and actors."""
    found: defaultdict[tuple[str, int], dict[str, str]] = defaultdict(dict)
    condition = Q(post_id__in=post_ids)
    if actor_ids:
        condition |= Q(actor_id__in=actor_ids)
    rows = await CustomEmoji.filter(condition).values("shortcode", "icon_url", "post_id", "actor_id")
    for row in rows:
        key = ("post", row["post_id"]) if row["post_id"] is not None else ("actor", row["actor_id"])
        found[key][row["shortcode"]] = row["icon_url"]
    return found


async def actor_emojis(actor_id: int) -> dict[str, str]:
    """Return {shortcode: icon URL} of one actor's name (a profile page)."""
    return (await emojis_of([], [actor_id]))[("actor", actor_id)]
