"""Images posted from the compose form: stored without metadata under unguessable names,
served from this origin, announced as Mastodon does, deleted with their post; a refused
upload is a 400 that keeps the draft and stores nothing."""

from __future__ import annotations

import io
import re

import pytest
from PIL import Image
from werkzeug.datastructures import FileStorage

from federation.audience import Visibility
from node.conversions import post_to_note
from node.media.files import MediaFiles
from node.media.images import MAX_BYTES
from node.models import Media, Post
from tests.conftest import form_token
from tests.rig import images


def upload(data: bytes, name: str = "photo.jpg", content_type: str = "image/jpeg") -> FileStorage:
    return FileStorage(io.BytesIO(data), filename=name, content_type=content_type)


async def compose(client, files: dict, **fields):
    form = {"csrf_token": await form_token(client), "visibility": "public", **fields}
    return await client.post("/posts", form=form, files=files)


def stored_names(settings) -> list[str]:
    return MediaFiles(settings.media_dir).names()


async def test_upload__stored_file_has_no_exif_and_is_served_from_this_origin(browser, make_account, settings, uris):
    # Given alice posts a photo carrying GPS and camera EXIF, with a description
    alice = await make_account("alice")
    client = await browser(alice)
    response = await compose(client, {"media_1": upload(images.jpeg(320, 240, orientation=6))},
                             text="our garden", alt_1="Tomatoes on the vine")
    assert response.status_code == 302
    # Then one attachment is kept, in order, described, with its picture's facts
    media = await Media.get()
    post = await Post.get()
    assert (media.post_id, media.position, media.description) == (post.id, 0, "Tomatoes on the vine")
    assert (media.media_type, media.width, media.height) == ("image/jpeg", 240, 320)
    assert re.fullmatch(r"[A-Za-z0-9_-]{32}\.jpg", media.file_name) and media.blurhash
    # And the file on disk (read back here) carries no EXIF, GPS or comment
    on_disk = (settings.media_dir / "local" / media.file_name).read_bytes()
    assert not Image.open(io.BytesIO(on_disk)).getexif()
    assert images.SECRET not in on_disk and b"Exif" not in on_disk
    assert sorted(stored_names(settings)) == sorted([media.file_name, media.thumbnail_name])
    # And it is served here with its type, nosniff, a long cache and a CSP that allows nothing
    served = await client.get(f"/media/{media.file_name}")
    assert served.status_code == 200 and await served.get_data() == on_disk
    assert served.headers["Content-Type"] == "image/jpeg"
    assert served.headers["X-Content-Type-Options"] == "nosniff"
    assert "max-age=31536000" in served.headers["Cache-Control"]
    assert served.headers["Content-Security-Policy"] == "default-src 'none'; sandbox"
    thumbnail = await client.get(f"/media/{media.thumbnail_name}")
    assert thumbnail.headers["Content-Type"] == "image/webp"
    # And the post page shows the thumbnail with its alt text, from this origin
    page = await (await client.get(f"/@alice/{post.id}")).get_data(as_text=True)
    assert f'src="/media/{media.thumbnail_name}" alt="Tomatoes on the vine"' in page
    assert '<summary><abbr title="Image description">ALT</abbr></summary><p>Tomatoes on the vine</p>' in page


async def test_upload__four_images_in_order_and_announced_as_documents(browser, make_account, uris):
    alice = await make_account("alice")
    files = {"media_1": upload(images.jpeg()), "media_2": upload(images.png(alpha=True), "a.png", "image/png"),
             "media_3": upload(images.webp(), "b.webp", "image/webp"), "media_4": upload(images.gif(3), "c.gif")}
    response = await compose(await browser(alice), files, text="four", alt_2="second", alt_4="moving")
    assert response.status_code == 302
    post = await Post.get()
    await post.fetch_related("media")
    note = post_to_note(uris, post, alice.actor, [], [])
    # Mastodon's shape: Document, mediaType, url, name (the alt text), blurhash, width, height
    types = [a["mediaType"] for a in note["attachment"]]
    assert types == ["image/jpeg", "image/png", "image/webp", "image/gif"]
    second = note["attachment"][1]
    assert second["type"] == "Document" and second["name"] == "second" and note["attachment"][0]["name"] is None
    assert second["url"].startswith(uris.base + "/media/") and second["blurhash"]
    assert (second["width"], second["height"]) == (40, 30)


async def test_upload__a_post_of_images_alone_needs_no_text(browser, make_account):
    alice = await make_account("alice")
    response = await compose(await browser(alice), {"media_1": upload(images.jpeg())}, text="", alt_1="a cat")
    assert response.status_code == 302 and await Post.all().count() == 1


BAD_UPLOADS = {
    "not an image": ({"media_1": upload(b"just text, named like a photo")}, {}, "not a JPEG, PNG, WebP or GIF"),
    "html": ({"media_1": upload(b"<html><script>alert(1)</script>", "x.png", "image/png")}, {}, "not a JPEG"),
    "svg": ({"media_1": upload(b'<svg xmlns="http://www.w3.org/2000/svg"/>', "x.svg", "image/svg+xml")}, {},
            "not a JPEG"),
    "damaged": ({"media_1": upload(images.jpeg(400, 300)[:300])}, {}, "damaged"),
    "too many pixels": ({"media_1": upload(images.huge_png(), "big.png")}, {}, "megapixels"),
    "too large": ({"media_1": upload(b"\xff\xd8" + b"\x00" * MAX_BYTES)}, {}, "at most 16 MiB"),
    "too many": ({f"media_{n}": upload(images.jpeg()) for n in range(1, 6)}, {}, "at most 4 images"),
    "description too long": ({"media_1": upload(images.jpeg())}, {"alt_1": "x" * 1501}, "at most 1500"),
    "second one bad": ({"media_1": upload(images.jpeg()), "media_2": upload(b"nope", "two.jpg")}, {},
                       r"image 2 \(two.jpg\)"),
}


@pytest.mark.parametrize("case", BAD_UPLOADS, ids=list(BAD_UPLOADS))
async def test_upload__refused_with_a_reason_the_draft_kept_and_nothing_stored(case, browser, make_account, settings):
    # Given alice composes a post with an upload that cannot be taken
    alice = await make_account("alice")
    files, fields, reason = BAD_UPLOADS[case]
    fields = {"alt_1": "kept description", **fields}
    response = await compose(await browser(alice), files, text="my draft text", content_warning="cw kept", **fields)
    # Then she is told why, her text, warning and descriptions are still in the form
    page = await response.get_data(as_text=True)
    assert response.status_code == 400
    assert re.search(reason, page), page[page.find('role="alert"'):][:300]
    assert "my draft text</textarea>" in page and 'value="cw kept"' in page
    assert fields["alt_1"][:100] in page
    # And nothing was stored: no post, no media row, no file
    assert await Post.all().count() == 0 and await Media.all().count() == 0
    assert stored_names(settings) == []


def multipart(fields: dict[str, str], files: dict[str, bytes]) -> tuple[bytes, dict]:
    """A multipart body built by hand (Quart's test builder is slow for tens of megabytes)."""
    boundary = "kith-test-boundary"
    parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
             for k, v in fields.items()]
    parts += [f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"; filename="{k}.jpg"\r\n'
              f"Content-Type: image/jpeg\r\n\r\n".encode() + data + b"\r\n" for k, data in files.items()]
    body = b"".join(parts) + f"--{boundary}--\r\n".encode()
    return body, {"Content-Type": f"multipart/form-data; boundary={boundary}"}


async def test_upload__a_body_over_the_upload_limit_is_413_and_stores_nothing(browser, make_account, settings):
    alice = await make_account("alice")
    client = await browser(alice)
    fields = {"csrf_token": await form_token(client), "text": "too much"}
    body, headers = multipart(fields, {f"media_{n}": b"\xff\xd8" + b"\x00" * MAX_BYTES for n in range(1, 6)})
    response = await client.post("/posts", data=body, headers=headers)
    assert response.status_code == 413
    assert "at most 4 images of 16 MiB" in await response.get_data(as_text=True)
    assert await Post.all().count() == 0 and stored_names(settings) == []


async def test_upload__other_routes_keep_the_one_mebibyte_body_limit(browser, make_account):
    alice = await make_account("alice")
    client = await browser(alice)
    token = await form_token(client, "/settings")
    response = await client.post("/settings", form={"csrf_token": token, "bio": "x" * (2 * 1024 * 1024)})
    assert response.status_code == 413


async def test_upload__a_failure_after_the_files_are_written_removes_them(browser, make_account, settings):
    # Given the post cannot be made once its files are on disk (its reply target is gone)
    alice = await make_account("alice")
    response = await compose(await browser(alice), {"media_1": upload(images.jpeg())}, text="a reply",
                             in_reply_to="http://localhost:8000/@alice/12345")
    # Then no file is left behind
    assert response.status_code == 400 and "cannot reply" in await response.get_data(as_text=True)
    assert stored_names(settings) == [] and await Media.all().count() == 0


async def test_delete__removes_the_posts_files(browser, make_account, settings):
    alice = await make_account("alice")
    client = await browser(alice)
    await compose(client, {"media_1": upload(images.jpeg()), "media_2": upload(images.png(), "p.png")}, text="bye")
    post, media = await Post.get(), await Media.filter().order_by("position")
    assert len(stored_names(settings)) == 4
    token = await form_token(client, f"/@alice/{post.id}/delete")
    assert (await client.post(f"/@alice/{post.id}/delete", form={"csrf_token": token})).status_code == 302
    assert stored_names(settings) == [] and await Media.all().count() == 0
    assert (await client.get(f"/media/{media[0].file_name}")).status_code == 404


async def test_media_file__names_we_did_not_give_are_404(browser, make_account, settings):
    client = await browser(None)
    for name in ("../secret.key", "x.jpg", "A" * 32 + ".svg", "%2e%2e%2fsecret.key", "A" * 32 + ".jpg"):
        assert (await client.get(f"/media/{name}")).status_code == 404, name


async def test_media__not_shown_to_who_may_not_see_the_post(browser, make_account, settings):
    # Requirement: a non-audience viewer never learns the address of a post's media.
    alice, bob = await make_account("alice"), await make_account("bob")
    await compose(await browser(alice), {"media_1": upload(images.jpeg())}, text="for followers",
                  visibility=Visibility.FOLLOWERS.value)
    post, media = await Post.get(), await Media.get()
    for viewer in (None, bob):
        client = await browser(viewer)
        for path in (f"/@alice/{post.id}", "/@alice", "/@alice.rss", "/"):
            body = await (await client.get(path)).get_data(as_text=True)
            assert media.file_name not in body and media.thumbnail_name not in body, (viewer, path)
