"""The review-queue upsert: frozen to SQL text so SQLAlchemy compiles it once, with the same effect."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from jdlens.v1 import library_pb2
from jdlens_server.library import review_queue
from jdlens_server.store.db import make_engine, session_factory
from jdlens_server.store.models import ReviewItemRow


@pytest.mark.parametrize("dialect", ["sqlite", "postgresql"])
def test_the_statements_have_a_cache_key(dialect: str) -> None:
    # Without one, every execution compiled the statement again (SQLAlchemy cannot cache ON CONFLICT).
    assert review_queue._upsert_statement(dialect)._generate_cache_key() is not None
    assert review_queue._link_statement(dialect)._generate_cache_key() is not None


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
