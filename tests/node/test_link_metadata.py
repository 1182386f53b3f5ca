"""What a page's head says for its card: OpenGraph over Twitter over plain HTML, charsets
as browsers pick them, broken markup tolerated, and never anything but plain text."""

from __future__ import annotations

import pytest

from node.link_metadata import DESCRIPTION_CHARS, TITLE_CHARS, LinkFacts, link_facts

PAGE = "https://news.example/2026/story"


def facts(body: bytes | str, content_type: str | None = "text/html", url: str = PAGE) -> LinkFacts | None:
    return link_facts(body.encode() if isinstance(body, str) else body, content_type, url)


def test_opengraph__wins_over_twitter_and_plain_html():
    page = """<html><head><title>Plain</title>
      <meta name="description" content="plain description">
      <meta name="twitter:title" content="Twitter title"><meta name="twitter:image" content="https://cdn.example/t.png">
      <meta property="og:title" content="OG title"><meta property="og:description" content="OG description">
      <meta property="og:site_name" content="The News"><meta property="og:image" content="https://cdn.example/og.png">
    </head><body></body></html>"""
    assert facts(page) == LinkFacts("OG title", "OG description", "The News", "https://cdn.example/og.png")


def test_twitter__wins_over_plain_html():
    page = """<title>Plain</title><meta name=description content="plain">
      <meta name="twitter:title" content="Tw"><meta name="twitter:description" content="Tw said">
      <meta name="twitter:image:src" content="/img/t.png">"""
    assert facts(page) == LinkFacts("Tw", "Tw said", "news.example", "https://news.example/img/t.png")


def test_plain_html__title_and_description_and_the_host_as_site_name():
    page = "<!doctype html><title>  A   page\n title </title><meta name=\"Description\" content=\"About it\">"
    assert facts(page) == LinkFacts("A page title", "About it", "news.example", None)


def test_no_title__no_card():
    assert facts("<meta property=og:description content=only-a-description><p>text</p>") is None
    assert facts("<meta property=og:title content='   '>") is None


@pytest.mark.parametrize("image, expected", [
    ("//cdn.example/a.png", "https://cdn.example/a.png"),
    ("../b.png", "https://news.example/b.png"),
    ("javascript:alert(1)", None),
    ("data:image/png;base64,AAAA", None),
    ("ftp://cdn.example/c.png", None),
    ("https://cdn.example/" + "x" * 3000, None),
])
def test_image__resolved_against_the_page_and_only_http(image, expected):
    page = f'<title>t</title><meta property="og:image" content="{image}">'
    assert facts(page).image_url == expected


def test_image__the_first_of_several_wins():
    page = '<title>t</title><meta property="og:image" content="https://a.example/1.png"><meta property="og:image" content="https://a.example/2.png">'
    assert facts(page).image_url == "https://a.example/1.png"


# --- charsets ---------------------------------------------------------------------------------

def test_charset__from_the_content_type_header():
    body = "<title>Café “quoted”</title>".encode("cp1252")
    assert facts(body, "text/html; charset=ISO-8859-1").title == "Café “quoted”"  # latin-1 means windows-1252


def test_charset__from_a_meta_declaration():
    body = '<meta charset="shift_jis"><title>日本語のページ</title>'.encode("shift_jis")
    assert facts(body, "text/html").title == "日本語のページ"
    body = '<meta http-equiv="Content-Type" content="text/html; charset=koi8-r"><title>Привет</title>'.encode("koi8-r")
    assert facts(body, "text/html").title == "Привет"


def test_charset__a_byte_order_mark_wins_over_the_header():
    body = "\ufeff<title>Grüße</title>".encode("utf-16-le")
    assert facts(body, "text/html; charset=iso-8859-1").title == "Grüße"


def test_charset__undeclared_utf8_and_undeclared_legacy_bytes():
    assert facts("<title>naïve</title>".encode(), "text/html").title == "naïve"
    assert facts("<title>naïve</title>".encode("cp1252"), "text/html").title == "naïve"


def test_charset__an_unknown_label_falls_back_without_error():
    assert facts("<title>ok é</title>".encode(), "text/html; charset=x-no-such-thing").title == "ok é"


# --- broken and hostile pages -------------------------------------------------------------------

@pytest.mark.parametrize("body", [
    b"",
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\xff\xfe",
    b"<title>cut off by the read limit",
    b"<html><head><meta property='og:title' content=",
    b"<<<>>><title</title>",
    b"<body><h1>No head at all</h1><meta property=og:title content=late></body>",
    b"<script>document.write('<title>not a title</title>')</script>",
])
def test_broken_pages__give_no_card_and_never_raise(body):
    assert facts(body) is None


def test_broken_pages__what_can_be_read_is_read():
    page = "<html><head><meta property=og:title content='Still here'><div><title>late</title>"
    assert facts(page).title == "Still here"
    assert facts("<title>Unclosed <b>markup</title>").title == "Unclosed markup"


def test_text__entities_decoded_markup_kept_as_text_controls_removed():
    page = ("<title>Tom &amp; Jerry &lt;script&gt;alert(1)&lt;/script&gt;</title>"
            "<meta name=description content='line\none\u202eevil\x07 &quot;q&quot;'>")
    card = facts(page)
    assert card.title == "Tom & Jerry <script>alert(1)</script>"  # plain text: the page escapes it
    assert card.description == 'line oneevil "q"'


def test_text__cut_to_length():
    card = facts(f"<title>{'t' * 1000}</title><meta name=description content='{'d' * 2000}'>")
    assert len(card.title) == TITLE_CHARS and card.title.endswith("…")
    assert len(card.description) == DESCRIPTION_CHARS
