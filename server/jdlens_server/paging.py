"""Opaque page tokens for keyset pagination (AIP-158).

A token carries the sort key of the last row served, the kind of list and a fingerprint of the
filters it was issued for. Keyset paging (WHERE key < last ORDER BY key) stays stable while rows are
inserted, unlike OFFSET; the fingerprint makes a token reused with other filters an
INVALID_ARGUMENT instead of a silently wrong page.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta

from jdlens_server.errors import FieldViolation, InvalidArgument

TOKEN_VERSION = 1
KeyPart = str | int
FilterValue = str | int | None

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def as_utc(moment: datetime) -> datetime:
    """SQLite hands timestamps back naive; the store only ever writes UTC."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def instant_key(moment: datetime) -> int:
    """A timestamp as a key part: exact microseconds since the epoch (the precision both databases
    keep; a float would round)."""
    return (as_utc(moment) - _EPOCH) // timedelta(microseconds=1)


def instant_from_key(micros: int) -> datetime:
    return _EPOCH + timedelta(microseconds=micros)


def _fingerprint(kind: str, filters: Mapping[str, FilterValue]) -> str:
    canonical = json.dumps([kind, sorted(filters.items())], separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()[:16]


def encode_page_token(kind: str, filters: Mapping[str, FilterValue], key: Sequence[KeyPart]) -> str:
    body = {"v": TOKEN_VERSION, "f": _fingerprint(kind, filters), "k": list(key)}
    raw = json.dumps(body, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _invalid(description: str) -> InvalidArgument:
    return InvalidArgument("invalid page_token", [FieldViolation("page_token", description)])


def decode_page_token(
    token: str, kind: str, filters: Mapping[str, FilterValue], key_types: Sequence[type]
) -> list[KeyPart] | None:
    """The sort key a token resumes after; None for the empty token (first page).

    Raises InvalidArgument when the token is not one this server issued for this list and these
    filters, or its key does not have the expected shape.
    """
    if not token:
        return None
    try:
        padded = token + "=" * (-len(token) % 4)
        body = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
    except (ValueError, binascii.Error, UnicodeError):
        raise _invalid("not a page token from this list; pass next_page_token unchanged") from None
    if not isinstance(body, dict) or body.get("v") != TOKEN_VERSION:
        raise _invalid("not a page token from this list; pass next_page_token unchanged")
    if body.get("f") != _fingerprint(kind, filters):
        raise _invalid(
            "the page token was issued for a different list or different filters; "
            "repeat the first request's filters or start again without a token"
        )
    key = body.get("k")
    if (
        not isinstance(key, list)
        or len(key) != len(key_types)
        # bool is an int subclass; a key part is never a bool.
        or not all(type(part) is kind_ for part, kind_ in zip(key, key_types, strict=True))
    ):
        raise _invalid("malformed page token")
    return key
