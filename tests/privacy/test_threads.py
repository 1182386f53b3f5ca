"""Threads (requirement PRIV-READ): a post page shows the ancestors and replies the viewer
may see and nothing else; the reply form starts no wider than the parent."""

from __future__ import annotations

from federation.audience import Visibility
from node.models import Follow, FollowState, Post
from node.services.posting import Draft, publish_post
from tests.conftest import form_token


async def test_reply_form__mentions_the_author_and_keeps_the_audience(browser, make_account, uris):
    alice, bob = await make_account("alice"), await make_account("bob")
    await Follow.create(follower_id=bob.actor_id, target_id=alice.actor_id, state=FollowState.ACCEPTED)
    parent = await publish_post(uris, alice, Draft("only for followers", Visibility.FOLLOWERS), 5000)
    client = await browser(bob)
    page = await (await client.get("/", query_string={"in_reply_to": parent.ap_id})).get_data(as_text=True)
    assert ">@alice </textarea>" in page and '<option value="followers" selected>' in page
    assert f'name="in_reply_to" value="{parent.ap_id}"' in page
    # The post answered shows above the form, outside it (its actions are forms of their own)
    assert page.index('class="reply-parent"') < page.index("only for followers") < page.index('action="/posts"')
    response = await client.post("/posts", form={"csrf_token": await form_token(client), "text": "@alice agreed",
                                                 "visibility": "followers", "in_reply_to": parent.ap_id})
    assert response.status_code == 302
    reply = await Post.get(in_reply_to_id=parent.id)
    assert reply.visibility is Visibility.FOLLOWERS


async def test_reply_form__for_a_post_one_cannot_see_is_404(browser, make_account, uris):
    alice, carol = await make_account("alice"), await make_account("carol")
    hidden = await publish_post(uris, alice, Draft("followers only", Visibility.FOLLOWERS), 5000)
    client = await browser(carol)
    response = await client.get("/", query_string={"in_reply_to": hidden.ap_id})
    assert response.status_code == 404
    # Posting an answer anyway is refused, and the page saying so does not show the post
    response = await client.post("/posts", form={"csrf_token": await form_token(client), "text": "hello",
                                                 "visibility": "public", "in_reply_to": hidden.ap_id})
    page = await response.get_data(as_text=True)
    assert response.status_code == 400 and "followers only" not in page and "reply-parent" not in page
    assert not await Post.exists(author_id=carol.actor_id)


async def test_thread__shows_only_what_each_viewer_may_see(browser, make_account, uris):
    # Given a public post by alice, a public reply by bob, and a followers-only reply by alice
    alice, bob, carol = await make_account("alice"), await make_account("bob"), await make_account("carol")
    await Follow.create(follower_id=bob.actor_id, target_id=alice.actor_id, state=FollowState.ACCEPTED)
    root = await publish_post(uris, alice, Draft("thread-root", Visibility.PUBLIC), 5000)
    open_reply = await publish_post(uris, bob, Draft("open-reply", Visibility.PUBLIC, in_reply_to=root.ap_id), 5000)
    await publish_post(uris, alice, Draft("followers-reply", Visibility.FOLLOWERS, in_reply_to=root.ap_id), 5000)
    deep = await publish_post(uris, carol, Draft("deep-reply", Visibility.PUBLIC, in_reply_to=open_reply.ap_id), 5000)
    # When each reads the root's page, and the deep reply's page
    for name, account, sees_followers_reply in (("anonymous", None, False), ("carol", carol, False),
                                                 ("bob", bob, True), ("alice", alice, True)):
        client = await browser(account)
        root_page = await (await client.get(f"/@alice/{root.id}")).get_data(as_text=True)
        assert "open-reply" in root_page, name
        assert ("followers-reply" in root_page) == sees_followers_reply, name
        deep_page = await (await client.get(f"/@carol/{deep.id}")).get_data(as_text=True)
        assert "thread-root" in deep_page and "open-reply" in deep_page, name  # ancestors, oldest first
        assert deep_page.index("thread-root") < deep_page.index("open-reply") < deep_page.index("deep-reply")


async def test_thread__an_ancestor_hidden_from_the_viewer_stops_the_chain(browser, make_account, uris):
    alice, bob = await make_account("alice"), await make_account("bob")
    secret = await publish_post(uris, alice, Draft("secret-parent", Visibility.DIRECT), 5000)
    # alice answers her own direct post publicly (allowed to her); others must not see the parent
    reply = await publish_post(uris, alice, Draft("public-child", Visibility.PUBLIC, in_reply_to=secret.ap_id), 5000)
    page = await (await (await browser(bob)).get(f"/@alice/{reply.id}")).get_data(as_text=True)
    assert "public-child" in page and "secret-parent" not in page
