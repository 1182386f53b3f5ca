"""The XSS corpus (tests/rig/xss.py) through the sanitiser and the plain-text renderer:
nothing that could run script, load from elsewhere or post a form elsewhere survives, in a
payload alone or in the middle of a post; links stay absolute; classes stay microformats."""

from __future__ import annotations

import pytest

from federation.notes import note_fields
from node.html import MentionLink, render_text, sanitize
from tests.rig.xss import PAYLOADS, TEXT_PAYLOADS, attribute_values, hazards, scheme_of, texts

# Payloads a browser parses into nothing active even unsanitised (their tag is dropped at the
# end of input, or they are text): they test that cleaning never *makes* something active.
INERT_AS_WRITTEN = {
    "script split by an inner script", "script with a NUL in its name", "href relative to this node",
    "meta charset utf-7", "escaped markup stays text", "javascript escapes stay text",
    "full-width brackets", "unbalanced quote", "title breakout", "href breakout with entities",
    "duplicate attributes", "class spoofing our page",
}


def in_a_post(payload: str) -> str:
    """The payload with text and markup around it, as it would sit in a real post."""
    return f'<p>before {payload} after</p><p>next <a href="https://ok.example/">a link</a></p>'


@pytest.mark.parametrize("name", PAYLOADS)
def test_reader__finds_what_is_active_in_the_raw_payload(name):
    # The checker itself must be able to fail: every payload but the inert ones is caught raw.
    raw = PAYLOADS[name]
    found = hazards(raw) + hazards(in_a_post(raw))
    assert bool(found) == (name not in INERT_AS_WRITTEN), found


@pytest.mark.parametrize("name", PAYLOADS)
def test_sanitize__leaves_nothing_active(name):
    for fragment in (PAYLOADS[name], in_a_post(PAYLOADS[name])):
        clean = sanitize(fragment)
        assert hazards(clean) == [], clean
        # Links are absolute with a scheme we allow: none points into this node
        assert all(scheme_of(href) for href in attribute_values(clean, "[href]", "href")), clean
        # Classes are microformats and Mastodon's link markers only
        assert attribute_values(clean, "[class]", "class") == [], clean
        # Cleaning what was cleaned changes nothing (a browser re-parses the output)
        assert sanitize(clean) == clean


def test_sanitize__keeps_what_posts_need():
    html = ('<p><span class="h-card"><a href="https://m.example/@carol" class="u-url mention">@<span>carol</span></a></span> '
            '<a href="https://m.example/tags/t" class="mention hashtag" rel="tag">#<span>t</span></a> '
            '<a href="https://news.example/story" rel="nofollow noopener noreferrer" translate="no">'
            '<span class="invisible">https://</span><span class="ellipsis">news.example/sto</span></a></p>'
            '<ol start="3"><li>x</li></ol><blockquote><em>q</em></blockquote>')
    assert sanitize(html) == html


@pytest.mark.parametrize("name", PAYLOADS)
def test_local_text__every_payload_stays_text(name):
    # A local author typing hostile markup sees it as text, never as markup
    rendered = render_text(PAYLOADS[name] + " #tag @bob", lambda t: f"https://kith.example/tags/{t}",
                           lambda n, d: MentionLink(n, "kith.example", f"https://kith.example/@{n}", f"https://kith.example/users/{n}") if n == "bob" else None)
    assert hazards(rendered.html) == [], rendered.html
    assert {node for node in _tags(rendered.html)} <= {"p", "br", "a", "span"}


@pytest.mark.parametrize("name", TEXT_PAYLOADS)
def test_local_text__text_payloads_read_back_unchanged(name):
    payload = TEXT_PAYLOADS[name]
    rendered = render_text(payload, lambda t: f"https://kith.example/tags/{t}", lambda n, d: None)
    assert texts(rendered.html, "p") == [payload.strip()]


@pytest.mark.parametrize("field", ["url", "inReplyTo"])
@pytest.mark.parametrize("value", ["javascript:alert(1)", "data:text/html,<script>alert(1)</script>",
                                   {"type": "Link", "href": "vbscript:msgbox(1)"}, " javascript:alert(1)"])
def test_note_fields__links_a_page_shows_are_http_only(field, value):
    note = note_fields({"id": "https://r.example/notes/1", "type": "Note", "attributedTo": "https://r.example/u",
                        "content": "x", field: value})
    assert note.url is None and note.in_reply_to is None


def _tags(html: str) -> set[str]:
    from selectolax.lexbor import LexborHTMLParser

    return {node.tag for node in LexborHTMLParser(html).body.traverse()} - {"body"}
