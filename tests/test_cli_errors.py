"""What the CLI says when it cannot run as asked: one line naming the problem and what to do, exit 2,
never a traceback, and before any slow work (the library load) where the problem is known early."""

from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path

import pytest

from jdlens_server import cli
from jdlens_server.nlp.embedder import supported_embedders


def _fails(argv: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    assert cli.main(argv) == 2
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    return captured.err


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def test_unreachable_postgresql_says_which_database_and_how_to_set_it(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # A port nothing listens on: the connection is refused at once.
    err = _fails(["migrate", "--db", f"postgresql://nobody:secret@127.0.0.1:{_free_port()}/x"], capsys)
    assert err.startswith("jdlens: the database postgresql://nobody:***@127.0.0.1:")
    assert "cannot be used" in err and "refused" in err
    assert "secret" not in err
    assert "--db URL or $JDLENS_DB" in err


def test_a_url_that_does_not_parse_is_named(capsys: pytest.CaptureFixture[str]) -> None:
    err = _fails(["library", "status", "--db", "not-a-url"], capsys)
    assert "the database not-a-url is not a database URL jdlens can use" in err


def test_a_database_kind_jdlens_does_not_run_on_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    err = _fails(["migrate", "--db", "mysql://root:pw@127.0.0.1/test"], capsys)
    assert "jdlens runs on SQLite or PostgreSQL, not mysql" in err
    assert "pw" not in err


def test_sqlite_file_in_a_missing_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    err = _fails(["migrate", "--db", f"sqlite:///{tmp_path}/no/such/folder/x.sqlite"], capsys)
    assert "cannot be used: unable to open database file" in err


def test_tech_pack_before_esco_says_to_import_esco(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    err = _fails(
        ["library", "import", "tech", "--db", f"sqlite:///{tmp_path}/x.sqlite", "--no-progress"], capsys
    )
    assert "run `jdlens library import esco` first" in err


def test_unknown_embedder_lists_the_supported_ones_before_any_import(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("JDLENS_EMBEDDER", "no-such-model")
    db = tmp_path / "x.sqlite"
    jd = tmp_path / "jd.txt"
    jd.write_text("Data Scientist\n\nBuild models.\n")
    err = _fails(["analyze", str(jd), "--db", f"sqlite:///{db}"], capsys)
    assert "unknown embedder 'no-such-model'" in err
    assert all(name in err for name in supported_embedders())
    assert "importing" not in err and not db.exists()  # stopped before the first-run import


def test_eval_on_a_file_of_another_set_names_the_columns_it_needs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    titles = tmp_path / "titles.csv"
    titles.write_text("vacancyTitle,conceptUri\nData Scientist,http://data.europa.eu/esco/occupation/x\n")
    db = tmp_path / "x.sqlite"
    err = _fails(["eval", "jobads", str(titles), "--db", f"sqlite:///{db}"], capsys)
    assert "is not a jobads set: its header lacks title, description, esco_code" in err
    assert "found vacancyTitle, conceptUri" in err
    assert "--limit must be >= 0" in _fails(["eval", "titles", str(titles), "--limit", "-1"], capsys)


def test_batch_out_that_cannot_take_results_fails_before_any_server(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    items = tmp_path / "in.jsonl"
    items.write_text('{"id": "a", "text": "x"}\n')
    # Nothing listens at --server: reaching it would fail differently (exit 1).
    server = f"127.0.0.1:{_free_port()}"
    err = _fails(["batch", str(items), "--out", str(tmp_path), "--server", server], capsys)
    assert f"--out {tmp_path} is a folder" in err
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    err = _fails(["batch", str(items), "--out", str(blocker / "out.jsonl"), "--server", server], capsys)
    assert f"cannot write the results to {blocker / 'out.jsonl'}" in err


def _serve(*args: str) -> subprocess.CompletedProcess[str]:
    # A child process: serve configures the process's logging for JSON lines.
    return subprocess.run(
        [sys.executable, "-m", "jdlens_server.cli", "serve", *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_serve_on_a_taken_port_says_so_before_loading_the_library(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        address = f"127.0.0.1:{taken.getsockname()[1]}"
        # An empty database: had serve got as far as loading it, it would log that it is empty.
        done = _serve("--address", address, "--db", f"sqlite:///{tmp_path}/x.sqlite")
    assert done.returncode == 2
    assert f"jdlens: cannot listen on {address} (Address already in use)" in done.stderr
    assert "--address or $JDLENS_ADDRESS" in done.stderr
    assert "Traceback" not in done.stderr and "library is empty" not in done.stderr
    assert not (tmp_path / "x.sqlite").exists()


@pytest.mark.parametrize(
    ("flag", "value"), [("--stream-concurrency", "0"), ("--max-workers", "0"), ("--grace", "-1")]
)
def test_serve_refuses_settings_it_cannot_run_with(flag: str, value: str) -> None:
    done = _serve(flag, value, "--address", f"127.0.0.1:{_free_port()}")
    assert done.returncode != 0 and "Traceback" not in done.stderr
    assert f"jdlens serve: {flag} must be" in done.stderr


def test_serve_on_an_address_no_socket_can_take_says_which() -> None:
    done = _serve("--address", "127.0.0.1:70000")
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert "cannot listen on 127.0.0.1:70000 (a port is at most 65535)" in done.stderr
