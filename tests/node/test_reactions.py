"""Like and Boost buttons on post cards (plain forms): they act for posts the account may
see, boost only public and unlisted posts, show Unlike/Unboost once done, count, notify,
and between local accounts send nothing."""

from __future__ import annotations

import re

import pytest
from tortoise import connections

from federation.audience import Visibility
from federation.models import Delivery
from node.models import Favourite, Follow, FollowState, Notification, NotificationKind, Post
from node.postviews import views_of
from node.queries import Viewer, profile_posts
from node.reactions import attach_counts
from node.services.posting import Draft, publish_post
from tests.conftest import form_token

V = Visibility


async def act(client, post_id: int, action: str, token_from: str = "/", **headers):
    return await client.post(f"/posts/{post_id}/{action}", form={"csrf_token": await form_token(client, token_from)},
                              headers=headers)


async def page(client, path: str) -> str:
    return await (await client.get(path)).get_data(as_text=True)


def heard(html: str) -> str:
    """The page's text as a screen reader reads it: tags gone (visually hidden words kept)."""
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


@pytest.fixture
async def people(make_account):
    alice, bob = await make_account("alice"), await make_account("bob")
    await Follow.create(follower_id=bob.actor_id, target_id=alice.actor_id, state=FollowState.ACCEPTED)
    return alice, bob


async def test_like__counted_shown_as_unlike_notified_and_undone(people, browser, uris):
    # Given alice's public post, which bob reads
    alice, bob = people
    post = await publish_post(uris, alice, Draft("likeable", V.PUBLIC), 5000)
    client = await browser(bob)
    assert f'action="/posts/{post.id}/like"' in await page(client, "/@alice")
    # When bob likes it from alice's profile
    response = await act(client, post.id, "like", Referer="http://localhost:8000/@alice")
    # Then he is back on the profile, the card counts it and offers Unlike, alice is told
    assert response.status_code == 302 and response.headers["Location"] == "/@alice"
    body = await page(client, "/@alice")
    assert "Unlike post by alice 1 like" in heard(body) and f'action="/posts/{post.id}/unlike"' in body
    assert await Notification.filter(kind=NotificationKind.LIKE, post_id=post.id, account_id=alice.id).count() == 1
    # And liking again changes nothing; unliking takes it back, notification too
    await act(client, post.id, "like")
    assert await Favourite.filter(post_id=post.id).count() == 1
    await act(client, post.id, "unlike")
    body = heard(await page(client, "/@alice"))
    assert "Like post by alice" in body and not re.search(r"\b\d+ likes?\b", body)
    assert not await Favourite.exists(post_id=post.id)
    assert not await Notification.exists(kind=NotificationKind.LIKE)
    # Local accounts' likes of local posts send nothing anywhere
    assert await Delivery.all().count() == 0


async def test_boost__a_post_of_the_booster_shown_with_the_original_and_undone(people, browser, uris):
    alice, bob = people
    post = await publish_post(uris, alice, Draft("worth-sharing", V.UNLISTED), 5000)
    client = await browser(bob)
    # When bob boosts alice's unlisted post
    response = await act(client, post.id, "boost", Referer="https://elsewhere.example/@alice")
    # Then (a foreign referrer ignored) he lands on the post, and his profile shows the boost
    assert response.headers["Location"] == f"/@alice/{post.id}"
    boost = await Post.get(boost_of_id=post.id)
    assert boost.author_id == bob.actor_id and boost.visibility is V.PUBLIC and boost.content_html == ""
    assert boost.ap_id == f"http://localhost:8000/users/bob/statuses/{boost.id}/activity"
    profile = await page(await browser(None), "/@bob")
    assert "bob</a> boosted" in profile and "worth-sharing" in profile
    assert "Unboost post by alice 1 boost" in heard(await page(client, f"/@alice/{post.id}"))
    assert f'action="/posts/{post.id}/unboost"' in await page(client, "/@bob")
    assert await Notification.exists(kind=NotificationKind.BOOST, account_id=alice.id, post_id=post.id)
    # And unboosting removes it, from his profile too
    await act(client, post.id, "unboost")
    assert not await Post.exists(boost_of_id=post.id)
    assert "worth-sharing" not in await page(await browser(None), "/@bob")
    assert not await Notification.exists(kind=NotificationKind.BOOST)


@pytest.mark.parametrize("visibility", [V.FOLLOWERS, V.DIRECT, V.LOCAL])
async def test_boost__of_a_post_that_may_not_be_boosted_has_no_button_and_is_refused(people, browser, uris, visibility):
    # Given a post bob may see (he follows alice, is mentioned, is local) but not boost
    alice, bob = people
    post = await publish_post(uris, alice, Draft("not for sharing @bob", visibility), 5000)
    client = await browser(bob)
    body = await page(client, f"/@alice/{post.id}")
    assert f'action="/posts/{post.id}/like"' in body and f"/posts/{post.id}/boost" not in body
    # When he forges the form anyway
    response = await act(client, post.id, "boost")
    # Then it is refused with the reason, and nothing is stored
    assert response.status_code == 403
    assert "only public and unlisted posts can be boosted" in await response.get_data(as_text=True)
    assert not await Post.exists(boost_of_id=post.id)


async def test_reactions__for_posts_one_may_not_see_answer_404(make_account, browser, uris):
    alice, carol = await make_account("alice"), await make_account("carol")
    hidden = await publish_post(uris, alice, Draft("followers only", V.FOLLOWERS), 5000)
    public = await publish_post(uris, alice, Draft("public", V.PUBLIC), 5000)
    bob_boost = await Post.create(id=public.id + 1, ap_id="http://localhost:8000/x/activity", author_id=carol.actor_id,
                                  visibility=V.PUBLIC, content_html="", created_at=public.created_at,
                                  boost_of_id=public.id)
    client = await browser(carol)
    for post_id in (hidden.id, bob_boost.id, 12345):
        for action in ("like", "unlike", "boost", "unboost"):
            assert (await act(client, post_id, action)).status_code == 404, (post_id, action)
    assert await Favourite.all().count() == 0 and await Post.filter(boost_of_id__isnull=False).count() == 1


async def test_reactions__need_a_signed_in_account_and_the_forms_token(make_account, browser, uris):
    alice = await make_account("alice")
    post = await publish_post(uris, alice, Draft("public", V.PUBLIC), 5000)
    anonymous = await browser(None)
    assert f"/posts/{post.id}/like" not in await page(anonymous, "/@alice")
    assert (await act(anonymous, post.id, "like", token_from="/login")).status_code == 401
    signed_in = await browser(alice)
    assert (await signed_in.post(f"/posts/{post.id}/like", form={})).status_code == 400
    assert await Favourite.all().count() == 0


async def test_counts__loaded_in_the_same_few_queries_for_any_page_size(people, uris, monkeypatch):
    # Given pages of 2 and of 20 posts, with replies, likes and boosts
    alice, bob = people
    posts = [await publish_post(uris, alice, Draft(f"post {n}", V.PUBLIC), 5000) for n in range(20)]
    for post in posts:
        await publish_post(uris, bob, Draft("a reply", V.PUBLIC, in_reply_to=post.ap_id), 5000)
        await Favourite.create(actor_id=bob.actor_id, post_id=post.id)
    viewer = Viewer.of(bob)
    # When the views of each page are made, counting the queries
    counted = []
    client = type(connections.get("default"))
    original = client.execute_query

    async def counting(self, query, values=None):
        counted.append(query)
        return await original(self, query, values)

    monkeypatch.setattr(client, "execute_query", counting)
    sizes, counting_queries = {}, {}
    for size in (2, 20):
        page_posts = await profile_posts(viewer, alice.actor, limit=size)
        counted.clear()
        views = await views_of(page_posts, viewer, alice.actor)
        counted.clear()
        # Replies (and the facts deciding which the viewer may see), boosts, likes (the viewer's
        # own among them)
        await attach_counts(views, viewer)
        assert len(counted) <= 6
        counting_queries[size] = len(counted)
        counted.clear()
        await views_of(page_posts, viewer, alice.actor)  # and every other loader with them
        sizes[size] = len(counted)
        assert [v.counts.likes for v in views] == [1] * size and all(v.counts.liked for v in views)
        assert [v.counts.replies for v in views] == [1] * size
    # Then the number of queries does not grow with the page
    assert sizes[2] == sizes[20] and counting_queries[2] == counting_queries[20]


async def test_boosts__page_by_their_own_time_so_older_posts_misses_nothing(people, browser, uris):
    # Given bob wrote 5 posts, then boosted 25 older posts of alice's, oldest first
    from node.services.reactions import boost

    alice, bob = people
    originals = [await publish_post(uris, alice, Draft(f"alice-{n:02d}.", V.PUBLIC), 5000) for n in range(25)]
    for n in range(5):
        await publish_post(uris, bob, Draft(f"bob-{n:02d}.", V.PUBLIC), 5000)
    for post in originals:
        await boost(uris, bob, post)
    # When bob's profile is read page by page
    client = await browser(None)
    first = await page(client, "/@bob")
    older = re.search(r'href="(/@bob\?before=\d+)">Older posts', first).group(1)
    second = await page(client, older)
    # Then entries go by the time of the boost, not of the boosted post: the newest 20 boosts,
    # then the 5 oldest boosts and bob's own posts, none lost
    shown = lambda body: re.findall(r"(alice-\d\d|bob-\d\d)\.", body)
    assert shown(first) == [f"alice-{n:02d}" for n in range(24, 4, -1)]
    assert shown(second) == [f"alice-{n:02d}" for n in range(4, -1, -1)] + [f"bob-{n:02d}" for n in range(4, -1, -1)]
