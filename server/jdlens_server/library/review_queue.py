"""Putting proposals in the review queue: one row per proposal, however often it is made.

A proposal's identity is (kind, role, folded subject). Proposing it again raises occurrence_count
with an atomic upsert (INSERT ... ON CONFLICT DO UPDATE), so concurrent runs never create a
duplicate row nor lose a count, on SQLite and on PostgreSQL alike.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from google.protobuf.message import Message
from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from jdlens_server.nlp.normalize import fold
from jdlens_server.store.models import ReviewItemRow, ReviewItemRunRow

KINDS = ("new_skill", "new_role", "new_kra", "alias_collision")


def dedupe_key(kind: str, role_id: int | None, subject: str) -> str:
    return f"{kind}:{role_id if role_id is not None else '-'}:{fold(subject)}"[:400]


def _insert(session: Session) -> Any:
    return postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert


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
    insert = _insert(session)
    stmt = insert(ReviewItemRow).values(
        kind=kind,
        status="pending",
        subject=subject,
        dedupe_key=dedupe_key(kind, role_id, subject),
        role_id=role_id,
        occurrence_count=1,
        payload=payload.SerializeToString(),
        created_at=now,
        updated_at=now,
        resolution_note="",
        merged_into="",
        resolved_resources="[]",
    )
    stmt = stmt.on_conflict_do_update(
        index_elements=[ReviewItemRow.dedupe_key],
        set_={"occurrence_count": ReviewItemRow.occurrence_count + 1, "updated_at": now},
    ).returning(ReviewItemRow.id, ReviewItemRow.occurrence_count, ReviewItemRow.status)
    row = session.execute(stmt).one()
    if run_id is not None:
        link = _insert(session)(ReviewItemRunRow).values(review_item_id=row.id, run_id=run_id)
        session.execute(link.on_conflict_do_nothing())
    return int(row.id), int(row.occurrence_count), str(row.status)


def get_status(session: Session, item_id: int) -> str | None:
    return session.scalar(select(ReviewItemRow.status).where(ReviewItemRow.id == item_id))
