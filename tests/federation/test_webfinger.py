"""Handles and remote JRDs, against Mastodon's recorded WebFinger answers."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from federation.errors import Rejected
from federation.webfinger import Handle, actor_url_from_jrd, parse_handle, self_link, subject_of, webfinger_url

FIXTURES = Path(__file__).resolve().parents[2].parent / "shared" / "fixtures" / "mastodon" / "requests"
needs_fixtures = pytest.mark.skipif(not FIXTURES.is_dir(), reason="../shared/fixtures is not beside the repository")


def recorded_body(name: str) -> dict:
    text = (FIXTURES / name).read_text().replace("\r\n", "\n")
    return json.loads(text.split("\n\n", 1)[1])


@pytest.mark.parametrize("text,expected", [
    ("@alice@example.org", Handle("alice", "example.org")),
    ("alice@Example.ORG", Handle("alice", "example.org")),
    ("acct:alice@example.org", Handle("alice", "example.org")),
    ("@alice@127.0.0.1:8000", Handle("alice", "127.0.0.1:8000")),
])
def test_parse_handle__forms(text, expected):
    assert parse_handle(text) == expected


@pytest.mark.parametrize("text", ["alice", "@alice", "alice@", "a b@example.org", "https://example.org/@alice",
                                  "alice@exa_mple.org", "alice@example.org:99999999"])
def test_parse_handle__rejects_what_is_not_a_handle(text):
    with pytest.raises(Rejected):
        parse_handle(text)


def test_webfinger_url__quotes_the_resource():
    assert webfinger_url(Handle("alice", "example.org:8443")) == \
        "https://example.org:8443/.well-known/webfinger?resource=acct:alice@example.org:8443"


@needs_fixtures
def test_mastodon_jrd__resolves_to_the_actor():
    jrd = recorded_body("activitypub-webfinger.txt")
    assert actor_url_from_jrd(jrd, Handle("foo", "ap.example.com")) == "https://ap.example.com/users/foo"


@needs_fixtures
def test_mastodon_jrd__not_accepted_for_another_account():
    jrd = recorded_body("activitypub-webfinger.txt")
    with pytest.raises(Rejected):
        actor_url_from_jrd(jrd, Handle("bar", "ap.example.com"))


@needs_fixtures
def test_noncanonical_jrd__names_its_canonical_subject_for_the_resolver_to_confirm():
    jrd = recorded_body("activitypub-webfinger-noncanonical.txt")
    with pytest.raises(Rejected):
        actor_url_from_jrd(jrd, Handle("foo", "ap.example.com"))
    assert subject_of(jrd) == Handle("foo", "ap2.example.com")
    assert self_link(jrd) == "https://ap.example.com/users/foo"


@needs_fixtures
@pytest.mark.parametrize("name,asked", [
    ("webfinger.txt", Handle("gargron", "quitter.no")),
    ("webfinger-hacker1.txt", Handle("gargron", "quitter.no")),
    ("webfinger-hacker2.txt", Handle("gargron", "quitter.no")),
    ("webfinger-hacker3.txt", Handle("gargron", "quitter.no")),
    ("broken-webfinger.txt", Handle("gargron", "quitter.no")),
])
def test_hostile_or_non_activitypub_jrds__rejected(name, asked):
    with pytest.raises(Rejected):
        actor_url_from_jrd(recorded_body(name), asked)
