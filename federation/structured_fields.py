"""RFC 8941 structured fields: the subset that RFC 9421 and RFC 9530 use.

Owns parsing a Dictionary (`Signature-Input`, `Signature`, `Content-Digest`) into
key -> (item or inner list, parameters), and serialising items, inner lists and parameters
back, as RFC 9421 needs for the "@signature-params" line. Items are integers, decimals,
strings, tokens (`Token`), byte sequences and booleans; a member or parameter without a value
is True. Malformed text raises `StructuredFieldError`; mapping that to a verdict is
`federation/signatures.py`'s job.

Pure: standard library only.
"""

from __future__ import annotations

import base64
import binascii
import re
from typing import Any, Mapping

# A Dictionary member or an inner-list item: (bare item or list of items, parameters).
Member = tuple[Any, dict[str, Any]]


class StructuredFieldError(ValueError):
    """Text that is not a structured field of the expected shape."""


class Token(str):
    """An RFC 8941 token: serialised bare, where a string is quoted."""


def _byte_sequence(match: re.Match[str]) -> bytes:
    try:
        return base64.b64decode(match[1], validate=True)
    except binascii.Error as exc:
        raise StructuredFieldError(str(exc)) from None


_KEY = re.compile(r"[a-z*][a-z0-9_\-.*]*")
_OWS = re.compile(r"[ \t]*")
_SP = re.compile(r" *")
_BARE = (
    (re.compile(r"-?[0-9]{1,12}\.[0-9]{1,3}"), lambda m: float(m[0])),
    (re.compile(r"-?[0-9]{1,15}"), lambda m: int(m[0])),
    (re.compile(r'"((?:[ !#-\[\]-~]|\\["\\])*)"'), lambda m: re.sub(r'\\(["\\])', r"\1", m[1])),
    (re.compile(r"[A-Za-z*][!#$%&'*+\-.^_`|~0-9A-Za-z:/]*"), lambda m: Token(m[0])),
    (re.compile(r":([A-Za-z0-9+/]*={0,2}):"), _byte_sequence),
    (re.compile(r"\?[01]"), lambda m: m[0] == "?1"),
)


def parse_dictionary(text: str) -> dict[str, Member]:
    """Parse a Dictionary: key -> (item or inner list, parameters); raise StructuredFieldError."""
    members: dict[str, Member] = {}
    text, pos = text.strip(" "), 0
    while pos < len(text):
        key = _match(_KEY, text, pos)[0]
        pos += len(key)
        if text.startswith("=", pos):
            members[key], pos = _member(text, pos + 1)
        else:
            params, pos = _params(text, pos)
            members[key] = (True, params)
        pos = _OWS.match(text, pos).end()
        if pos < len(text):
            if text[pos] != "," or _OWS.match(text, pos + 1).end() == len(text):
                raise StructuredFieldError(f"expected a comma and a member at {pos}")
            pos = _OWS.match(text, pos + 1).end()
    return members


def _member(text: str, pos: int) -> tuple[Member, int]:
    return _inner_list(text, pos + 1) if text.startswith("(", pos) else _item(text, pos)


def _item(text: str, pos: int) -> tuple[Member, int]:
    value, pos = _bare(text, pos)
    params, pos = _params(text, pos)
    return (value, params), pos


def _inner_list(text: str, pos: int) -> tuple[Member, int]:
    items: list[Member] = []
    while True:
        pos = _SP.match(text, pos).end()
        if text.startswith(")", pos):
            params, pos = _params(text, pos + 1)
            return (items, params), pos
        item, pos = _item(text, pos)
        items.append(item)
        if not text.startswith((" ", ")"), pos):
            raise StructuredFieldError(f"expected a space or ')' at {pos}")


def _params(text: str, pos: int) -> tuple[dict[str, Any], int]:
    params: dict[str, Any] = {}
    while text.startswith(";", pos):
        pos = _SP.match(text, pos + 1).end()
        key = _match(_KEY, text, pos)[0]
        value, pos = True, pos + len(key)
        if text.startswith("=", pos):
            value, pos = _bare(text, pos + 1)
        params[key] = value
    return params, pos


def _bare(text: str, pos: int) -> tuple[Any, int]:
    for pattern, convert in _BARE:
        match = pattern.match(text, pos)
        if match:
            return convert(match), match.end()
    raise StructuredFieldError(f"expected an item at {pos}")


def _match(pattern: re.Pattern[str], text: str, pos: int) -> re.Match[str]:
    match = pattern.match(text, pos)
    if match is None:
        raise StructuredFieldError(f"unexpected character at {pos}")
    return match


def serialize(value: Any) -> str:
    """Return a bare item, or an inner list of (item, parameters), as RFC 8941 writes it."""
    if isinstance(value, bool):
        return "?1" if value else "?0"
    if isinstance(value, list):
        return "(" + " ".join(serialize(v) + serialize_params(p) for v, p in value) + ")"
    if isinstance(value, Token) or isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, bytes):
        return f":{base64.b64encode(value).decode('ascii')}:"
    decimal = f"{value:.3f}".rstrip("0")
    return decimal + "0" if decimal.endswith(".") else decimal


def serialize_params(params: Mapping[str, Any]) -> str:
    """Return parameters as RFC 8941 writes them: ";key" for True, else ";key=value"."""
    return "".join(f";{k}" if v is True else f";{k}={serialize(v)}" for k, v in params.items())
