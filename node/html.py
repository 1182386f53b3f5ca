"""HTML for post bodies: local plain text to safe HTML, and the sanitiser every stored
fragment passes through (nh3, the Rust ammonia sanitiser)."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from typing import Callable

import nh3

# What Mastodon keeps in statuses; everything else is stripped, its text kept.
ALLOWED_TAGS = {
    "p", "br", "a", "span", "del", "pre", "code", "em", "strong", "b", "i", "u", "s",
    "blockquote", "ul", "ol", "li", "h1", "h2", "h3", "h4", "h5", "h6", "sub", "sup",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "rel", "class", "title", "translate"},
    "span": {"class", "translate"},
    "ol": {"start", "reversed"},
    "li": {"value"},
}
# rel tokens kept on links: microformats and the ones that protect the reader.
REL_TOKENS = {"tag", "me", "nofollow", "noopener", "noreferrer", "ugc"}
# Classes kept, as Mastodon keeps them: microformats (h-card, u-url, ...) and the few that
# mark mentions, hashtags and shortened links. Any other would let a remote post wear our
# page's own classes ("skip", "error", "notice") to pass itself off as the page.
CLASS_RE = re.compile(r"^(?:(?:h|p|u|dt|e)-[a-z0-9-]+|mention|hashtag|ellipsis|invisible)$")
URL_SCHEMES = {"http", "https", "mailto", "xmpp", "gemini", "gopher", "magnet", "dat", "ipfs"}

# A URL in plain text: scheme, then anything up to whitespace or an angle bracket. Trailing
# punctuation ("see https://x.org/a.") is not part of the link.
URL_RE = re.compile(r"https?://[^\s<>\"]+", re.IGNORECASE)
TRAILING_PUNCTUATION = ".,:;!?'\")]}"
# A hashtag starts after a non-word character; letters, digits and underscores, at least
# one letter or underscore (so "#1" is not a tag), as Mastodon does.
HASHTAG_RE = re.compile(r"(?<![\w/&#])#(\w*[^\W\d]\w*)", re.UNICODE)
# @name or @name@domain (the domain may carry a port).
MENTION_RE = re.compile(
    r"(?<![\w/@])@([A-Za-z0-9_]+(?:[.-][A-Za-z0-9_]+)*)(?:@([A-Za-z0-9.-]+\.?[A-Za-z0-9-]*(?::\d+)?))?"
)


@dataclass(frozen=True)
class MentionLink:
    username: str
    domain: str
    url: str  # the profile to link to
    ap_id: str


@dataclass
class Rendered:
    html: str
    tags: list[str] = field(default_factory=list)  # lower-cased, in order, no repeats
    mentions: list[MentionLink] = field(default_factory=list)


def sanitize(fragment: str) -> str:
    """Return `fragment` with every tag, attribute and URL scheme we do not allow removed."""
    return nh3.clean(
        fragment,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel=None,  # nh3 would overwrite rel="tag" on hashtags; we filter rel instead
        attribute_filter=_filter_attribute,
        clean_content_tags={"script", "style"},
        # A relative link in a remote post would point into this node ("/@alice/1/delete"),
        # or anywhere ("//elsewhere"); our own posts only ever make absolute ones.
        url_relative="deny",
    )


def _filter_attribute(tag: str, attribute: str, value: str) -> str | None:
    if attribute == "rel":
        kept = [token for token in value.lower().split() if token in REL_TOKENS]
    elif attribute == "class":
        kept = [token for token in value.split() if CLASS_RE.match(token)]
    else:
        return value
    return " ".join(kept) or None


def render_text(
    text: str,
    tag_url: Callable[[str], str],
    resolve_mention: Callable[[str, str | None], MentionLink | None],
) -> Rendered:
    """Return HTML for plain text: paragraphs and line breaks kept, URLs linked, #tags and
    resolvable @mentions linked; unresolvable mentions stay plain text."""
    result = Rendered(html="")
    paragraphs = [p for p in re.split(r"\n\s*\n", text.replace("\r\n", "\n").strip()) if p.strip()]
    parts = []
    for paragraph in paragraphs:
        lines = [_render_line(line, tag_url, resolve_mention, result) for line in paragraph.split("\n")]
        parts.append("<p>" + "<br>".join(lines) + "</p>")
    result.html = sanitize("".join(parts))
    return result


def _render_line(
    line: str,
    tag_url: Callable[[str], str],
    resolve_mention: Callable[[str, str | None], MentionLink | None],
    result: Rendered,
) -> str:
    out = []
    pos = 0
    for match in URL_RE.finditer(line):
        url = match.group(0).rstrip(TRAILING_PUNCTUATION)
        out.append(_render_words(line[pos : match.start()], tag_url, resolve_mention, result))
        out.append(_link(url))
        pos = match.start() + len(url)
    out.append(_render_words(line[pos:], tag_url, resolve_mention, result))
    return "".join(out)


def _link(url: str) -> str:
    shown = re.sub(r"^https?://(www\.)?", "", url, flags=re.IGNORECASE)
    if len(shown) > 40:
        shown = shown[:39] + "…"
    return (
        f'<a href="{html.escape(url)}" rel="nofollow noopener noreferrer" translate="no">'
        f"{html.escape(shown)}</a>"
    )


def _render_words(
    text: str,
    tag_url: Callable[[str], str],
    resolve_mention: Callable[[str, str | None], MentionLink | None],
    result: Rendered,
) -> str:
    def mention(match: re.Match[str]) -> str:
        link = resolve_mention(match.group(1), match.group(2))
        if link is None:
            return match.group(0)
        if link not in result.mentions:
            result.mentions.append(link)
        return (
            f'\x00span class="h-card" translate="no"\x01\x00a href="{link.url}" class="u-url mention"\x01'
            f"@\x00span\x01{link.username}\x00/span\x01\x00/a\x01\x00/span\x01"
        )

    def hashtag(match: re.Match[str]) -> str:
        name = match.group(1)
        if name.lower() not in result.tags:
            result.tags.append(name.lower())
        return (
            f'\x00a href="{tag_url(name.lower())}" class="mention hashtag" rel="tag"\x01'
            f"#\x00span\x01{name}\x00/span\x01\x00/a\x01"
        )

    # Escape the text, then put back the markup we made (marked with control characters,
    # which cannot survive escaping or appear in the output otherwise).
    marked = HASHTAG_RE.sub(hashtag, MENTION_RE.sub(mention, text.replace("\x00", "").replace("\x01", "")))
    return html.escape(marked, quote=False).replace("\x00", "<").replace("\x01", ">")
