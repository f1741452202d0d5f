"""Help and the client-only commands load only what they use.

`jdlens --help` and a `--server` client had paid ~1 s to import the server side (SQLAlchemy,
Alembic, the pipeline) before doing anything. Each case runs in a fresh interpreter and lists the
heavy modules it imported; a new top-level import of one of them in the CLI's path fails here.
"""

from __future__ import annotations

from pathlib import Path

from import_probe import heavy_modules_after


def test_building_the_help_imports_no_server_side_module() -> None:
    code = "from jdlens_server.cli import build_parser\nbuild_parser().format_help()"
    assert heavy_modules_after(code) == []


def test_a_batch_client_imports_no_server_side_module(tmp_path: Path) -> None:
    empty = tmp_path / "in.jsonl"
    empty.write_text("")
    out = tmp_path / "out.jsonl"
    # An empty input finishes before connecting, so no server is needed to reach the client path.
    code = (
        "from jdlens_server.cli import main\n"
        f"assert main(['batch', {str(empty)!r}, '--out', {str(out)!r}, '--server', '127.0.0.1:1', "
        "'--no-progress']) == 0"
    )
    assert heavy_modules_after(code) == []
