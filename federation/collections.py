"""OrderedCollection and OrderedCollectionPage documents. Pure."""

from __future__ import annotations

from federation.vocab import AS_CONTEXT, APObject


def collection(url: str, total: int, *, first: str | None = None, items: list | None = None) -> APObject:
    """Return an OrderedCollection with its count and, when given, its first page or items."""
    document: APObject = {"@context": AS_CONTEXT, "id": url, "type": "OrderedCollection", "totalItems": total}
    if first is not None:
        document["first"] = first
    if items is not None:
        document["orderedItems"] = items
    return document


def collection_page(url: str, part_of: str, items: list, next_url: str | None) -> APObject:
    """Return one page of an OrderedCollection; `next` only when there may be more."""
    document: APObject = {
        "@context": AS_CONTEXT,
        "id": url,
        "type": "OrderedCollectionPage",
        "partOf": part_of,
        "orderedItems": items,
    }
    if next_url:
        document["next"] = next_url
    return document
