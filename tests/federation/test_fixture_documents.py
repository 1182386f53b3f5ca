"""Every recorded actor, activity and post document from other servers goes through our parsers.

The documents live in the shared fixture tree beside the repository (/work/shared/fixtures:
Mastodon spec transcripts, GoToSocial test documents and docs examples, fediverse-pasture
inputs, the ActivityPub spec's examples); nothing is copied here. Each document either parses
or is refused with the reason pinned below, so a change in behaviour shows up as a diff here.
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path

import pytest

from federation.actors import parse_actor
from federation.audience import Visibility, visibility_of
from federation.errors import MalformedDocument, Rejected
from federation.inbound import parse_inbound
from federation.notes import note_fields
from federation.vocab import ACTOR_TYPES, OBJECT_TYPES, actor_of, href_of, main_type_of, types_of

FIXTURES = Path(__file__).resolve().parents[2].parent / "shared" / "fixtures"
MISSING = f"shared fixtures not found at {FIXTURES} (they live beside the repository, not in it)"
pytestmark = pytest.mark.skipif(not FIXTURES.is_dir(), reason=MISSING)

GTS = "gotosocial/documents/"
GTS_DOCS = "gotosocial/docs-examples/"
W3C = "w3c-activitypub/examples/"
MASTODON = "mastodon/requests/"
FOSS_SATAN = "http://fossbros-anonymous.io/users/foss_satan"
ZORK = "http://localhost:8080/users/the_mighty_zork"

# Documents these parsers do not own: collections (federation/collections.py) and GoToSocial's
# interaction approvals (looked up by id by the handlers, never stored from the payload).
NOT_OURS = {
    "Collection", "OrderedCollection", "CollectionPage", "OrderedCollectionPage",
    "LikeApproval", "ReplyApproval", "AnnounceApproval", "LikeAuthorization",
}  # fmt: skip

# Where the document's type does not say which parser is meant.
PARSER_OF = {
    GTS + "not-an-actor-non-ap-json.json": "actor",  # GoToSocial resolves it as an actor
    GTS + "publickey-standalone-main-key.json": "actor",  # what a keyId dereference returns
    GTS + "attachment-document-with-summary.json": "attachment",
}

# The signer, when it is not the activity's actor (GoToSocial's Move tests name it).
SIGNER_OF = {GTS + "move-bad-actor-not-signer.json": FOSS_SATAN}

# Refused documents and the reason; every document not listed here must parse.
REFUSED = {
    # Mastodon spec: "inbox": null must make the actor unusable.
    MASTODON + "activitypub-actor-noinbox.txt": "no usable inbox",
    # GoToSocial: not ActivityStreams at all; a bare key; fragments from extraction tests
    # (actor stubs without inbox or username, Notes without id, PeerTube Videos without
    # attributedTo) that GoToSocial feeds to single extract functions, not to its resolver.
    GTS + "not-an-actor-non-ap-json.json": "actor has no http(s) id",
    GTS + "publickey-standalone-main-key.json": "not a supported actor type",
    GTS + "actor-person-to-normalize.json": "actor has no preferredUsername",
    GTS + "actor-stub-with-embedded-publickey.json": "actor has no usable inbox",
    GTS + "note-interaction-policy.json": "post object has no id",
    GTS + "note-interaction-policy-deprecated.json": "post object has no id",
    GTS + "note-interaction-policy-unset-props.json": "post object has no id",
    GTS + "video-peertube.json": "has no attributedTo",
    GTS + "video-mixed-url-forms.json": "has no attributedTo",
    # GoToSocial's three bad Moves (their index `expect` says reject).
    GTS + "move-bad-actor-not-signer.json": "someone_else is not the signer",
    GTS + "move-bad-object-not-actor.json": "Move of http://fossbros-anonymous.io/users/someone",
    GTS + "move-bad-target-equals-origin.json": "equals its origin",
    # GoToSocial docs: the signature-quirks actor stub has no inbox; a bare poll-vote Note.
    GTS_DOCS + "http_signatures-quirks-Person-L66.json": "actor has no usable inbox",
    GTS_DOCS + "posts-poll-votes-Note-L377.json": "post object has no id",
    # The AP spec's examples are C2S or illustrative: some lack ids or authors.
    W3C + "example-02.json": "post object has no id",
    W3C + "example-07.json": "Like has no id",
    W3C + "example-08.json": "has no attributedTo",
    W3C + "example-14.json": "Like has no id",
    W3C + "example-15.json": "post object has no id",
    W3C + "example-17.json": "has no attributedTo",  # a Tombstone
}

# GoToSocial `expect: reject` documents whose refusal needs the database (handler level).
REFUSED_BY_HANDLERS = {
    GTS + "flag-unknown-account.json": "target account not found",
    GTS + "flag-account-on-other-instance.json": "the flagged account is not ours",
}


# ---- loading -----------------------------------------------------------------------------------


def _json(relative: str):
    return json.loads((FIXTURES / relative).read_text(encoding="utf-8"))


def body_of_transcript(relative: str) -> dict:
    """Return the JSON body of an HTTP response transcript (split at the first blank line)."""
    text = (FIXTURES / relative).read_text(encoding="utf-8").replace("\r\n", "\n")
    return json.loads(text.split("\n\n", 1)[1])


@cache
def gts_index() -> dict:
    """Return GoToSocial's index entries by relative path."""
    return {"gotosocial/" + e["file"]: e for e in _json("gotosocial/index.json")["documents"]}


def document_names() -> list[str]:
    """Return the relative paths of every fixture document these tests feed to a parser."""
    if not FIXTURES.is_dir():
        return []
    mastodon = [
        "mastodon/" + r["file"]
        for r in _json("mastodon/index.json")["requests"]
        if Path(r["file"]).name.startswith("activitypub-actor")
    ]
    docs = sorted(f"{GTS_DOCS}{p.name}" for p in (FIXTURES / GTS_DOCS).glob("*.json"))
    w3c = [
        "w3c-activitypub/" + e["file"]
        for e in _json("w3c-activitypub/index.json")["examples"]
        if e["format"] == "json"
    ]
    return mastodon + sorted(gts_index()) + docs + w3c


def load(name: str) -> dict:
    return body_of_transcript(name) if name.endswith(".txt") else _json(name)


# ---- routing to a parser -----------------------------------------------------------------------

POST_TYPES = OBJECT_TYPES | {"Album", "Tombstone"}


def parser_of(name: str, doc) -> str | None:
    """Return which parser a document is for, or None when it is not ours (NOT_OURS)."""
    if name in PARSER_OF:
        return PARSER_OF[name]
    if main_type_of(doc) in NOT_OURS:
        return None
    if set(types_of(doc)) & ACTOR_TYPES:
        return "actor"
    if actor_of(doc) and main_type_of(doc) not in POST_TYPES:
        return "activity"
    return "note"


def attachment_of(doc: dict):
    """Parse a bare attachment the way it arrives: inside a post."""
    post = {
        "id": "https://example.org/notes/1",
        "type": "Note",
        "attributedTo": "https://example.org/users/someone",
        "attachment": doc,
    }
    (attachment,) = note_fields(post).attachments
    return attachment


def parse(name: str, doc):
    """Return the parsed document, or raise Rejected."""
    parser = parser_of(name, doc)
    if parser == "actor":
        return parse_actor(doc)
    if parser == "activity":
        return parse_inbound(doc, SIGNER_OF.get(name) or actor_of(doc))
    if parser == "attachment":
        return attachment_of(doc)
    return note_fields(doc)


NAMES = document_names()


# ---- the sweep ---------------------------------------------------------------------------------


@pytest.mark.parametrize("name", NAMES)
def test_fixture_document__parses_or_is_refused_as_pinned(name):
    # Given
    doc = load(name)
    if parser_of(name, doc) is None:
        assert main_type_of(doc) in NOT_OURS
        return
    # When / Then
    if name in REFUSED:
        with pytest.raises(Rejected, match=re.escape(REFUSED[name])):
            parse(name, doc)
    else:
        assert parse(name, doc) is not None


def test_fixture_document__pins_name_existing_files():
    # A pinned name that no longer exists would silently stop testing anything.
    pinned = set(REFUSED) | set(PARSER_OF) | set(SIGNER_OF) | set(REFUSED_BY_HANDLERS)
    assert pinned <= set(NAMES)


def test_fixture_document__every_expected_rejection_is_refused_somewhere():
    # GoToSocial's index marks documents a server must refuse; we refuse each in the parser
    # or name the handler-level check that will.
    expected = {n for n, e in gts_index().items() if str(e.get("expect", "")).startswith("reject")}
    assert expected <= set(REFUSED) | set(REFUSED_BY_HANDLERS)
    assert not set(REFUSED_BY_HANDLERS) & set(REFUSED)


@pytest.mark.parametrize(
    "name", [n for n, e in (gts_index().items() if NAMES else []) if e.get("object_type")]
)
def test_fixture_document__object_type_matches_the_index(name):
    assert parse(name, load(name)).object_type == gts_index()[name]["object_type"]


def test_fixture_document__gts_inputs_all_parse_except_the_pinned():
    # The GoToSocial README: every `role: input` must parse except the non-AS2 one; we also
    # refuse fragments and bad Moves, each named in REFUSED.
    inputs = {n for n, e in gts_index().items() if e["role"] == "input"}
    refused = sorted(inputs & set(REFUSED))
    assert GTS + "not-an-actor-non-ap-json.json" in refused
    assert (len(inputs), len(refused)) == (55, 12)


# ---- what the parsed documents yield -----------------------------------------------------------


def test_mastodon_actors__parse_with_key_and_shared_inbox():
    for name in ("activitypub-actor.txt", "activitypub-actor-individual.txt"):
        info = parse_actor(body_of_transcript(MASTODON + name))
        assert (info.ap_id, info.actor_type, info.username) == (
            "https://ap.example.com/users/foo", "Person", "foo"
        )
        assert info.shared_inbox == "https://ap.example.com/inbox"
        assert info.public_key_owner == info.ap_id
        assert info.public_key_pem.startswith("-----BEGIN PUBLIC KEY-----")


def test_mastodon_actor_individual__type_list_kept_as_person():
    doc = body_of_transcript(MASTODON + "activitypub-actor-individual.txt")
    assert doc["type"] == ["Person", "vcard:individual"]
    assert parse_actor(doc).actor_type == "Person"


def test_gts_actors__yield_inbox_outbox_and_key():
    actors = [n for n, e in gts_index().items() if e["type"] in ACTOR_TYPES and n not in REFUSED]
    assert len(actors) == 10
    for name in actors:
        info = parse_actor(load(name))
        assert info.inbox and info.outbox and info.public_key_pem, name
        assert info.public_key_owner == info.ap_id


def test_gts_actor_moved__moved_to_and_also_known_as():
    info = parse_actor(load(GTS + "gts-actor-aliased-and-moved.json"))
    assert info.moved_to == "http://localhost:8080/users/1happyturtle"
    assert info.also_known_as == ("http://localhost:8080/users/1happyturtle",)


def test_gts_note__content_summary_tags_and_attachment():
    info = note_fields(load(GTS + "gts-note-with-tags-and-emoji.json"))
    assert "first post on the instance" in info.content_html
    assert [h.name for h in info.hashtags] == ["welcome"]
    assert [e.name for e in info.emojis] == ["rainbow"]
    (image,) = info.attachments
    assert image.media_type == "image/jpeg" and image.blurhash == "LIIE|gRj00WB-;j[t7j[4nWBj[Rj"
    assert image.name.startswith("Black and white image")  # GoToSocial puts alt text in summary
    assert info.summary is None  # "" is no content warning


def test_gts_note__content_warning():
    info = note_fields(load(GTS + "note-public-with-attachment-and-cw.json"))
    assert info.summary == "reading: Punishment and Reward in the Corporate University"
    assert info.sensitive is True and info.language == "en"
    assert info.content_html.startswith("<p>&gt; So we have to examine")


def test_gts_create__mentions_and_visibility():
    # Given a Mastodon-shaped Create: followers in `to`, Public and a mention in `cc`
    activity = parse_inbound(load(GTS + "create-note-with-mentions.json"), FOSS_SATAN)
    info = note_fields(activity.object)
    # Then
    assert [m.href for m in info.mentions] == ["http://localhost:8080/users/the_mighty_zork"]
    assert info.in_reply_to.endswith("/statuses/01F8MHAMCHF6Y650WCRSCP4WMY")
    assert visibility_of(info.to, info.cc, FOSS_SATAN + "/followers") is Visibility.UNLISTED


def test_gts_create__hashtags_and_emojis():
    activity = parse_inbound(load(GTS + "create-note-with-emojis-and-tags.json"), FOSS_SATAN)
    info = note_fields(activity.object)
    assert [h.name for h in info.hashtags] == ["tags", "emoji"]
    assert [e.name for e in info.emojis] == ["party_parrot", "amaze", "blobsunglasses"]


@pytest.mark.parametrize(
    "name,expected",
    [
        ("gts-create-note.json", Visibility.PUBLIC),
        ("gts-create-note-delivered.json", Visibility.FOLLOWERS),
        ("gts-create-poll-vote-0.json", Visibility.DIRECT),
    ],
)
def test_gts_create__visibility_from_addressing(name, expected):
    activity = parse_inbound(load(GTS + name), ZORK)
    info = note_fields(activity.object)
    assert visibility_of(info.to, info.cc, activity.actor + "/followers") is expected


def test_gts_create_by_reference__needs_refetch():
    activity = parse_inbound(load(GTS + "gts-create-note-iri-only.json"), ZORK)
    assert activity.needs_refetch is True and activity.object is None


@pytest.mark.parametrize("name", ["no-id", "null-id", "empty-id", None])
def test_gts_note_emoji__every_id_variant_yields_the_emoji(name):
    file = f"note-with-emoji-{name}.json" if name else "note-with-emoji.json"
    (emoji,) = note_fields(load(GTS + file)).emojis
    assert emoji.name == "shocked_pikachu" and emoji.icon_url.endswith(".png")
    assert (emoji.ap_id is None) is (name is not None)


def test_gts_note_odd_hashtags__kept_as_written():
    info = note_fields(load(GTS + "note-with-odd-hashtags.json"))
    assert len(info.hashtags) == 5 and len(info.mentions) == 1


def test_gts_attachment__description_from_summary_before_name():
    attachment = attachment_of(load(GTS + "attachment-document-with-summary.json"))
    assert attachment.name == "A very large panel that is entirely twist switches"


@pytest.mark.parametrize(
    "name",
    [
        GTS + "gts-delete-public.json",
        GTS + "gts-delete-public-reply.json",
        GTS + "gts-delete-direct-message.json",
        GTS_DOCS + "posts-outgoing-Delete-L446.json",
        GTS_DOCS + "posts-outgoing-Delete-L462.json",
    ],
)
def test_gts_deletes__have_no_id_and_still_parse(name):
    # GoToSocial documents its outgoing Deletes without an id; refusing them would leave
    # deleted posts visible here, so Delete is allowed to be id-less (inbound.MAY_LACK_ID).
    doc = load(name)
    assert "id" not in doc
    activity = parse_inbound(doc, actor_of(doc))
    assert (activity.id, activity.type) == (None, "Delete")


def test_gts_peertube_video__url_prefers_the_html_page():
    # The Videos lack attributedTo (refused as posts), but their url forms are the point.
    for name in ("video-peertube.json", "video-mixed-url-forms.json"):
        url = href_of(load(GTS + name)["url"])
        assert url == "https://example.org/w/jifTXYpdLJSU269svW8Jdb", name


def test_gts_flag__keeps_account_and_status():
    activity = parse_inbound(load(GTS + "flag-account-and-status-array.json"), FOSS_SATAN)
    assert activity.object_ids == (
        "http://localhost:8080/users/the_mighty_zork",
        "http://localhost:8080/users/the_mighty_zork/statuses/01F8MHAMCHF6Y650WCRSCP4WMY",
    )


def test_w3c_example_16__object_on_another_host_needs_refetch():
    # mallory on example.net creates a Note whose id is on example.com.
    activity = parse_inbound(load(W3C + "example-16.json"), "https://example.net/~mallory")
    assert activity.needs_refetch is True and activity.object is None


# ---- fediverse-pasture: each example Note wrapped in a Create -----------------------------------

PASTURE_ACTOR = "http://pasture-one-actor/actor"

# (input, example index) -> why the Create is refused; every other example must parse.
PASTURE_REFUSED = {
    ("necessary_properties", 1): "has no object with an id",  # "without id"
    ("necessary_properties", 3): "has no attributedTo",  # "without attributedTo"
    ("necessary_properties", 4): "has no type",  # "without type"
    ("object_types", 13): "has no type",  # "type": null
}


def pasture_examples() -> list:
    if not FIXTURES.is_dir():
        return []
    found = []
    for entry in _json("pasture/index.json")["inputs"]:
        for index, example in enumerate(_json("pasture/" + entry["file"])["examples"]):
            found.append(pytest.param(entry["name"], index, example["note"],
                                      id=f"{entry['name']}-{index}"))
    return found


def pasture_create(name: str, index: int, note: dict) -> dict:
    """Wrap a pasture Note as fediverse-pasture sends it: in a Create by the Note's author."""
    return {
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": f"http://pasture-one-actor/activities/{name}/{index}",
        "type": "Create",
        "actor": PASTURE_ACTOR,
        "object": note,  # a null means "sent as null", so it stays
    }


@pytest.mark.parametrize("name,index,note", pasture_examples())
def test_pasture_example__handled_or_refused_as_pinned(name, index, note):
    # Given
    create = pasture_create(name, index, note)
    # When / Then
    if (name, index) in PASTURE_REFUSED:
        with pytest.raises(MalformedDocument, match=PASTURE_REFUSED[(name, index)]):
            parse_inbound(create, PASTURE_ACTOR)
        return
    activity = parse_inbound(create, PASTURE_ACTOR)
    info = note_fields(activity.object)
    assert info.attributed_to == PASTURE_ACTOR
    assert visibility_of(info.to, info.cc, PASTURE_ACTOR + "/followers") is Visibility.PUBLIC


def test_pasture__refused_examples_exist():
    examples = {(p.values[0], p.values[1]) for p in pasture_examples()}
    assert set(PASTURE_REFUSED) <= examples and len(examples) == 262
