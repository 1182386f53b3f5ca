"""Remote actors and the rig's HTTP client.

FakeActor is an account on a FakeServer: URLs, key pair, Mastodon-shaped documents, and
what the node delivered to it. RigClient is how fake servers and actors talk HTTP: only to
mapped test hosts and loopback.

FakeRemoteActor is a FakeActor a test drives: it builds Mastodon-shaped activities (`follow`, `create_note`, `accept`, `reject`, `undo`),
sends them signed with the rig's own signer over real HTTP (`deliver`), fetches as a signed
remote would (`get`), and lists what the node sent it (`received`, from FakeActor).

    carol = await fediverse.actor("carol@remote.test")
    reply = await carol.deliver(carol.follow(alice_url), node.url("/users/alice/inbox"))
"""

from __future__ import annotations

import html
import ipaddress
import itertools
import json
import socket
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any, Callable, Iterable, Mapping, NamedTuple
from urllib.parse import urlsplit

import aiohttp
from aiohttp.abc import AbstractResolver, ResolveResult

from tests.rig import httpsig
from tests.rig.httpsig import RigKeys

if TYPE_CHECKING:
    from tests.rig.fakeserver import FakeServer, Received

AS_PUBLIC = "https://www.w3.org/ns/activitystreams#Public"
ACCEPT_AP = 'application/activity+json, application/ld+json; profile="https://www.w3.org/ns/activitystreams"'
ACTOR_CONTEXT = ["https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1",
                 {"manuallyApprovesFollowers": "as:manuallyApprovesFollowers"}]
AS_CONTEXT = "https://www.w3.org/ns/activitystreams"
# Mastodon status ids are large numbers; a process-wide counter keeps ours unique.
_status_numbers = itertools.count(113_000_000_000_000_000)

Tamper = Callable[[dict[str, str], bytes], tuple[dict[str, str], bytes]]


# --- the rig's outgoing HTTP client ----------------------------------------------------------

class Reply(NamedTuple):
    status: int
    body: bytes
    headers: Mapping[str, str]

    def json(self) -> Any:
        return json.loads(self.body)


class _MappedResolver(AbstractResolver):
    """Resolves only the names in the host map, to loopback ports; refuses every other name."""

    def __init__(self, host_map: Mapping[str, tuple[str, int]]) -> None:
        self._host_map = host_map

    async def resolve(self, host: str, port: int = 0,
                      family: socket.AddressFamily = socket.AF_INET) -> list[ResolveResult]:
        mapped = self._host_map.get(f"{host}:{port}") or self._host_map.get(host)
        if mapped is None:
            raise OSError(f"the rig only reaches mapped test hosts, not {host}")
        ip, mapped_port = mapped
        return [ResolveResult(hostname=host, host=ip, port=mapped_port, family=socket.AF_INET,
                              proto=0, flags=socket.AI_NUMERICHOST)]

    async def close(self) -> None:
        pass


class RigClient:
    """HTTP for the fake servers and fake actors: mapped test hosts and loopback only.

    `host_map` is read on every request (no DNS cache), so hosts added later are reachable.
    """

    def __init__(self, host_map: Mapping[str, tuple[str, int]]) -> None:
        self.host_map = host_map
        connector = aiohttp.TCPConnector(resolver=_MappedResolver(host_map), use_dns_cache=False)
        self._session = aiohttp.ClientSession(
            connector=connector, timeout=aiohttp.ClientTimeout(total=10),
            headers={"User-Agent": "KithTestRig/1.0"}, auto_decompress=True)

    async def close(self) -> None:
        await self._session.close()

    async def request(self, method: str, url: str, headers: Mapping[str, str] | None = None,
                      body: bytes | None = None) -> Reply:
        """Send one request without following redirects; return status, body and headers."""
        self.check_url(url)
        async with self._session.request(method, url, headers=dict(headers or {}), data=body,
                                         allow_redirects=False) as response:
            return Reply(response.status, await response.read(), dict(response.headers))

    def check_url(self, url: str) -> None:
        """Raise ValueError unless `url` is a mapped test host or a loopback address."""
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        if parts.netloc.lower() in self.host_map or host in self.host_map:
            return
        try:
            if ipaddress.ip_address(host).is_loopback:
                return
        except ValueError:
            pass
        raise ValueError(f"the rig only contacts test hosts and loopback, not {url!r}")


# --- actors --------------------------------------------------------------------------------

@dataclass(eq=False)
class FakeActor:
    """An account on a FakeServer: its URLs, key pair and Mastodon-shaped documents."""

    server: FakeServer
    username: str
    keys: RigKeys
    display_name: str = ""
    summary: str = ""  # the bio, as HTML
    manually_approves_followers: bool = False
    is_gone: bool = False
    outbox: list[dict] = field(default_factory=list)  # activities listed at its outbox URL
    extra: dict = field(default_factory=dict)  # more actor fields (icon, image, tag ...)

    @property
    def id(self) -> str:
        return f"{self.server.base_url}/users/{self.username}"

    @property
    def inbox(self) -> str:
        return f"{self.id}/inbox"

    @property
    def shared_inbox(self) -> str:
        return f"{self.server.base_url}/inbox"

    @property
    def outbox_url(self) -> str:
        return f"{self.id}/outbox"

    @property
    def followers(self) -> str:
        return f"{self.id}/followers"

    @property
    def following(self) -> str:
        return f"{self.id}/following"

    @property
    def key_id(self) -> str:
        return f"{self.id}#main-key"

    @property
    def profile_url(self) -> str:
        return f"{self.server.base_url}/@{self.username}"

    @property
    def handle(self) -> str:
        """user@host, as WebFinger and mentions name it."""
        return f"{self.username}@{self.server.host}"

    def document(self) -> dict:
        """The actor as Mastodon serves it."""
        return {
            "@context": ACTOR_CONTEXT,
            "id": self.id,
            "type": "Person",
            "preferredUsername": self.username,
            "name": self.display_name or self.username.title(),
            "summary": self.summary,
            "url": self.profile_url,
            "inbox": self.inbox,
            "outbox": self.outbox_url,
            "followers": self.followers,
            "following": self.following,
            "manuallyApprovesFollowers": self.manually_approves_followers,
            "discoverable": True,
            "published": "2024-01-01T00:00:00Z",
            "endpoints": {"sharedInbox": self.shared_inbox},
            "publicKey": {"id": self.key_id, "owner": self.id, "publicKeyPem": self.keys.public_pem},
            **self.extra,
        }

    def jrd(self) -> dict:
        return {
            "subject": f"acct:{self.handle}",
            "aliases": [self.profile_url, self.id],
            "links": [
                {"rel": "http://webfinger.net/rel/profile-page", "type": "text/html",
                 "href": self.profile_url},
                {"rel": "self", "type": "application/activity+json", "href": self.id},
            ],
        }

    def is_addressed_by(self, activity: Any) -> bool:
        """Whether a shared-inbox delivery concerns this actor: it is addressed (directly or
        through its followers collection) or is the activity's object (a Follow of it)."""
        if not isinstance(activity, dict):
            return False
        mine = {self.id, self.followers}
        for key in ("to", "cc", "bto", "bcc", "audience"):
            if mine & set(as_list(activity.get(key))):
                return True
        target = activity.get("object")
        target_id = target.get("id") if isinstance(target, dict) else target
        inner_actor = target.get("actor") if isinstance(target, dict) else None
        return self.id in (target_id, inner_actor)

    @property
    def received(self) -> list[Received]:
        """Verified deliveries to this actor: its own inbox, and the shared inbox when the
        activity concerns it (see `is_addressed_by`), oldest first."""
        return [r for r in self.server.accepted
                if r.inbox == self.inbox or (r.inbox == self.shared_inbox
                                             and self.is_addressed_by(r.activity))]


def as_list(value: Any) -> list:
    """A JSON-LD value that may be one item or many, as a list."""
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


# --- actors a test drives ------------------------------------------------------------------

class FakeRemoteActor(FakeActor):
    """A FakeActor that can act: build, sign and send activities; fetch documents."""

    # building activities

    def new_id(self) -> str:
        """A fresh activity id, shaped like Mastodon's follow ids (https://host/<uuid>)."""
        return f"{self.server.base_url}/{uuid.uuid4()}"

    def follow(self, target_actor_url: str) -> dict:
        """Return a Follow of `target_actor_url` with a unique id."""
        return {"@context": AS_CONTEXT, "id": self.new_id(), "type": "Follow",
                "actor": self.id, "object": target_actor_url}

    def accept(self, activity: Mapping) -> dict:
        """Return an Accept of `activity` (e.g. a Follow the node sent), embedding it."""
        return self._respond("Accept", activity)

    def reject(self, activity: Mapping) -> dict:
        return self._respond("Reject", activity)

    def undo(self, activity: Mapping) -> dict:
        """Return an Undo of one of our activities (a Follow, Like, Announce)."""
        return self._respond("Undo", activity)

    def _respond(self, kind: str, activity: Mapping) -> dict:
        other = activity.get("actor")
        return {"@context": AS_CONTEXT, "id": f"{self.id}#{kind.lower()}s/{uuid.uuid4().hex}",
                "type": kind, "actor": self.id, "object": dict(activity),
                **({"to": [other]} if isinstance(other, str) and other != self.id else {})}

    def create_note(self, content: str, *, visibility: str = "public",
                    mentions: Iterable[str] = (), to: list[str] | None = None,
                    cc: list[str] | None = None, in_reply_to: str | None = None,
                    summary: str | None = None, publish: bool = True) -> dict:
        """Return a Mastodon-shaped Create{Note}.

        `visibility` (public, unlisted, followers, direct) addresses it as Mastodon would,
        with `mentions` (actor URLs) added; explicit `to`/`cc` replace that addressing.
        With `publish` the Note is served at its id (signed fetch only unless public or
        unlisted) and public or unlisted Creates are listed in the outbox.
        """
        mentions = list(mentions)
        default_to, default_cc = self._addressing(visibility, mentions)
        to, cc = (default_to if to is None else to), (default_cc if cc is None else cc)
        number = next(_status_numbers)
        note_id = f"{self.id}/statuses/{number}"
        now = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        body = _paragraph(content)
        if mentions:
            body = "<p>" + " ".join(_mention_html(href) for href in mentions) + "</p>" + body
        note = {
            "id": note_id, "type": "Note", "summary": summary, "inReplyTo": in_reply_to,
            "published": now, "url": f"{self.profile_url}/{number}", "attributedTo": self.id,
            "to": to, "cc": cc, "sensitive": bool(summary), "content": body,
            "contentMap": {"en": body}, "attachment": [],
            "tag": [{"type": "Mention", "href": href, "name": _mention_name(href)} for href in mentions],
        }
        create = {"@context": AS_CONTEXT, "id": f"{note_id}/activity", "type": "Create",
                  "actor": self.id, "published": now, "to": to, "cc": cc, "object": note}
        if publish:
            self._publish(create, visibility)
        return create

    def _addressing(self, visibility: str, mentions: list[str]) -> tuple[list[str], list[str]]:
        """Mastodon's to/cc for each visibility (ActivityPub::TagManager#to and #cc)."""
        table = {
            "public": ([AS_PUBLIC], [self.followers, *mentions]),
            "unlisted": ([self.followers], [AS_PUBLIC, *mentions]),
            "followers": ([self.followers], list(mentions)),
            "direct": (list(mentions), []),
        }
        if visibility not in table:
            raise ValueError(f"visibility must be one of {', '.join(table)}")
        return table[visibility]

    def _publish(self, create: dict, visibility: str) -> None:
        public = visibility in ("public", "unlisted")
        self.server.serve(create["object"]["id"], {"@context": AS_CONTEXT, **create["object"]},
                          signed_only=not public)
        if public:
            self.outbox.append(create)

    # talking to the node

    async def deliver(self, activity: Mapping, inbox_url: str, *, signed: bool = True,
                      signer: FakeActor | None = None, tamper: Tamper | None = None) -> Reply:
        """POST `activity` to `inbox_url` signed with our key (or `signer`'s); return the reply.

        `tamper(headers, body)` runs after signing, to send what a broken or hostile server
        would: another body, a dropped header.
        """
        body = json.dumps(activity).encode()
        headers = {"Content-Type": "application/activity+json", "Accept": ACCEPT_AP}
        if signed:
            by = signer or self
            headers = httpsig.sign("POST", inbox_url, headers, body, by.key_id, by.keys.private_pem)
        if tamper is not None:
            headers, body = tamper(dict(headers), body)
        return await self.server.client.request("POST", inbox_url, headers, body)

    async def get(self, url: str, *, signed: bool = True, accept: str = ACCEPT_AP) -> Reply:
        """GET `url` as this actor's server would, signed with our key unless told not to."""
        headers = {"Accept": accept}
        if signed:
            headers = httpsig.sign("GET", url, headers, None, self.key_id, self.keys.private_pem)
        return await self.server.client.request("GET", url, headers)

    def activities(self, kind: str | None = None) -> list[Any]:
        """The verified activities the node sent us (of type `kind`, if given), oldest first."""
        found = [r.activity for r in self.received]
        return [a for a in found if kind is None or (isinstance(a, dict) and a.get("type") == kind)]


def _paragraph(content: str) -> str:
    """Wrap plain text as Mastodon's HTML; content already in HTML passes unchanged."""
    return content if content.lstrip().startswith("<") else f"<p>{html.escape(content)}</p>"


def _mention_name(href: str) -> str:
    """"@user@host" for an actor URL shaped like /users/<name>, else the URL itself."""
    parts = urlsplit(href)
    segments = parts.path.strip("/").split("/")
    if len(segments) == 2 and segments[0] == "users":
        return f"@{segments[1]}@{parts.netloc}"
    return href


def _mention_html(href: str) -> str:
    """The link Mastodon puts in a post's HTML for a mention."""
    name = _mention_name(href)
    username = name.split("@")[1] if name.startswith("@") else href
    return (f'<span class="h-card"><a href="{html.escape(href)}" class="u-url mention">'
            f"@<span>{html.escape(username)}</span></a></span>")
