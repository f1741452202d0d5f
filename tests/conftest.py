"""Shared fixtures: fresh databases on SQLite and PostgreSQL.

- ``sqlite_url`` / ``pg_url``: a fresh database migrated to head.
- ``sqlite_empty_url`` / ``pg_empty_url``: the same, not migrated (for migration tests).
- ``db_url`` / ``empty_db_url``: parametrized over both, so one test runs on SQLite and PostgreSQL.

PostgreSQL comes from ``$JDLENS_TEST_PG_URL`` (default below). Each test gets its own schema
``jdlens_t_<random>``, reached through ``options=-csearch_path=<schema>`` in the URL, so Alembic and
the app live inside it and tests never see each other's tables; the schema is dropped afterwards.
When the server does not answer, PostgreSQL tests are skipped with the reason, never passed.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from anthropic_stub import AnthropicStub
from jdlens_server.library.packs.esco import EscoPack, read_esco
from jdlens_server.library.packs.onet import OnetPack, read_onet
from jdlens_server.nlp.embedder import Embedder, load_embedder
from jdlens_server.store.db import make_engine, migrate

PG_URL_ENV = "JDLENS_TEST_PG_URL"
DEFAULT_PG_URL = "postgresql://postgres@127.0.0.1:5432/test"
SCHEMA_PREFIX = "jdlens_t_"

DB_KINDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
_FIXTURE_PREFIX = {"sqlite": "sqlite", "postgres": "pg"}


def pg_server_url() -> str:
    return os.environ.get(PG_URL_ENV) or DEFAULT_PG_URL


def with_query(url: str, **params: str) -> str:
    """``url`` with extra query parameters (kept as libpq connection parameters by psycopg)."""
    parsed = make_url(url)
    return parsed.update_query_dict(params).render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def pg_admin() -> Iterator[Engine]:
    """An engine on the PostgreSQL server's default schema; skips when the server is unreachable."""
    url = pg_server_url()
    engine = make_engine(url, connect_args={"connect_timeout": 5})
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except OperationalError as exc:
        engine.dispose()
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
        pytest.skip(f"PostgreSQL not reachable at {make_url(url)!r} (${PG_URL_ENV}): {reason}")
    yield engine
    engine.dispose()


@pytest.fixture
def pg_empty_url(pg_admin: Engine) -> Iterator[str]:
    """A URL whose connections live in a new, empty schema; the schema is dropped afterwards."""
    schema = SCHEMA_PREFIX + secrets.token_hex(6)
    with pg_admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    # application_name tags the test's connections so teardown can end any the test left open.
    yield with_query(pg_server_url(), options=f"-csearch_path={schema}", application_name=schema)
    with pg_admin.begin() as conn:
        conn.execute(
            text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = :name"),
            {"name": schema},
        )
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))


@pytest.fixture
def pg_url(pg_empty_url: str) -> str:
    """A fresh PostgreSQL schema migrated to head."""
    migrate(pg_empty_url)
    return pg_empty_url


@pytest.fixture
def sqlite_empty_url(tmp_path: Path) -> str:
    """A URL for a SQLite file that does not exist yet."""
    return f"sqlite:///{tmp_path / 'jdlens.sqlite'}"


@pytest.fixture
def sqlite_url(sqlite_empty_url: str) -> str:
    """A fresh SQLite file migrated to head."""
    migrate(sqlite_empty_url)
    return sqlite_empty_url


@pytest.fixture(params=DB_KINDS)
def empty_db_url(request: pytest.FixtureRequest) -> str:
    """An empty database, once on SQLite and once on PostgreSQL."""
    url: str = request.getfixturevalue(f"{_FIXTURE_PREFIX[request.param]}_empty_url")
    return url


@pytest.fixture(params=DB_KINDS)
def db_url(request: pytest.FixtureRequest) -> str:
    """A database migrated to head, once on SQLite and once on PostgreSQL."""
    url: str = request.getfixturevalue(f"{_FIXTURE_PREFIX[request.param]}_url")
    return url


# ---- shared read-only inputs -----------------------------------------------------------------


@pytest.fixture(scope="session")
def embedder() -> Embedder:
    """The default embedder (one shared model for every test that needs real vectors)."""
    return load_embedder()


@pytest.fixture(scope="session")
def esco() -> EscoPack:
    """The shipped ESCO pack, read once per session."""
    return read_esco()


@pytest.fixture(scope="session")
def onet() -> OnetPack:
    """The shipped O*NET pack, read once per session."""
    return read_onet()


@pytest.fixture(scope="module")
def shared_stub() -> Iterator[AnthropicStub]:
    """A local HTTP server in the shape of the Anthropic API, one per test module."""
    with AnthropicStub() as server:
        yield server


@pytest.fixture
def stub(shared_stub: AnthropicStub) -> AnthropicStub:
    """The module's stub with its queued answers and recorded requests cleared."""
    shared_stub.reset()
    return shared_stub
