"""What goes with a deleted post: its earlier versions, the notifications about it, the
boosts and likes of it, its poll, link card, custom emoji and remote attachments. A
tombstone keeps only its id (so replies still know their parent and the id is never
reused); nothing it said stays anywhere it could be shown.

Called inside the transaction that makes the tombstone, for our own posts
(services.posting.delete_post) and for remote ones (handlers.on_delete). The files of our
own attachments are the caller's to remove after commit (services.media.delete_media_of).
"""

from __future__ import annotations

from node.models import CustomEmoji, Favourite, Media, Notification, Poll, Post, PostEdit, PostLinkCard
from node.services.reactions import boosted_post_changed


async def forget_post(post_id: int) -> None:
    """Remove what refers to the deleted post `post_id` and could show it."""
    await PostEdit.filter(post_id=post_id).delete()
    await Notification.filter(post_id=post_id).delete()
    # Boosts of it go as Mastodon's reblogs do; first the boosters' cached pages, which show it.
    await boosted_post_changed(post_id)
    await Post.filter(boost_of_id=post_id).delete()
    await Favourite.filter(post_id=post_id).delete()
    await Poll.filter(post_id=post_id).delete()  # its options and votes go with it
    await PostLinkCard.filter(post_id=post_id).delete()
    await CustomEmoji.filter(post_id=post_id).delete()
    await Media.filter(post_id=post_id, file_name=None).delete()  # remote: metadata only
