"""Polls on the wire: the Question we send, the votes we send and recognise (GoToSocial's
recorded votes among them), the tallies we read, and who receives a poll's results."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

import pytest

from federation.activities import (
    NoteFacts,
    PollChoice,
    PollFacts,
    create,
    note,
    poll_vote,
    question,
    question_update,
)
from federation.audience import Recipient, Visibility, inboxes_for
from federation.errors import MalformedDocument, Rejected
from federation.inbound import parse_inbound
from federation.notes import note_fields
from federation.polls import is_vote_shaped, votes_in

FIXTURES = Path(__file__).resolve().parents[2].parent / "shared" / "fixtures"
GTS = FIXTURES / "gotosocial"
needs_fixtures = pytest.mark.skipif(not FIXTURES.is_dir(), reason=f"shared fixtures not found at {FIXTURES}")
ZORK = "http://localhost:8080/users/the_mighty_zork"
SATAN_POLL = "http://fossbros-anonymous.io/users/foss_satan/statuses/01HEN2QRFA8H3C6QPN7RD4KSR6"
NOW = datetime(2026, 12, 1, 12, 0, tzinfo=timezone.utc)
ALICE = "https://kith.example/users/alice"


def a_question(multiple: bool = False, closed: datetime | None = None) -> dict:
    facts = NoteFacts(ap_id=f"{ALICE}/statuses/1", url="https://kith.example/@alice/1", attributed_to=ALICE,
                      content_html="<p>Tea or coffee?</p>", published=NOW, to=("as:Public",), cc=())
    poll = PollFacts(choices=(PollChoice("Tea", 3), PollChoice("Coffee", 1)), multiple=multiple,
                     end_time=datetime(2026, 12, 2, 12, 0, tzinfo=timezone.utc), voters_count=4, closed=closed)
    return question(note(facts), poll)


def test_question__shaped_as_mastodon_sends_it():
    document = a_question()
    assert document["type"] == "Question" and document["content"] == "<p>Tea or coffee?</p>"
    assert document["oneOf"] == [
        {"type": "Note", "name": "Tea", "replies": {"type": "Collection", "totalItems": 3}},
        {"type": "Note", "name": "Coffee", "replies": {"type": "Collection", "totalItems": 1}},
    ]
    assert "anyOf" not in document and "closed" not in document
    assert document["endTime"] == "2026-12-02T12:00:00Z" and document["votersCount"] == 4
    assert {"votersCount": "toot:votersCount"}.items() <= document["@context"][1].items()


def test_question__multiple_choice_and_closed():
    document = a_question(multiple=True, closed=datetime(2026, 12, 2, 12, 0, tzinfo=timezone.utc))
    assert [c["name"] for c in document["anyOf"]] == ["Tea", "Coffee"] and "oneOf" not in document
    assert document["closed"] == "2026-12-02T12:00:00Z"


def test_question__reads_back_through_our_parser():
    info = note_fields(a_question(closed=datetime(2026, 12, 2, 12, 0, tzinfo=timezone.utc)))
    assert [(o.name, o.votes) for o in info.poll_options] == [("Tea", 3), ("Coffee", 1)]
    assert info.poll_voters == 4 and info.poll_closed == datetime(2026, 12, 2, 12, 0, tzinfo=timezone.utc)
    assert not info.poll_multiple


def test_question__closed_true_means_its_end_time():
    # AS2 allows `closed: true`; the end time then says when.
    document = {**a_question(), "closed": True}
    assert note_fields(document).poll_closed == datetime(2026, 12, 2, 12, 0, tzinfo=timezone.utc)


def test_question_update__carries_new_results_without_claiming_an_edit():
    first = question_update(a_question(), NOW)
    again = question_update(a_question(), NOW.replace(microsecond=5000))
    assert first["type"] == "Update" and first["object"]["type"] == "Question"
    assert first["id"] != again["id"]  # two sends within a second are two activities
    assert "updated" not in first["object"]  # Mastodon would take a newer `updated` for an edit
    assert first["to"] == first["object"]["to"]


def test_poll_vote__a_named_note_to_the_author_alone():
    activity = poll_vote(f"{ALICE}#votes/1", ALICE, SATAN_POLL, "http://fossbros-anonymous.io/users/foss_satan", "tissues")
    vote = activity["object"]
    assert activity["type"] == "Create" and activity["to"] == vote["to"] == ["http://fossbros-anonymous.io/users/foss_satan"]
    assert vote == {"id": f"{ALICE}#votes/1", "type": "Note", "attributedTo": ALICE,
                    "to": ["http://fossbros-anonymous.io/users/foss_satan"], "name": "tissues",
                    "inReplyTo": SATAN_POLL}
    assert "content" not in vote and "cc" not in activity
    # and it reads as a vote on the other side
    assert votes_in(parse_inbound(activity, ALICE))[0].choice == "tissues"


@needs_fixtures
@pytest.mark.parametrize("name,choice", [("gts-create-poll-vote-0.json", "tissues"),
                                         ("gts-create-poll-vote-1.json", "financial times")])
def test_votes_in__gotosocial_recorded_votes(name, choice):
    raw = json.loads((GTS / "documents" / name).read_text())
    (vote,) = votes_in(parse_inbound(raw, ZORK))
    assert vote.choice == choice and vote.question == SATAN_POLL and vote.ap_id == raw["object"]["id"]


@needs_fixtures
def test_votes_in__gotosocial_multiple_choice_in_one_create():
    # GoToSocial's docs: one Create carrying every choice of a multiple-choice vote.
    objects = [json.loads((GTS / "documents" / f"gts-create-poll-vote-{n}.json").read_text())["object"]
               for n in (0, 1)]
    raw = {**json.loads((GTS / "documents" / "gts-create-poll-vote-0.json").read_text()), "object": objects}
    assert [v.choice for v in votes_in(parse_inbound(raw, ZORK))] == ["tissues", "financial times"]


@needs_fixtures
def test_is_vote_shaped__gotosocial_docs_example():
    example = json.loads((GTS / "docs-examples" / "posts-poll-votes-Note-L377.json").read_text())
    assert is_vote_shaped(example)
    assert not is_vote_shaped({**example, "content": "<p>a reply that happens to have a title</p>"})
    assert not is_vote_shaped({**example, "contentMap": {"en": "<p>text</p>"}})
    assert not is_vote_shaped({k: v for k, v in example.items() if k != "inReplyTo"})
    assert not is_vote_shaped({**example, "type": "Article"})


def vote_create(objects: list[dict], actor: str = ZORK) -> dict:
    return {"id": f"{actor}#create", "type": "Create", "actor": actor, "object": objects}


def a_vote(n: int, actor: str = ZORK, **changes) -> dict:
    return {"id": f"{actor}#votes/{n}", "type": "Note", "attributedTo": actor, "name": f"option {n}",
            "inReplyTo": SATAN_POLL, "to": "http://fossbros-anonymous.io/users/foss_satan", **changes}


def test_votes_in__ordinary_posts_are_not_votes():
    reply = a_vote(1, content="<p>I think option 1</p>")
    assert votes_in(parse_inbound(vote_create([reply]), ZORK)) == ()
    assert votes_in(parse_inbound({**vote_create([a_vote(1)]), "type": "Update"}, ZORK)) == ()


def test_votes_in__refuses_votes_mixed_with_posts():
    mixed = vote_create([a_vote(1), a_vote(2, content="<p>hello</p>")])
    with pytest.raises(Rejected, match="mixes"):
        votes_in(parse_inbound(mixed, ZORK))


def test_votes_in__refuses_a_vote_elsewhere_than_its_voters_host():
    # parse_inbound already refuses a vote attributed to someone else; a vote whose id lives
    # on another host cannot be fetched to check, so it is refused here.
    elsewhere = a_vote(1, id="http://elsewhere.example/votes/1")
    with pytest.raises(Rejected, match="host"):
        votes_in(parse_inbound(vote_create([elsewhere]), ZORK))
    with pytest.raises(Rejected):
        parse_inbound(vote_create([a_vote(1, attributedTo="http://localhost:8080/users/someone")]), ZORK)
    with pytest.raises(MalformedDocument):
        parse_inbound(vote_create([{k: v for k, v in a_vote(1).items() if k != "id"}]), ZORK)


def recipient(name: str, **facts) -> Recipient:
    return Recipient(ap_id=f"https://{name}.example/u", inbox=f"https://{name}.example/u/inbox",
                     shared_inbox=f"https://{name}.example/inbox", host=f"{name}.example", **facts)


@pytest.mark.parametrize("visibility,expected", [
    (Visibility.PUBLIC, {"https://follower.example/inbox", "https://voter.example/inbox"}),
    (Visibility.UNLISTED, {"https://follower.example/inbox", "https://voter.example/inbox"}),
    (Visibility.FOLLOWERS, {"https://follower.example/inbox"}),
    (Visibility.DIRECT, set()),
    (Visibility.LOCAL, set()),
])
def test_inboxes_for__voters_get_results_of_open_polls_only(visibility, expected):
    # A voter who is neither a follower nor mentioned is in a public poll's audience, not in
    # a followers-only one's; a blocked voter gets nothing.
    everyone = [recipient("follower", follows_author=True), recipient("voter", voted=True),
                recipient("blocked", voted=True, blocked=True)]
    assert inboxes_for(visibility, everyone) == expected


def test_create_of_a_question_keeps_the_poll():
    activity = create(a_question())
    assert activity["object"]["type"] == "Question" and activity["object"]["oneOf"]
    assert activity["@context"][1]["votersCount"] == "toot:votersCount"
