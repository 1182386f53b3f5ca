"""HandlerRegistry: one handler per (activity type, object type), exact match first."""

from __future__ import annotations

import pytest

from federation.dispatch import HandlerRegistry
from federation.inbound import InboundActivity

CAROL = "https://remote.test/users/carol"


def inbound(activity_type: str, object_type: str | None = None) -> InboundActivity:
    return InboundActivity(id=CAROL + "/a/1", type=activity_type, actor=CAROL,
                           object_type=object_type)


def on_create_note(activity):
    return "note"


def on_create_any(activity):
    return "any"


def on_follow(activity):
    return "follow"


def test_handler_for__exact_pair_wins_over_any_object():
    # Given
    registry = HandlerRegistry()
    registry.register("Create", None, on_create_any)
    registry.register("Create", "Note", on_create_note)
    # When / Then
    assert registry.handler_for(inbound("Create", "Note")) is on_create_note
    assert registry.handler_for(inbound("Create", "Article")) is on_create_any
    assert registry.handler_for(inbound("Create")) is on_create_any


def test_handler_for__object_type_none_matches_iri_objects():
    registry = HandlerRegistry()
    registry.register("Follow", None, on_follow)
    assert registry.handler_for(inbound("Follow")) is on_follow
    assert registry.handler_for(inbound("Follow", "Person")) is on_follow


def test_handler_for__unknown_pairs_are_none():
    # Callers record these as unhandled.
    registry = HandlerRegistry()
    registry.register("Create", "Note", on_create_note)
    assert registry.handler_for(inbound("Create", "Question")) is None
    assert registry.handler_for(inbound("Like")) is None
    assert HandlerRegistry().handler_for(inbound("Create", "Note")) is None


def test_register__refuses_duplicates():
    registry = HandlerRegistry()
    registry.register("Create", "Note", on_create_note)
    with pytest.raises(ValueError, match=r"\('Create', 'Note'\)"):
        registry.register("Create", "Note", on_create_any)
    assert registry.handler_for(inbound("Create", "Note")) is on_create_note


def test_register__same_activity_different_objects_coexist():
    registry = HandlerRegistry()
    registry.register("Create", "Note", on_create_note)
    registry.register("Create", None, on_create_any)
    assert registry.keys() == [("Create", "Note"), ("Create", None)]


def test_registries_are_independent():
    # No module-level state: each worker builds its own.
    first, second = HandlerRegistry(), HandlerRegistry()
    first.register("Follow", None, on_follow)
    assert second.handler_for(inbound("Follow")) is None
