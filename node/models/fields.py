"""Model fields that read faster than Tortoise's own, and store exactly the same."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from tortoise import fields


class DatetimeField(fields.DatetimeField):
    """Tortoise's DatetimeField, reading SQLite's ISO text with the standard library's C
    parser instead of a pure-Python one: a page of 150 posts and their authors parses a few
    hundred of them. Same name, column and values, so migrations see no change."""

    def to_python_value(self, value: Any) -> datetime | None:
        if isinstance(value, str):
            try:
                value = datetime.fromisoformat(value)
            except ValueError:
                pass  # left to Tortoise's parser, which takes a few forms this one does not
        return super().to_python_value(value)
