"""Requirements PRIV-READ and PRIV-FETCH for polls: a poll, its options and its results are
shown, served and voted on only where its post may be seen. Anyone else (anonymous, a
non-follower, a blocked account, another server) gets the 404 of a post that does not
exist, and no vote is recorded."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest

from federation.audience import Visibility
from node.models import Block, Follow, FollowState, PollVote
from node.polls import PollDraft
from node.services.posting import Draft, publish_post
from node.services.remote import remote_actor
from tests.conftest import form_token


async def poll_post(uris, author, visibility: Visibility, word: str):
    draft = Draft(f"poll {word}", visibility, poll=PollDraft((f"yes-{word}", f"no-{word}"), False, 3600))
    return await publish_post(uris, author, draft, 5000)


async def vote(client, post_id: int, choice: str = "0", token_from: str = "/"):
    form = urlencode([("csrf_token", await form_token(client, token_from)), ("choice", choice)]).encode()
    return await client.post(f"/posts/{post_id}/vote", data=form,
                             headers={"Content-Type": "application/x-www-form-urlencoded"})


# PRIV-READ: who may see (and so vote in) alice's poll of each visibility, among: alice's
# follower bob, a stranger carol, dave whom the post mentions, and erin whom alice blocks.
MAY_VOTE = {
    Visibility.PUBLIC: {"bob", "carol", "dave"},
    Visibility.UNLISTED: {"bob", "carol", "dave"},
    Visibility.FOLLOWERS: {"bob", "dave"},
    Visibility.DIRECT: {"dave"},
    Visibility.LOCAL: {"bob", "carol", "dave"},
}


@pytest.mark.parametrize("visibility", list(Visibility))
async def test_vote_route__only_the_audience_votes_everyone_else_gets_404(browser, make_account, uris, visibility):
    # Given alice's poll; bob follows her, dave is mentioned, erin is blocked (and follows)
    alice = await make_account("alice")
    people = {name: await make_account(name) for name in ("bob", "carol", "dave", "erin")}
    for name in ("bob", "erin"):
        await Follow.create(follower_id=people[name].actor_id, target_id=alice.actor_id, state=FollowState.ACCEPTED)
    await Block.create(blocker_id=alice.actor_id, target_id=people["erin"].actor_id)
    draft = Draft("poll for @dave", visibility, poll=PollDraft(("yes-secret", "no-secret"), False, 3600))
    post = await publish_post(uris, alice, draft, 5000)
    for name, account in people.items():
        client = await browser(account)
        # When each of them votes
        response = await vote(client, post.id)
        # Then exactly the audience's vote counts; the others get a 404 that says nothing
        allowed = name in MAY_VOTE[visibility]
        assert response.status_code == (302 if allowed else 404), (visibility, name)
        assert "secret" not in await response.get_data(as_text=True)
        assert await PollVote.filter(voter_id=account.actor_id).exists() == allowed, (visibility, name)
        # And the poll is on their pages exactly when they may see it
        home = await (await client.get("/@alice")).get_data(as_text=True)
        assert ("yes-secret" in home) == allowed, (visibility, name)


async def test_vote_route__hidden_missing_and_pollless_posts_answer_alike(browser, make_account, uris):
    alice, bob = await make_account("alice"), await make_account("bob")
    hidden = await poll_post(uris, alice, Visibility.FOLLOWERS, "hidden")
    plain = await publish_post(uris, alice, Draft("no poll here", Visibility.PUBLIC), 5000)
    client = await browser(bob)
    answers = [await vote(client, post_id) for post_id in (hidden.id, plain.id, hidden.id + 12345)]
    assert [a.status_code for a in answers] == [404, 404, 404]
    bodies = {await a.get_data(as_text=True) for a in answers}
    assert len(bodies) == 1  # nothing tells a hidden poll from no poll at all
    assert await PollVote.all().count() == 0


async def test_vote_route__anonymous_readers_are_sent_to_sign_in(browser, make_account, uris):
    alice = await make_account("alice")
    post = await poll_post(uris, alice, Visibility.PUBLIC, "open")
    anonymous = await browser(None)
    response = await vote(anonymous, post.id, token_from="/login")  # a visitor's own token
    assert response.status_code == 302 and response.headers["Location"].endswith("/login")
    no_token = await anonymous.post(f"/posts/{post.id}/vote", form={"choice": "0"})
    assert no_token.status_code == 400
    page = await (await anonymous.get(f"/@alice/{post.id}")).get_data(as_text=True)
    assert "yes-open" in page and 'name="choice"' not in page  # results, but no form
    assert await PollVote.all().count() == 0


@pytest.mark.live
async def test_question_object__served_only_to_the_audience(live_node, make_account, fediverse, uris):
    # PRIV-FETCH: carol follows alice, dave does not, erin follows but is blocked
    alice = await make_account("alice")
    resolver = live_node.app.config["KITH_RUNTIME"].resolver
    carol, dave, erin = [await fediverse.actor(h) for h in ("carol@remote.test", "dave@other.test", "erin@other.test")]
    rows = {fake: await remote_actor(resolver, fake.id) for fake in (carol, dave, erin)}
    for fake in (carol, erin):
        await Follow.create(follower_id=rows[fake].id, target_id=alice.actor_id, state=FollowState.ACCEPTED)
    await Block.create(blocker_id=alice.actor_id, target_id=rows[erin].id)
    expected = {Visibility.PUBLIC: {"anonymous", "follower", "stranger"},
                Visibility.UNLISTED: {"anonymous", "follower", "stranger"},
                Visibility.FOLLOWERS: {"follower"}, Visibility.DIRECT: set(), Visibility.LOCAL: set()}
    for visibility in Visibility:
        post = await poll_post(uris, alice, visibility, visibility.value)
        for path in (post.ap_id, post.ap_id + "/activity"):
            replies = {"follower": await carol.get(path), "stranger": await dave.get(path),
                       "blocked": await erin.get(path), "anonymous": await carol.get(path, signed=False)}
            for name, reply in replies.items():
                allowed = name in expected[visibility]
                assert reply.status == (200 if allowed else 404), (visibility, name, reply.status)
                assert (f"yes-{visibility.value}" in reply.body.decode()) == allowed, (visibility, name)
                if allowed:
                    document = reply.json()
                    question = document.get("object", document)
                    assert question["type"] == "Question" and len(question["oneOf"]) == 2
