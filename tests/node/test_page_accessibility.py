"""Every page can be used without sight, without a mouse and without JavaScript: read from
the HTML itself, for a node full of what the pages show (local and remote authors, a boost,
four described pictures, a poll, a link card, content warnings, custom emoji, an edit,
replies, notifications of several kinds, a refused upload, the mention warning).

What a browser-free check can see: every control labelled, every image with alt text
(attachments their description, avatars and decoration empty), every link and button
named (a Like says whose post), headings in order under one h1, ids unique and every
aria-labelledby pointing at one, one main and a named nav, and nothing the CSP would block
(no script, no style attribute, no on* handler). What needs eyes is scripts/pageshots.py.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from html.parser import HTMLParser
from urllib.parse import quote

import pytest
from werkzeug.datastructures import FileStorage

from federation.audience import Visibility
from node.ids import new_id
from node.models import (Actor, CustomEmoji, Follow, FollowState, LinkCard, LinkCardState, Media,
                         NotificationKind, Post)
from node.polls import PollDraft
from node.services import reactions, social
from node.services.editing import Edit, edit_post
from node.services.notifications import notify
from node.services.posting import Draft, publish_post
from tests.conftest import form_token
from tests.rig import images

V = Visibility
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
CONTROLS = {"input", "select", "textarea"}


@dataclass
class Element:
    tag: str
    attrs: dict[str, str]
    parent: Element | None = None
    children: list[Element | str] = field(default_factory=list)

    def ancestors(self):
        node = self.parent
        while node is not None:
            yield node
            node = node.parent

    def classes(self) -> set[str]:
        return set(self.attrs.get("class", "").split())


class Tree(HTMLParser):
    """The page as a tree of Elements (enough of HTML for our own templates)."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.root = self.current = Element("#root", {})
        self.elements: list[Element] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        element = Element(tag, {k: v or "" for k, v in attrs}, self.current)
        self.current.children.append(element)
        self.elements.append(element)
        if tag not in VOID:
            self.current = element

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self.current = self.current.parent

    def handle_endtag(self, tag):
        node = self.current
        while node is not self.root and node.tag != tag:
            node = node.parent
        if node is not self.root:
            self.current = node.parent

    def handle_data(self, data):
        self.current.children.append(data)

    def by_id(self) -> dict[str, list[Element]]:
        found: dict[str, list[Element]] = {}
        for element in self.elements:
            if "id" in element.attrs:
                found.setdefault(element.attrs["id"], []).append(element)
        return found


def heard(node: Element | str) -> str:
    """The text a screen reader reads for `node`: its text and images' alt, less aria-hidden."""
    if isinstance(node, str):
        return node
    if node.attrs.get("aria-hidden") == "true":
        return ""
    if node.tag == "img":
        return node.attrs.get("alt", "")
    return " ".join(" ".join(heard(child) for child in node.children).split())


def name_of(element: Element, ids: dict[str, list[Element]]) -> str:
    if element.attrs.get("aria-label"):
        return element.attrs["aria-label"]
    if element.attrs.get("aria-labelledby"):
        return " ".join(heard(ids[i][0]) for i in element.attrs["aria-labelledby"].split() if i in ids)
    return heard(element)


def problems(html: str) -> list[str]:
    """Return what is wrong with the page, one line each (nothing: all is well)."""
    tree = Tree(html)
    ids = tree.by_id()
    found = [f"id {i!r} used {len(e)} times" for i, e in ids.items() if len(e) > 1]
    labelled = {e.attrs.get("for") for e in tree.elements if e.tag == "label"}
    headings = []
    for e in tree.elements:
        found += _csp(e) + _image(e) + _control(e, labelled) + _named(e, ids) + _references(e, ids)
        if re.fullmatch(r"h[1-6]", e.tag):
            headings.append(int(e.tag[1]))
    found += _outline(headings, tree)
    return found


def _csp(e: Element) -> list[str]:
    bad = [a for a in e.attrs if a == "style" or a.startswith("on")]
    return ([f"<{e.tag}> has {bad}"] if bad else []) + ([f"<{e.tag}> element"] if e.tag in ("script", "style") else [])


def _image(e: Element) -> list[str]:
    if e.tag != "img":
        return []
    if "alt" not in e.attrs:
        return [f"img without alt: {e.attrs.get('src')}"]
    attachment = any("attachment" in a.classes() for a in e.ancestors())
    return [f"attachment without alt text: {e.attrs.get('src')}"] if attachment and not e.attrs["alt"].strip() else []


def _control(e: Element, labelled: set[str | None]) -> list[str]:
    if e.tag not in CONTROLS or e.attrs.get("type") in ("hidden", "submit"):
        return []
    if e.attrs.get("id") in labelled or e.attrs.get("aria-label") or e.attrs.get("aria-labelledby"):
        return []
    if any(a.tag == "label" for a in e.ancestors()):
        return []
    return [f"<{e.tag} name={e.attrs.get('name')!r}> has no label"]


def _named(e: Element, ids) -> list[str]:
    if e.tag not in ("a", "button", "summary") or "skip" in e.classes():
        return []
    name = name_of(e, ids)
    if not name.strip():
        return [f"<{e.tag}> without a name: {e.attrs}"]
    acts_on_post = e.tag == "button" and "action" in e.classes()
    if acts_on_post and " post by " not in f" {name} ":
        return [f"button {name!r} does not say whose post"]
    return []


def _references(e: Element, ids) -> list[str]:
    refs = e.attrs.get("aria-labelledby", "").split() + e.attrs.get("aria-describedby", "").split()
    return [f"<{e.tag}> refers to missing id {r!r}" for r in refs if r not in ids]


def _outline(levels: list[int], tree: Tree) -> list[str]:
    found = [] if levels.count(1) == 1 else [f"{levels.count(1)} h1 headings"]
    for before, after in zip([0, *levels], levels):
        if after > before + 1:
            found.append(f"heading h{after} follows h{before}")
    mains = [e for e in tree.elements if e.tag == "main"]
    navs = [e for e in tree.elements if e.tag == "nav"]
    if len(mains) != 1:
        found.append(f"{len(mains)} <main> elements")
    if any(not (n.attrs.get("aria-label") or n.attrs.get("aria-labelledby")) for n in navs):
        found.append("a <nav> without a name")
    html = next((e for e in tree.elements if e.tag == "html"), None)
    if html is None or not html.attrs.get("lang"):
        found.append("no <html lang>")
    return found


# --- the node the pages show ---------------------------------------------------------------

@dataclass
class Node:
    alice: object
    bob: object
    paths: dict[str, str]


async def remote_carol(alice) -> Actor:
    carol = await Actor.create(ap_id="https://remote.test/users/carol", username="carol", domain="remote.test",
                               local=False, display_name="Carol :blobcat:", avatar_url="https://remote.test/carol.png",
                               inbox="https://remote.test/users/carol/inbox",
                               followers_url="https://remote.test/users/carol/followers")
    await CustomEmoji.create(shortcode="blobcat", icon_url="https://remote.test/blobcat.png", actor_id=carol.id)
    await Follow.create(follower_id=alice.actor_id, target_id=carol.id, state=FollowState.ACCEPTED)
    return carol


async def remote_post(carol: Actor, text: str, **fields) -> Post:
    post_id = new_id(datetime.now(timezone.utc))
    post = await Post.create(id=post_id, ap_id=f"https://remote.test/users/carol/statuses/{post_id}",
                             url=f"https://remote.test/@carol/{post_id}", author_id=carol.id, local=False,
                             visibility=V.PUBLIC, content_html=f"<p>{text}</p>", created_at=datetime.now(timezone.utc),
                             **fields)
    await CustomEmoji.create(shortcode="blobcat", icon_url="https://remote.test/blobcat.png", post_id=post.id)
    return post


async def garden_post(client) -> str:
    """alice posts four described pictures through the form; return the post's path."""
    files = {f"media_{n}": FileStorage(io.BytesIO(images.jpeg(120, 90)), filename=f"g{n}.jpg",
                                       content_type="image/jpeg") for n in range(1, 5)}
    form = {"csrf_token": await form_token(client), "text": "the garden #gardening", "visibility": "public",
            **{f"alt_{n}": f"Garden view {n}" for n in range(1, 5)}}
    response = await client.post("/posts", form=form, files=files)
    assert response.status_code == 302, await response.get_data(as_text=True)
    return response.headers["Location"]


@pytest.fixture
async def node(make_account, browser, uris) -> Node:
    alice, bob = await make_account("alice"), await make_account("bob")
    await make_account("dave")  # follows nobody: mentioning him in a followers-only post warns
    await social.follow(uris, bob, alice.actor)  # a follow notification
    carol = await remote_carol(alice)
    client = await browser(alice)
    garden_path = await garden_post(client)
    garden = await Post.get(id=int(garden_path.rsplit("/", 1)[1]))
    await publish_post(uris, alice, Draft("Which bed next?", V.PUBLIC, poll=PollDraft(("Beans", "Leeks"))), 5000)
    await publish_post(uris, alice, Draft("the hedgehog nest", V.FOLLOWERS, content_warning="wildlife"), 5000)
    linked = await publish_post(uris, alice, Draft("news http://news.test/story", V.PUBLIC), 5000)
    await LinkCard.filter(url="http://news.test/story").update(
        state=LinkCardState.FETCHED, title="Rivers return", site_name="The News",
        description="After forty years", image_url="https://news.test/river.jpg")
    edited = await publish_post(uris, alice, Draft("tomatos", V.PUBLIC), 5000)
    await edit_post(uris, alice, edited, Edit("tomatoes"), 5000)
    heron = await remote_post(carol, "a heron :blobcat:")
    await Media.create(owner_id=carol.id, post_id=heron.id, position=0, media_type="image/jpeg", width=64, height=48,
                       remote_url="https://remote.test/heron.jpg", description="A grey heron on a bridge")
    question = await remote_post(carol, "which variety?", in_reply_to_id=garden.id, in_reply_to_ap_id=garden.ap_id)
    for kind in (NotificationKind.REPLY, NotificationKind.UPDATE):  # two whole cards of one post
        await notify(kind, alice.actor_id, carol.id, question.id)
    await publish_post(uris, bob, Draft("@alice lovely", V.PUBLIC, in_reply_to=garden.ap_id), 5000)
    await reactions.like(bob, garden)
    await reactions.boost(uris, bob, garden)
    await reactions.like(alice, linked)
    assert await Post.exists(boost_of_id=garden.id)
    return Node(alice, bob, {"garden": garden_path, "edited": edited.url.removeprefix(uris.base),
                             "reply_to": quote(garden.ap_id, safe="")})


def test_the_checker__finds_what_it_looks_for():
    bad = ('<html><body><main><h1>a</h1><h3>b</h3><img src="x"><input name="q"><button class="action">Like</button>'
           '<a href="/"></a><p id="d"></p><p id="d" style="color:red" aria-labelledby="nope"></p></main>'
           '<nav></nav><figure class="attachment"><img src="y" alt=""></figure></body></html>')
    found = " | ".join(problems(bad))
    for expected in ("id 'd' used 2 times", "style", "img without alt", "has no label", "does not say whose post",
                     "<a> without a name", "missing id 'nope'", "h3 follows h1", "<nav> without a name",
                     "no <html lang>", "attachment without alt text"):
        assert expected in found, expected
    assert problems('<html lang="en"><main><h1>ok</h1><label for="q">Q</label><input id="q"></main></html>') == []


PAGES = {
    "home": "/", "profile": "/@alice", "thread": "{garden}", "notifications": "/notifications",
    "edit": "{edited}/edit", "history": "{edited}/history", "remote profile": "/@carol@remote.test",
    "settings": "/settings", "followers": "/followers", "follow requests": "/follow-requests",
    "search": "/search", "tag": "/tags/gardening", "delete": "{edited}/delete",
    "reply": "/?in_reply_to={reply_to}",
}


@pytest.mark.parametrize("name", PAGES)
async def test_page__signed_in(node, browser, name):
    response = await (await browser(node.alice)).get(PAGES[name].format(**node.paths))
    assert response.status_code == 200
    assert problems(await response.get_data(as_text=True)) == []


@pytest.mark.parametrize("path", ["/", "/login", "/@alice", "{garden}", "{edited}/history", "/@carol@remote.test"])
async def test_page__anonymous(node, browser, path):
    response = await (await browser(None)).get(path.format(**node.paths))
    assert response.status_code == 200
    assert problems(await response.get_data(as_text=True)) == []


async def test_compose__a_refused_upload_and_the_mention_warning(node, browser):
    client = await browser(node.alice)
    picture = FileStorage(io.BytesIO(b"not a picture"), filename="x.jpg", content_type="image/jpeg")
    form = {"csrf_token": await form_token(client), "text": "pond", "visibility": "public", "alt_1": "the pond"}
    refused = await client.post("/posts", form=form, files={"media_1": picture})
    page = await refused.get_data(as_text=True)
    assert refused.status_code == 400 and 'role="alert"' in page and problems(page) == []
    # dave does not follow alice: a followers-only post mentioning him asks first
    warned = await client.post("/posts", form={"csrf_token": await form_token(client), "visibility": "followers",
                                               "text": "@bob hello, and @dave"})
    page = await warned.get_data(as_text=True)
    assert 'name="confirm_mentions"' in page and problems(page) == []
    # the form's own button comes first, so Enter in a field checks again, never confirms
    assert page.index('<button type="submit">Post</button>') < page.index('name="confirm_mentions"')


async def test_post_card__names_its_actions_and_counts_for_screen_readers(node, browser):
    page = await (await (await browser(node.bob)).get(node.paths["garden"])).get_data(as_text=True)
    text = heard(Tree(page).root)
    assert "Unlike post by alice 1 like" in text and "Unboost post by alice 1 boost" in text
    assert "Reply to alice 2 replies" in text
    assert 'alt="Garden view 1"' in page and 'class="avatar avatar-blank' in page
