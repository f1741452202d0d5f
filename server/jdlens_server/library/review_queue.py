"""Putting proposals in the review queue: one row per proposal, however often it is made.

A proposal's identity is (kind, role, folded subject). Proposing it again raises occurrence_count
with an atomic upsert (INSERT ... ON CONFLICT DO UPDATE), so concurrent runs never create a
duplicate row nor lose a count, on SQLite and on PostgreSQL alike.
"""

from __future__ import annotations

import functools
from datetime import UTC, datetime
from typing import Any, cast

from google.protobuf.message import Message
from sqlalchemy import Table, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from jdlens_server.nlp.normalize import fold
from jdlens_server.store.models import ReviewItemRow, ReviewItemRunRow

KINDS = ("new_skill", "new_role", "new_kra", "alias_collision")


def dedupe_key(kind: str, role_id: int | None, subject: str) -> str:
    return f"{kind}:{role_id if role_id is not None else '-'}:{fold(subject)}"[:400]


def _dialect(session: Session) -> str:
    return "postgresql" if session.get_bind().dialect.name == "postgresql" else "sqlite"


@functools.cache
def _upsert_statement(dialect: str) -> Any:
    """The proposal upsert, built once per dialect against the Core table with bound parameters,
    so SQLAlchemy compiles it once (an ORM insert with literal values recompiled on every call,
    which was most of a run's queue-writing time)."""
    table = cast(Table, ReviewItemRow.__table__)
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    stmt = insert(table)
    return stmt.on_conflict_do_update(
        index_elements=[table.c.dedupe_key],
        set_={
            "occurrence_count": table.c.occurrence_count + 1,
            "updated_at": stmt.excluded.updated_at,
        },
    ).returning(table.c.id, table.c.occurrence_count, table.c.status)


@functools.cache
def _link_statement(dialect: str) -> Any:
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    return insert(cast(Table, ReviewItemRunRow.__table__)).on_conflict_do_nothing()


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
    dialect = _dialect(session)
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
