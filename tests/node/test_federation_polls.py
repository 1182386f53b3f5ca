"""Polls both ways against the fake fediverse, over real HTTP with real signatures: our
Question and its results reach the audience; remote votes are counted (or refused) and never
become posts; our votes reach a remote author's own inbox only; a remote author's Update
moves the tallies; GoToSocial's recorded vote documents are counted."""

from __future__ import annotations

import json
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path
from urllib.parse import urlencode

import pytest

from federation.activities import iso
from federation.audience import Visibility
from federation.models import InboxItem, InboxState
from node.models import Follow, FollowState, Notification, NotificationKind, Poll, PollOption, PollVote, Post
from node.polls import PollDraft
from node.services.poll_updates import PollWorker
from node.services.posting import Draft, publish_post
from node.services.remote import remote_actor
from tests.conftest import form_token
from tests.rig.waiting import eventually

pytestmark = pytest.mark.live
LIVE_NODE_OPTIONS = {"run_workers": True}
AS = "https://www.w3.org/ns/activitystreams"
FIXTURES = Path(__file__).resolve().parents[2].parent / "shared" / "fixtures"


# --- what remote servers send ------------------------------------------------------------

def vote_from(actor, question_id: str, author_id: str, *choices: str) -> dict:
    """A Create of vote Notes, as GoToSocial sends them (one Note per choice)."""
    notes = [{"id": f"{actor.id}#votes/{uuid.uuid4().hex}", "type": "Note", "name": choice,
              "inReplyTo": question_id, "attributedTo": actor.id, "to": [author_id]} for choice in choices]
    return {"@context": AS, "id": f"{actor.id}#votes/{uuid.uuid4().hex}/activity", "type": "Create",
            "actor": actor.id, "to": [author_id], "object": notes if len(notes) > 1 else notes[0]}


def question_from(actor, options, *, multiple: bool = False, ends: datetime | None = None) -> dict:
    """A Mastodon-shaped Create{Question}."""
    create = actor.create_note("Which one?", visibility="public")
    question = create["object"]
    question["type"] = "Question"
    question["anyOf" if multiple else "oneOf"] = [
        {"type": "Note", "name": name, "replies": {"type": "Collection", "totalItems": 0}} for name in options]
    question["endTime"] = iso(ends or datetime.now(timezone.utc) + timedelta(days=1))
    question["votersCount"] = 0
    return create


def results_from(actor, create: dict, tallies: list[int], voters: int, closed: datetime | None = None) -> dict:
    """The Update{Question} the poll's author sends with new tallies."""
    question = json.loads(json.dumps(create["object"]))
    key = "anyOf" if "anyOf" in question else "oneOf"
    for choice, count in zip(question[key], tallies):
        choice["replies"]["totalItems"] = count
    question["votersCount"] = voters
    if closed:
        question["closed"] = iso(closed)
    return {"@context": AS, "id": f"{question['id']}#updates/{uuid.uuid4().hex}", "type": "Update",
            "actor": actor.id, "to": question["to"], "cc": question["cc"], "object": question}


async def settled(activity_id: str) -> InboxItem | None:
    item = await InboxItem.get_or_none(activity_id=activity_id)
    return item if item and item.state != InboxState.RECEIVED else None


async def delivered(live_node, actor, activity: dict, to: str = "/inbox") -> InboxItem:
    """Deliver `activity` signed by `actor`; return the inbox item once the worker handled it."""
    assert (await actor.deliver(activity, live_node.url(to))).status == 202
    return await eventually(lambda: settled(activity["id"]), what=f"{activity['type']} handled")


async def tallies(post: Post) -> list[int]:
    return list(await PollOption.filter(poll__post_id=post.id).order_by("position").values_list("votes_count", flat=True))


def received(fediverse, host: str, kind: str) -> list:
    return [r for r in fediverse[host].accepted if isinstance(r.activity, dict) and r.activity.get("type") == kind]


# --- our polls ---------------------------------------------------------------------------

async def test_our_poll__question_then_results_reach_the_audience_signed(live_node, make_account, fediverse, uris):
    runtime = live_node.app.config["KITH_RUNTIME"]
    # Given carol (remote.test) follows alice
    alice = await make_account("alice")
    carol = await fediverse.actor("carol@remote.test")
    dave = await fediverse.actor("dave@other.test")
    await delivered(live_node, carol, carol.follow(alice.actor.ap_id), "/users/alice/inbox")
    # When alice posts a public poll
    post = await publish_post(uris, alice, Draft("Tea or coffee?", Visibility.PUBLIC,
                                                 poll=PollDraft(("Tea", "Coffee"), False, 3600)), 5000)
    runtime.wake_delivery()
    # Then carol's server gets a signed Create{Question}
    create = (await eventually(lambda: received(fediverse, "remote.test", "Create"), what="the Question"))[0]
    assert create.key_owner == alice.actor.ap_id
    question = create.activity["object"]
    assert question["type"] == "Question" and question["id"] == post.ap_id
    assert [(c["name"], c["replies"]["totalItems"]) for c in question["oneOf"]] == [("Tea", 0), ("Coffee", 0)]
    assert question["votersCount"] == 0 and "closed" not in question
    # When carol (a follower) and dave (who only saw it, it is public) vote
    for voter, choice in ((carol, "Coffee"), (dave, "Tea")):
        item = await delivered(live_node, voter, vote_from(voter, post.ap_id, alice.actor.ap_id, choice))
        assert item.state == InboxState.PROCESSED, item.error
    # Then both count and neither became a post
    assert await tallies(post) == [1, 1] and await Post.all().count() == 1
    # When the results are due (three minutes on), one signed Update goes to each server
    await PollWorker(uris, runtime.wake_delivery).run_due(datetime.now(timezone.utc) + timedelta(minutes=4))
    for host in ("remote.test", "other.test"):
        update = (await eventually(lambda: received(fediverse, host, "Update"), what=f"results at {host}"))[0]
        assert update.key_owner == alice.actor.ap_id
        assert [c["replies"]["totalItems"] for c in update.activity["object"]["oneOf"]] == [1, 1]
        assert update.activity["object"]["votersCount"] == 2 and "updated" not in update.activity["object"]
    # When the poll ends, the final Update says `closed`, and alice is told
    await PollWorker(uris, runtime.wake_delivery).run_due(datetime.now(timezone.utc) + timedelta(hours=2))
    final = await eventually(lambda: [r for r in received(fediverse, "remote.test", "Update")
                                      if "closed" in r.activity["object"]], what="the final results")
    assert final[0].activity["object"]["closed"] == question["endTime"]
    assert await Notification.filter(kind=NotificationKind.POLL, account_id=alice.id).count() == 1


async def test_remote_votes__refused_unless_counted_once(live_node, make_account, fediverse, uris):
    # Given alice's followers-only poll, followed by carol but not by dave
    alice = await make_account("alice")
    carol = await fediverse.actor("carol@remote.test")
    dave = await fediverse.actor("dave@other.test")
    await delivered(live_node, carol, carol.follow(alice.actor.ap_id), "/users/alice/inbox")
    post = await publish_post(uris, alice, Draft("For followers", Visibility.FOLLOWERS,
                                                 poll=PollDraft(("Yes", "No"), False, 3600)), 5000)
    author = alice.actor.ap_id
    refusals = [
        (dave, vote_from(dave, post.ap_id, author, "Yes"), "not visible"),  # outside the audience
        (carol, vote_from(carol, post.ap_id, author, "Maybe"), "no option"),  # not an option
        (carol, vote_from(carol, post.ap_id, author, "Yes", "No"), "one choice"),  # single choice
        (carol, vote_from(carol, post.ap_id + "9", author, "Yes"), "not answer a poll of ours"),
    ]
    for voter, activity, reason in refusals:
        item = await delivered(live_node, voter, activity)
        assert item.state == InboxState.ERRORED and reason in item.error, (reason, item.error)
    # When carol votes, and then again
    first = await delivered(live_node, carol, vote_from(carol, post.ap_id, author, "No"))
    again = await delivered(live_node, carol, vote_from(carol, post.ap_id, author, "Yes"))
    # Then the first counts, the second is refused, and no vote became a post
    assert first.state == InboxState.PROCESSED
    assert again.state == InboxState.ERRORED and "already voted" in again.error
    assert await tallies(post) == [0, 1] and await Post.all().count() == 1
    # And once the poll has ended, no vote counts
    await Poll.filter(post_id=post.id).update(expires_at=datetime.now(timezone.utc) - timedelta(minutes=1))
    erin = await fediverse.actor("erin@remote.test")
    await delivered(live_node, erin, erin.follow(alice.actor.ap_id), "/users/alice/inbox")
    late = await delivered(live_node, erin, vote_from(erin, post.ap_id, author, "Yes"))
    assert late.state == InboxState.ERRORED and "ended" in late.error
    assert await tallies(post) == [0, 1]


@pytest.mark.skipif(not FIXTURES.is_dir(), reason=f"shared fixtures not found at {FIXTURES}")
async def test_remote_votes__gotosocial_recorded_votes_are_counted(live_node, make_account, fediverse, uris):
    # Given alice's multiple-choice poll with the options GoToSocial's test votes name
    alice = await make_account("alice")
    carol = await fediverse.actor("carol@remote.test")
    post = await publish_post(uris, alice, Draft("Reading?", Visibility.PUBLIC, poll=PollDraft(
        ("tissues", "financial times", "neither"), True, 3600)), 5000)
    # When GoToSocial's recorded vote Creates arrive, re-homed to carol and alice's poll,
    # once as two Creates (Mastodon's way) and, for a second voter, as one (GoToSocial's)
    def rehomed(name: str, voter) -> dict:
        text = (FIXTURES / "gotosocial" / "documents" / name).read_text()
        text = text.replace("http://fossbros-anonymous.io/users/foss_satan/statuses/01HEN2QRFA8H3C6QPN7RD4KSR6",
                            post.ap_id).replace("http://fossbros-anonymous.io/users/foss_satan", alice.actor.ap_id)
        return json.loads(text.replace("http://localhost:8080/users/the_mighty_zork", voter.id))

    for name in ("gts-create-poll-vote-0.json", "gts-create-poll-vote-1.json"):
        item = await delivered(live_node, carol, rehomed(name, carol))
        assert item.state == InboxState.PROCESSED, item.error
    dave = await fediverse.actor("dave@other.test")
    both = rehomed("gts-create-poll-vote-0.json", dave)
    both["object"] = [both["object"], rehomed("gts-create-poll-vote-1.json", dave)["object"]]
    item = await delivered(live_node, dave, both)
    assert item.state == InboxState.PROCESSED, item.error
    # Then each choice counts, each voter once
    assert await tallies(post) == [2, 2, 0] and (await Poll.get(post_id=post.id)).voters_count == 2


# --- remote polls ------------------------------------------------------------------------

async def test_remote_poll__our_vote_reaches_the_authors_inbox_only_and_updates_move_tallies(
        live_node, make_account, fediverse, browser):
    # Given alice follows carol, whose multiple-choice poll arrives
    alice = await make_account("alice")
    carol = await fediverse.actor("carol@remote.test")
    dave = await fediverse.actor("dave@remote.test")  # same server, not concerned
    resolver = live_node.app.config["KITH_RUNTIME"].resolver
    await Follow.create(follower_id=alice.actor_id, target_id=(await remote_actor(resolver, carol.id)).id,
                        state=FollowState.ACCEPTED)
    create = question_from(carol, ["Red", "Green", "Blue"], multiple=True)
    assert (await delivered(live_node, carol, create)).state == InboxState.PROCESSED
    post = await Post.get(ap_id=create["object"]["id"])
    poll = await Poll.get(post_id=post.id)
    assert poll.multiple and poll.expires_at is not None
    # When alice votes for Red and Blue from her home page
    client = await browser(alice)
    home = await (await client.get("/")).get_data(as_text=True)
    assert f'action="/posts/{post.id}/vote"' in home and 'type="checkbox"' in home
    form = [("csrf_token", await form_token(client)), ("choice", "0"), ("choice", "2")]
    response = await client.post(f"/posts/{post.id}/vote", data=urlencode(form).encode(),
                                 headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert response.status_code == 302
    # Then carol's own inbox gets one signed Create{Note} per choice, and nobody else anything
    votes = await eventually(lambda: len(carol.activities("Create")) == 2 and carol.activities("Create"),
                             what="both votes")
    assert {v["object"]["name"] for v in votes} == {"Red", "Blue"}
    for vote in votes:
        assert vote["to"] == vote["object"]["to"] == [carol.id] and "cc" not in vote
        assert vote["object"]["inReplyTo"] == post.ap_id and "content" not in vote["object"]
        assert vote["object"]["attributedTo"] == vote["actor"] == alice.actor.ap_id
    creates = received(fediverse, "remote.test", "Create")
    assert [r.inbox for r in creates] == [carol.inbox, carol.inbox] and dave.received == []
    assert received(fediverse, "other.test", "Create") == []
    # And alice's vote is hers on the card
    assert await PollVote.filter(voter_id=alice.actor_id).count() == 2
    page = await (await client.get("/")).get_data(as_text=True)
    assert page.count("your choice") == 2 and 'name="choice"' not in page
    # When carol's server sends the new tallies
    update = results_from(carol, create, [5, 2, 7], voters=9)
    assert (await delivered(live_node, carol, update)).state == InboxState.PROCESSED
    # Then they are ours to show, as shares of the voters, and no post was added
    assert await tallies(post) == [5, 2, 7] and (await Poll.get(id=poll.id)).voters_count == 9
    page = await (await client.get("/")).get_data(as_text=True)
    assert "56% · 5 votes" in page and "78% · 7 votes" in page and "9 people voted" in page
    assert await Post.all().count() == 1
    # When carol closes her poll early, the step ends it here and tells alice
    closed = datetime.now(timezone.utc).replace(microsecond=0) - timedelta(minutes=1)
    finished = results_from(carol, create, [6, 2, 7], voters=10, closed=closed)
    assert (await delivered(live_node, carol, finished)).state == InboxState.PROCESSED
    assert (await Poll.get(id=poll.id)).expires_at == closed
    await PollWorker(live_node.app.config["KITH_URIS"], lambda: None).run_due()
    told = await Notification.get(kind=NotificationKind.POLL, account_id=alice.id)
    assert told.post_id == post.id and told.from_actor_id == post.author_id


async def test_remote_poll__an_update_from_someone_else_changes_nothing(live_node, make_account, fediverse):
    alice = await make_account("alice")
    carol = await fediverse.actor("carol@remote.test")
    mallory = await fediverse.actor("mallory@remote.test")
    resolver = live_node.app.config["KITH_RUNTIME"].resolver
    await Follow.create(follower_id=alice.actor_id, target_id=(await remote_actor(resolver, carol.id)).id,
                        state=FollowState.ACCEPTED)
    create = question_from(carol, ["Yes", "No"])
    await delivered(live_node, carol, create)
    post = await Post.get(ap_id=create["object"]["id"])
    forged = results_from(carol, create, [100, 0], voters=100)
    forged["actor"] = mallory.id
    forged["object"]["attributedTo"] = mallory.id
    await delivered(live_node, mallory, forged)
    assert await tallies(post) == [0, 0]
