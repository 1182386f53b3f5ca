"""What the edit history page shows of each earlier version of a post: its text and warning,
its sensitive mark, its attachments (by their descriptions: the files of a removed image
are not kept or fetched again), and what the edit that ended it changed, so that a change
the text does not show (a new description, an image removed, the sensitive mark) is still
said.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from node.models import Post, PostEdit

KIND_NAMES = {"image": "Image", "video": "Video", "audio": "Sound", "file": "Attachment"}


@dataclass
class VersionView:
    version: PostEdit
    # What the edit that ended this version changed, in words: "text", "content warning",
    # "sensitive mark", "media".
    changed: list[str] = field(default_factory=list)

    @property
    def media(self) -> list[tuple[str, str]]:
        """The version's attachments as (kind in words, description); empty when it had none
        or when that was not recorded (versions kept before migration 9)."""
        return [(KIND_NAMES.get(m.get("kind", ""), "Attachment"), m.get("description", ""))
                for m in self.version.media or [] if isinstance(m, dict)]


def version_views(post: Post, versions: list[PostEdit]) -> list[VersionView]:
    """Return the views of the post's earlier `versions` (newest first, as versions_of gives)."""
    views, newer = [], post
    for version in versions:
        views.append(VersionView(version, _changes(version, newer)))
        newer = version
    return views


def _changes(version: PostEdit, newer: Post | PostEdit) -> list[str]:
    changed = []
    if version.content_html != newer.content_html:
        changed.append("text")
    if version.content_warning != newer.content_warning:
        changed.append("content warning")  # which marks the post sensitive, or not, with it
    elif version.sensitive != newer.sensitive:
        changed.append("sensitive mark")
    if version.media_changed:
        changed.append("media")
    return changed
