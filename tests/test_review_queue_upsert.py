"""The review-queue upsert: frozen to SQL text so SQLAlchemy compiles it once, with the same effect,
and many proposals written in a few statements with each one's own result."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from jdlens.v1 import library_pb2
from jdlens_server.library import review_queue
from jdlens_server.store.db import make_engine, session_factory
from jdlens_server.store.models import ReviewItemRow, ReviewItemRunRow, RunRow


@pytest.mark.parametrize("dialect", ["sqlite", "postgresql"])
@pytest.mark.parametrize("rows", [1, 8])
def test_the_statements_have_a_cache_key(dialect: str, rows: int) -> None:
    # Without one, every execution compiled the statement again (SQLAlchemy cannot cache ON CONFLICT).
    assert review_queue._upsert_statement(dialect, rows)._generate_cache_key() is not None
    assert review_queue._link_statement(dialect, rows)._generate_cache_key() is not None


def test_chunks_are_powers_of_two_in_order() -> None:
    items = list(range(100))
    chunks = list(review_queue._chunks(items))
    assert [len(c) for c in chunks] == [64, 32, 4]
    assert [x for c in chunks for x in c] == items
    assert list(review_queue._chunks([])) == []


def test_a_proposal_made_twice_is_one_row_counted_twice_with_its_types_intact(db_url: str) -> None:
    engine = make_engine(db_url)
    try:
        with session_factory(engine)() as session:
            payload = library_pb2.ReviewItem(subject="Kafka Streams")
            before = datetime.now(UTC)
            first = review_queue.propose(
                session, kind="new_skill", subject="Kafka Streams", role_id=None, payload=payload, run_id=None
            )
            again = review_queue.propose(
                session,
                kind="new_skill",
                subject="kafka  streams",
                role_id=None,
                payload=payload,
                run_id=None,
            )
            session.commit()
            assert again == (first[0], 2, "pending") and first[1:] == (1, "pending")
            row = session.get(ReviewItemRow, first[0])
            assert row is not None
            assert row.payload == payload.SerializeToString()  # bytes bound as bytes
            created = row.created_at if row.created_at.tzinfo else row.created_at.replace(tzinfo=UTC)
            assert before <= created <= datetime.now(UTC)  # a datetime bound as the column stores it
    finally:
        engine.dispose()


def _item(session: Session, item_id: int) -> ReviewItemRow:
    row = session.get(ReviewItemRow, item_id)
    assert row is not None
    return row


def test_many_proposals_each_get_their_own_item_count_and_link(db_url: str) -> None:
    engine = make_engine(db_url)
    try:
        factory = session_factory(engine)
        # 70 distinct skills: more than one statement's rows (64 + 4 + 2), in an order unlike the
        # write order, with one subject twice (folded alike) and kinds mixed.
        names = [f"Tool {n:03d}" for n in range(70)][::-1]
        proposals = [
            review_queue.Proposal("new_skill", name, None, library_pb2.NewSkillProposal(skill_name=name))
            for name in names
        ]
        proposals.insert(
            5, review_queue.Proposal("new_kra", "Own the roadmap", None, library_pb2.NewKraProposal())
        )
        proposals.append(
            review_queue.Proposal(
                "new_skill", "tool  007", None, library_pb2.NewSkillProposal(skill_name="x")
            )
        )
        with factory() as session:
            session.execute(
                insert(RunRow).values(
                    id="run-1",
                    idempotency_key="k1",
                    status="succeeded",
                    stage="final",
                    created_at=datetime.now(UTC),
                    updated_at=datetime.now(UTC),
                    library_version=1,
                    backend="offline",
                    run_proto=b"",
                )
            )
            queued = review_queue.propose_many(session, proposals, "run-1")
            session.commit()
            assert len(queued) == len(proposals)
            for proposal, item in zip(proposals, queued, strict=True):
                row = _item(session, item.item_id)
                assert (row.kind, review_queue.dedupe_key(row.kind, None, row.subject)) == (
                    proposal.kind,
                    review_queue.dedupe_key(proposal.kind, None, proposal.subject),
                )
                assert (item.occurrence_count, item.status) == (1, "pending")
            twice = [
                q
                for p, q in zip(proposals, queued, strict=True)
                if p.subject.lower().split() == ["tool", "007"]
            ]
            assert len(twice) == 2 and twice[0] == twice[1]  # one item, counted once for the run
            # Kinds are written in their global order: every new skill's id before the KRA's.
            kra_id = queued[5].item_id
            assert all(
                q.item_id < kra_id for p, q in zip(proposals, queued, strict=True) if p.kind == "new_skill"
            )
            links = session.scalars(
                select(ReviewItemRunRow.review_item_id).where(ReviewItemRunRow.run_id == "run-1")
            )
            assert sorted(links) == sorted({q.item_id for q in queued})

            again = review_queue.propose_many(session, proposals[:3], None)
            session.commit()
            assert [q.item_id for q in again] == [q.item_id for q in queued[:3]]
            assert [q.occurrence_count for q in again] == [2, 2, 2]
    finally:
        engine.dispose()
