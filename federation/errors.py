"""Typed failures of the federation layer. Each maps to one answer: a 4xx with a reason for
what others send us, a retry or a log line for what we fetch. Pure: standard library only."""

from __future__ import annotations


class FederationError(Exception):
    """Base of every federation failure; `reason` is safe to show to the sender."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class FetchError(FederationError):
    """A remote fetch failed: network, timeout, size cap, unexpected status."""


class NotFound(FetchError):
    """The remote server answered 404."""


class Gone(FetchError):
    """The remote server answered 410: the object or actor was deleted."""


class Unauthorized(FetchError):
    """The remote server refused to show us the object (401/403)."""


class UnsafeURL(FetchError):
    """A URL we must not contact: not http(s), or a private, loopback or link-local address."""


class TooLarge(FetchError):
    """The remote answer is larger than the cap of this request (the rest was not read)."""


class UnwantedContent(FetchError):
    """The remote server answered with a content type the caller does not take (the body
    was not read)."""


class SignatureError(FederationError):
    """An HTTP signature is missing, malformed, expired or does not verify."""


class Malformed(SignatureError):
    """A signature or digest header that cannot be parsed."""


class Expired(SignatureError):
    """A signature whose Date or created time is too far from now."""


class Invalid(SignatureError):
    """A signature that does not verify, or leaves a required header unsigned."""


class Rejected(FederationError):
    """Well-formed input we refuse: wrong owner, unsupported shape, not addressed to us."""


class MalformedDocument(Rejected):
    """A refused document that is not even the shape ActivityPub needs: not a JSON object, or
    without the id, type, actor or object its kind requires (an answer of 400, not 403)."""
