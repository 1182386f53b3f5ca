"""Custom emoji shown as small images: `:shortcode:` in a remote post's sanitised HTML, or
in a plain-text name, becomes `<img class="emoji" alt=":shortcode:">` whose source is the
media proxy's address for the emoji's image.

Safe by construction: only text nodes of already sanitised HTML are touched (tags and
attribute values are copied as they are), the shortcode must match SHORTCODE_RE before it
is stored or shown, and every attribute we write is escaped; an emoji's name or URL cannot
add markup. Plain text is escaped first, then the images are put in.
"""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser
from typing import Callable, Mapping

from markupsafe import Markup

# Mastodon's shortcodes: letters, digits and underscores (at least two of them).
SHORTCODE_RE = re.compile(r"^[A-Za-z0-9_]{2,64}$")
_IN_TEXT_RE = re.compile(r":([A-Za-z0-9_]{2,64}):")

Proxied = Callable[[str], str]


def emoji_image(shortcode: str, src: str) -> str:
    """Return the <img> for one emoji (both values escaped)."""
    code = html.escape(f":{shortcode}:", quote=True)
    return (f'<img class="emoji" src="{html.escape(src, quote=True)}" alt="{code}" title="{code}"'
            ' width="20" height="20" loading="lazy">')


def _replace(text: str, emojis: Mapping[str, str], proxied: Proxied) -> str:
    """Return already-escaped `text` with every known :shortcode: as its image."""
    def image(match: re.Match[str]) -> str:
        url = emojis.get(match.group(1))
        src = proxied(url) if url else ""
        return emoji_image(match.group(1), src) if src else match.group(0)

    return _IN_TEXT_RE.sub(image, text)


def emojify_text(text: str, emojis: Mapping[str, str], proxied: Proxied) -> Markup:
    """Return plain `text` (a display name, a content warning) as HTML with its emoji."""
    escaped = html.escape(text or "", quote=False)
    if not emojis or ":" not in escaped:
        return Markup(escaped)
    return Markup(_replace(escaped, emojis, proxied))


def emojify_html(fragment: str, emojis: Mapping[str, str], proxied: Proxied) -> Markup:
    """Return sanitised HTML `fragment` with the emoji in its text nodes."""
    if not emojis or ":" not in (fragment or ""):
        return Markup(fragment or "")
    rewriter = _TextRewriter(lambda text: _replace(text, emojis, proxied))
    rewriter.feed(fragment)
    rewriter.close()
    return Markup("".join(rewriter.out))


class _TextRewriter(HTMLParser):
    """Copies HTML as it is, passing only text nodes (raw, still escaped) through `change`."""

    def __init__(self, change: Callable[[str], str]) -> None:
        super().__init__(convert_charrefs=False)  # entities stay as written, in order
        self.out: list[str] = []
        self._change = change

    def handle_starttag(self, tag: str, attrs: list) -> None:
        self.out.append(self.get_starttag_text() or "")

    def handle_startendtag(self, tag: str, attrs: list) -> None:
        self.out.append(self.get_starttag_text() or "")

    def handle_endtag(self, tag: str) -> None:
        self.out.append(f"</{tag}>")

    def handle_data(self, data: str) -> None:
        self.out.append(self._change(html.escape(data, quote=False)))

    def handle_entityref(self, name: str) -> None:
        self.out.append(f"&{name};")

    def handle_charref(self, name: str) -> None:
        self.out.append(f"&#{name};")
