"""The JSON-LD normalisers: each absorbs one ambiguity of remote JSON."""

from __future__ import annotations

import pytest

from federation.audience import Visibility, visibility_of
from federation.vocab import (
    PUBLIC,
    PUBLIC_IRIS,
    actor_of,
    as_list,
    first_of,
    host_of,
    href_of,
    id_of,
    ids_of,
    is_http_url,
    is_public,
    main_type_of,
    object_of,
    string_of,
    types_of,
)

ALICE = "https://remote.test/users/alice"
FOLLOWERS = ALICE + "/followers"
BOB = "https://other.test/users/bob"


def test_as_list__absorbs_one_or_many():
    assert as_list(None) == []
    assert as_list("x") == ["x"]
    assert as_list({"id": "x"}) == [{"id": "x"}]
    assert as_list(["x", "y"]) == ["x", "y"]
    assert as_list([]) == []


def test_first_of__first_item_or_none():
    assert first_of(None) is None
    assert first_of([]) is None
    assert first_of("x") == "x"
    assert first_of(["x", "y"]) == "x"


def test_id_of__iri_or_object_or_list():
    assert id_of(ALICE) == ALICE
    assert id_of({"type": "Person", "id": ALICE}) == ALICE
    assert id_of([{"id": ALICE}, BOB]) == ALICE


@pytest.mark.parametrize("value", [None, "", {"id": ""}, {"id": None}, {"type": "Note"}, 42, []])
def test_id_of__missing_or_empty_is_none(value):
    assert id_of(value) is None


def test_ids_of__skips_items_without_an_id():
    assert ids_of([ALICE, {"id": BOB}, {"type": "Note"}, None, ""]) == [ALICE, BOB]
    assert ids_of(ALICE) == [ALICE]
    assert ids_of(None) == []


def test_actor_of__referenced_embedded_or_listed():
    assert actor_of({"actor": ALICE}) == ALICE
    assert actor_of({"actor": {"type": "Person", "id": ALICE}}) == ALICE
    assert actor_of({"actor": [ALICE]}) == ALICE
    assert actor_of({}) is None


def test_object_of__returns_the_object_as_given():
    note = {"id": ALICE + "/notes/1", "type": "Note"}
    assert object_of({"object": ALICE}) == ALICE
    assert object_of({"object": note}) == note
    assert object_of({"object": [note, ALICE]}) == note
    assert object_of({"object": 7}) is None
    assert object_of({}) is None


@pytest.mark.parametrize("iri", sorted(PUBLIC_IRIS))
def test_is_public__all_three_spellings(iri):
    assert is_public(iri)


@pytest.mark.parametrize("iri", [FOLLOWERS, "public", "as:public", PUBLIC + "/", None, 3])
def test_is_public__nothing_else(iri):
    assert not is_public(iri)


def test_types_of__string_list_and_prefixes():
    assert types_of({"type": "Note"}) == ["Note"]
    assert types_of({"type": ["Person", "vcard:individual"]}) == ["Person", "vcard:individual"]
    assert types_of({"type": "as:Hashtag"}) == ["Hashtag"]
    assert types_of({"type": "https://www.w3.org/ns/activitystreams#Mention"}) == ["Mention"]
    assert types_of({"@type": "Recipe"}) == []
    assert types_of({"type": None}) == []
    assert types_of("Note") == []


def test_main_type_of__prefers_a_known_type():
    assert main_type_of({"type": ["vcard:individual", "Person"]}) == "Person"
    assert main_type_of({"type": ["Note", "Article"]}) == "Note"
    assert main_type_of({"type": "LikeRequest"}) == "LikeRequest"
    assert main_type_of({}) is None


@pytest.mark.parametrize(
    "iri,host",
    [
        ("https://Remote.TEST/users/alice", "remote.test"),
        ("https://remote.test:443/users/alice", "remote.test"),
        ("http://remote.test:80/x", "remote.test"),
        ("http://localhost:8080/users/zork", "localhost:8080"),
        ("https://remote.test:8443/x", "remote.test:8443"),
        ("as:Public", ""),
        ("not a url", ""),
        ("https://remote.test:notaport/", ""),
        (None, ""),
    ],
)
def test_host_of__lower_case_host_and_non_default_port(iri, host):
    assert host_of(iri) == host


def test_is_http_url__absolute_http_or_https_only():
    assert is_http_url("https://remote.test/inbox")
    assert is_http_url("http://localhost:8080/inbox")
    assert not is_http_url("/headers/original/missing.png")
    assert not is_http_url("payto://iban/DE75512108001245126199")
    assert not is_http_url("data:image/png;base64,AAAA")
    assert not is_http_url(None)


def test_href_of__string_link_object_and_lists():
    page = {"type": "Link", "mediaType": "text/html", "href": "https://remote.test/w/1"}
    video = {"type": "Link", "mediaType": "video/mp4", "href": "https://remote.test/1.mp4"}
    assert href_of("https://remote.test/@alice") == "https://remote.test/@alice"
    assert href_of(page) == "https://remote.test/w/1"
    image = {"type": "Image", "url": "https://remote.test/a.png"}
    assert href_of(image) == "https://remote.test/a.png"
    assert href_of([video, page]) == "https://remote.test/w/1"  # text/html preferred
    assert href_of([video, page], prefer=None) == "https://remote.test/1.mp4"
    assert href_of([{"type": "Link"}, "https://remote.test/x"]) == "https://remote.test/x"
    assert href_of(None) is None


def test_string_of__non_empty_strings_only():
    assert string_of("x") == "x"
    assert string_of("") is None
    assert string_of(None) is None
    assert string_of(["x"]) is None


def test_string_of__drops_nul_characters():
    # PostgreSQL refuses text with NUL in it: one such alt text would fail the whole Create.
    assert string_of("<scr\x00ipt>") == "<script>"
    assert string_of("\x00") is None


# ---- visibility_of: start closed, widen on explicit evidence (GoToSocial ExtractVisibility) ----

V = Visibility
VISIBILITY_TABLE = [
    # to,                       cc,                    expected
    ([PUBLIC], [FOLLOWERS], V.PUBLIC),
    (["as:Public"], [], V.PUBLIC),
    (["Public"], [], V.PUBLIC),
    ([FOLLOWERS], [PUBLIC], V.UNLISTED),
    ([FOLLOWERS], ["as:Public"], V.UNLISTED),
    ([FOLLOWERS], ["Public"], V.UNLISTED),
    ([FOLLOWERS], [], V.FOLLOWERS),
    ([BOB], [FOLLOWERS], V.FOLLOWERS),
    ([BOB], [], V.DIRECT),
    ([], [], V.DIRECT),
    ([BOB + "/followers"], [], V.DIRECT),  # someone else's followers widen nothing
    ([FOLLOWERS.upper()], [], V.DIRECT),  # exact match only
]


@pytest.mark.parametrize("to,cc,expected", VISIBILITY_TABLE)
def test_visibility_of__table(to, cc, expected):
    assert visibility_of(to, cc, FOLLOWERS) is expected


def test_visibility_of__unknown_followers_collection_never_widens():
    # Given an author whose followers collection we do not know
    # When a post is addressed to a followers-looking collection only
    # Then it stays direct
    assert visibility_of([FOLLOWERS], [], None) is V.DIRECT
    assert visibility_of([FOLLOWERS], [], "") is V.DIRECT
