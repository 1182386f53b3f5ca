"""Plain text to HTML: links, tags, mentions, line breaks; everything else escaped."""

from __future__ import annotations

import pytest

from node.html import MentionLink, render_text, sanitize


def render(text, known=()):
    def mention(name, domain):
        if name.lower() in known and domain in (None, "localhost:8000"):
            return MentionLink(name, "localhost:8000", f"http://localhost:8000/@{name}", f"http://localhost:8000/users/{name}")
        return None

    return render_text(text, lambda t: f"http://localhost:8000/tags/{t}", mention)


def test_urls__linked_without_trailing_punctuation():
    html = render("read https://example.org/page.html, then (https://x.org/a).").html
    assert '<a href="https://example.org/page.html"' in html and "page.html</a>," in html
    assert '<a href="https://x.org/a"' in html and "x.org/a</a>)." in html


def test_hashtags__linked_and_collected_once_lowercased():
    rendered = render("#Kith and #kith but not #1 or a#b or https://x.org/#frag")
    assert rendered.tags == ["kith"]
    assert rendered.html.count('rel="tag') == 2


def test_mentions__known_local_linked_others_plain():
    rendered = render("hi @alice, @bob@elsewhere.example and @alice@localhost:8000", known=("alice",))
    assert [m.username for m in rendered.mentions] == ["alice"]
    assert rendered.html.count('class="u-url mention"') == 2
    assert "@bob@elsewhere.example" in rendered.html


def test_paragraphs_and_line_breaks__kept():
    assert render("a\nb\n\nc").html == "<p>a<br>b</p><p>c</p>"


@pytest.mark.parametrize("payload", [
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    "javascript:alert(1)",
    '"><svg onload=alert(1)>',
    "\x00<b>nul</b>\x01",
])
def test_hostile_text__never_becomes_markup(payload):
    html = render(payload).html
    assert "<script" not in html and "<img" not in html and "<svg" not in html and "<b>" not in html


def test_sanitize__strips_what_mastodon_would():
    dirty = '<p onclick="x()">hi <a href="javascript:alert(1)">x</a><script>bad()</script><iframe></iframe></p>'
    clean = sanitize(dirty)
    assert clean.startswith("<p>hi ") and "javascript" not in clean and "bad()" not in clean and "iframe" not in clean
