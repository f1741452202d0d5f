"""Two writers on PostgreSQL (runs learning aliases, review approvals adding them, across
replicas) must not both find an alias text free and give it to two skills: each holds the text's
advisory lock from its check to its commit."""

from __future__ import annotations

import threading

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from jdlens_server.nlp.normalize import fold
from jdlens_server.pipeline.details import AliasToLearn, _learn
from jdlens_server.store.db import lock_alias_text, make_engine, session_factory, transaction
from jdlens_server.store.models import SkillAliasRow, SkillRow


def _skills(sessions: sessionmaker[Session], *slugs: str) -> list[int]:
    with transaction(sessions) as session:
        rows = [SkillRow(slug=slug, display_name=slug, pack="test") for slug in slugs]
        session.add_all(rows)
        session.flush()
        return [row.id for row in rows]


def test_an_alias_text_goes_to_one_skill_when_two_writers_race_on_postgresql(pg_url: str) -> None:
    engine = make_engine(pg_url)
    sessions = session_factory(engine)
    first_skill, second_skill = _skills(sessions, "apache-kafka", "kafka-streams")
    text = "Kafka"
    learned: dict[str, str] = {}
    started = threading.Event()

    def second_writer() -> None:
        with transaction(sessions) as session:
            started.set()
            learned["why_not"] = _learn(
                session, AliasToLearn(second_skill, text, "abbreviation", "test", 0, 0)
            )

    # The first writer holds the text (as an approval or another run would), then gives it away.
    with transaction(sessions) as session:
        lock_alias_text(session, fold(text))
        racer = threading.Thread(target=second_writer)
        racer.start()
        assert started.wait(10)
        racer.join(timeout=1.0)
        assert racer.is_alive(), "the second writer did not wait for the text's lock"
        session.add(
            SkillAliasRow(
                skill_id=first_skill,
                text=text,
                normalized=fold(text),
                alias_type="abbreviation",
                match_strategy="exact",
                is_primary=False,
                source="test",
            )
        )
    racer.join(timeout=10)
    assert not racer.is_alive()
    assert learned["why_not"].startswith("'Kafka' is already an alias of another skill")
    with sessions() as session:
        holders = session.scalars(
            select(SkillAliasRow.skill_id).where(SkillAliasRow.normalized == fold(text))
        )
        assert list(holders) == [first_skill]
    engine.dispose()


def test_the_lock_is_a_no_op_on_sqlite(sqlite_url: str) -> None:
    # SQLite has one writer at a time; the call must not fail there (no advisory locks).
    sessions = session_factory(make_engine(sqlite_url))
    with transaction(sessions) as session:
        lock_alias_text(session, "kafka")


def test_learning_a_free_text_writes_the_alias(pg_url: str) -> None:
    sessions = session_factory(make_engine(pg_url))
    (skill,) = _skills(sessions, "apache-flink")
    with transaction(sessions) as session:
        assert _learn(session, AliasToLearn(skill, "Flink", "abbreviation", "test", 0, 0)) == ""
    with sessions() as session:
        assert (
            session.scalar(select(SkillAliasRow.skill_id).where(SkillAliasRow.normalized == fold("Flink")))
            == skill
        )
