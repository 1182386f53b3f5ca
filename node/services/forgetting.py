"""What goes with a deleted post: its earlier versions, the notifications about it, and the
boosts and likes of it. A tombstone keeps only its id (so replies still know their parent and
the id is never reused); nothing it said stays anywhere it could be shown.

Called inside the transaction that makes the tombstone, for our own posts
(services.posting.delete_post) and for remote ones (handlers.on_delete).
"""

from __future__ import annotations

from node.models import Boost, Favourite, Notification, PostEdit


async def forget_post(post_id: int) -> None:
    """Remove what refers to the deleted post `post_id` and could show it."""
    await PostEdit.filter(post_id=post_id).delete()
    await Notification.filter(post_id=post_id).delete()
    await Boost.filter(post_id=post_id).delete()
    await Favourite.filter(post_id=post_id).delete()
