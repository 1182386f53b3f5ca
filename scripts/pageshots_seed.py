"""The content scripts/pageshots.py photographs: a node with two local accounts and three
remote ones on the fake fediverse (tests/rig), made through the real paths. Local posts
go through the web forms over HTTP; remote ones arrive as signed activities at the inbox
and are processed by the node's own workers; their pictures, avatars and emoji are served
by the fake servers and reach the browser only through the node's media proxy.

What it makes: a boost, a post with four described pictures, a poll (open, voted) and an
ended one, a link card, content warnings, custom emoji in a name and a text, an edited
post with history, a reply thread, and notifications of every kind.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from urllib.parse import quote

import aiohttp
from PIL import Image, ImageDraw

from federation.models import InboxItem, InboxState
from node.models import Actor, Follow, FollowState, LinkCard, Poll, Post
from node.security import SESSION_COOKIE
from node.services.accounts import create_account
from node.services.poll_updates import close_poll
from node.services.remote import remote_actor
from node.services.sessions import open_session
from tests.rig.waiting import eventually

AS = "https://www.w3.org/ns/activitystreams"
PUBLIC = "https://www.w3.org/ns/activitystreams#Public"
PASSWORD = "correct horse battery"

STORY = b"""<!doctype html><html><head><title>Rivers return</title>
<meta property="og:title" content="After forty years, the rivers return to the valley">
<meta property="og:description" content="The dams came down last spring. This summer the salmon came back, and with them the bears, the eagles and a town that had almost forgotten its river.">
<meta property="og:site_name" content="The Valley News">
<meta property="og:image" content="/images/river.jpg">
</head><body>story</body></html>"""


def picture(width: int, height: int, sky: tuple, ground: tuple, sun: tuple = (255, 214, 102)) -> bytes:
    """A JPEG landscape: a sky fading to the horizon, a sun, hills."""
    image = Image.new("RGB", (width, height), sky)
    draw = ImageDraw.Draw(image)
    horizon = int(height * 0.62)
    for y in range(horizon):
        t = y / horizon
        draw.line([(0, y), (width, y)], fill=tuple(int(c * (1 - t) + 235 * t) for c in sky))
    r = max(8, min(width, height) // 9)
    draw.ellipse([width * 0.7 - r, height * 0.28 - r, width * 0.7 + r, height * 0.28 + r], fill=sun)
    hill = [(0, horizon), (width * 0.35, height * 0.45), (width * 0.7, horizon)]
    draw.polygon(hill, fill=tuple(c // 2 for c in ground))
    draw.rectangle([0, horizon, width, height], fill=ground)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    return out.getvalue()


def avatar(colour: tuple, letter_colour: tuple = (255, 255, 255)) -> bytes:
    image = Image.new("RGB", (96, 96), colour)
    ImageDraw.Draw(image).ellipse([24, 18, 72, 66], fill=letter_colour)
    ImageDraw.Draw(image).rectangle([14, 70, 82, 96], fill=letter_colour)
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def emoji_png() -> bytes:
    image = Image.new("RGBA", (64, 64), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.ellipse([4, 4, 60, 60], fill=(255, 200, 40, 255))
    draw.ellipse([18, 20, 26, 30], fill=(40, 30, 20, 255))
    draw.ellipse([38, 20, 46, 30], fill=(40, 30, 20, 255))
    draw.arc([16, 24, 48, 50], 20, 160, fill=(40, 30, 20, 255), width=4)
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


@dataclass
class Seeded:
    """What the screenshots visit: the accounts' session tokens and the posts' paths."""

    sessions: dict[str, str] = field(default_factory=dict)  # username -> session token
    paths: dict[str, str] = field(default_factory=dict)  # name -> path on the node


class WebUser:
    """A local account using the node's web forms over HTTP, as a browser would."""

    def __init__(self, http: aiohttp.ClientSession, base: str, token: str) -> None:
        self.http, self.base, self.cookie = http, base, {"Cookie": f"{SESSION_COOKIE}={token}"}

    async def page(self, path: str) -> str:
        async with self.http.get(self.base + path, headers=self.cookie) as response:
            return await response.text()

    async def post(self, path: str, form: dict | list, *, from_page: str = "/", files=()) -> str:
        """Submit `form` (with `files`: (field, name, bytes, type)) and return where it led."""
        token = re.search(r'name="csrf_token" value="([^"]+)"', await self.page(from_page)).group(1)
        data = aiohttp.FormData([("csrf_token", token), *(form.items() if isinstance(form, dict) else form)])
        for name, filename, body, kind in files:
            data.add_field(name, body, filename=filename, content_type=kind)
        async with self.http.post(self.base + path, data=data, headers=self.cookie, allow_redirects=False) as response:
            if response.status not in (200, 302, 303):
                raise RuntimeError(f"POST {path}: {response.status} {(await response.text())[:300]}")
            return response.headers.get("Location", "").removeprefix(self.base)

    async def compose(self, text: str, *, files=(), **fields) -> str:
        form = {"text": text, "visibility": "public", **fields}
        return await self.post("/posts", form, files=files)


class Seeder:
    """Makes the content, in an order that gives the notifications a realistic mix."""

    def __init__(self, node, fediverse, uris) -> None:
        self.node, self.fediverse, self.uris = node, fediverse, uris
        self.seeded = Seeded()

    async def run(self) -> Seeded:
        async with aiohttp.ClientSession() as http:
            self.http = http
            await self._people()
            await self._remote_posts()
            await self._alice_posts()
            await self._conversation()
            await self._reactions()
            await self._late_news()
        return self.seeded

    # --- people --------------------------------------------------------------------------

    async def _people(self) -> None:
        alice = await create_account(self.uris, "alice", PASSWORD)
        bob = await create_account(self.uris, "bob", PASSWORD)
        await Actor.filter(id=alice.actor_id).update(display_name="Alice Liddell", summary_html=(
            "<p>Gardener, reader, occasional photographer. Posts about tomatoes, rivers and "
            "small software.</p>"))
        await Actor.filter(id=bob.actor_id).update(display_name="Bob")
        for account in (alice, bob):
            self.seeded.sessions[account.username] = await open_session(account)
        self.alice = WebUser(self.http, self.node.base_url, self.seeded.sessions["alice"])
        self.bob = WebUser(self.http, self.node.base_url, self.seeded.sessions["bob"])
        self.alice_account, self.bob_account = alice, bob
        remote, other = self.fediverse["remote.test"], self.fediverse["other.test"]
        blob = remote.serve("/emoji/blobcat.png", emoji_png(), content_type="image/png")
        self.emoji = {"type": "Emoji", "id": "http://remote.test/emojis/blobcat", "name": ":blobcat:",
                      "icon": {"type": "Image", "mediaType": "image/png", "url": blob}}
        header = remote.serve("/files/header.jpg", picture(1500, 500, (90, 140, 200), (70, 120, 60)),
                              content_type="image/jpeg")
        self.carol = await self.fediverse.actor(
            "carol@remote.test", display_name="Carol Mendes :blobcat:",
            summary="<p>Birds, trains, and the occasional "
                    "<a href=\"http://remote.test/tags/sourdough\">#sourdough</a>.</p>",
            extra={"icon": {"type": "Image", "url": remote.serve("/files/carol.png", avatar((180, 70, 90)),
                                                                 content_type="image/png")},
                   "image": {"type": "Image", "url": header}, "tag": [self.emoji]})
        self.dave = await self.fediverse.actor(
            "dave@other.test", display_name="Dave from the Other Place, Who Has a Very Long Display Name",
            extra={"icon": {"type": "Image", "url": other.serve("/files/dave.png", avatar((50, 110, 160)),
                                                                content_type="image/png")}})
        self.erin = await self.fediverse.actor("erin_with_a_long_username@other.test")
        resolver = self.node.app.config["KITH_RUNTIME"].resolver
        for fake in (self.carol, self.dave):
            actor = await remote_actor(resolver, fake.id)
            await Follow.create(follower_id=alice.actor_id, target_id=actor.id, state=FollowState.ACCEPTED)
        await self._send(self.carol, self.carol.follow(alice.actor.ap_id))  # a follow notification
        await self.bob.post("/follow", {"actor": alice.actor.ap_id})

    async def _send(self, fake, activity: dict) -> None:
        reply = await fake.deliver(activity, self.node.url("/inbox"))
        if reply.status != 202:
            raise RuntimeError(f"{activity['type']} refused: {reply.status}")

        async def settled():
            item = await InboxItem.get_or_none(activity_id=activity["id"])
            return item if item and item.state != InboxState.RECEIVED else None

        item = await eventually(settled, what=f"{activity['type']} processed", timeout=20)
        if item.state != InboxState.PROCESSED:
            raise RuntimeError(f"{activity['type']} not processed: {item.error}")

    # --- posts -----------------------------------------------------------------------------

    async def _remote_posts(self) -> None:
        remote = self.fediverse["remote.test"]
        photo = remote.serve("/files/heron.jpg", picture(1200, 800, (120, 160, 210), (60, 100, 70)),
                             content_type="image/jpeg")
        note = self.carol.create_note(
            "<p>A grey heron stood on the old railway bridge all morning :blobcat: "
            "<a href=\"http://remote.test/tags/birds\" class=\"mention hashtag\" rel=\"tag\">"
            "#<span>birds</span></a></p>")
        note["object"]["attachment"] = [{"type": "Document", "mediaType": "image/jpeg", "url": photo,
                                         "name": "A grey heron standing on a rusty iron bridge over a slow river",
                                         "width": 1200, "height": 800, "blurhash": "LEHV6nWB2yk8pyo0adR*.7kCMdnj"}]
        note["object"]["tag"].append(self.emoji)
        await self._send(self.carol, note)
        spoiler = self.dave.create_note(
            "<p>The last episode: the lighthouse keeper was the narrator all along, and the ship never left "
            "the harbour. I have thoughts.</p>", summary="Spoilers: The Lighthouse, season finale")
        await self._send(self.dave, spoiler)
        long_one = self.dave.create_note(
            "<p>Reading list for the weekend: <a href=\"http://other.test/a/very/long/path/that/goes/on/and/on/"
            "forever-and-ever-without-a-single-break-in-it-at-all\">http://other.test/a/very/long/path/that/goes/on/"
            "and/on/forever-and-ever-without-a-single-break-in-it-at-all</a> and "
            "Donaudampfschifffahrtsgesellschaftskapitänswitwenrentenversicherung.</p>")
        await self._send(self.dave, long_one)
        boost = {"@context": AS, "id": f"{self.carol.id}/statuses/boost-1/activity", "type": "Announce",
                 "actor": self.carol.id, "published": _now(), "object": long_one["object"]["id"],
                 "to": [PUBLIC], "cc": [self.dave.id, self.carol.followers]}
        await self._send(self.carol, boost)

    async def _alice_posts(self) -> None:
        alice = self.alice
        views = [("garden-1.jpg", picture(1600, 1200, (130, 180, 230), (80, 140, 60)),
                  "Rows of tomato plants tied to bamboo canes, in morning sun"),
                 ("garden-2.jpg", picture(900, 1200, (200, 150, 120), (120, 90, 60)),
                  "A wheelbarrow full of dark compost beside the shed, seen from above"),
                 ("garden-3.jpg", picture(1000, 1000, (240, 200, 140), (150, 160, 70)),
                  "Sunflowers taller than the fence, against an orange evening sky"),
                 ("garden-4.jpg", picture(2400, 800, (100, 130, 190), (50, 90, 60)),
                  "Panorama of the whole allotment with the river behind it")]
        files = [(f"media_{n}", name, body, "image/jpeg") for n, (name, body, _) in enumerate(views, 1)]
        alts = {f"alt_{n}": alt for n, (_, _, alt) in enumerate(views, 1)}
        self.seeded.paths["garden"] = await alice.compose(
            "The allotment in four pictures, end of June. The tomatoes are finally winning. #gardening",
            files=files, **alts)
        self.seeded.paths["poll"] = await alice.post("/posts", [
            ("text", "Which should I plant in the empty bed next?"), ("visibility", "public"),
            *[("poll_option", o) for o in ("Beans", "Courgettes", "Leeks", "Nothing, let it rest")],
            ("poll_expires", "86400")])
        self.seeded.paths["ended_poll"] = await alice.post("/posts", [
            ("text", "Tea or coffee in the shed?"), ("visibility", "followers"),
            *[("poll_option", o) for o in ("Tea", "Coffee")], ("poll_expires", "300")])
        news = await self.fediverse.add_server("news.test")
        news.serve_page("/story", STORY)
        river = picture(1200, 630, (90, 150, 200), (40, 110, 90))
        news.serve_page("/images/river.jpg", river, content_type="image/jpeg")
        self.seeded.paths["link"] = await alice.compose("Good news from upstream: http://news.test/story")
        await eventually(lambda: LinkCard.get_or_none(title__startswith="After forty years"), what="the link card",
                         timeout=20)
        self.seeded.paths["cw"] = await alice.compose(
            "I finally cut back the brambles and found a hedgehog nest. Everyone is fine, I put it all back.",
            content_warning="Garden wildlife (hedgehogs, a bit of blood from the brambles)", visibility="followers")
        edited = await alice.compose("Harvest so far: 3 kilos of tomatos, two courgettes.")
        self.seeded.paths["edited"] = edited
        await alice.post(edited + "/edit", {"text": "Harvest so far: 3 kilos of tomatoes, two courgettes.",
                                            "content_warning": ""}, from_page=edited + "/edit")
        await alice.post(edited + "/edit", {"text": "Harvest so far: 4 kilos of tomatoes, two courgettes and one "
                                                    "very proud pumpkin.", "content_warning": ""},
                         from_page=edited + "/edit")

    async def _conversation(self) -> None:
        garden = await self._post_of("garden")
        alice = self.alice_account.actor.ap_id
        reply = self.carol.create_note("Those sunflowers! What variety are they?", mentions=[alice],
                                       in_reply_to=garden.ap_id)
        self.carol_reply = reply
        await self._send(self.carol, reply)
        self.seeded.paths["reply"] = "/?in_reply_to=" + quote(reply["object"]["id"], safe="")
        deeper = self.dave.create_note("Seconding the question, mine never get past the fence.",
                                       mentions=[self.carol.id, alice],
                                       in_reply_to=reply["object"]["id"])
        await self._send(self.dave, deeper)
        await self.alice.compose("@carol@remote.test Russian Giant, from seeds a neighbour gave me.",
                                 in_reply_to=reply["object"]["id"])
        mention = self.dave.create_note("Has anyone tried growing sweet potatoes this far north? "
                                        "@alice, you seem to grow everything.", mentions=[alice])
        await self._send(self.dave, mention)

    async def _reactions(self) -> None:
        garden = await self._post_of("garden")
        for n, fake in enumerate((self.carol, self.dave), 1):
            await self._send(fake, {"@context": AS, "id": f"{fake.id}#likes/{n}", "type": "Like",
                                    "actor": fake.id, "object": garden.ap_id})
        await self._send(self.carol, {"@context": AS, "id": f"{self.carol.id}/statuses/boost-2/activity",
                                      "type": "Announce", "actor": self.carol.id, "published": _now(),
                                      "object": garden.ap_id, "to": [PUBLIC], "cc": [self.carol.followers]})
        await self.bob.post(f"/posts/{garden.id}/like", {})
        await self.bob.post(f"/posts/{garden.id}/boost", {})
        poll = await self._post_of("poll")
        page = await self.bob.page(self.seeded.paths["poll"])
        if 'name="choice"' in page:
            await self.bob.post(f"/posts/{poll.id}/vote", {"choice": "1"}, from_page=self.seeded.paths["poll"])
        link = await self._post_of("link")
        await self.alice.post(f"/posts/{link.id}/like", {})

    async def _late_news(self) -> None:
        # carol edits the post alice replied to: an "edited" notification
        edited = dict(self.carol_reply["object"], content="<p>Those sunflowers! What variety are they? "
                      "(Asking for my balcony.)</p>", updated=_now())
        await self._send(self.carol, {"@context": AS, "id": f"{edited['id']}#updates/1", "type": "Update",
                                      "actor": self.carol.id, "to": edited["to"], "cc": edited["cc"], "object": edited})
        # alice's shed poll ends
        ended = await self._post_of("ended_poll")
        poll = await Poll.get(post_id=ended.id)
        past = datetime.now(timezone.utc) - timedelta(minutes=1)
        await Poll.filter(id=poll.id).update(expires_at=past)
        await close_poll(self.uris, poll.id, datetime.now(timezone.utc))
        # alice locks her account; erin asks to follow
        await Actor.filter(id=self.alice_account.actor_id).update(locked=True)
        await self._send(self.erin, self.erin.follow(self.alice_account.actor.ap_id))

    async def _post_of(self, name: str) -> Post:
        return await Post.get(id=int(self.seeded.paths[name].rsplit("/", 1)[1]))


def _now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
