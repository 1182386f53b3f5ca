"""Actor documents: what a remote actor must carry, and the shape of ours."""

from __future__ import annotations

import re
from datetime import datetime, timezone

import pytest

from federation.actors import (
    LocalActor,
    RemoteActorInfo,
    local_actor_context,
    local_actor_document,
    parse_actor,
)
from federation.errors import MalformedDocument, Rejected
from federation.vocab import AS_CONTEXT, SECURITY_CONTEXT

CAROL = "https://remote.test/users/carol"
PEM = "-----BEGIN PUBLIC KEY-----\nMIIB\n-----END PUBLIC KEY-----\n"


def carol_document(**changes) -> dict:
    """A Mastodon-shaped actor for carol@remote.test, with `changes` applied (None deletes)."""
    doc = {
        "@context": [AS_CONTEXT, SECURITY_CONTEXT],
        "id": CAROL,
        "type": "Person",
        "preferredUsername": "carol",
        "name": "Carol",
        "summary": "<p>hi</p>",
        "url": "https://remote.test/@carol",
        "inbox": CAROL + "/inbox",
        "outbox": CAROL + "/outbox",
        "followers": CAROL + "/followers",
        "following": CAROL + "/following",
        "featured": CAROL + "/collections/featured",
        "manuallyApprovesFollowers": True,
        "discoverable": True,
        "endpoints": {"sharedInbox": "https://remote.test/inbox"},
        "publicKey": {"id": CAROL + "#main-key", "owner": CAROL, "publicKeyPem": PEM},
        "icon": {"type": "Image", "mediaType": "image/png", "url": "https://remote.test/a.png"},
        "image": {"type": "Image", "url": "https://remote.test/h.png"},
        "alsoKnownAs": ["https://old.test/users/carol"],
        "movedTo": "https://new.test/users/carol",
    }
    doc.update(changes)
    return {key: value for key, value in doc.items() if value is not None}


def test_parse_actor__mastodon_shape_yields_every_field():
    # When
    info = parse_actor(carol_document())
    # Then
    assert info == RemoteActorInfo(
        ap_id=CAROL,
        actor_type="Person",
        username="carol",
        inbox=CAROL + "/inbox",
        display_name="Carol",
        summary_html="<p>hi</p>",
        url="https://remote.test/@carol",
        outbox=CAROL + "/outbox",
        shared_inbox="https://remote.test/inbox",
        followers=CAROL + "/followers",
        following=CAROL + "/following",
        featured=CAROL + "/collections/featured",
        public_key_id=CAROL + "#main-key",
        public_key_pem=PEM,
        public_key_owner=CAROL,
        icon_url="https://remote.test/a.png",
        image_url="https://remote.test/h.png",
        locked=True,
        discoverable=True,
        indexable=False,
        moved_to="https://new.test/users/carol",
        also_known_as=("https://old.test/users/carol",),
    )


def test_parse_actor__multi_valued_type_picks_the_actor_type():
    info = parse_actor(carol_document(type=["vcard:individual", "Service"]))
    assert info.actor_type == "Service"


@pytest.mark.parametrize(
    "actor_type", ["Person", "Service", "Application", "Group", "Organization"]
)
def test_parse_actor__every_actor_type_is_supported(actor_type):
    assert parse_actor(carol_document(type=actor_type)).actor_type == actor_type


@pytest.mark.parametrize(
    "changes,reason",
    [
        ({"id": None}, "no http(s) id"),
        ({"id": "urn:uuid:1234"}, "no http(s) id"),
        ({"type": "Note"}, "not a supported actor type"),
        ({"type": None}, "not a supported actor type"),
        ({"inbox": None}, "no usable inbox"),
        ({"inbox": "/inbox"}, "no usable inbox"),
        ({"inbox": ""}, "no usable inbox"),
        ({"preferredUsername": None}, "no preferredUsername"),
        ({"preferredUsername": "  "}, "no preferredUsername"),
        ({"preferredUsername": ["carol"]}, "no preferredUsername"),
    ],
)
def test_parse_actor__refuses_unusable_actors(changes, reason):
    with pytest.raises(Rejected, match=re.escape(reason)):
        parse_actor(carol_document(**changes))


def test_parse_actor__explicit_null_inbox_is_malformed():
    # Mastodon's activitypub-actor-noinbox fixture: "inbox": null, kept as a key.
    doc = carol_document()
    doc["inbox"] = None
    with pytest.raises(MalformedDocument, match="no usable inbox"):
        parse_actor(doc)


def test_parse_actor__not_a_dict_is_malformed():
    with pytest.raises(MalformedDocument):
        parse_actor(["not", "an", "actor"])


def test_parse_actor__key_owned_by_someone_else_is_rejected():
    mallory = "https://remote.test/users/mallory"
    key = {"id": CAROL + "#main-key", "owner": mallory, "publicKeyPem": PEM}
    with pytest.raises(Rejected, match="owned by https://remote.test/users/mallory"):
        parse_actor(carol_document(publicKey=key))


def test_parse_actor__key_without_owner_is_rejected():
    key = {"id": CAROL + "#main-key", "publicKeyPem": PEM}
    with pytest.raises(Rejected, match="owned by nobody"):
        parse_actor(carol_document(publicKey=key))


def test_parse_actor__key_on_another_host_is_rejected():
    key = {"id": "https://evil.test/keys/1", "owner": CAROL, "publicKeyPem": PEM}
    with pytest.raises(Rejected, match="not on the actor's host"):
        parse_actor(carol_document(publicKey=key))


def test_parse_actor__key_controller_counts_as_owner():
    # FEP-521a names the owner `controller`.
    key = {"id": CAROL + "#main-key", "controller": CAROL, "publicKeyPem": PEM}
    assert parse_actor(carol_document(publicKey=key)).public_key_owner == CAROL


def test_parse_actor__key_list_takes_the_first_embedded_key():
    keys = [CAROL + "#referenced", {"id": CAROL + "#main-key", "owner": CAROL, "publicKeyPem": PEM}]
    info = parse_actor(carol_document(publicKey=keys))
    assert (info.public_key_id, info.public_key_pem) == (CAROL + "#main-key", PEM)


def test_parse_actor__key_given_as_an_iri_is_kept_for_fetching():
    info = parse_actor(carol_document(publicKey=CAROL + "/main-key"))
    assert (info.public_key_id, info.public_key_pem, info.public_key_owner) == (
        CAROL + "/main-key",
        None,
        None,
    )


def test_parse_actor__no_key_is_allowed():
    info = parse_actor(carol_document(publicKey=None))
    assert info.public_key_id is None and info.public_key_pem is None


def test_parse_actor__liberal_shapes_of_optional_fields():
    # Given the forms seen in the wild: icon as a bare IRI or a list (AP example 9), url as a
    # Link, a relative header image (Mastodon's noinbox fixture), flags missing
    doc = carol_document(
        icon=["https://remote.test/a.png"],
        image="/headers/original/missing.png",
        url={"type": "Link", "href": "https://remote.test/@carol"},
        manuallyApprovesFollowers=None,
        discoverable=None,
        endpoints="https://remote.test/endpoints",
        name=None,
        summary=None,
    )
    # When
    info = parse_actor(doc)
    # Then
    assert info.icon_url == "https://remote.test/a.png"
    assert info.image_url is None
    assert info.url == "https://remote.test/@carol"
    assert (info.locked, info.discoverable, info.indexable) == (False, False, False)
    assert info.shared_inbox is None
    assert (info.display_name, info.summary_html) == ("", "")


# ---- our own actor document -------------------------------------------------------------------

ALICE = "https://kith.test/users/alice"


def alice(**changes) -> LocalActor:
    fields = dict(
        ap_id=ALICE,
        username="alice",
        display_name="Alice",
        summary_html="<p>hello</p>",
        url="https://kith.test/@alice",
        inbox=ALICE + "/inbox",
        outbox=ALICE + "/outbox",
        followers=ALICE + "/followers",
        following=ALICE + "/following",
        featured=ALICE + "/featured",
        shared_inbox="https://kith.test/inbox",
        public_key_id=ALICE + "#main-key",
        public_key_pem=PEM,
        locked=True,
        discoverable=False,
        indexable=False,
        published=datetime(2026, 1, 2, 3, 4, 5, 678, tzinfo=timezone.utc),
        icon_url="https://kith.test/media/a.png",
        icon_media_type="image/png",
    )
    fields.update(changes)
    return LocalActor(**fields)


def test_local_actor_document__mastodon_fields():
    doc = local_actor_document(alice())
    assert doc["id"] == ALICE and doc["type"] == "Person"
    assert doc["preferredUsername"] == "alice" and doc["name"] == "Alice"
    assert doc["inbox"] == ALICE + "/inbox" and doc["outbox"] == ALICE + "/outbox"
    assert doc["endpoints"] == {"sharedInbox": "https://kith.test/inbox"}
    assert doc["publicKey"] == {"id": ALICE + "#main-key", "owner": ALICE, "publicKeyPem": PEM}
    assert doc["manuallyApprovesFollowers"] is True
    assert doc["discoverable"] is False and doc["indexable"] is False
    assert doc["published"] == "2026-01-02T03:04:05Z"
    assert doc["icon"] == {
        "type": "Image",
        "mediaType": "image/png",
        "url": "https://kith.test/media/a.png",
    }
    assert "image" not in doc


def test_local_actor_document__context_names_only_standard_documents():
    # Strict servers refuse context URLs they do not know: every other term is inline.
    context = local_actor_document(alice())["@context"]
    urls = [term for term in context if isinstance(term, str)]
    terms = [term for term in context if isinstance(term, dict)]
    assert urls == [AS_CONTEXT, SECURITY_CONTEXT]
    for name in ("manuallyApprovesFollowers", "toot", "featured", "discoverable", "indexable"):
        assert any(name in term for term in terms), name


def test_local_actor_document__context_is_a_fresh_copy():
    first = local_actor_context()
    first[2]["toot"] = "changed"
    assert local_actor_context()[2]["toot"] == "http://joinmastodon.org/ns#"


def test_local_actor_document__instance_actor_is_an_application():
    doc = local_actor_document(
        alice(actor_type="Application", username="kith.test", followers=None, featured=None)
    )
    assert doc["type"] == "Application"
    assert "followers" not in doc and "featured" not in doc


def test_local_actor_document__naive_published_is_utc():
    doc = local_actor_document(alice(published=datetime(2026, 1, 2, 3, 4, 5)))
    assert doc["published"] == "2026-01-02T03:04:05Z"


def test_local_actor_document__parses_back_to_the_same_facts():
    # Given our own document, as a remote server would read it
    info = parse_actor(local_actor_document(alice()))
    # Then
    assert (info.ap_id, info.actor_type, info.username, info.display_name) == (
        ALICE, "Person", "alice", "Alice"
    )
    assert (info.inbox, info.shared_inbox, info.outbox) == (
        ALICE + "/inbox", "https://kith.test/inbox", ALICE + "/outbox"
    )
    assert (info.public_key_id, info.public_key_owner, info.public_key_pem) == (
        ALICE + "#main-key", ALICE, PEM
    )
    assert (info.locked, info.discoverable, info.indexable) == (True, False, False)
    assert info.icon_url == "https://kith.test/media/a.png"
    assert info.featured == ALICE + "/featured"
