"""Every Alembic migration up and down, one step at a time, on SQLite and PostgreSQL, and no drift
between the migrated schema and the models (what ``alembic check`` verifies)."""

from __future__ import annotations

from typing import Any

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text

from jdlens_server.store.db import alembic_config, make_engine, migrate
from jdlens_server.store.location import is_sqlite
from jdlens_server.store.models import Base


def revisions() -> list[str]:
    """All revisions, oldest first."""
    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    return [rev.revision for rev in reversed(list(script.walk_revisions("base", "heads")))]


def current_revision(url: str) -> str | None:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()
    finally:
        engine.dispose()


def schema_drift(url: str) -> list[Any]:
    """What autogenerate would still write for the models, with the options migrations/env.py uses."""
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(
                conn, opts={"compare_type": True, "render_as_batch": is_sqlite(url)}
            )
            return list(compare_metadata(context, Base.metadata))
    finally:
        engine.dispose()


def table_names(url: str) -> set[str]:
    engine = make_engine(url)
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def current_schema(url: str) -> str:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return str(conn.execute(text("SELECT current_schema()")).scalar_one())
    finally:
        engine.dispose()


def leftover_pg_objects(url: str) -> list[str]:
    """Sequences, types and views a downgrade left in the test's schema (PostgreSQL only)."""
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(
                text(
                    "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
                    " WHERE n.nspname = current_schema() AND c.relkind IN ('S', 'v', 'm')"
                    " UNION ALL SELECT t.typname FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace"
                    " WHERE n.nspname = current_schema() AND t.typtype IN ('e', 'd')"
                )
            )
            return sorted(row[0] for row in rows)
    finally:
        engine.dispose()


def test_history_is_linear() -> None:
    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    assert len(script.get_heads()) == 1, f"several heads, merge them: {script.get_heads()}"
    assert revisions(), "no migrations found"


def test_every_migration_up_and_down(empty_db_url: str) -> None:
    config = alembic_config(empty_db_url)
    history = revisions()
    assert table_names(empty_db_url) == set()
    if not is_sqlite(empty_db_url):
        assert current_schema(empty_db_url) != "public", "the test schema is not on the search_path"

    for revision in history:
        command.upgrade(config, revision)
        assert current_revision(empty_db_url) == revision

    assert schema_drift(empty_db_url) == []
    model_tables = set(Base.metadata.tables)
    assert table_names(empty_db_url) == model_tables | {"alembic_version"}

    for expected in [*reversed(history[:-1]), None]:
        command.downgrade(config, "-1")
        assert current_revision(empty_db_url) == expected

    assert table_names(empty_db_url) == {"alembic_version"}
    if not is_sqlite(empty_db_url):
        assert leftover_pg_objects(empty_db_url) == []

    # A full downgrade leaves a database that migrates to head again, without drift.
    migrate(empty_db_url)
    assert current_revision(empty_db_url) == history[-1]
    assert schema_drift(empty_db_url) == []


def test_migrated_fixture_is_at_head_without_drift(db_url: str) -> None:
    assert current_revision(db_url) == revisions()[-1]
    assert schema_drift(db_url) == []
