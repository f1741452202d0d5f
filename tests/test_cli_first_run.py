"""The first run completes the default library (ESCO + tech) and leaves other libraries alone."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from jdlens_server.cli import _ensure_library, main
from jdlens_server.library.importer import import_pack, stale_packs
from jdlens_server.library.packs import esco_subset, read_esco
from jdlens_server.library.packs.tech import read_tech
from jdlens_server.library.versions import current_version
from jdlens_server.store.db import make_engine, session_factory
from jdlens_server.store.models import PackImportRow


def _state(url: str) -> tuple[set[str], int]:
    engine = make_engine(url)
    try:
        with session_factory(engine)() as session:
            return set(session.scalars(select(PackImportRow.pack))), current_version(session)
    finally:
        engine.dispose()


def test_an_esco_library_gets_the_tech_pack_once(sqlite_url: str) -> None:
    # A library from before the tech pack, or a first run interrupted after ESCO.
    import_pack(sqlite_url, "esco", contents=esco_subset(read_esco(), occupations=3), progress=False)
    packs, version = _state(sqlite_url)
    assert packs == {"esco"}

    _ensure_library(sqlite_url)
    packs, completed = _state(sqlite_url)
    assert packs == {"esco", "tech"} and completed == version + 1

    _ensure_library(sqlite_url)  # complete: nothing more is imported
    assert _state(sqlite_url) == (packs, completed)


def test_a_pack_imported_by_an_older_jdlens_is_named_with_the_command_that_updates_it(
    sqlite_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    import_pack(sqlite_url, "esco", contents=esco_subset(read_esco(), occupations=3), progress=False)
    _ensure_library(sqlite_url)
    engine = make_engine(sqlite_url)
    try:
        with session_factory(engine)() as session:
            assert stale_packs(session) == []
            # As an older jdlens would have left it.
            row = session.get(PackImportRow, "tech")
            assert row is not None
            row.source_version = "0.9.0"
            session.commit()
            stale = stale_packs(session)
    finally:
        engine.dispose()
    assert [(s.pack, s.imported) for s in stale] == [("tech", "0.9.0")]
    assert stale[0].shipped == read_tech().info.version
    capsys.readouterr()
    _ensure_library(sqlite_url)  # nothing is missing, so nothing is imported: the user is told
    assert "`jdlens library import tech`" in capsys.readouterr().err
    assert main(["library", "status", "--db", sqlite_url]) == 0
    assert "tech pack is 0.9.0; this jdlens ships" in capsys.readouterr().out
