"""Remote actors in our database: found by handle or IRI, fetched and kept fresh."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from federation.actors import RemoteActorInfo
from federation.resolver import Resolver
from federation.vocab import host_of
from federation.webfinger import parse_handle
from node.html import sanitize
from node.media.attachments import replace_actor_emojis
from node.models import Actor

STALE_AFTER = timedelta(days=1)


async def remote_actor(resolver: Resolver, ap_id: str, *, refresh: bool = False) -> Actor:
    """Return our row for the remote actor `ap_id`, fetching it when unknown or stale."""
    actor = await Actor.get_or_none(ap_id=ap_id)
    if actor is not None and (actor.local or not (refresh or _stale(actor))):
        return actor
    return await save_remote_actor(await resolver.fetch_actor(ap_id))


async def actor_for_handle(resolver: Resolver, text: str) -> Actor:
    """Return the actor `@user@host` names (WebFinger, then the actor document)."""
    handle = parse_handle(text)
    known = await Actor.get_or_none(username__iexact=handle.username, domain=handle.host)
    if known is not None and (known.local or not _stale(known)):
        return known
    return await save_remote_actor(await resolver.actor_for_handle(handle))


async def save_remote_actor(info: RemoteActorInfo) -> Actor:
    """Insert or refresh the row of a remote actor from its parsed document."""
    fields = {
        "actor_type": info.actor_type,
        "username": info.username,
        "domain": host_of(info.ap_id),
        "local": False,
        "display_name": (info.display_name or "")[:255],
        "summary_html": sanitize(info.summary_html or ""),
        "url": info.url or info.ap_id,
        "inbox": info.inbox,
        "shared_inbox": info.shared_inbox,
        "outbox": info.outbox or "",
        "followers_url": info.followers or "",
        "following_url": info.following or "",
        "featured_url": info.featured or "",
        "public_key_id": info.public_key_id or "",
        "public_key_pem": info.public_key_pem or "",
        "avatar_url": info.icon_url,
        "header_url": info.image_url,
        "locked": info.locked,
        "discoverable": info.discoverable,
        "fetched_at": datetime.now(timezone.utc),
        "changed_at": datetime.now(timezone.utc),
    }
    actor, _ = await Actor.update_or_create(defaults=fields, ap_id=info.ap_id)
    await replace_actor_emojis(actor, info.emojis)
    return actor


def _stale(actor: Actor) -> bool:
    return actor.fetched_at is None or datetime.now(timezone.utc) - actor.fetched_at > STALE_AFTER
