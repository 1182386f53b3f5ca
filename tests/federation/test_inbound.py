"""parse_inbound (shape and ownership) and note_fields (the facts of a post)."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from federation.errors import MalformedDocument, Rejected
from federation.inbound import InboundActivity, parse_inbound
from federation.notes import Attachment, Emoji, Hashtag, Mention, PollOption, note_fields
from federation.vocab import PUBLIC

CAROL = "https://remote.test/users/carol"
DAVE = "https://other.test/users/dave"
ALICE = "https://kith.test/users/alice"
NOTE_ID = "https://remote.test/users/carol/statuses/1"


def note(**changes) -> dict:
    """A Mastodon-shaped Note by carol, with `changes` applied (None deletes)."""
    obj = {
        "id": NOTE_ID,
        "type": "Note",
        "attributedTo": CAROL,
        "content": "<p>hello</p>",
        "to": [PUBLIC],
        "cc": [CAROL + "/followers"],
    }
    obj.update(changes)
    return {key: value for key, value in obj.items() if value is not None}


def activity(activity_type: str, obj, **changes) -> dict:
    """An activity by carol with `obj` as object, with `changes` applied (None deletes)."""
    raw = {
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": f"{CAROL}/activities/{activity_type.lower()}/1",
        "type": activity_type,
        "actor": CAROL,
        "object": obj,
        "to": [PUBLIC],
        "cc": CAROL + "/followers",
    }
    raw.update(changes)
    return {key: value for key, value in raw.items() if value is not None}


# ---- envelope ---------------------------------------------------------------------------------


def test_parse_inbound__create_note_normalised():
    # Given
    raw = activity("Create", note())
    # When
    parsed = parse_inbound(raw, CAROL)
    # Then
    assert parsed == InboundActivity(
        id=CAROL + "/activities/create/1",
        type="Create",
        actor=CAROL,
        object_id=NOTE_ID,
        object_ids=(NOTE_ID,),
        object_type="Note",
        object=note(),
        to=(PUBLIC,),
        cc=(CAROL + "/followers",),
        needs_refetch=False,
        raw=raw,
    )
    assert parsed.object == note()


@pytest.mark.parametrize(
    "raw,reason",
    [
        (["Create"], "not a JSON object"),
        ("Create", "not a JSON object"),
        (activity("Create", note(), type=None), "has no type"),
        (activity("Create", note(), actor=None), "Create has no actor"),
        (activity("Create", note(), actor={"type": "Person"}), "Create has no actor"),
        (activity("Create", note(), id=None), "Create has no id"),
        (activity("Like", None), "Like has no object"),
        (activity("Follow", {"type": "Person"}), "Follow has no object"),
    ],
)
def test_parse_inbound__malformed_envelopes(raw, reason):
    with pytest.raises(MalformedDocument, match=reason):
        parse_inbound(raw, CAROL)


@pytest.mark.parametrize("activity_type", ["Delete", "Add", "Remove"])
def test_parse_inbound__idempotent_types_may_lack_an_id(activity_type):
    # GoToSocial sends Deletes, Mastodon sends featured Add/Remove without ids.
    parsed = parse_inbound(activity(activity_type, NOTE_ID, id=None), CAROL)
    assert parsed.id is None and parsed.object_id == NOTE_ID


def test_parse_inbound__actor_must_be_the_signer():
    # Given an activity by carol whose request dave signed
    raw = activity("Like", ALICE + "/statuses/1")
    # When / Then
    with pytest.raises(Rejected, match=f"actor {CAROL} is not the signer {DAVE}"):
        parse_inbound(raw, DAVE)


def test_parse_inbound__embedded_actor_and_multi_valued_type():
    raw = activity("Like", ALICE + "/statuses/1", actor={"type": "Person", "id": CAROL})
    raw["type"] = ["Like", "litepub:EmojiReact"]
    parsed = parse_inbound(raw, CAROL)
    assert (parsed.type, parsed.actor) == ("Like", CAROL)


def test_parse_inbound__iri_object_and_target():
    raw = activity("Add", NOTE_ID, target=CAROL + "/collections/featured")
    parsed = parse_inbound(raw, CAROL)
    assert (parsed.object_id, parsed.object_type, parsed.object) == (NOTE_ID, None, None)
    assert parsed.target == CAROL + "/collections/featured"
    assert parsed.needs_refetch is False


def test_parse_inbound__flag_keeps_every_object():
    raw = activity("Flag", [ALICE, ALICE + "/statuses/1"])
    parsed = parse_inbound(raw, CAROL)
    assert parsed.object_id == ALICE
    assert parsed.object_ids == (ALICE, ALICE + "/statuses/1")


def test_parse_inbound__unknown_types_pass_through_for_dispatch_to_decline():
    parsed = parse_inbound(activity("Arrive", None, location="https://remote.test/places/1"), CAROL)
    assert parsed.type == "Arrive" and parsed.object_id is None


# ---- Create / Update: authorship and origin -----------------------------------------------------


@pytest.mark.parametrize(
    "attributed_to",
    [CAROL, {"type": "Person", "id": CAROL}, [CAROL], [{"type": "Person", "id": CAROL}, DAVE]],
)
def test_parse_inbound__create_attributed_to_the_actor_in_any_form(attributed_to):
    parsed = parse_inbound(activity("Create", note(attributedTo=attributed_to)), CAROL)
    assert parsed.object_type == "Note"


@pytest.mark.parametrize("attributed_to", [DAVE, {"id": DAVE}, [DAVE, CAROL]])
def test_parse_inbound__create_attributed_to_someone_else_is_rejected(attributed_to):
    raw = activity("Create", note(attributedTo=attributed_to))
    with pytest.raises(Rejected, match=f"attributed to {DAVE}, not {CAROL}"):
        parse_inbound(raw, CAROL)


@pytest.mark.parametrize(
    "changes,reason",
    [({"attributedTo": None}, "no attributedTo"), ({"id": None}, "no object with an id"),
     ({"type": None}, "has no type")],
)
def test_parse_inbound__create_of_an_incomplete_object_is_malformed(changes, reason):
    with pytest.raises(MalformedDocument, match=reason):
        parse_inbound(activity("Create", note(**changes)), CAROL)


def test_parse_inbound__create_of_an_object_on_another_host_needs_refetch():
    # Given carol creating a note whose id lives on other.test (AP spec example 16)
    raw = activity("Create", note(id="https://other.test/notes/1"))
    # When
    parsed = parse_inbound(raw, CAROL)
    # Then the embedded copy is not handed out
    assert parsed.needs_refetch is True
    assert parsed.object is None
    assert (parsed.object_id, parsed.object_type) == ("https://other.test/notes/1", "Note")


def test_parse_inbound__create_by_reference_needs_refetch():
    parsed = parse_inbound(activity("Create", NOTE_ID), CAROL)
    assert parsed.needs_refetch is True and parsed.object is None


def test_parse_inbound__every_embedded_object_is_checked():
    # GoToSocial sends poll votes as one Create with a list of Notes.
    votes = [note(id=NOTE_ID + "#v1", name="a"), note(id=NOTE_ID + "#v2", attributedTo=DAVE)]
    with pytest.raises(Rejected, match="attributed to"):
        parse_inbound(activity("Create", votes), CAROL)


def test_parse_inbound__update_of_own_note():
    parsed = parse_inbound(activity("Update", note(content="<p>edited</p>")), CAROL)
    assert parsed.object["content"] == "<p>edited</p>"


def test_parse_inbound__update_of_an_object_on_another_host_is_rejected():
    raw = activity("Update", note(id="https://other.test/notes/1"))
    with pytest.raises(Rejected, match="Update of https://other.test/notes/1"):
        parse_inbound(raw, CAROL)


def test_parse_inbound__update_of_oneself():
    person = {"id": CAROL, "type": "Person", "preferredUsername": "carol"}
    parsed = parse_inbound(activity("Update", person), CAROL)
    assert (parsed.object_type, parsed.object) == ("Person", person)


def test_parse_inbound__update_of_another_actor_is_rejected():
    person = {"id": CAROL + "x", "type": "Person", "preferredUsername": "carolx"}
    with pytest.raises(Rejected, match=f"actor {CAROL}x is not {CAROL}"):
        parse_inbound(activity("Update", person), CAROL)


# ---- Delete / Undo / Move -----------------------------------------------------------------------


def test_parse_inbound__delete_of_own_object_by_iri_or_tombstone():
    by_iri = parse_inbound(activity("Delete", NOTE_ID), CAROL)
    tombstone = parse_inbound(activity("Delete", {"id": NOTE_ID, "type": "Tombstone"}), CAROL)
    assert by_iri.object_id == tombstone.object_id == NOTE_ID
    assert tombstone.object_type == "Tombstone"


def test_parse_inbound__delete_of_oneself():
    assert parse_inbound(activity("Delete", CAROL), CAROL).object_id == CAROL


def test_parse_inbound__delete_of_an_object_on_another_host_is_rejected():
    with pytest.raises(Rejected, match="Delete of https://other.test/notes/1"):
        parse_inbound(activity("Delete", "https://other.test/notes/1"), CAROL)


def test_parse_inbound__undo_of_own_follow():
    follow = {"id": CAROL + "/follows/1", "type": "Follow", "actor": CAROL, "object": ALICE}
    parsed = parse_inbound(activity("Undo", follow), CAROL)
    assert (parsed.object_type, parsed.object) == ("Follow", follow)


def test_parse_inbound__undo_of_someone_elses_activity_is_rejected():
    follow = {"id": CAROL + "/follows/1", "type": "Follow", "actor": DAVE, "object": ALICE}
    with pytest.raises(Rejected, match=f"Undo of an activity by {DAVE}"):
        parse_inbound(activity("Undo", follow), CAROL)


def test_parse_inbound__accept_of_our_follow_is_refetched_not_trusted():
    follow = {"id": ALICE + "/follows/1", "type": "Follow", "actor": ALICE, "object": CAROL}
    parsed = parse_inbound(activity("Accept", follow), CAROL)
    assert (parsed.object_id, parsed.object_type) == (ALICE + "/follows/1", "Follow")
    assert parsed.object is None and parsed.needs_refetch is True


def test_parse_inbound__move_of_oneself():
    parsed = parse_inbound(activity("Move", CAROL, target=DAVE), CAROL)
    assert (parsed.object_id, parsed.target) == (CAROL, DAVE)


@pytest.mark.parametrize(
    "obj,target,reason",
    [(DAVE, DAVE + "x", "Move of"), (CAROL, CAROL, "equals its origin"), (CAROL, None, "missing")],
)
def test_parse_inbound__bad_moves_are_rejected(obj, target, reason):
    with pytest.raises(Rejected, match=reason):
        parse_inbound(activity("Move", obj, target=target), CAROL)


# ---- note_fields --------------------------------------------------------------------------------


def test_note_fields__mastodon_note():
    # Given a Note with a content warning, a reply, tags and an image
    obj = note(
        summary="cw: food",
        sensitive=True,
        inReplyTo=ALICE + "/statuses/9",
        published="2021-05-12T09:41:38.00Z",
        updated="2021-05-12T10:00:00Z",
        url="https://remote.test/@carol/1",
        contentMap={"en": "<p>hello</p>"},
        tag=[
            {"type": "Mention", "href": ALICE, "name": "@alice@kith.test"},
            {"type": "Hashtag", "href": "https://remote.test/tags/food", "name": "#food"},
            {"id": "https://remote.test/emojis/1", "type": "Emoji", "name": ":blob:",
             "icon": {"type": "Image", "url": "https://remote.test/blob.png"}},
        ],
        attachment=[
            {"type": "Document", "mediaType": "image/jpeg", "url": "https://remote.test/1.jpg",
             "name": "a bowl of soup", "blurhash": "UBL_:rOpGG-oBUNG", "width": 640, "height": 480}
        ],
    )
    # When
    info = note_fields(obj)
    # Then
    assert (info.ap_id, info.object_type, info.attributed_to) == (NOTE_ID, "Note", CAROL)
    assert (info.content_html, info.summary, info.sensitive) == ("<p>hello</p>", "cw: food", True)
    assert info.in_reply_to == ALICE + "/statuses/9"
    assert info.published == datetime(2021, 5, 12, 9, 41, 38, tzinfo=timezone.utc)
    assert info.updated == datetime(2021, 5, 12, 10, 0, tzinfo=timezone.utc)
    assert info.url == "https://remote.test/@carol/1"
    assert (info.to, info.cc) == ((PUBLIC,), (CAROL + "/followers",))
    assert info.mentions == (Mention(href=ALICE, name="@alice@kith.test"),)
    assert info.hashtags == (Hashtag(name="food", href="https://remote.test/tags/food"),)
    blob = Emoji(
        name="blob", icon_url="https://remote.test/blob.png", ap_id="https://remote.test/emojis/1"
    )
    assert info.emojis == (blob,)
    assert info.attachments == (
        Attachment(url="https://remote.test/1.jpg", media_type="image/jpeg", name="a bowl of soup",
                   width=640, height=480, blurhash="UBL_:rOpGG-oBUNG"),
    )
    assert info.language == "en"


@pytest.mark.parametrize(
    "changes,reason",
    [({"id": None}, "no id"), ({"attributedTo": None}, "no attributedTo")],
)
def test_note_fields__id_and_author_are_required(changes, reason):
    with pytest.raises(MalformedDocument, match=reason):
        note_fields(note(**changes))


def test_note_fields__not_a_dict_is_malformed():
    with pytest.raises(MalformedDocument):
        note_fields(NOTE_ID)


def test_note_fields__content_map_when_content_is_missing():
    info = note_fields(note(content=None, contentMap={"de": "<p>Hallo</p>", "en": "<p>Hi</p>"}))
    assert (info.content_html, info.language) == ("<p>Hallo</p>", "de")


def test_note_fields__language_of_the_matching_content_map_entry():
    content_map = {"de": "<p>Hallo</p>", "en": "<p>Hi</p>"}
    info = note_fields(note(content="<p>Hi</p>", contentMap=content_map))
    assert (info.content_html, info.language) == ("<p>Hi</p>", "en")


def test_note_fields__language_from_context():
    obj = note()
    obj["@context"] = ["https://www.w3.org/ns/activitystreams", {"@language": "ja"}]
    assert note_fields(obj).language == "ja"


def test_note_fields__no_content_at_all_is_empty():
    info = note_fields(note(content=None, name="tissues"))  # a GoToSocial poll vote
    assert (info.content_html, info.name, info.language) == ("", "tissues", None)


def test_note_fields__question_one_of():
    obj = note(
        type="Question",
        endTime="2026-01-01T00:00:00Z",
        oneOf=[
            {"type": "Note", "name": "yes", "replies": {"type": "Collection", "totalItems": 3}},
            {"type": "Note", "name": "no", "replies": {"type": "Collection", "totalItems": 0}},
            {"type": "Note", "name": "maybe"},
            {"type": "Note"},
        ],
    )
    info = note_fields(obj)
    assert info.object_type == "Question"
    assert info.poll_options == (PollOption("yes", 3), PollOption("no", 0), PollOption("maybe", 0))
    assert info.poll_multiple is False
    assert info.poll_end_time == datetime(2026, 1, 1, tzinfo=timezone.utc)


def test_note_fields__question_any_of_is_multiple_choice():
    obj = note(type="Question", anyOf=[{"name": "tea", "replies": {"totalItems": 2}}])
    info = note_fields(obj)
    assert info.poll_options == (PollOption("tea", 2),) and info.poll_multiple is True


def test_note_fields__tags_liberal_in_shape():
    tags = {"type": "as:Hashtag", "name": "#Food", "url": "https://ignored.test"}
    info = note_fields(note(tag=tags))
    assert info.hashtags == (Hashtag(name="Food", href=None),)


def test_note_fields__tags_untyped_or_incomplete_are_skipped():
    tags = [
        {"name": "#untyped"},
        {"type": "Mention", "name": "@nohref"},
        {"type": "Hashtag"},
        {"type": "Emoji", "name": ":noicon:"},
        "https://remote.test/tags/bare",
    ]
    info = note_fields(note(tag=tags))
    assert (info.mentions, info.hashtags, info.emojis) == ((), (), ())


def test_note_fields__duplicate_mentions_and_hashtags_collapse():
    tags = [
        {"type": "Mention", "href": ALICE, "name": "@alice"},
        {"type": "Mention", "href": ALICE},
        {"type": "Hashtag", "name": "#food"},
        {"type": "Hashtag", "name": "#Food"},
    ]
    info = note_fields(note(tag=tags))
    assert info.mentions == (Mention(href=ALICE, name="@alice"),)
    assert info.hashtags == (Hashtag(name="food"),)


@pytest.mark.parametrize("emoji_id", [None, "", "missing"])
def test_note_fields__emoji_without_a_usable_id(emoji_id):
    tag = {"type": "Emoji", "name": ":blob:", "icon": {"url": "https://remote.test/blob.png"}}
    if emoji_id != "missing":
        tag["id"] = emoji_id
    assert note_fields(note(tag=tag)).emojis == (
        Emoji(name="blob", icon_url="https://remote.test/blob.png", ap_id=None),
    )


@pytest.mark.parametrize(
    "attachment,expected",
    [
        ("https://remote.test/1.png", Attachment(url="https://remote.test/1.png")),
        ({"url": "https://remote.test/1.png"}, Attachment(url="https://remote.test/1.png")),
        ({"type": "Document", "href": "https://remote.test/a.txt"},
         Attachment(url="https://remote.test/a.txt")),
        ({"type": "Image", "url": {"type": "Link", "href": "https://remote.test/1.png",
                                   "mediaType": "image/png"}},
         Attachment(url="https://remote.test/1.png", media_type="image/png")),
        ({"type": "Image", "url": "https://remote.test/1.png", "name": "file.png",
          "summary": "a cat"},
         Attachment(url="https://remote.test/1.png", name="a cat")),
        ({"type": "Image", "url": "https://remote.test/1.png", "width": 13, "height": True},
         Attachment(url="https://remote.test/1.png", width=13)),
    ],
)
def test_note_fields__attachment_shapes(attachment, expected):
    assert note_fields(note(attachment=attachment)).attachments == (expected,)


@pytest.mark.parametrize(
    "attachment",
    [
        {"type": "Link", "href": "https://funfedi.test"},
        {"type": "PropertyValue", "name": "a", "value": "b"},
        {"type": "Note", "content": "attached note"},
        {"type": "Image", "url": "data:image/png;base64,AAAA"},
        {"type": "Document", "name": "no url"},
        "payto://iban/DE00",
    ],
)
def test_note_fields__non_media_attachments_are_skipped(attachment):
    assert note_fields(note(attachment=attachment)).attachments == ()


@pytest.mark.parametrize(
    "in_reply_to",
    [
        ALICE + "/statuses/9",
        [ALICE + "/statuses/9", ALICE + "/statuses/10"],
        {"type": "Link", "href": ALICE + "/statuses/9"},
        {"type": "Note", "id": ALICE + "/statuses/9"},
    ],
)
def test_note_fields__in_reply_to_forms(in_reply_to):
    assert note_fields(note(inReplyTo=in_reply_to)).in_reply_to == ALICE + "/statuses/9"


def test_note_fields__unparsable_dates_are_none():
    info = note_fields(note(published="yesterday", updated=12))
    assert (info.published, info.updated) == (None, None)


def test_note_fields__naive_dates_are_utc():
    info = note_fields(note(published="2024-01-01T00:00:00"))
    assert info.published == datetime(2024, 1, 1, tzinfo=timezone.utc)


@pytest.mark.parametrize("key", ["quote", "quoteUrl", "quoteUri", "_misskey_quote"])
def test_note_fields__quote_properties(key):
    assert note_fields(note(**{key: DAVE + "/notes/1"})).quote_url == DAVE + "/notes/1"


def test_note_fields__quote_link_tag():
    # FEP-e232 object links.
    tag = {"type": "Link", "href": DAVE + "/notes/1",
           "rel": "https://misskey-hub.net/ns#_misskey_quote"}
    assert note_fields(note(tag=[tag])).quote_url == DAVE + "/notes/1"
