"""What a web page says about itself, read from the head of its HTML: the facts of a link
preview card (title, description, site name, image).

OpenGraph (`og:*`) wins over Twitter cards (`twitter:*`), which win over the plain `<title>`
and `<meta name="description">`, as Mastodon's card fetcher orders them. A page without a
title gives no card.

Parsing uses the standard library's `html.parser`: it is a tokenizer that never raises on
broken markup, builds no tree (the head is all we read), and costs no dependency. The bytes
are decoded first with w3lib (Scrapy's library), which picks the encoding the way browsers
do: a byte-order mark, then the Content-Type charset, then a `<meta charset>` or
`http-equiv` declaration, with the WHATWG label table (latin-1 means windows-1252).

Pure: standard library and w3lib only; no I/O, no ORM, no Quart.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

from w3lib.encoding import html_to_unicode

TITLE_CHARS = 300
DESCRIPTION_CHARS = 500
SITE_NAME_CHARS = 100
IMAGE_URL_CHARS = 2000
FEED_CHARS = 16384  # the parser stops at the end of the head; this is how much it is fed at a time

# Tag names after which the head is over, even when a page never closes it.
_BODY_STARTS = {"body", "main", "article", "header", "nav", "section", "div", "p", "h1", "h2"}
_TITLE_KEYS = ("og:title", "twitter:title")
_DESCRIPTION_KEYS = ("og:description", "twitter:description", "description")
_IMAGE_KEYS = ("og:image", "og:image:url", "og:image:secure_url", "twitter:image", "twitter:image:src")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")


@dataclass(frozen=True)
class LinkFacts:
    """A page's card: plain text (never markup) and an absolute http(s) image URL or None."""

    title: str
    description: str
    site_name: str
    image_url: str | None


def link_facts(body: bytes, content_type: str | None, page_url: str) -> LinkFacts | None:
    """Return the card facts of an HTML page's (start of) `body` fetched from `page_url`
    (after redirects), or None when it names no title."""
    _, text = html_to_unicode(content_type, body, auto_detect_fun=_utf8_or_windows_1252)
    head = _HeadReader()
    for start in range(0, len(text), FEED_CHARS):
        head.feed(text[start : start + FEED_CHARS])
        if head.done:
            break
    meta = head.meta
    title = _text(_first(meta, _TITLE_KEYS) or head.closed_title, TITLE_CHARS)
    if not title:
        return None
    return LinkFacts(
        title=title,
        description=_text(_first(meta, _DESCRIPTION_KEYS), DESCRIPTION_CHARS),
        site_name=_text(meta.get("og:site_name") or _host(page_url), SITE_NAME_CHARS),
        image_url=_image_url(_first(meta, _IMAGE_KEYS), page_url),
    )


class _HeadReader(HTMLParser):
    """Collects <title> text and <meta property|name=… content=…> until the head is over.
    The first value of a key wins (og:image may be repeated; the first is the main one)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.meta: dict[str, str] = {}
        self.title = ""
        self.done = False
        self._in_title = False
        self._title_seen = False

    @property
    def closed_title(self) -> str:
        """The <title> text, if the element was closed (not cut off by the read limit)."""
        return self.title if self._title_seen else ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.done:
            return
        if tag == "meta":
            self._meta(dict(attrs))
        elif tag == "title" and not self._title_seen:
            self._in_title = True
        elif tag in _BODY_STARTS:
            self.done = True

    def handle_endtag(self, tag: str) -> None:
        if tag == "title" and self._in_title:
            self._in_title, self._title_seen = False, True
        elif tag == "head":
            self.done = True

    def handle_data(self, data: str) -> None:
        if self._in_title and not self.done:
            self.title += data

    def _meta(self, attrs: dict[str, str | None]) -> None:
        # OpenGraph uses `property`; Twitter cards and many sites use `name` for both.
        key = (attrs.get("property") or attrs.get("name") or "").strip().lower()
        content = attrs.get("content")
        if key and content is not None and key not in self.meta:
            self.meta[key] = content


def _first(meta: dict[str, str], keys: tuple[str, ...]) -> str:
    return next((meta[key] for key in keys if meta.get(key, "").strip()), "")


def _text(value: str | None, limit: int) -> str:
    """Return `value` as one line of plain text: controls and bidi overrides gone, runs of
    whitespace made one space, cut to `limit` characters."""
    text = " ".join(_CONTROL.sub("", value or "").split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _image_url(value: str, page_url: str) -> str | None:
    """Return the image address resolved against the page, if it is an http(s) URL."""
    value = value.strip()
    if not value:
        return None
    url = urljoin(page_url, value)
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname or len(url) > IMAGE_URL_CHARS:
        return None
    return url


def _host(url: str) -> str:
    return urlsplit(url).hostname or ""


def _utf8_or_windows_1252(body: bytes) -> str:
    """A page that declares no encoding: UTF-8 if it decodes as such, else windows-1252,
    the encoding browsers fall back to for most of the web's undeclared pages."""
    try:
        body.decode("utf-8")
    except UnicodeDecodeError as e:
        # A multi-byte character cut by the read limit is still UTF-8.
        if e.start < len(body) - 3:
            return "cp1252"
    return "utf-8"
