"""Polls made and voted in on this node: the compose form, the vote form, the tallies on
the card, the results schedule, and the step that closes ended polls."""

from __future__ import annotations

import asyncio
import json
from datetime import datetime, timedelta, timezone
from urllib.parse import urlencode

import pytest

from federation.audience import Visibility
from federation.models import Delivery
from node.models import Actor, Follow, FollowState, Notification, NotificationKind, Poll, PollOption, PollVote, Post
from node.polls import PollDraft
from node.services.poll_updates import RESULTS_DELAY, PollWorker
from node.services.posting import Draft, publish_post
from tests.conftest import form_token


async def compose(client, **fields):
    return await client.post("/posts", form={"csrf_token": await form_token(client), **fields})


async def vote(client, post: Post, *choices: int):
    form = [("csrf_token", await form_token(client)), *[("choice", str(c)) for c in choices]]
    return await post_form(client, f"/posts/{post.id}/vote", form)


async def post_form(client, path: str, pairs: list[tuple[str, str]]):
    """POST a form whose fields may repeat (the test client's `form=` keeps one of each)."""
    return await client.post(path, data=urlencode(pairs).encode(),
                             headers={"Content-Type": "application/x-www-form-urlencoded"})


async def a_poll(uris, author, options=("Tea", "Coffee", "Water"), *, multiple=False,
                 visibility=Visibility.PUBLIC, seconds=3600) -> Post:
    draft = Draft("Which one?", visibility, poll=PollDraft(tuple(options), multiple, seconds))
    return await publish_post(uris, author, draft, 5000)


async def tallies(post: Post) -> list[int]:
    return list(await PollOption.filter(poll__post_id=post.id).order_by("position").values_list("votes_count", flat=True))


async def page_of(client, post: Post) -> str:
    return await (await client.get(f"/@{(await post.author).username}/{post.id}")).get_data(as_text=True)


# --- composing ---------------------------------------------------------------------------

async def test_compose__a_poll_goes_with_the_post(browser, make_account):
    # Given alice on the compose form
    alice = await make_account("alice")
    client = await browser(alice)
    home = await (await client.get("/")).get_data(as_text=True)
    assert 'name="poll_option"' in home and "Add a poll" in home
    # When she posts with three options, several choices allowed, for an hour
    before = datetime.now(timezone.utc)
    form = [("csrf_token", await form_token(client)), ("text", "Lunch?"), ("visibility", "public"),
            ("poll_option", "Soup"), ("poll_option", " Salad "), ("poll_option", "Pie"), ("poll_option", ""),
            ("poll_multiple", "on"), ("poll_expires", "3600")]
    response = await post_form(client, "/posts", form)
    # Then the post has the poll, in her order, open for an hour
    assert response.status_code == 302
    poll = await Poll.get(post__content_html__contains="Lunch")
    assert poll.multiple and poll.voters_count == 0
    assert timedelta(minutes=59) < poll.expires_at - before < timedelta(minutes=61)
    names = await PollOption.filter(poll_id=poll.id).order_by("position").values_list("name", flat=True)
    assert names == ["Soup", "Salad", "Pie"]
    page = await (await client.get(response.headers["Location"])).get_data(as_text=True)
    assert 'type="checkbox" name="choice" value="2"' in page and "several choices allowed" in page


async def test_compose__a_post_without_options_has_no_poll(browser, make_account):
    alice = await make_account("alice")
    await compose(await browser(alice), text="no poll", poll_option="  ", poll_expires="3600")
    assert await Post.all().count() == 1 and await Poll.all().count() == 0


@pytest.mark.parametrize("options,expires,reason", [
    (["Only one"], "3600", "needs 2 to 4 options"),
    (["a", "b", "c", "d", "e"], "3600", "needs 2 to 4 options"),
    (["fine", "x" * 51], "3600", "at most 50 characters"),
    (["same", "same"], "3600", "must be different"),
    (["a", "b"], "60", "5 minutes to 7 days"),
    (["a", "b"], "604801", "5 minutes to 7 days"),
    (["a", "b"], "soon", "5 minutes to 7 days"),
])
async def test_compose__bad_polls_are_refused_and_nothing_is_lost(browser, make_account, options, expires, reason):
    # Given alice posting a poll that breaks a rule
    alice = await make_account("alice")
    client = await browser(alice)
    form = [("csrf_token", await form_token(client)), ("text", "kept text"), ("poll_expires", expires)]
    response = await post_form(client, "/posts", form + [("poll_option", o) for o in options])
    # Then it is refused with the reason, nothing is stored, and what she typed is still there
    page = await response.get_data(as_text=True)
    assert response.status_code == 400 and reason in page
    assert await Post.all().count() == 0 and await Poll.all().count() == 0
    assert "kept text" in page and f'value="{options[0]}"' in page


# --- voting here -------------------------------------------------------------------------

async def test_vote__counted_once_and_shown_as_the_voters_own(browser, make_account, uris):
    # Given alice's poll, and bob and carol here
    alice, bob, carol = await make_account("alice"), await make_account("bob"), await make_account("carol")
    post = await a_poll(uris, alice)
    bob_client = await browser(bob)
    assert 'name="choice" value="1"' in await page_of(bob_client, post)
    # When bob votes for Coffee, and carol for Tea
    response = await vote(bob_client, post, 1)
    await vote(await browser(carol), post, 0)
    # Then both count, bob's page marks his choice and has no form any more
    assert response.status_code == 302 and response.headers["Location"] == f"/@alice/{post.id}"
    assert await tallies(post) == [1, 1, 0] and (await Poll.get(post_id=post.id)).voters_count == 2
    page = await page_of(bob_client, post)
    assert 'name="choice"' not in page and "your choice" in page and "50% · 1 vote" in page
    assert page.index("Coffee") < page.index("your choice") < page.index("Water")
    # And a second vote is refused with the reason, counting nothing
    again = await vote(bob_client, post, 2)
    assert again.status_code == 409 and "already voted" in await again.get_data(as_text=True)
    assert await tallies(post) == [1, 1, 0]


async def test_vote__multiple_choice_counts_each_choice_and_the_voter_once(browser, make_account, uris):
    alice, bob = await make_account("alice"), await make_account("bob")
    post = await a_poll(uris, alice, multiple=True)
    assert (await vote(await browser(bob), post, 0, 2)).status_code == 302
    assert await tallies(post) == [1, 0, 1] and (await Poll.get(post_id=post.id)).voters_count == 1
    assert "1 person voted" in await page_of(await browser(alice), post)


@pytest.mark.parametrize("choices,status,reason", [
    ((), 400, "choose one of the poll"),
    ((7,), 400, "choose one of the poll"),
    ((0, 1), 400, "takes one choice"),
])
async def test_vote__bad_choices_are_refused(browser, make_account, uris, choices, status, reason):
    alice, bob = await make_account("alice"), await make_account("bob")
    post = await a_poll(uris, alice)
    response = await vote(await browser(bob), post, *choices)
    assert response.status_code == status and reason in await response.get_data(as_text=True)
    assert await PollVote.all().count() == 0


async def test_vote__a_choice_that_is_not_a_number_is_refused(browser, make_account, uris):
    alice, bob = await make_account("alice"), await make_account("bob")
    post = await a_poll(uris, alice)
    client = await browser(bob)
    form = [("csrf_token", await form_token(client)), ("choice", "Tea")]
    response = await post_form(client, f"/posts/{post.id}/vote", form)
    assert response.status_code == 400 and await PollVote.all().count() == 0


async def test_vote__after_the_end_is_refused(browser, make_account, uris):
    # Given a poll whose end has passed (the closing step has not run yet)
    alice, bob = await make_account("alice"), await make_account("bob")
    post = await a_poll(uris, alice)
    await Poll.filter(post_id=post.id).update(expires_at=datetime.now(timezone.utc) - timedelta(seconds=1))
    client = await browser(bob)
    # Then the card says it ended and offers no form, and a vote is refused
    page = await page_of(client, post)
    assert "Ended" in page and 'name="choice"' not in page
    response = await vote(client, post, 0)
    assert response.status_code == 409 and "ended" in await response.get_data(as_text=True)
    assert await PollVote.all().count() == 0


async def test_vote__the_cards_show_time_left_to_readers_and_the_end_to_everyone(browser, make_account, uris):
    alice = await make_account("alice")
    post = await a_poll(uris, alice, seconds=2 * 3600 + 30)
    assert "2 hours left" in await page_of(await browser(alice), post)
    anonymous = await (await (await browser(None)).get("/@alice")).get_data(as_text=True)
    assert "Ends <time" in anonymous and "left" not in anonymous and 'name="choice"' not in anonymous


async def test_vote__a_poll_behind_a_content_warning_stays_behind_it(browser, make_account, uris):
    alice = await make_account("alice")
    draft = Draft("spoiler", Visibility.PUBLIC, content_warning="film ending",
                  poll=PollDraft(("Loved it", "Hated it"), False, 3600))
    post = await publish_post(uris, alice, draft, 5000)
    page = await page_of(await browser(None), post)
    # The poll is inside the warning's <details>, after its summary, with the text.
    warning = page[page.index('<details class="cw">'):]
    assert warning.index("film ending") < warning.index("Loved it") < warning.index("</details>")


# --- results and the end -----------------------------------------------------------------

async def remote_actor_row(name: str, host: str) -> Actor:
    return await Actor.create(ap_id=f"https://{host}/users/{name}", username=name, domain=host, local=False,
                              inbox=f"https://{host}/users/{name}/inbox", shared_inbox=f"https://{host}/inbox")


async def updates_to() -> dict[str, list[dict]]:
    found: dict[str, list[dict]] = {}
    for row in await Delivery.filter(activity_id__contains="#updates/results-"):
        found.setdefault(row.inbox, []).append(json.loads(row.body))
    return found


async def test_results__sent_once_a_few_minutes_after_the_first_vote(make_account, uris, browser):
    # Given alice's public poll, a remote follower, and a remote voter who does not follow her
    alice, bob = await make_account("alice"), await make_account("bob")
    follower, voter = await remote_actor_row("carol", "remote.test"), await remote_actor_row("dave", "other.test")
    await Follow.create(follower_id=follower.id, target_id=alice.actor_id, state=FollowState.ACCEPTED)
    post = await a_poll(uris, alice)
    poll = await Poll.get(post_id=post.id)
    # When bob votes here and dave's vote is recorded, a minute apart
    await vote(await browser(bob), post, 0)
    first_due = (await Poll.get(id=poll.id)).results_due_at
    option = await PollOption.get(poll_id=poll.id, position=2)
    await PollVote.create(poll_id=poll.id, option_id=option.id, voter_id=voter.id, ap_id="https://other.test/v/1")
    await PollOption.filter(id=option.id).update(votes_count=1)
    # Then nothing goes until the delay has passed, and then one Update with both votes,
    # recounted from the votes, to the follower's server and the voter's
    now = datetime.now(timezone.utc)
    assert now < first_due <= now + RESULTS_DELAY
    worker = PollWorker(uris, lambda: None)
    assert await worker.run_due(now) == 0 and await updates_to() == {}
    assert await worker.run_due(first_due + timedelta(seconds=1)) == 1
    sent = await updates_to()
    assert set(sent) == {"https://remote.test/inbox", "https://other.test/inbox"}
    question = sent["https://remote.test/inbox"][0]["object"]
    assert [c["replies"]["totalItems"] for c in question["oneOf"]] == [1, 0, 1]
    assert question["votersCount"] == 2 and "closed" not in question
    # And nothing more until another vote comes
    assert await worker.run_due(first_due + timedelta(minutes=10)) == 0
    assert sum(len(v) for v in (await updates_to()).values()) == 2


async def test_results__of_local_only_and_direct_polls_go_nowhere_new(make_account, uris, browser):
    alice, bob = await make_account("alice"), await make_account("bob")
    voter = await remote_actor_row("dave", "other.test")
    post = await a_poll(uris, alice, visibility=Visibility.LOCAL)
    poll = await Poll.get(post_id=post.id)
    option = await PollOption.get(poll_id=poll.id, position=0)
    await PollVote.create(poll_id=poll.id, option_id=option.id, voter_id=voter.id)
    await vote(await browser(bob), post, 1)
    await PollWorker(uris, lambda: None).run_due(datetime.now(timezone.utc) + timedelta(hours=2))
    assert await Delivery.all().count() == 0


async def test_poll_end__closed_once_by_concurrent_workers_and_everyone_told(make_account, uris, browser):
    # Given alice's poll with a follower elsewhere, bob's vote here, and alice's own vote
    alice, bob, erin = await make_account("alice"), await make_account("bob"), await make_account("erin")
    follower = await remote_actor_row("carol", "remote.test")
    await Follow.create(follower_id=follower.id, target_id=alice.actor_id, state=FollowState.ACCEPTED)
    post = await a_poll(uris, alice)
    await vote(await browser(bob), post, 1)
    await vote(await browser(alice), post, 1)
    # When two workers run the step after its end, at the same time, and once more later
    after = datetime.now(timezone.utc) + timedelta(hours=2)
    counts = await asyncio.gather(PollWorker(uris, lambda: None).run_due(after),
                                  PollWorker(uris, lambda: None).run_due(after))
    await PollWorker(uris, lambda: None).run_due(after + timedelta(minutes=5))
    # Then it was closed once: one notification each for alice and bob (erin did not vote),
    # and one final Update with `closed` to the follower's server
    assert sorted(counts) == [0, 1]
    poll = await Poll.get(post_id=post.id)
    assert poll.closed_at == after and poll.results_due_at is None
    notified = await Notification.filter(kind=NotificationKind.POLL).values_list("account_id", "from_actor_id")
    assert sorted(notified) == sorted([(alice.id, None), (bob.id, alice.actor_id)])
    sent = await updates_to()
    assert list(sent) == ["https://remote.test/inbox"] and len(sent["https://remote.test/inbox"]) == 1
    question = sent["https://remote.test/inbox"][0]["object"]
    assert question["closed"] == question["endTime"] and question["votersCount"] == 2
    # And the card says it ended, offering erin no form
    page = await page_of(await browser(erin), post)
    assert "Ended" in page and 'name="choice"' not in page


async def test_poll_end__of_a_deleted_post_tells_nobody(make_account, uris, browser):
    from node.services.posting import delete_post

    alice, bob = await make_account("alice"), await make_account("bob")
    post = await a_poll(uris, alice)
    await vote(await browser(bob), post, 0)
    await delete_post(alice, post)
    await PollWorker(uris, lambda: None).run_due(datetime.now(timezone.utc) + timedelta(hours=2))
    assert await Notification.filter(kind=NotificationKind.POLL).count() == 0
    assert not await Poll.exists(post_id=post.id)  # a deleted post keeps no poll


async def test_poll_end__a_failing_poll_does_not_hold_up_the_others(make_account, uris):
    # Given two ended polls; alice's final Update cannot be queued (a follower's inbox is
    # not a URL), bob's can
    alice, bob = await make_account("alice"), await make_account("bob")
    first, second = await a_poll(uris, alice), await a_poll(uris, bob)
    broken = await remote_actor_row("carol", "remote.test")
    await Actor.filter(id=broken.id).update(inbox="not a url", shared_inbox=None)
    await Follow.create(follower_id=broken.id, target_id=alice.actor_id, state=FollowState.ACCEPTED)
    # When the step runs after their end
    await PollWorker(uris, lambda: None).run_due(datetime.now(timezone.utc) + timedelta(hours=2))
    # Then alice's stays open, nothing of its close kept (tried again on the next pass),
    # and bob's is closed and bob told
    assert (await Poll.get(post_id=first.id)).closed_at is None
    assert (await Poll.get(post_id=second.id)).closed_at is not None
    told = await Notification.filter(kind=NotificationKind.POLL).values_list("account_id", flat=True)
    assert told == [bob.id]


# --- remote polls, as their author's server describes them -------------------------------

def remote_question(options, *, tallies=None, multiple=False, kind="Question", **extra) -> dict:
    key = "anyOf" if multiple else "oneOf"
    choices = [{"type": "Note", "name": name, "replies": {"type": "Collection", "totalItems": count}}
               for name, count in zip(options, tallies or [0] * len(options))]
    return {"id": "https://remote.test/users/carol/statuses/1", "type": kind,
            "attributedTo": "https://remote.test/users/carol", "content": "<p>Which?</p>",
            **({key: choices} if kind == "Question" else {}), **extra}


async def a_remote_poll_post(document: dict) -> Post:
    from federation.notes import note_fields
    from node.ids import new_id
    from node.poll_handlers import store_remote_poll

    carol = await remote_actor_row("carol", "remote.test")
    post = await Post.create(id=new_id(datetime.now(timezone.utc)), ap_id=document["id"], author_id=carol.id,
                             local=False, visibility=Visibility.PUBLIC, content_html="<p>Which?</p>",
                             created_at=datetime.now(timezone.utc))
    await store_remote_poll(post.id, note_fields(document))
    return post


async def test_remote_poll__tallies_end_and_resets_follow_the_author(make_account):
    from federation.notes import note_fields
    from node.poll_handlers import update_remote_poll

    alice = await make_account("alice")
    end = "2030-01-01T00:00:00Z"
    post = await a_remote_poll_post(remote_question(["A", "B"], endTime=end))
    poll = await Poll.get(post_id=post.id)
    option = await PollOption.get(poll_id=poll.id, position=0)
    await PollVote.create(poll_id=poll.id, option_id=option.id, voter_id=alice.actor_id, ap_id="http://x/#votes/1")
    # New tallies, and an early close: taken as they come; without votersCount, a single
    # choice poll has as many voters as votes
    await update_remote_poll(post, note_fields(remote_question(["A", "B"], tallies=[3, 4], endTime=end,
                                                               closed="2029-06-01T00:00:00Z")))
    poll = await Poll.get(post_id=post.id)
    assert await tallies(post) == [3, 4] and poll.voters_count == 7
    assert poll.expires_at == datetime(2029, 6, 1, tzinfo=timezone.utc)
    assert await PollVote.filter(poll_id=poll.id).count() == 1
    # Options changed: the poll starts again and our vote in the old one goes
    await update_remote_poll(post, note_fields(remote_question(["A", "C"], endTime=end)))
    assert await tallies(post) == [0, 0] and await PollVote.all().count() == 0
    assert await PollOption.filter(poll__post_id=post.id, name="C").exists()
    # Edited into a plain Note: no poll any more
    await update_remote_poll(post, note_fields(remote_question([], kind="Note")))
    assert not await Poll.filter(post_id=post.id).exists()


async def test_remote_poll__endless_and_oversized_polls_are_kept_within_bounds(make_account):
    from node.poll_handlers import MAX_REMOTE_OPTIONS

    post = await a_remote_poll_post(remote_question([f"option {n}" for n in range(50)], multiple=True))
    poll = await Poll.get(post_id=post.id)
    assert poll.expires_at is None and poll.multiple and poll.voters_count == 0
    assert await PollOption.filter(poll_id=poll.id).count() == MAX_REMOTE_OPTIONS
    # An endless poll never closes, and reads as open with no time left
    await PollWorker(None, lambda: None).run_due(datetime.now(timezone.utc) + timedelta(days=3650))
    assert (await Poll.get(id=poll.id)).closed_at is None


async def test_cached_profile__shows_new_tallies_and_the_end(browser, make_account, uris):
    # Anonymous readers get a profile page cached under the author's version: a vote and
    # the poll's end must make a new one.
    alice, bob = await make_account("alice"), await make_account("bob")
    post = await a_poll(uris, alice)
    anonymous = await browser(None)
    assert "0 votes" in await (await anonymous.get("/@alice")).get_data(as_text=True)
    await vote(await browser(bob), post, 0)
    assert "1 vote" in await (await anonymous.get("/@alice")).get_data(as_text=True)
    await PollWorker(uris, lambda: None).run_due(datetime.now(timezone.utc) + timedelta(hours=2))
    assert "Ended" in await (await anonymous.get("/@alice")).get_data(as_text=True)
