"""A library embedded with one model is never served by a process embedding with another."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker

from jdlens_server.app import build_runtime
from jdlens_server.cli import main
from jdlens_server.library.model_check import EmbedderMismatch, check_library_embedder
from jdlens_server.nlp.embedder import DEFAULT_EMBEDDER
from jdlens_server.store.db import make_engine, session_factory, transaction
from jdlens_server.store.models import LibraryVersionRow, PackImportRow

OTHER = "some-other-model"


@pytest.fixture
def sessions(db_url: str) -> Iterator[sessionmaker[Session]]:
    engine = make_engine(db_url)
    yield session_factory(engine)
    engine.dispose()


def _record_imports(sessions: sessionmaker[Session], models: dict[str, str]) -> None:
    with transaction(sessions) as s:
        version = LibraryVersionRow(description="imports")
        s.add(version)
        s.flush()
        for pack, model in models.items():
            s.add(
                PackImportRow(
                    pack=pack,
                    source_version="1",
                    checksum="c" * 64,
                    embedder=model,
                    library_version=version.version,
                )
            )


def test_an_empty_library_or_one_of_the_same_model_passes(sessions: sessionmaker[Session]) -> None:
    with sessions() as s:
        check_library_embedder(s, DEFAULT_EMBEDDER)
    _record_imports(sessions, {"esco": DEFAULT_EMBEDDER, "tech": DEFAULT_EMBEDDER})
    with sessions() as s:
        check_library_embedder(s, DEFAULT_EMBEDDER)


def test_a_pack_of_another_model_is_named_with_both_ways_out(sessions: sessionmaker[Session]) -> None:
    _record_imports(sessions, {"esco": OTHER, "tech": DEFAULT_EMBEDDER})
    with sessions() as s, pytest.raises(EmbedderMismatch) as err:
        check_library_embedder(s, DEFAULT_EMBEDDER)
    message = str(err.value)
    assert f"esco ({OTHER})" in message and "tech" not in message.split(":")[1].split(".")[0]
    assert f"JDLENS_EMBEDDER={OTHER}" in message
    assert "library import esco --db" in message


def test_the_server_refuses_to_start_and_the_cli_says_why(
    db_url: str, sessions: sessionmaker[Session], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _record_imports(sessions, {"esco": OTHER})
    with pytest.raises(EmbedderMismatch):
        build_runtime(db_url)
    jd = tmp_path / "jd.txt"
    jd.write_text("Data Engineer\n\nBuild data pipelines in Python and SQL.\n")
    assert main(["analyze", str(jd), "--db", db_url]) == 2
    err = capsys.readouterr().err
    assert err.startswith("jdlens: the library's vectors come from another model")
    assert "Traceback" not in err
