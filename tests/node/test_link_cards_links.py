"""Which link of a post gets a card: the first that is not a mention, a hashtag or one of
our own pages, in the HTML Kith writes and in the shapes other servers send."""

from __future__ import annotations

import pytest

from node.html import MentionLink, render_text
from node.services.link_cards import first_link

HOST = "kith.example"


def local_html(text: str) -> str:
    def mention(name, domain):
        return MentionLink(name, domain or HOST, f"https://{domain or HOST}/@{name}", f"https://{domain or HOST}/users/{name}")

    return render_text(text, lambda tag: f"https://{HOST}/tags/{tag}", mention).html


def test_local_post__mentions_and_hashtags_are_skipped():
    html = local_html("@bob@other.example #news see https://news.example/story and https://later.example/")
    assert first_link(html, HOST) == "https://news.example/story"


def test_local_post__own_pages_are_skipped():
    html = local_html(f"as I said https://{HOST}/@alice/1 and https://news.example/a?b=1&c=2")
    assert first_link(html, HOST) == "https://news.example/a?b=1&c=2"  # entities decoded


def test_local_post__no_link_no_card():
    assert first_link(local_html("just words, #tags and @bob@other.example"), HOST) is None


@pytest.mark.parametrize("server, html", [
    ("Mastodon", '<p><span class="h-card" translate="no"><a href="https://m.example/@carol" class="u-url mention">@<span>carol</span></a></span> '
                 '<a href="https://m.example/tags/news" class="mention hashtag" rel="tag">#<span>news</span></a> '
                 '<a href="https://news.example/story" target="_blank" rel="nofollow noopener noreferrer" translate="no">'
                 '<span class="invisible">https://</span><span class="">news.example/story</span><span class="invisible"></span></a></p>'),
    ("GoToSocial", '<p><span class="h-card"><a href="https://g.example/@carol" class="u-url mention" rel="nofollow noreferrer noopener">@<span>carol</span></a></span> '
                   '<a href="https://g.example/tags/news" class="mention hashtag" rel="tag nofollow noreferrer noopener">#<span>news</span></a> '
                   '<a href="https://news.example/story" rel="nofollow noreferrer noopener">https://news.example/story</a></p>'),
    ("Pleroma", '<span class="h-card"><a class="u-url mention" data-user="x" href="https://p.example/users/carol" rel="ugc">@<span>carol</span></a></span> '
                '<a class="hashtag" data-tag="news" href="https://p.example/tag/news">#news</a> '
                '<a href="https://news.example/story" rel="ugc">https://news.example/story</a>'),
    ("Misskey", '<p><a href="https://k.example/@carol" class="u-url mention">@carol@k.example</a> '
                '<a href="https://k.example/tags/news" rel="tag">#news</a> <a href="https://news.example/story">https://news.example/story</a></p>'),
    ("plain links to profiles", '<p><a href="https://x.example/@carol">@carol</a> <a href="https://x.example/tags/a">#a</a> '
                                '<a href="https://news.example/story">a story</a></p>'),
])
def test_remote_post__mentions_and_hashtags_are_skipped(server, html):
    assert first_link(html, HOST) == "https://news.example/story", server


@pytest.mark.parametrize("href", ["mailto:a@b.example", "gemini://g.example/", "/relative", "https://", "https://x.example/" + "a" * 1100])
def test_remote_post__links_that_cannot_be_fetched_are_skipped(href):
    html = f'<p><a href="{href}">odd</a> <a href="https://news.example/ok">ok</a></p>'
    assert first_link(html, HOST) == "https://news.example/ok"


async def test_refresh__an_edited_post_gets_the_card_of_its_new_first_link(make_account, uris):
    from federation.audience import Visibility
    from node.models import LinkCard, Post, PostLinkCard
    from node.services.link_cards import refresh_link_card
    from node.services.posting import Draft, publish_post

    # Given a post whose card is queued for its link
    alice = await make_account("alice")
    post = await publish_post(uris, alice, Draft("see https://one.example/", Visibility.PUBLIC), 5000)
    assert (await PostLinkCard.get(post_id=post.id).select_related("card")).card.url == "https://one.example/"
    # When its text now links elsewhere, then nowhere
    post.content_html = local_html("now https://two.example/")
    await refresh_link_card(uris, post)
    assert (await PostLinkCard.get(post_id=post.id).select_related("card")).card.url == "https://two.example/"
    post.content_html = local_html("no links any more")
    await refresh_link_card(uris, post)
    # Then it shows the new card, then none; the cards stay for other posts that link them
    assert not await PostLinkCard.filter(post_id=post.id).exists()
    assert await LinkCard.all().count() == 2 and await Post.exists(id=post.id)
