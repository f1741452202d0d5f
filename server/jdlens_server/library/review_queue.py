"""Putting proposals in the review queue: one row per proposal, however often it is made.

A proposal's identity is (kind, role, folded subject). Proposing it again raises occurrence_count
with an atomic upsert (INSERT ... ON CONFLICT DO UPDATE), so concurrent runs never create a
duplicate row nor lose a count, on SQLite and on PostgreSQL alike.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TypeVar, cast

from google.protobuf.message import Message
from sqlalchemy import Table, TextClause
from sqlalchemy.orm import Session
from sqlalchemy.sql.selectable import TextualSelect

from jdlens_server.nlp.normalize import fold
from jdlens_server.store.db import dialect_name, frozen_statement, multirow_insert, multirow_params
from jdlens_server.store.models import ReviewItemRow, ReviewItemRunRow

KINDS = ("new_skill", "new_role", "new_kra", "alias_collision")

T = TypeVar("T")
# The order kinds are written in within one transaction (see propose_many).
_WRITE_ORDER = {"new_skill": 0, "alias_collision": 1, "new_kra": 2, "new_role": 3}


def dedupe_key(kind: str, role_id: int | None, subject: str) -> str:
    return f"{kind}:{role_id if role_id is not None else '-'}:{fold(subject)}"[:400]


_ITEM_COLUMNS = (
    "kind",
    "status",
    "subject",
    "dedupe_key",
    "role_id",
    "occurrence_count",
    "payload",
    "created_at",
    "updated_at",
    "resolution_note",
    "merged_into",
    "resolved_resources",
)


# Rows per statement come in powers of two up to this: each shape is compiled once (3-15 ms), so a
# process has seven of them per statement, not one per count of proposals a run happens to have.
_MAX_ROWS = 64


@dataclass(frozen=True, slots=True)
class Proposal:
    kind: str
    subject: str
    role_id: int | None
    payload: Message


@dataclass(frozen=True, slots=True)
class Queued:
    """Where a proposal stands after it was counted: its item, how often it was made, its status."""

    item_id: int
    occurrence_count: int
    status: str


@functools.cache
def _upsert_statement(dialect: str, rows: int) -> TextClause | TextualSelect:
    """The upsert of ``rows`` proposals in one statement (parameters ``r<i>_<column>``), built once
    per dialect and row count against the Core table and frozen to its SQL text, so it is compiled
    once (see store.db.frozen_statement). RETURNING names each row's dedupe key: neither database
    promises to return rows in VALUES order."""
    table = cast(Table, ReviewItemRow.__table__)
    stmt = multirow_insert(table, dialect, _ITEM_COLUMNS, rows)
    upsert = stmt.on_conflict_do_update(
        index_elements=[table.c.dedupe_key],
        set_={
            "occurrence_count": table.c.occurrence_count + 1,
            "updated_at": stmt.excluded.updated_at,
        },
    ).returning(table.c.id, table.c.occurrence_count, table.c.status, table.c.dedupe_key)
    returning = ("id", "occurrence_count", "status", "dedupe_key")
    return frozen_statement(upsert, dialect, table, (), returning)


@functools.cache
def _link_statement(dialect: str, rows: int) -> TextClause | TextualSelect:
    """INSERT ... ON CONFLICT DO NOTHING of ``rows`` (item, run) links in one statement."""
    table = cast(Table, ReviewItemRunRow.__table__)
    stmt = multirow_insert(table, dialect, ("review_item_id", "run_id"), rows)
    return frozen_statement(stmt.on_conflict_do_nothing(), dialect, table, ())


def _chunks(items: list[T]) -> Iterator[list[T]]:
    """``items`` in consecutive chunks of the largest power of two that fits (at most _MAX_ROWS)."""
    start = 0
    while start < len(items):
        size = min(_MAX_ROWS, 1 << ((len(items) - start).bit_length() - 1))
        yield items[start : start + size]
        start += size


def warm_up(dialect: str) -> None:
    """Compile every statement shape now, so that no run pays for it."""
    rows = 1
    while rows <= _MAX_ROWS:
        _upsert_statement(dialect, rows)
        _link_statement(dialect, rows)
        rows *= 2


def propose_many(session: Session, proposals: Sequence[Proposal], run_id: str | None) -> list[Queued]:
    """Queue proposals or count them again, a few statements for all of them (one round trip to
    PostgreSQL instead of two per proposal); returns each proposal's item, in the given order.

    Rows are written by kind (``_WRITE_ORDER``), then dedupe key: the one global order of every
    writer of the queue, so two runs that queue the same items never wait on each other crosswise
    (a deadlock on PostgreSQL); new items get their ids in that order. Proposals of one call that
    fold to the same key are one proposal: a run counts an item once."""
    for proposal in proposals:
        if proposal.kind not in KINDS:
            raise ValueError(f"unknown review item kind {proposal.kind!r}; expected one of {KINDS}")
    keys = [dedupe_key(p.kind, p.role_id, p.subject) for p in proposals]
    first_of: dict[str, Proposal] = {}
    for key, proposal in zip(keys, proposals, strict=True):
        first_of.setdefault(key, proposal)
    in_write_order = sorted(first_of, key=lambda k: (_WRITE_ORDER[first_of[k].kind], k))
    now = datetime.now(UTC)
    dialect = dialect_name(session)
    queued: dict[str, Queued] = {}
    for chunk in _chunks(in_write_order):
        rows = [
            {
                "kind": first_of[key].kind,
                "status": "pending",
                "subject": first_of[key].subject,
                "dedupe_key": key,
                "role_id": first_of[key].role_id,
                "occurrence_count": 1,
                "payload": first_of[key].payload.SerializeToString(),
                "created_at": now,
                "updated_at": now,
                "resolution_note": "",
                "merged_into": "",
                "resolved_resources": "[]",
            }
            for key in chunk
        ]
        for r in session.execute(_upsert_statement(dialect, len(chunk)), multirow_params(rows)):
            queued[str(r.dedupe_key)] = Queued(int(r.id), int(r.occurrence_count), str(r.status))
    if run_id is not None:
        for ids in _chunks(sorted(q.item_id for q in queued.values())):
            links = [{"review_item_id": item_id, "run_id": run_id} for item_id in ids]
            session.execute(_link_statement(dialect, len(ids)), multirow_params(links))
    return [queued[key] for key in keys]


def propose(
    session: Session,
    *,
    kind: str,
    subject: str,
    role_id: int | None,
    payload: Message,
    run_id: str | None,
) -> tuple[int, int, str]:
    """Queue one proposal or count it again. Returns (review item id, occurrence count, status)."""
    (item,) = propose_many(session, [Proposal(kind, subject, role_id, payload)], run_id)
    return item.item_id, item.occurrence_count, item.status
