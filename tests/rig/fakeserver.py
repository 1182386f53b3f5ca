"""FakeServer: one remote fediverse server, served for real over HTTP on 127.0.0.1.

Each FakeServer is named for a host ("remote.test") and serves Mastodon-shaped documents
under `http://<host>/...`: WebFinger, actors with their keys, outboxes, NodeInfo, and any
document a test registers with `serve()`. Clients reach it through a host map
(host -> 127.0.0.1:<port>), so URLs and Host headers keep the bare host name and the HTTP
signatures made over them stay real.

On POST to its shared inbox or an actor's inbox it verifies the HTTP signature with the
rig's own verifier (`tests/rig/httpsig.py`, which shares no code with Kith), fetching the
signer's key over HTTP, and records what arrived in `received`. It can fail on request:
`fail_next()`, `go_offline()`/`come_back()`, `slow()`, `gone()`, and `require_signed_fetch`.
"""

from __future__ import annotations

import asyncio
import json
from collections import deque
from dataclasses import dataclass, field
from typing import Any, Mapping
from urllib.parse import urlsplit

import aiohttp
from aiohttp import web

from tests.rig import httpsig
from tests.rig.httpsig import KeyPool, RigKeys
from tests.rig.remote import ACCEPT_AP, FakeActor, FakeRemoteActor, RigClient, as_list

ACTIVITY_JSON = "application/activity+json; charset=utf-8"
NODEINFO_20 = "http://nodeinfo.diaspora.software/ns/schema/2.0"


# --- what a server saw ---------------------------------------------------------------------

@dataclass(frozen=True)
class Received:
    """One POST to an inbox, whether or not its signature verified."""

    inbox: str  # full URL of the inbox that got it
    activity: Any  # parsed JSON, or None when the body was not JSON
    body: bytes
    headers: Mapping[str, str]
    key_id: str | None  # the keyId the Signature header named
    key_owner: str | None  # the `owner` of the fetched key: compare with activity["actor"]
    verified: bool
    reason: str  # "valid", or why verification failed
    status: int  # what the server answered


@dataclass(frozen=True)
class Hit:
    """One request as the server answered it, injected failures included."""

    method: str
    path: str  # with the query
    status: int
    key_id: str | None = None
    headers: Mapping[str, str] = field(default_factory=dict, compare=False)  # as the request sent them

    @property
    def user_agent(self) -> str | None:
        """Who asked: the node's transport, or someone else (a reader's browser)."""
        return next((v for k, v in self.headers.items() if k.lower() == "user-agent"), None)


@dataclass
class _Failure:
    status: int
    times: int
    retry_after: str | None
    method: str | None


@dataclass(frozen=True)
class _Served:
    document: Any  # JSON-able, or bytes sent as they are
    signed_only: bool
    content_type: str
    status: int = 200
    headers: Mapping[str, str] | None = None


@dataclass(frozen=True)
class _Check:
    verified: bool
    key_id: str | None
    key_owner: str | None
    reason: str


# --- the server ----------------------------------------------------------------------------

class FakeServer:
    """One remote server `host`, listening on 127.0.0.1:<port> while started."""

    def __init__(self, host: str, *, keys: KeyPool | None = None, require_signed_fetch: bool = False,
                 software: tuple[str, str] = ("mastodon", "4.3.0")) -> None:
        self.host = host
        self.require_signed_fetch = require_signed_fetch
        self.software = software
        self.actors: dict[str, FakeActor] = {}
        self.documents: dict[str, _Served] = {}
        self.received: list[Received] = []
        self.hits: list[Hit] = []
        self.port: int | None = None
        self.client: RigClient | None = None
        self._keys = keys or KeyPool()
        self._owns_client = False
        self._failures: deque[_Failure] = deque()
        self._delay = 0.0
        self._runner: web.AppRunner | None = None
        self._site: web.TCPSite | None = None

    @property
    def base_url(self) -> str:
        return f"http://{self.host}"

    def url(self, path: str) -> str:
        return self.base_url + path

    @property
    def accepted(self) -> list[Received]:
        """Deliveries whose signature verified (the ones answered 202)."""
        return [r for r in self.received if r.verified]

    # lifecycle

    async def start(self, client: RigClient | None = None) -> None:
        """Listen on a free loopback port. Without `client`, make one that reaches only us."""
        self._runner = web.AppRunner(self._make_app(), access_log=None)
        await self._runner.setup()
        self._site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await self._site.start()
        self.port = self._runner.addresses[0][1]
        if client is None:
            client, self._owns_client = RigClient({self.host: ("127.0.0.1", self.port)}), True
        self.client = client

    async def stop(self) -> None:
        if self._owns_client and self.client is not None:
            await self.client.close()
        if self._runner is not None:
            await self._runner.cleanup()
        self._runner = self._site = None

    async def __aenter__(self) -> FakeServer:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    # content

    def add_actor(self, username: str, *, keys: RigKeys | None = None, **fields: Any):
        """Create and return a FakeRemoteActor `username` here (see tests/rig/remote.py)."""
        actor = FakeRemoteActor(self, username, keys or self._keys.take(), **fields)
        self.actors[username] = actor
        return actor

    def serve(self, path_or_url: str, document: Any, *, signed_only: bool = False,
              content_type: str = ACTIVITY_JSON) -> str:
        """Serve `document` at a path (or our URL) on GET, before any built-in route; return
        its URL. `signed_only` asks for a valid signature as Mastodon does for private posts.
        Bytes are served as they are (media files), anything else as JSON."""
        path = urlsplit(path_or_url).path if "://" in path_or_url else path_or_url
        self.documents[path] = _Served(document, signed_only, content_type)
        return self.url(path)

    def serve_page(self, path: str, body: bytes | str, *, content_type: str = "text/html; charset=utf-8",
                   status: int = 200, headers: Mapping[str, str] | None = None) -> str:
        """Serve `body` as it is (a web page, an image, a redirect with a Location header) at
        `path` on GET, before any built-in route; return its URL."""
        raw = body.encode() if isinstance(body, str) else body
        self.documents[path] = _Served(raw, False, content_type, status, headers)
        return self.url(path)

    # failure injection

    def fail_next(self, status: int, times: int = 1, retry_after: int | str | None = None,
                  method: str | None = None) -> None:
        """Answer the next `times` requests (of `method`, if given) with `status`."""
        retry = None if retry_after is None else str(retry_after)
        self._failures.append(_Failure(status, times, retry, method and method.upper()))

    def slow(self, seconds: float) -> None:
        """Wait `seconds` before answering each request (0 to stop)."""
        self._delay = seconds

    def gone(self, username: str) -> None:
        """Make the actor answer 410 Gone, as a deleted Mastodon account does."""
        self.actors[username].is_gone = True

    async def go_offline(self) -> None:
        """Stop listening and drop open connections: clients get "connection refused"."""
        if self._site is None:
            return
        await self._site.stop()
        self._site = None
        for connection in self._runner.server.connections:
            connection.force_close()  # keep-alive connections would still reach us

    async def come_back(self) -> None:
        """Listen again on the same port."""
        if self._site is None:
            self._site = web.TCPSite(self._runner, "127.0.0.1", self.port, reuse_address=True)
            await self._site.start()

    # the web app

    def _make_app(self) -> web.Application:
        app = web.Application(middlewares=[self._conditions])
        app.add_routes([
            web.get("/.well-known/webfinger", self._webfinger),
            web.get("/.well-known/nodeinfo", self._nodeinfo_links),
            web.get("/nodeinfo/2.0", self._nodeinfo),
            web.get("/users/{name}", self._actor),
            web.get("/users/{name}/{collection:outbox|followers|following}", self._collection),
            web.post("/inbox", self._inbox),
            web.post("/users/{name}/inbox", self._inbox),
            web.get("/{tail:.*}", self._document),
        ])
        return app

    @web.middleware
    async def _conditions(self, request: web.Request, handler) -> web.StreamResponse:
        """Apply slowness and injected failures, serve registered documents, log the hit."""
        if self._delay:
            await asyncio.sleep(self._delay)
        failure = self._take_failure(request.method)
        try:
            if failure is not None:
                headers = {"Retry-After": failure.retry_after} if failure.retry_after else {}
                response = web.Response(status=failure.status, headers=headers, text="injected failure")
            elif request.method == "GET" and request.path in self.documents:
                response = await self._document(request)
            else:
                response = await handler(request)
        except web.HTTPException as exc:
            self.hits.append(Hit(request.method, request.path_qs, exc.status, headers=dict(request.headers)))
            raise
        self.hits.append(Hit(request.method, request.path_qs, response.status,
                             httpsig.key_id_of(request.headers), dict(request.headers)))
        return response

    def _take_failure(self, method: str) -> _Failure | None:
        for failure in self._failures:
            if failure.method in (None, method):
                failure.times -= 1
                if failure.times <= 0:
                    self._failures.remove(failure)
                return failure
        return None

    async def _webfinger(self, request: web.Request) -> web.Response:
        resource = request.query.get("resource", "")
        actor = next((a for a in self.actors.values()
                      if resource in (f"acct:{a.handle}", a.id, a.profile_url)), None)
        if actor is None:
            return web.Response(status=404)
        if actor.is_gone:
            return web.Response(status=410)
        return _json(actor.jrd(), "application/jrd+json; charset=utf-8")

    async def _nodeinfo_links(self, request: web.Request) -> web.Response:
        return _json({"links": [{"rel": NODEINFO_20, "href": self.url("/nodeinfo/2.0")}]},
                     "application/json")

    async def _nodeinfo(self, request: web.Request) -> web.Response:
        name, version = self.software
        return _json({
            "version": "2.0",
            "software": {"name": name, "version": version},
            "protocols": ["activitypub"],
            "services": {"outbound": [], "inbound": []},
            "usage": {"users": {"total": len(self.actors)}, "localPosts": 0},
            "openRegistrations": False,
            "metadata": {},
        }, "application/json; profile=\"http://nodeinfo.diaspora.software/ns/schema/2.0#\"")

    async def _actor(self, request: web.Request) -> web.Response:
        actor, refusal = await self._readable_actor(request)
        return refusal or _json(actor.document())

    async def _collection(self, request: web.Request) -> web.Response:
        actor, refusal = await self._readable_actor(request)
        if refusal:
            return refusal
        which = request.match_info["collection"]
        items = actor.outbox if which == "outbox" else []
        return _json({"@context": "https://www.w3.org/ns/activitystreams",
                      "id": f"{actor.id}/{which}", "type": "OrderedCollection",
                      "totalItems": len(items), "orderedItems": items})

    async def _readable_actor(self, request: web.Request) -> tuple[FakeActor | None, web.Response | None]:
        actor = self.actors.get(request.match_info["name"])
        if actor is None:
            return None, web.Response(status=404)
        if actor.is_gone:
            return None, web.Response(status=410)
        return actor, await self._fetch_refusal(request, self.require_signed_fetch)

    async def _document(self, request: web.Request) -> web.Response:
        served = self.documents.get(request.path)
        if served is None:
            return web.Response(status=404)
        refusal = await self._fetch_refusal(request, served.signed_only or self.require_signed_fetch)
        if refusal is None and isinstance(served.document, bytes):
            headers = {"Content-Type": served.content_type, **(served.headers or {})}
            return web.Response(body=served.document, status=served.status, headers=headers)
        return refusal or _json(served.document, served.content_type)

    async def _fetch_refusal(self, request: web.Request, needs_signature: bool) -> web.Response | None:
        """401 for a GET that must be signed and is not validly signed, else None."""
        if not needs_signature:
            return None
        check = await self._check_signature(request, None)
        return None if check.verified else web.Response(status=401, text=check.reason)

    async def _inbox(self, request: web.Request) -> web.Response:
        """Verify the signature, record the activity, answer 202 (401 when unverified)."""
        name = request.match_info.get("name")
        actor = self.actors.get(name) if name else None
        if name and actor is None:
            return web.Response(status=404)
        if actor is not None and actor.is_gone:
            return web.Response(status=410)
        body = await request.read()
        check = await self._check_signature(request, body)
        activity = _json_or_none(body)
        status = 401 if not check.verified else 400 if activity is None else 202
        self.received.append(Received(
            inbox=self.url(request.path), activity=activity, body=body, headers=dict(request.headers),
            key_id=check.key_id, key_owner=check.key_owner, verified=check.verified,
            reason=check.reason, status=status))
        return web.Response(status=status, text="" if status == 202 else check.reason)

    async def _check_signature(self, request: web.Request, body: bytes | None) -> _Check:
        key_id = httpsig.key_id_of(request.headers)
        if key_id is None:
            return _Check(False, None, None, "unsigned")
        pem, owner, problem = await self._fetch_key(key_id)
        if pem is None:
            return _Check(False, key_id, None, problem)
        ok, reason = httpsig.verify(request.method, request.raw_path, request.headers, body, pem)
        return _Check(ok, key_id, owner, reason)

    async def _fetch_key(self, key_id: str) -> tuple[str | None, str | None, str]:
        """Return (public PEM, owner, "") for `key_id`, fetched over HTTP, or (None, None, why).

        Fetched fresh every time, unsigned, so a key the node rotated is seen at once.
        """
        try:
            reply = await self.client.request("GET", key_id.split("#", 1)[0], {"Accept": ACCEPT_AP})
        except (ValueError, aiohttp.ClientError, asyncio.TimeoutError) as exc:
            return None, None, f"cannot fetch key {key_id}: {type(exc).__name__} {exc}"
        if reply.status != 200:
            return None, None, f"key {key_id} answered {reply.status}"
        key = _key_in(_json_or_none(reply.body), key_id)
        if key is None:
            return None, None, f"no public key {key_id} in the fetched document"
        return key["publicKeyPem"], key.get("owner"), ""


def _key_in(document: Any, key_id: str) -> dict | None:
    """Return the key object `key_id` in an actor (publicKey: one or many) or key document."""
    if not isinstance(document, dict):
        return None
    candidates = [document, *as_list(document.get("publicKey"))]
    return next((k for k in candidates if isinstance(k, dict) and k.get("id") == key_id
                 and isinstance(k.get("publicKeyPem"), str)), None)


def _json(document: Any, content_type: str = ACTIVITY_JSON, status: int = 200) -> web.Response:
    return web.Response(body=json.dumps(document).encode(), status=status,
                        headers={"Content-Type": content_type})


def _json_or_none(body: bytes) -> Any:
    try:
        return json.loads(body)
    except ValueError:
        return None
