"""`kith post --media FILE --alt TEXT`: the same checks as the web form, each --alt pairing
with the --media before it; a refused file is a one-line error and stores nothing."""

from __future__ import annotations

import asyncio
import io

import pytest
from PIL import Image

from node.media.files import MediaFiles
from node.settings import load_settings
from tests.node.test_cli import kith_env, run  # noqa: F401  (kith_env is a fixture)
from tests.rig import images


@pytest.fixture
def pictures(tmp_path):
    (tmp_path / "garden.jpg").write_bytes(images.jpeg(120, 90))
    (tmp_path / "logo.png").write_bytes(images.png(alpha=True))
    (tmp_path / "notes.txt").write_bytes(b"not a picture")
    return tmp_path


async def rows():
    from node.db import close_database, open_database
    from node.models import Media, Post

    settings = load_settings()
    await open_database(settings)
    try:
        return await Post.all().count(), await Media.all().order_by("position").values(
            "file_name", "description", "media_type")
    finally:
        await close_database()


def test_post__with_media_and_alt_pairs(kith_env, pictures, capsys):
    # Given alice, when she posts two pictures, the first described
    assert run(["user", "create", "alice", "--password-stdin"], "pw-long-enough") == 0
    assert run(["post", "alice", "two pictures", "--media", str(pictures / "garden.jpg"), "--alt", "Tomatoes",
                "--media", str(pictures / "logo.png")]) == 0
    assert capsys.readouterr().out.strip().splitlines()[-1].startswith("http://localhost:8000/@alice/")
    # Then both are attached in order, described as given, stored without EXIF
    posts, media = asyncio.run(rows())
    assert posts == 1
    assert [(m["description"], m["media_type"]) for m in media] == [("Tomatoes", "image/jpeg"), ("", "image/png")]
    stored = MediaFiles(kith_env / "media").read(media[0]["file_name"])
    assert not Image.open(io.BytesIO(stored)).getexif() and images.SECRET not in stored


@pytest.mark.parametrize("files, reason", [
    (["notes.txt"], "not a JPEG, PNG, WebP or GIF"),
    (["missing.jpg"], "cannot read"),
    (["garden.jpg"] * 5, "at most 4 images"),
])
def test_post__refused_media_is_one_line_and_stores_nothing(kith_env, pictures, capsys, files, reason):
    assert run(["user", "create", "alice", "--password-stdin"], "pw-long-enough") == 0
    capsys.readouterr()
    argv = ["post", "alice", "text"] + [arg for f in files for arg in ("--media", str(pictures / f))]
    assert run(argv) == 1
    err = capsys.readouterr().err
    assert reason in err and err.count("\n") == 1
    assert asyncio.run(rows()) == (0, [])
    assert MediaFiles(kith_env / "media").names() == []


def test_post__alt_without_its_media_is_a_usage_error(kith_env, pictures, capsys):
    with pytest.raises(SystemExit) as exit_:
        run(["post", "alice", "text", "--alt", "nothing to describe"])
    assert exit_.value.code == 2 and "--alt describes the --media" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        run(["post", "alice", "x", "--media", str(pictures / "garden.jpg"), "--alt", "a", "--alt", "b"])
