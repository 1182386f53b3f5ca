"""A small per-process cache of rendered bodies (feeds, pages for anonymous readers).

Keys name everything a body was made from, including the author's `changed_at` version, so
an entry is never stale: a change makes a new key and the old entry ages out. Each worker
process keeps its own; they agree because the version comes from the database.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Awaitable, Callable, Hashable, TypeVar

T = TypeVar("T")


class RenderedCache:
    """Bodies by key; the least recently used goes when more than `size` are kept."""

    def __init__(self, size: int = 256) -> None:
        self._size = size
        self._items: OrderedDict[Hashable, object] = OrderedDict()

    async def get_or_make(self, key: Hashable, make: Callable[[], Awaitable[T]]) -> T:
        """Return the body kept under `key`, making and keeping it first if there is none."""
        if key in self._items:
            self._items.move_to_end(key)
            return self._items[key]  # type: ignore[return-value]
        body = await make()
        self._items[key] = body
        if len(self._items) > self._size:
            self._items.popitem(last=False)
        return body
