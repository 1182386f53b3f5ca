"""Every kind of document Kith emits passes little-boxes' `parse_activity`, an independent
third-party ActivityPub parser (microblog.pub's 2018 library).

little-boxes does blocking HTTP through a global backend and has no HTTP signatures, so it
sits only here, never in the request path: its backend answers from a dict of the
documents our node serves. Two quirks of that 2018 release are the library's, not ours:
its Note class demands an `actor` field (which it then deletes; no server sends one on a
Note, and a Mastodon Create fails the same way, as a test below shows), so the copy handed
to it carries `actor` = `attributedTo`; and it has no class for Reject or for ordered
collections, so a Reject is checked to be refused as unsupported by it, and accepted by
our own parser.
"""

from __future__ import annotations

import copy
import json
from datetime import datetime, timezone

import pytest

little_boxes = pytest.importorskip("little_boxes.activitypub", reason="little-boxes is a test extra")

from federation import activities  # noqa: E402
from federation.audience import Visibility  # noqa: E402
from federation.inbound import parse_inbound  # noqa: E402
from node.services.posting import Draft, publish_post  # noqa: E402

AP = {"Accept": "application/activity+json"}
NOW = datetime(2026, 11, 25, tzinfo=timezone.utc)


class DocumentsBackend(little_boxes.BaseBackend):
    """little-boxes' view of the web: the documents our node served, by IRI."""

    def __init__(self, documents: dict[str, dict]) -> None:
        self.documents = documents

    def fetch_iri(self, iri: str) -> dict:
        return self.documents[iri]

    def outbox_is_blocked(self, as_actor, actor_id) -> bool:
        return False


async def served(client, path: str) -> dict:
    response = await client.get(path, headers=AP)
    assert response.status_code in (200, 410), path
    return json.loads(await response.get_data())


@pytest.fixture
async def emitted(client, make_account, uris):
    """The documents our node emits for one public post, a follow and its answers."""
    alice = await make_account("alice")
    await make_account("bob")
    post = await publish_post(uris, alice, Draft("hello #kith @bob", Visibility.PUBLIC), 5000)
    actor = await served(client, "/users/alice")
    other = await served(client, "/users/bob")
    note = await served(client, f"/users/alice/statuses/{post.id}")
    create = await served(client, f"/users/alice/statuses/{post.id}/activity")
    follow = activities.follow(uris.new_activity_id("bob"), other["id"], actor["id"])
    documents = {
        "actor": actor, "note": note, "create": create, "follow": follow,
        "accept": activities.accept(uris.new_activity_id("alice"), actor["id"], follow),
        "undo": activities.undo(uris.new_activity_id("bob"), other["id"], follow),
        "update": activities.update(note, NOW),
        "delete": activities.delete(note["id"], actor["id"], note["to"], note["cc"]),
        "reject": activities.reject(uris.new_activity_id("alice"), actor["id"], follow),
    }
    backend = DocumentsBackend({actor["id"]: actor, other["id"]: other, note["id"]: as_little_boxes_expects(note)})
    little_boxes.use_backend(backend)
    yield documents
    little_boxes.use_backend(None)


def as_little_boxes_expects(document: dict) -> dict:
    """Return a copy whose Notes carry the `actor` field little-boxes' Note class demands."""
    document = copy.deepcopy(document)
    for note in (document, document.get("object")):
        if isinstance(note, dict) and note.get("type") == "Note":
            note["actor"] = note["attributedTo"]
    return document


def test_little_boxes__its_note_quirk_refuses_a_mastodon_create_too(emitted):
    mastodon_create = {
        "id": "https://mastodon.example/users/x/statuses/1/activity", "type": "Create",
        "actor": emitted["actor"]["id"], "to": ["https://www.w3.org/ns/activitystreams#Public"],
        "object": {"id": "https://mastodon.example/users/x/statuses/1", "type": "Note",
                   "attributedTo": emitted["actor"]["id"], "content": "<p>hi</p>"},
    }
    with pytest.raises(little_boxes.BadActivityError):
        little_boxes.parse_activity(mastodon_create)
    assert little_boxes.parse_activity(as_little_boxes_expects(mastodon_create)).id == mastodon_create["id"]


@pytest.mark.parametrize("name", ["actor", "note", "create", "follow", "accept", "undo", "update", "delete"])
def test_little_boxes__parses_what_we_emit(emitted, name):
    document = emitted[name]
    parsed = little_boxes.parse_activity(as_little_boxes_expects(document))
    assert parsed.id == document["id"]
    assert parsed.ACTIVITY_TYPE.value == document["type"]


def test_little_boxes__resolves_actors_and_objects_of_our_activities(emitted):
    create = little_boxes.parse_activity(as_little_boxes_expects(emitted["create"]))
    assert create.get_actor().id == emitted["actor"]["id"]
    assert create.get_object().id == emitted["note"]["id"]
    follow = little_boxes.parse_activity(emitted["follow"])
    assert follow.get_object().id == emitted["actor"]["id"]
    undo = little_boxes.parse_activity(emitted["undo"])
    assert undo.get_object().ACTIVITY_TYPE.value == "Follow"


def test_reject__unknown_to_little_boxes_but_well_formed(emitted):
    with pytest.raises(little_boxes.BadActivityError):
        little_boxes.parse_activity(emitted["reject"])
    parsed = parse_inbound(emitted["reject"], emitted["actor"]["id"])
    assert parsed.type == "Reject" and parsed.object_type == "Follow"
