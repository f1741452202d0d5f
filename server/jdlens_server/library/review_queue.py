"""Putting proposals in the review queue: one row per proposal, however often it is made.

A proposal's identity is (kind, role, folded subject). Proposing it again raises occurrence_count
with an atomic upsert (INSERT ... ON CONFLICT DO UPDATE), so concurrent runs never create a
duplicate row nor lose a count, on SQLite and on PostgreSQL alike.
"""

from __future__ import annotations

import functools
from datetime import UTC, datetime
from typing import cast

from google.protobuf.message import Message
from sqlalchemy import Table, TextClause, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session
from sqlalchemy.sql.selectable import TextualSelect

from jdlens_server.nlp.normalize import fold
from jdlens_server.store.db import dialect_name, frozen_insert_ignore, frozen_statement
from jdlens_server.store.models import ReviewItemRow, ReviewItemRunRow

KINDS = ("new_skill", "new_role", "new_kra", "alias_collision")


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


@functools.cache
def _upsert_statement(dialect: str) -> TextClause | TextualSelect:
    """The proposal upsert, built once per dialect against the Core table and frozen to its SQL
    text, so it is compiled once (see store.db.frozen_statement)."""
    table = cast(Table, ReviewItemRow.__table__)
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    stmt = insert(table)
    upsert = stmt.on_conflict_do_update(
        index_elements=[table.c.dedupe_key],
        set_={
            "occurrence_count": table.c.occurrence_count + 1,
            "updated_at": stmt.excluded.updated_at,
        },
    ).returning(table.c.id, table.c.occurrence_count, table.c.status)
    return frozen_statement(upsert, dialect, table, _ITEM_COLUMNS, ("id", "occurrence_count", "status"))


def _link_statement(dialect: str) -> TextClause | TextualSelect:
    table = cast(Table, ReviewItemRunRow.__table__)
    return frozen_insert_ignore(table, dialect, ("review_item_id", "run_id"))


def propose(
    session: Session,
    *,
    kind: str,
    subject: str,
    role_id: int | None,
    payload: Message,
    run_id: str | None,
) -> tuple[int, int, str]:
    """Queue a proposal or count it again. Returns (review item id, occurrence count, status)."""
    if kind not in KINDS:
        raise ValueError(f"unknown review item kind {kind!r}; expected one of {KINDS}")
    now = datetime.now(UTC)
    dialect = dialect_name(session)
    row = session.execute(
        _upsert_statement(dialect),
        {
            "kind": kind,
            "status": "pending",
            "subject": subject,
            "dedupe_key": dedupe_key(kind, role_id, subject),
            "role_id": role_id,
            "occurrence_count": 1,
            "payload": payload.SerializeToString(),
            "created_at": now,
            "updated_at": now,
            "resolution_note": "",
            "merged_into": "",
            "resolved_resources": "[]",
        },
    ).one()
    if run_id is not None:
        session.execute(_link_statement(dialect), {"review_item_id": row.id, "run_id": run_id})
    return int(row.id), int(row.occurrence_count), str(row.status)


def get_status(session: Session, item_id: int) -> str | None:
    return session.scalar(select(ReviewItemRow.status).where(ReviewItemRow.id == item_id))
