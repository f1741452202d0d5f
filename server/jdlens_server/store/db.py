"""Engines, sessions and migrations for the store (SQLite by default, PostgreSQL by URL)."""

from __future__ import annotations

import functools
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Engine, Table, TextClause, bindparam, create_engine, event, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.sql.selectable import TextualSelect

from jdlens_server.errors import SetupError
from jdlens_server.store.location import is_sqlite

if TYPE_CHECKING:
    from alembic.config import Config

# The migrations live at the repository's top level (migrations/), beside server/.
MIGRATIONS_DIR = Path(__file__).resolve().parents[3] / "migrations"


class UnsupportedDatabase(SetupError, ValueError):
    """A database URL of a kind jdlens does not run on (its schema and queries are SQLite's and
    PostgreSQL's)."""


# The dialects the migrations and the store's queries are written and tested for.
SUPPORTED_BACKENDS = ("sqlite", "postgresql")


def make_engine(url: str, **kwargs: Any) -> Engine:
    """An engine with what jdlens relies on: foreign keys and WAL on SQLite, pre-ping on PostgreSQL."""
    parsed = make_url(url)
    backend = parsed.get_backend_name()
    if backend not in SUPPORTED_BACKENDS:
        raise UnsupportedDatabase(
            f"jdlens runs on SQLite or PostgreSQL, not {backend} ({parsed.render_as_string()}): "
            "use --db sqlite:////path/to/file.sqlite or --db postgresql://user@host:5432/dbname"
        )
    if is_sqlite(url):
        connect_args = {"timeout": 30, "check_same_thread": False}
        engine = create_engine(url, connect_args=connect_args, **kwargs)

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.close()

        return engine
    if url.startswith("postgresql://"):
        # psycopg 3 is the driver we ship; plain postgresql:// would ask for psycopg2.
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=10, **kwargs)


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def transaction(factory: sessionmaker[Session]) -> Iterator[Session]:
    """One unit of work: commit on success, roll back on any error (nothing half-written)."""
    with factory() as session, session.begin():
        yield session


def alembic_config(url: str) -> Config:
    from alembic.config import Config  # here, not at the top: alembic costs every command ~0.25 s to import

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def migrate(url: str, revision: str = "head") -> None:
    """Bring the database schema to ``revision`` (creates the SQLite file when missing)."""
    from alembic import command

    command.upgrade(alembic_config(url), revision)


def downgrade(url: str, revision: str = "base") -> None:
    from alembic import command

    command.downgrade(alembic_config(url), revision)


def dialect_name(session: Session) -> str:
    """``"postgresql"`` or ``"sqlite"``: the two dialects the store writes SQL for."""
    return engine_dialect(session.get_bind())


def engine_dialect(bind: Engine | Connection) -> str:
    """``dialect_name`` of an engine or connection, before any session exists."""
    return "postgresql" if bind.dialect.name == "postgresql" else "sqlite"


# Namespaces of the transaction-scoped advisory locks (pg_advisory_xact_lock(namespace, key)).
_ALIAS_TEXT_LOCKS = 0x4A44_4C01  # one lock per folded alias text
_REVIEW_LOCKS = 0x4A44_4C02  # key 0: the review resolutions that change the library
_ALIAS_LOCK = text("SELECT pg_advisory_xact_lock(:namespace, hashtext(:alias))")
_REVIEW_LOCK = text("SELECT pg_advisory_xact_lock(:namespace, 0)")


def lock_alias_text(session: Session, folded: str) -> None:
    """Hold, until the transaction ends, the right to give the alias text ``folded`` to a skill:
    two writers (runs learning an alias, review approvals adding one) on PostgreSQL could otherwise
    both find it free and give it to two skills. SQLite has one writer at a time: nothing to do."""
    if dialect_name(session) == "postgresql":
        session.execute(_ALIAS_LOCK, {"namespace": _ALIAS_TEXT_LOCKS, "alias": folded})


def serialize_review_resolutions(session: Session) -> None:
    """One review resolution at a time across every replica on PostgreSQL, until the transaction
    ends: approvals check then create slugs and aliases, which two at once could both find free.
    On SQLite the first write already takes the database's write lock."""
    if dialect_name(session) == "postgresql":
        session.execute(_REVIEW_LOCK, {"namespace": _REVIEW_LOCKS})


def multirow_insert(table: Table, dialect: str, columns: Sequence[str], rows: int) -> Any:
    """The dialect's INSERT (so ON CONFLICT can follow) of ``rows`` rows in one statement, with a
    typed parameter ``r<i>_<column>`` per value: fill them with ``multirow_params``."""
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    return insert(table).values(
        [{c: bindparam(f"r{i}_{c}", type_=table.c[c].type) for c in columns} for i in range(rows)]
    )


def multirow_params(rows: Sequence[Mapping[str, object]]) -> dict[str, object]:
    """The parameters of a ``multirow_insert`` of these rows, in their order."""
    return {f"r{i}_{column}": value for i, row in enumerate(rows) for column, value in row.items()}


@functools.cache
def frozen_insert_ignore(
    table: Table,
    dialect: str,
    columns: tuple[str, ...],
    keys: tuple[str, ...] = (),
    returning: tuple[str, ...] = (),
) -> TextClause | TextualSelect:
    """INSERT ... ON CONFLICT (``keys``; any unique constraint when empty) DO NOTHING, RETURNING
    ``returning`` for a row that was inserted, built once per table and dialect and frozen to its
    SQL text (see ``frozen_statement``). An execution gives a value for each of ``columns``."""
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    stmt: Any = insert(table).on_conflict_do_nothing(index_elements=list(keys) or None)
    if returning:
        stmt = stmt.returning(*(table.c[name] for name in returning))
    return frozen_statement(stmt, dialect, table, columns, returning)


def frozen_statement(
    stmt: Any, dialect_name: str, table: Table, columns: Sequence[str], returning: Sequence[str] = ()
) -> TextClause | TextualSelect:
    """``stmt`` as the SQL text it compiles to in ``dialect_name``, with typed named parameters.

    SQLAlchemy 2.0 cannot cache the dialect inserts with ON CONFLICT (no cache key), so each
    execution compiled them anew: about 0.3 ms a statement, several per run. The text clause
    of the same SQL is cached like any other; its parameters and RETURNING columns keep the
    table's column types, so values are bound and read exactly as the insert would do it.
    ``columns``: the columns an execution gives values for (the insert renders only those)."""
    dialect_class: Any = postgresql.dialect if dialect_name == "postgresql" else sqlite.dialect
    dialect = dialect_class(paramstyle="named")
    compiled = stmt.compile(dialect=dialect, column_keys=list(columns))
    # Each bind keeps its type and, for a literal of the statement ("count + 1"), its value.
    binds = {name: compiled.binds[name] for name in compiled.params}
    clause = text(str(compiled)).bindparams(
        *(bindparam(name, b.value, type_=b.type) for name, b in binds.items())
    )
    if returning:
        return clause.columns(*(table.c[name] for name in returning))
    return clause
