"""Domain tables, one module per subject; this package is what Tortoise registers as
"models" (node.db.MODEL_MODULES), so every model is re-exported here.

Protocol fields carry an `ap_` prefix; database keys are `pk`.
"""

from node.models.accounts import Account, Actor, Session
from node.models.edits import PostEdit
from node.models.link_cards import LinkCard, LinkCardState, PostLinkCard
from node.models.media import CustomEmoji, Media
from node.models.notifications import Notification, NotificationKind
from node.models.polls import Poll, PollOption, PollVote
from node.models.posts import Mention, Post, Tag
from node.models.social import Block, DomainBlock, Favourite, Follow, FollowState

__all__ = [
    "Account", "Actor", "Block", "CustomEmoji", "DomainBlock", "Favourite", "Follow", "FollowState",
    "LinkCard", "LinkCardState", "Media", "Mention", "Notification", "NotificationKind", "Poll", "PollOption",
    "PollVote", "Post", "PostEdit", "PostLinkCard", "Session", "Tag",
]
