"""Fetching remote actors, keys and objects, and caching keys.

Every fetch is a GET signed by one of our actors (the instance actor when no user is
involved), so servers with authorized fetch answer. Keys are cached in memory and in the
`remote_keys` table; `public_key(..., refresh=True)` refetches one whose signature failed,
in case the owner rotated it.

I/O ring: transport, Tortoise protocol tables, the pure core; never Quart or node.
"""

from __future__ import annotations

import json
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Callable
from urllib.parse import urldefrag

from federation.actors import RemoteActorInfo, parse_actor, public_key_of
from federation.errors import FetchError, Gone, NotFound, Rejected, Unauthorized
from federation.models import RemoteKey
from federation.transport import Signer, Transport
from federation.vocab import AP_MEDIA_TYPES, host_of, id_of
from federation.webfinger import JRD_JSON, Handle, actor_url_from_jrd, self_link, subject_of, webfinger_url

ACCEPT_AP = ", ".join(AP_MEDIA_TYPES)
KEY_CACHE_SIZE = 4096


@dataclass(frozen=True)
class KnownKey:
    key_id: str
    owner: str
    pem: str


class Resolver:
    """Fetches what remote servers publish; one per process, sharing the transport."""

    def __init__(self, transport: Transport, sign: Signer, now: Callable[[], datetime] | None = None,
                 key_max_age: timedelta = timedelta(days=1)) -> None:
        self.transport = transport
        self._sign = sign
        self._now = now or (lambda: datetime.now(timezone.utc))
        self._key_max_age = key_max_age
        self._keys: OrderedDict[str, KnownKey] = OrderedDict()

    async def fetch_json(self, url: str) -> dict:
        """Return the ActivityPub document at `url`; raise FetchError (or a subclass)."""
        response = await self.transport.get(url, accept=ACCEPT_AP, sign=self._sign)
        if response.status == 410:
            raise Gone(f"{url} is gone")
        if response.status == 404:
            raise NotFound(f"{url} was not found")
        if response.status in (401, 403):
            raise Unauthorized(f"{url} refused to show itself to us ({response.status})")
        if response.status != 200:
            raise FetchError(f"{url} answered {response.status}")
        return _json_object(response.body, url)

    async def fetch_object(self, url: str) -> dict:
        """Return the object at `url`, which must say it is the object at that URL's host."""
        document = await self.fetch_json(url)
        object_id = id_of(document)
        if not object_id or host_of(object_id) != host_of(url):
            raise Rejected(f"{url} served an object claiming to be {object_id!r}")
        return document

    async def fetch_actor(self, url: str) -> RemoteActorInfo:
        """Return the actor at `url`, parsed and checked; remember its key."""
        info = parse_actor(await self.fetch_object(url))
        if info.public_key_id and info.public_key_pem:
            await self._remember(KnownKey(info.public_key_id, info.ap_id, info.public_key_pem))
        return info

    async def actor_for_handle(self, handle: Handle) -> RemoteActorInfo:
        """Return the actor `user@host` names, via WebFinger (a non-canonical answer is
        confirmed with the canonical account's own host, as Mastodon does)."""
        jrd = await self._webfinger(handle)
        try:
            url = actor_url_from_jrd(jrd, handle)
        except Rejected:
            canonical = subject_of(jrd)
            if canonical is None or canonical == handle:
                raise
            url = actor_url_from_jrd(await self._webfinger(canonical), canonical)
            if url != self_link(jrd):
                raise Rejected(f"{handle} and {canonical} disagree about the account") from None
        return await self.fetch_actor(url)

    async def _webfinger(self, handle: Handle) -> dict:
        scheme = "http" if self._plain_http(handle.host) else "https"
        response = await self.transport.get(webfinger_url(handle, scheme), accept=f"{JRD_JSON}, application/json")
        if response.status == 404:
            raise NotFound(f"no account {handle}")
        if response.status != 200:
            raise FetchError(f"WebFinger for {handle} answered {response.status}")
        return _json_object(response.body, f"WebFinger for {handle}")

    def _plain_http(self, host: str) -> bool:
        # Test hosts and loopback trials serve plain http (TransportConfig decides which).
        config = self.transport.config
        return host in config.host_map or host.split(":")[0] in config.host_map or (
            config.allow_private and host.split(":")[0] in ("localhost", "127.0.0.1"))

    async def public_key(self, key_id: str, *, refresh: bool = False) -> KnownKey:
        """Return the key `key_id` names and its owner: cached unless `refresh` or stale."""
        if not refresh:
            known = self._keys.get(key_id) or await self._stored_key(key_id)
            if known:
                return known
        return await self._fetch_key(key_id)

    async def _stored_key(self, key_id: str) -> KnownKey | None:
        row = await RemoteKey.get_or_none(key_id=key_id)
        if row is None or self._now() - row.fetched_at > self._key_max_age:
            return None
        known = KnownKey(row.key_id, row.owner, row.public_key_pem)
        self._cache(known)
        return known

    async def _fetch_key(self, key_id: str) -> KnownKey:
        document = await self.fetch_json(urldefrag(key_id).url)
        known = _key_in(document, key_id)
        if known is None:
            raise Rejected(f"{key_id} does not lead to a usable public key")
        if host_of(known.owner) != host_of(key_id):
            raise Rejected(f"{key_id} claims an owner on another host")
        await self._remember(known)
        return known

    async def _remember(self, known: KnownKey) -> None:
        self._cache(known)
        await RemoteKey.update_or_create(
            defaults={"owner": known.owner, "public_key_pem": known.pem, "fetched_at": self._now()},
            key_id=known.key_id,
        )

    def _cache(self, known: KnownKey) -> None:
        self._keys[known.key_id] = known
        self._keys.move_to_end(known.key_id)
        if len(self._keys) > KEY_CACHE_SIZE:
            self._keys.popitem(last=False)


def _key_in(document: dict, key_id: str) -> KnownKey | None:
    """Return key `key_id` from an actor document, or from a bare key document (GoToSocial
    serves `…/main-key` as the key alone, with its owner)."""
    if "publicKeyPem" in document:
        owner = id_of(document.get("owner")) or id_of(document.get("controller"))
        pem = document.get("publicKeyPem")
        if id_of(document) == key_id and owner and isinstance(pem, str):
            return KnownKey(key_id, owner, pem)
        return None
    actor_id = id_of(document)
    key = public_key_of(document, actor_id) if actor_id else None
    if key is None or key.key_id != key_id or not key.pem:
        return None
    return KnownKey(key_id, actor_id, key.pem)


def _json_object(body: bytes, what: str) -> dict:
    try:
        document = json.loads(body)
    except ValueError:
        raise FetchError(f"{what} is not JSON") from None
    if not isinstance(document, dict):
        raise FetchError(f"{what} is not a JSON object")
    return document
