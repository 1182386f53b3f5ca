"""Recorded posts from GoToSocial's tests and fediverse-pasture's inputs (../shared/fixtures):
their HTML leaves nothing active after sanitising, and the link that gets a card is never one
of their mentions or hashtags."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from federation.notes import note_fields
from node.html import sanitize
from node.services.link_cards import first_link
from tests.rig.xss import hazards

FIXTURES = Path(__file__).resolve().parents[2].parent / "shared" / "fixtures"
pytestmark = pytest.mark.skipif(not FIXTURES.is_dir(), reason=f"shared fixtures not found at {FIXTURES} "
                                                               "(they live beside the repository, not in it)")
HOST = "kith.example"


def gotosocial_notes() -> list[tuple[str, dict]]:
    found = []
    for path in sorted((FIXTURES / "gotosocial" / "documents").glob("*.json")):
        doc = json.loads(path.read_text(encoding="utf-8"))
        obj = doc.get("object") if isinstance(doc.get("object"), dict) else doc
        if obj.get("type") in ("Note", "Article", "Question") and isinstance(obj.get("content"), str):
            found.append((path.name, obj))
    return found


def pasture_contents() -> list[tuple[str, str]]:
    found = []
    for path in sorted((FIXTURES / "pasture" / "inputs").glob("*.json")):
        for example in json.loads(path.read_text(encoding="utf-8")).get("examples", []):
            note = example.get("note") if isinstance(example, dict) else None
            if isinstance(note, dict) and isinstance(note.get("content"), str):
                found.append((f"{path.stem}[{example.get('index')}]", note["content"]))
    return found


def test_fixtures__are_there():
    assert len(gotosocial_notes()) >= 20 and len(pasture_contents()) >= 50


def test_fixture_html__leaves_nothing_active():
    for name, content in [(n, o["content"]) for n, o in gotosocial_notes()] + pasture_contents():
        assert hazards(sanitize(content)) == [], name


def test_fixture_links__the_card_is_never_a_mention_or_hashtag():
    for name, obj in gotosocial_notes():
        note = note_fields({"id": "https://x.example/1", "attributedTo": "https://x.example/u", **obj})
        link = first_link(sanitize(note.content_html), HOST)
        tagged = {m.href for m in note.mentions} | {h.href for h in note.hashtags}
        assert link not in tagged, name
        assert link is None or ("/@" not in link and "/tags/" not in link), (name, link)


@pytest.mark.parametrize("document, expected", [
    ("spam-2-four-mentions-errant-link.json", "https://spammylink.org/"),  # Mastodon's shortened link
    ("spam-7-hashtag.json", None),  # a hashtag and four mentions only
    ("gts-note-with-mentions.json", None),
    ("create-note-with-mentions.json",
     "http://localhost:8080/users/the_mighty_zork/statuses/01F8MHAMCHF6Y650WCRSCP4WMY/activity"),
])
def test_fixture_links__the_expected_one(document, expected):
    obj = dict(gotosocial_notes())[document]
    assert first_link(sanitize(obj["content"]), HOST) == expected
