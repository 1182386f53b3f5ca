"""Our rows to ActivityPub documents: actors, Notes and their Creates.

Converters name their direction (GoToSocial's StatusToAS). Addressing comes only from
federation.audience.addressing_for.
"""

from __future__ import annotations

from federation.activities import HashtagTag, MentionTag, NoteFacts, PollFacts, create, note, question
from federation.actors import LocalActor, local_actor_document
from federation.audience import addressing_for
from node.media.attachments import loaded_media, media_documents
from node.models import Account, Actor, Post
from node.uris import Uris


def account_to_actor(uris: Uris, account: Account) -> dict:
    """Return the Person document of a local account (its actor must be loaded)."""
    actor: Actor = account.actor
    return local_actor_document(LocalActor(
        ap_id=actor.ap_id,
        username=actor.username,
        inbox=actor.inbox,
        outbox=actor.outbox,
        public_key_id=actor.public_key_id,
        public_key_pem=actor.public_key_pem,
        published=actor.created_at,
        display_name=actor.display_name,
        summary_html=actor.summary_html,
        url=actor.url,
        followers=actor.followers_url,
        following=actor.following_url,
        featured=actor.featured_url or uris.featured(actor.username),
        shared_inbox=actor.shared_inbox,
        locked=actor.locked,
        discoverable=actor.discoverable,
        indexable=actor.discoverable,
        icon_url=actor.avatar_url,
        image_url=actor.header_url,
    ))


def instance_actor(uris: Uris, public_key_pem: str, published) -> dict:
    """Return the Application actor that signs fetches made on behalf of no user."""
    return local_actor_document(LocalActor(
        ap_id=uris.instance_actor(),
        username=uris.host.split(":")[0],
        inbox=f"{uris.instance_actor()}/inbox",
        outbox=f"{uris.instance_actor()}/outbox",
        public_key_id=uris.instance_key_id(),
        public_key_pem=public_key_pem,
        published=published,
        url=f"{uris.base}/about",
        shared_inbox=uris.shared_inbox(),
        locked=True,  # nobody follows the instance actor
        actor_type="Application",
    ))


def post_to_note(uris: Uris, post: Post, author: Actor, mentioned: list[Actor], tags: list[str],
                 poll: PollFacts | None = None) -> dict:
    """Return the Note for a post, a Question when it has a poll (never called for
    local-only posts); its attachments are the post's `media` when loaded
    (`await post.fetch_related("media")`)."""
    addressing = addressing_for(post.visibility, author.followers_url, [a.ap_id for a in mentioned])
    document = note(NoteFacts(
        ap_id=post.ap_id,
        url=post.url,
        attributed_to=author.ap_id,
        content_html=post.content_html,
        published=post.created_at,
        updated=post.edited_at,
        to=addressing.to,
        cc=addressing.cc,
        summary=post.content_warning,
        sensitive=post.sensitive,
        in_reply_to=post.in_reply_to_ap_id,
        mentions=tuple(MentionTag(a.ap_id, f"@{a.handle}") for a in mentioned),
        hashtags=tuple(HashtagTag(uris.tag(t), f"#{t}") for t in tags),
        attachments=media_documents(uris, loaded_media(post)),
    ))
    return question(document, poll) if poll else document


def post_to_create(uris: Uris, post: Post, author: Actor, mentioned: list[Actor], tags: list[str],
                   poll: PollFacts | None = None) -> dict:
    """Return the Create activity of a post."""
    return create(post_to_note(uris, post, author, mentioned, tags, poll))
