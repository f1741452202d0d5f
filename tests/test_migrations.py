"""Every Alembic migration up and down, one step at a time, on SQLite and PostgreSQL, and no drift
between the migrated schema and the models (what ``alembic check`` verifies)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text

from jdlens.v1 import run_pb2
from jdlens_server.store.db import alembic_config, make_engine, migrate
from jdlens_server.store.location import is_sqlite
from jdlens_server.store.models import Base
from jdlens_server.store.run_blob import IDENTITY, ZLIB, decode_run, encode_run


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


def _insert_run(url: str, run_id: str, blob: bytes, codec: str | None) -> None:
    """A runs row as the code of its revision writes it (``codec`` None: before 0003)."""
    columns = "id, idempotency_key, status, stage, created_at, updated_at, library_version, backend, "
    columns += "total_cost_usd, run_proto" + (", run_codec" if codec else "")
    values = ":id, :key, 'completed', 'final_role', :now, :now, 1, 'offline', 0, :blob" + (
        ", :codec" if codec else ""
    )
    engine = make_engine(url)
    try:
        with engine.begin() as conn:
            conn.execute(
                text(f"INSERT INTO runs ({columns}) VALUES ({values})"),
                {"id": run_id, "key": f"k-{run_id}", "now": datetime.now(UTC), "blob": blob, "codec": codec},
            )
    finally:
        engine.dispose()


def _stored(url: str, run_id: str) -> tuple[bytes, str | None]:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            names = {c["name"] for c in inspect(conn).get_columns("runs")}
            codec = ", run_codec" if "run_codec" in names else ""
            row = conn.execute(
                text(f"SELECT run_proto{codec} FROM runs WHERE id = :id"), {"id": run_id}
            ).one()
            return bytes(row[0]), (row[1] if codec else None)
    finally:
        engine.dispose()


def test_runs_written_before_the_codec_column_still_read_and_a_downgrade_inflates(empty_db_url: str) -> None:
    config = alembic_config(empty_db_url)
    command.upgrade(config, "0002")
    old = run_pb2.Run(name="runs/old", run_id="old", jd_text="plain bytes, written by 0002")
    _insert_run(empty_db_url, "old", old.SerializeToString(), None)

    command.upgrade(config, "0003")
    blob, codec = _stored(empty_db_url, "old")
    assert codec == IDENTITY and decode_run(blob, codec) == old
    new = run_pb2.Run(name="runs/new", run_id="new", jd_text="deflated " * 200)
    blob, codec = encode_run(new)
    assert codec == ZLIB and len(blob) < new.ByteSize()
    _insert_run(empty_db_url, "new", blob, codec)

    command.downgrade(config, "0002")
    for run in (old, new):
        blob, codec = _stored(empty_db_url, run.run_id)
        assert codec is None and run_pb2.Run.FromString(blob) == run
