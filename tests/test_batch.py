"""Batch streaming end to end: AnalyzeJdStream and ``jdlens batch`` against a real server over a
small real ESCO subset, with malformed items, resends, and a client killed mid-stream.

The synthetic JDs are short but real JDs (title, responsibilities, requirements) assembled from a
pool of sentences; each carries its own reference line so every text is distinct. The sentence
pool keeps the embedder's cache warm, which keeps 1,000 JDs cheap.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path
from typing import Any

import grpc
import pytest
from google.rpc import error_details_pb2
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from grpc_harness import fresh_sqlite_url
from import_probe import heavy_modules_after
from jdlens.client import JdlensClient, item_error_details
from jdlens.v1 import pipeline_service_pb2, pipeline_service_pb2_grpc, run_pb2
from jdlens_server import batch
from jdlens_server.app import Runtime, build_runtime, embedded_server
from jdlens_server.grpc_api.server import ServerConfig
from jdlens_server.library.importer import import_pack
from jdlens_server.library.packs.esco import esco_subset, read_esco
from jdlens_server.store.db import make_engine

REPO = Path(__file__).resolve().parents[1]

TITLES = [
    "Data Engineer",
    "Registered Nurse",
    "Staff Accountant",
    "Secondary School Teacher",
    "HGV Truck Driver",
    "Backend Software Engineer",
    "Warehouse Supervisor",
    "Marketing Coordinator",
]
DUTIES = [
    "Design, build and maintain batch and streaming data pipelines in Python and SQL.",
    "Administer medication and monitor patients' vital signs during each shift.",
    "Prepare monthly reconciliations of bank and ledger accounts and support the year-end audit.",
    "Plan and deliver engaging lessons that follow the national curriculum.",
    "Drive articulated vehicles safely on regional routes and complete delivery paperwork.",
    "Develop and operate REST APIs and background services used by millions of customers.",
    "Coordinate the daily work of a team of pickers and packers and keep the warehouse safe.",
    "Run email campaigns and social media calendars and report on their results.",
    "Write unit and integration tests and review colleagues' code.",
    "Keep accurate records and communicate clearly with colleagues and clients.",
    "Improve processes continuously and train new team members.",
    "Take part in an on-call rotation and respond to incidents calmly.",
]
REQUIREMENTS = [
    "At least 3 years of relevant experience.",
    "A bachelor's degree or equivalent practical experience.",
    "Excellent written and spoken English.",
    "A valid driving licence.",
    "Experience with Microsoft Excel.",
]

# The done-when's malformed kinds: empty text, whitespace-only text, no text at all.
MALFORMED = ["", " \n\t  ", None]
ROWS = ("runs", "review_items", "review_item_runs", "library_versions", "change_log")


def synthetic_jd(number: int, rng: random.Random, tag: str) -> tuple[str, str]:
    title = rng.choice(TITLES)
    duties = rng.sample(DUTIES, 4)
    needs = rng.sample(REQUIREMENTS, 2)
    body = "\n".join(
        [
            f"{title}",
            "",
            f"We are hiring a {title} to join our growing team in Manchester.",
            "",
            "Responsibilities:",
            *(f"- {d}" for d in duties),
            "",
            "Requirements:",
            *(f"- {n}" for n in needs),
            "",
            f"Reference: {tag}-{number:05d}",
        ]
    )
    return body, title


def synthetic_items(count: int, malformed_every: int, tag: str) -> list[dict[str, object]]:
    """``count`` JSONL objects; every ``malformed_every``-th one malformed (cycling MALFORMED)."""
    rng = random.Random(tag)
    items: list[dict[str, object]] = []
    bad = 0
    for i in range(count):
        item_id = f"{tag}-{i:05d}"
        if malformed_every and i % malformed_every == malformed_every // 2:
            kind = MALFORMED[bad % len(MALFORMED)]
            bad += 1
            items.append({"id": item_id} if kind is None else {"id": item_id, "text": kind})
            continue
        body, title = synthetic_jd(i, rng, tag)
        # Every other JD states the title apart from the text, as a caller that knows it would.
        items.append(
            {"id": item_id, "text": body, "title": title} if i % 2 else {"id": item_id, "text": body}
        )
    return items


def write_jsonl(path: Path, items: list[dict[str, object]]) -> Path:
    path.write_text("".join(json.dumps(i) + "\n" for i in items), encoding="utf-8")
    return path


def read_out(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def row_counts(url: str) -> dict[str, int]:
    """Rows per table, plus the centroid updates (sum of n): what a double update would move."""
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            counts = {t: int(conn.execute(text(f"SELECT count(*) FROM {t}")).scalar_one()) for t in ROWS}
            counts["centroid_n"] = int(
                conn.execute(text("SELECT coalesce(sum(centroid_n), 0) FROM roles")).scalar_one()
            )
            counts["distinct_keys"] = int(
                conn.execute(text("SELECT count(DISTINCT idempotency_key) FROM runs")).scalar_one()
            )
    finally:
        engine.dispose()
    return counts


# ---- fixtures --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def library_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file with the first three ESCO occupations (and their broader ones)."""
    directory = tmp_path_factory.mktemp("batch-library")
    url = fresh_sqlite_url(directory)
    import_pack(url, "esco", contents=esco_subset(read_esco(), occupations=3), progress=False)
    return directory / "jdlens.sqlite"


@pytest.fixture
def db(library_template: Path, tmp_path: Path) -> str:
    target = tmp_path / "db.sqlite"
    with closing(sqlite3.connect(library_template)) as source, closing(sqlite3.connect(target)) as copy:
        source.backup(copy)
    return f"sqlite:///{target}"


@pytest.fixture
def runtime(db: str) -> Iterator[Runtime]:
    rt = build_runtime(db)
    yield rt
    rt.close()


@pytest.fixture
def server(runtime: Runtime) -> Iterator[str]:
    with embedded_server(runtime, ServerConfig(address="127.0.0.1:0", stream_concurrency=8)) as target:
        yield target


# ---- reading input and output ----------------------------------------------------------------


def test_reads_jsonl_and_csv(tmp_path: Path) -> None:
    jsonl = tmp_path / "in.jsonl"
    jsonl.write_text(
        '{"id": "a", "text": "JD one", "title": "Nurse"}\n\n{"text": "JD two"}\n{"id": 7}\n', encoding="utf-8"
    )
    items = batch.read_items(jsonl)
    assert [(i.id, i.text, i.title) for i in items] == [
        ("a", "JD one", "Nurse"),
        (3, "JD two", ""),
        (7, None, ""),
    ]

    csv_path = tmp_path / "in.csv"
    csv_path.write_text('Title,TEXT\nNurse,"line one\nline two"\n,second\n', encoding="utf-8")
    rows = batch.read_items(csv_path)
    assert [(i.id, i.text, i.title) for i in rows] == [
        ("1", "line one\nline two", "Nurse"),
        ("2", "second", ""),
    ]

    tsv = tmp_path / "in.tsv"
    tsv.write_text("id\ttext\nx1\tfirst JD\n", encoding="utf-8")
    assert [(i.id, i.text) for i in batch.read_items(tsv)] == [("x1", "first JD")]

    # Spreadsheets start a CSV with a byte-order mark: the first column keeps its name.
    bom = tmp_path / "bom.csv"
    bom.write_text("\ufeffid,text\nr7,a JD\n", encoding="utf-8")
    assert [(i.id, i.text) for i in batch.read_items(bom)] == [("r7", "a JD")]


def test_input_is_read_again_not_held(tmp_path: Path) -> None:
    source = write_jsonl(tmp_path / "in.jsonl", [{"id": i, "text": f"JD {i}"} for i in range(3)])
    items = batch.read_items(source)
    assert len(items) == 3 and items.keys == ["0", "1", "2"]
    assert [i.text for i in items] == [i.text for i in items] == ["JD 0", "JD 1", "JD 2"]
    source.write_text('{"id": 0, "text": "JD 0"}\nnot json any more\n', encoding="utf-8")
    with pytest.raises(batch.BatchError, match="changed during the batch"):
        list(items)


def test_refuses_duplicate_ids_and_bad_lines_before_sending(tmp_path: Path) -> None:
    dup = write_jsonl(
        tmp_path / "dup.jsonl", [{"id": "a", "text": "x"}, {"id": "b", "text": "y"}, {"id": "a"}]
    )
    with pytest.raises(batch.BatchError, match=r"duplicate id 'a' \(first at item 1\)"):
        batch.read_items(dup)
    # 7 and "7" are the same id once written as JSON lines.
    mixed = write_jsonl(tmp_path / "mixed.jsonl", [{"id": 7, "text": "x"}, {"id": "7", "text": "y"}])
    with pytest.raises(batch.BatchError, match="duplicate id"):
        batch.read_items(mixed)

    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": 1, "text": "ok"}\nnot json\n[1, 2]\n{"id": 2, "text": 5}\n', encoding="utf-8")
    with pytest.raises(batch.BatchError) as info:
        batch.read_items(bad)
    message = str(info.value)
    assert "3 problem(s)" in message and "bad.jsonl:2: not JSON" in message
    assert (
        "bad.jsonl:3: expected a JSON object" in message and "bad.jsonl:4: text must be a string" in message
    )

    no_text = tmp_path / "no_text.csv"
    no_text.write_text("id,body\n1,hello\n", encoding="utf-8")
    with pytest.raises(batch.BatchError, match="no 'text' column"):
        batch.read_items(no_text)

    # The command says so and exits 2 without contacting any server.
    parser = _parser()
    args = parser.parse_args(
        ["batch", str(dup), "--out", str(tmp_path / "o.jsonl"), "--server", "127.0.0.1:9"]
    )
    assert batch.cmd_batch(args) == 2
    assert not (tmp_path / "o.jsonl").exists()


def test_torn_last_line_is_dropped_and_redone(tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    full = '{"id": "a", "run": {}, "replayed": false}\n{"id": 2, "error": {"code": "INVALID_ARGUMENT"}}\n'
    out.write_text(full + '{"id": "c", "run": {"na', encoding="utf-8")
    assert batch.read_done_ids(out) == {"a", "2"}
    assert out.read_text(encoding="utf-8") == full

    out.write_text('{"id": "a", "run": {}}\ngarbage\n{"id": "b", "run": {}}\n', encoding="utf-8")
    with pytest.raises(batch.BatchError, match=r"out\.jsonl:2: not a JSON line"):
        batch.read_done_ids(out)

    # A file of someone else's with no newline at all is refused, not cut to nothing.
    foreign = '[{"name": "not a batch output"}]'
    out.write_text(foreign, encoding="utf-8")
    with pytest.raises(batch.BatchError, match=r"out\.jsonl:1: not a batch result line"):
        batch.read_done_ids(out)
    assert out.read_text(encoding="utf-8") == foreign


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="jdlens")
    batch.add_batch_parser(parser.add_subparsers(dest="command"))
    return parser


# ---- the stream and the batch at size --------------------------------------------------------


def _stream_requests(items: list[dict[str, object]]) -> Iterator[pipeline_service_pb2.AnalyzeJdStreamRequest]:
    """The same requests ``jdlens batch`` sends (request id = position, key = batch's key)."""
    for position, obj in enumerate(items):
        raw_text = obj.get("text")
        item = batch.BatchItem(
            obj["id"],  # type: ignore[arg-type]
            raw_text if isinstance(raw_text, str) else None,
            str(obj.get("title", "")),
        )
        request = pipeline_service_pb2.AnalyzeJdStreamRequest(
            request_id=str(position), idempotency_key=batch.idempotency_key(item)
        )
        if item.text is not None or item.title:
            request.jd.title = item.title
            if item.text is not None:
                request.jd.text = item.text
        yield request


@pytest.mark.parametrize(
    ("count", "bad"),
    [
        # The done-when's size: 1,000 JDs with 20 malformed (a minute or more on a busy 2-core machine).
        pytest.param(1000, 20, marks=pytest.mark.slow, id="1000"),
        # The same checks at a size the default suite affords.
        pytest.param(200, 4, id="200"),
    ],
)
def test_stream_with_malformed_items_in_batch_and_stream(
    count: int, bad: int, server: str, db: str, tmp_path: Path
) -> None:
    items = synthetic_items(count, count // bad, f"big{count}")
    malformed_ids = {i["id"] for i in items if not str(i.get("text", "")).strip()}
    assert len(malformed_ids) == bad
    good = count - bad
    source = write_jsonl(tmp_path / "in.jsonl", items)
    before = row_counts(db)

    # 1. jdlens batch: one line per input, a run for each good item and an error under "error"
    #    for each malformed one.
    out = tmp_path / "out.jsonl"
    summary = batch.run_batch(server, batch.read_items(source), out, concurrency=16)
    assert (summary.runs, summary.errors, summary.replayed, summary.skipped) == (good, bad, 0, 0)
    lines = read_out(out)
    assert Counter(line["id"] for line in lines) == Counter(i["id"] for i in items)
    errors = {line["id"]: line["error"] for line in lines if "error" in line}
    assert set(errors) == malformed_ids
    for error in errors.values():
        assert isinstance(error, dict) and error["code"] == "INVALID_ARGUMENT" and error["message"]
        bad_request = [d for d in error["details"] if d["@type"].endswith("google.rpc.BadRequest")]
        assert bad_request and bad_request[0]["fieldViolations"][0]["field"] == "jd.text"
    runs: dict[object, str] = {line["id"]: line["run"]["name"] for line in lines if "run" in line}  # type: ignore[index]
    assert all(line["replayed"] is False for line in lines if "run" in line)
    assert len(set(runs.values())) == good
    after_batch = row_counts(db)
    assert after_batch["runs"] - before["runs"] == good
    assert after_batch["distinct_keys"] == after_batch["runs"]

    # 2. The raw stream, resending the same items: the same runs and errors, every run replayed,
    #    and the store does not move.
    with grpc.insecure_channel(server) as channel:
        stub = pipeline_service_pb2_grpc.PipelineServiceStub(channel)
        responses = list(stub.AnalyzeJdStream(_stream_requests(items), timeout=600))
    assert sorted(int(r.request_id) for r in responses) == list(range(count))
    by_id = {items[int(r.request_id)]["id"]: r for r in responses}
    stream_errors = {k: r for k, r in by_id.items() if r.HasField("error")}
    assert set(stream_errors) == malformed_ids
    for response in stream_errors.values():
        assert response.error.code == grpc.StatusCode.INVALID_ARGUMENT.value[0]
        details = item_error_details(response.error)
        bad_request_details = [d for d in details if isinstance(d, error_details_pb2.BadRequest)]
        assert bad_request_details and bad_request_details[0].field_violations[0].field == "jd.text"
    stream_runs = {k: r for k, r in by_id.items() if r.HasField("run")}
    assert all(r.replayed for r in stream_runs.values())
    assert {k: r.run.name for k, r in stream_runs.items()} == runs
    assert row_counts(db) == after_batch

    # 3. A second batch into a new file: the same runs, all replayed; the store still does not move.
    again = tmp_path / "again.jsonl"
    summary = batch.run_batch(server, batch.read_items(source), again, concurrency=16)
    assert (summary.runs, summary.errors, summary.replayed) == (good, bad, good)
    assert {line["id"]: line["run"]["name"] for line in read_out(again) if "run" in line} == runs  # type: ignore[index]
    assert row_counts(db) == after_batch

    # 4. Rerunning into the finished file sends nothing.
    summary = batch.run_batch(server, batch.read_items(source), out, concurrency=16)
    assert (summary.skipped, summary.written) == (count, 0)
    assert len(read_out(out)) == count


def test_resending_without_client_keys_replays(server: str, db: str) -> None:
    """The typed client's stream sends no idempotency keys: the server's derived key replays too."""
    rng = random.Random("auto")
    pairs = [(str(i), synthetic_jd(i, rng, "auto")[0]) for i in range(40)]
    with JdlensClient(server) as client:
        first = {r.request_id: r for r in client.analyze_stream(pairs, timeout=300)}
        counts = row_counts(db)
        second = {r.request_id: r for r in client.analyze_stream(pairs, timeout=300)}
    assert all(r.HasField("run") and not r.replayed for r in first.values())
    assert all(r.replayed for r in second.values())
    assert {k: r.run.name for k, r in second.items()} == {k: r.run.name for k, r in first.items()}
    assert row_counts(db) == counts


def test_clients_say_what_to_do_when_no_server_answers(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from jdlens_server.cli import main

    jd = tmp_path / "jd.txt"
    jd.write_text("Registered nurse for a surgical ward.", encoding="utf-8")
    # Port 1: nothing listens. Two files, one error: the second would meet the same closed door.
    assert main(["analyze", "--server", "127.0.0.1:1", str(jd), str(jd)]) == 1
    err = capsys.readouterr().err
    assert err.count("UNAVAILABLE") == 1
    assert (
        "is a jdlens server running at 127.0.0.1:1? Start one with `jdlens serve --address 127.0.0.1:1`"
        in err
    )
    source = write_jsonl(tmp_path / "in.jsonl", [{"id": 1, "text": "Registered nurse."}])
    out = tmp_path / "out.jsonl"
    with pytest.raises(batch.BatchError, match=r"0 items were written this time; rerun") as caught:
        batch.run_batch("127.0.0.1:1", batch.read_items(source), out, reconnects=0)
    assert caught.value.unreachable
    monkeypatch.setattr("jdlens_server.batch.time.sleep", lambda seconds: None)  # the reconnect backoff
    assert batch.main([str(source), "--out", str(out), "--server", "127.0.0.1:1", "--no-progress"]) == 1
    err = capsys.readouterr().err
    assert (
        err.count("reconnecting") == 3 and "jdlens batch: is a jdlens server running at 127.0.0.1:1?" in err
    )


def test_an_input_changed_after_its_check_stops_the_batch_cleanly(server: str, tmp_path: Path) -> None:
    rng = random.Random("changed")
    rows: list[dict[str, object]] = [
        {"id": f"c{i}", "text": synthetic_jd(i, rng, "changed")[0]} for i in range(5)
    ]
    source = write_jsonl(tmp_path / "in.jsonl", rows)
    out = tmp_path / "out.jsonl"
    # Replaced with other ids between the check and the stream: nothing unchecked is sent.
    items = batch.read_items(source)
    write_jsonl(source, [{"id": f"other{i}", "text": "Registered nurse."} for i in range(5)])
    with pytest.raises(batch.BatchError, match="changed during the batch: item 1 is not the one checked"):
        batch.run_batch(server, items, out, concurrency=2)
    assert not read_out(out)
    # Cut short: the items read before the end are answered and written, then the batch stops.
    write_jsonl(source, rows)
    items = batch.read_items(source)
    write_jsonl(source, rows[:2])
    with pytest.raises(batch.BatchError, match="changed during the batch: it ends after 2 of 5 items"):
        batch.run_batch(server, items, out, concurrency=2)
    assert {line["id"] for line in read_out(out)} == {"c0", "c1"}


class _CountingInput(batch.BatchInput):
    """Records, as each item is read, how many items were read but had no output line yet."""

    def __init__(self, source: batch.BatchInput, out: Path) -> None:
        super().__init__(source.path, source.keys)
        self.out = out
        self.leads: list[int] = []

    def __iter__(self) -> Iterator[batch.BatchItem]:
        for n, item in enumerate(super().__iter__(), 1):
            written = len(self.out.read_text(encoding="utf-8").splitlines()) if self.out.exists() else 0
            self.leads.append(n - written)
            yield item


def test_items_are_read_as_the_window_opens(server: str, tmp_path: Path) -> None:
    """A batch of millions must not hold every text: it reads an item when the window has room."""
    rng = random.Random("lazy")
    source = write_jsonl(
        tmp_path / "in.jsonl", [{"id": i, "text": synthetic_jd(i, rng, "lazy")[0]} for i in range(30)]
    )
    out = tmp_path / "out.jsonl"
    items = _CountingInput(batch.read_items(source), out)
    summary = batch.run_batch(server, items, out, concurrency=3)
    assert summary.runs == 30 and len(items.leads) == 30
    # At most the window (3 unanswered) plus the one item waiting for it is read ahead.
    assert max(items.leads) <= 4


def test_csv_batch(server: str, tmp_path: Path) -> None:
    rng = random.Random("csv")
    source = tmp_path / "in.csv"
    rows = ["id,title,text"] + [
        ",".join([f"c{i}", title, json.dumps(body)])
        for i, (body, title) in enumerate(synthetic_jd(i, rng, "csv") for i in range(5))
    ]
    rows.append("c5,Nurse,")  # a title-only request: valid, judged from the title alone
    source.write_text("\n".join(rows) + "\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    summary = batch.run_batch(server, batch.read_items(source), out, concurrency=2)
    assert (summary.runs, summary.errors) == (6, 0)
    assert {line["id"] for line in read_out(out)} == {f"c{i}" for i in range(6)}


def test_fields_refused_before_anything_is_sent(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert batch.parse_fields("run_id, extraction.decision,run_id") == ["run_id", "extraction.decision"]
    assert batch.parse_fields("summary,jd_text")[-1] == "jd_text" and "run_id" in batch.parse_fields(
        "summary"
    )
    with pytest.raises(
        batch.BatchError, match=r"'extraction\.nope', 'nope' not a field path of the Run"
    ) as caught:
        batch.parse_fields("extraction.decision,extraction.nope,nope")
    assert "extraction, details, final_role" in str(caught.value)  # the top-level fields are listed
    # A path may end at a list, not go inside it (what the server's read mask accepts too).
    with pytest.raises(batch.BatchError, match="a path ends at a list"):
        batch.parse_fields("details.skills_detail.input_skill")
    for empty in ("", " , "):
        with pytest.raises(batch.BatchError, match="names no field"):
            batch.parse_fields(empty)
    source = write_jsonl(tmp_path / "in.jsonl", [{"id": 1, "text": "Nurse wanted."}])
    out = tmp_path / "out.jsonl"
    # Port 1 has no server: the refusal comes first, and no output file is started.
    code = batch.main([str(source), "--out", str(out), "--server", "127.0.0.1:1", "--fields", "nope"])
    assert code == 2 and "--fields: 'nope' not a field path of the Run" in capsys.readouterr().err
    with pytest.raises(batch.BatchError, match="not a field path"):
        batch.run_batch("127.0.0.1:1", batch.read_items(source), out, fields=["details.nope"])
    assert not out.exists()


def test_fields_write_part_of_each_run_and_the_server_keeps_all(server: str, tmp_path: Path) -> None:
    rng = random.Random("fields")
    items: list[dict[str, object]] = [
        {"id": f"f{i}", "text": synthetic_jd(i, rng, "fields")[0]} for i in range(6)
    ]
    items.append({"id": "empty", "text": "  "})  # a per-item error keeps its details whatever the mask
    source = write_jsonl(tmp_path / "in.jsonl", items)
    out = tmp_path / "out.jsonl"
    fields = "name,extraction.decision.chosen_role,final_role.chosen_role"
    first_four = write_jsonl(tmp_path / "first.jsonl", items[:4])
    assert batch.main([str(first_four), "--out", str(out), "--server", server, "--fields", fields]) == 0
    # Resuming the same OUT for the rest: with other fields it is refused, with the same it finishes.
    assert batch.main([str(source), "--out", str(out), "--server", server, "--fields", "summary"]) == 2
    assert batch.main([str(source), "--out", str(out), "--server", server]) == 2
    assert batch.main([str(source), "--out", str(out), "--server", server, "--fields", fields]) == 0
    lines: dict[object, Any] = {line["id"]: line for line in read_out(out)}
    assert len(lines) == len(items)
    assert lines["empty"]["error"]["code"] == "INVALID_ARGUMENT" and lines["empty"]["error"]["details"]
    runs = [lines[f"f{i}"]["run"] for i in range(6)]
    assert all(lines[f"f{i}"]["fields"] == fields.split(",") for i in range(6))
    for run in runs:
        assert set(run) <= {"name", "extraction", "finalRole"} and run["name"].startswith("runs/")
        assert set(run["extraction"]) == {"decision"} and set(run["extraction"]["decision"]) == {"chosenRole"}
    assert any("finalRole" in run for run in runs)
    # The mask shaped the answer only: the stored run is whole, and a resend replays it whole.
    with JdlensClient(server) as client:
        stored = client.get_run(str(runs[0]["name"]))
    assert stored.details.skills_detail and stored.jd_text
    full = tmp_path / "full.jsonl"
    assert batch.main([str(source), "--out", str(full), "--server", server]) == 0
    replayed: dict[object, Any] = {line["id"]: line for line in read_out(full) if "run" in line}
    assert all(line["replayed"] and "fields" not in line for line in replayed.values())
    assert replayed["f0"]["run"]["name"] == runs[0]["name"] and "details" in replayed["f0"]["run"]
    # A whole run prints every counter, a 0 as 0 (proto3 JSON leaves zeros out unless told).
    counters = {f.json_name for f in run_pb2.Persistence.DESCRIPTOR.fields if f.type == f.TYPE_INT32}
    for line in replayed.values():
        persistence = line["run"]["finalRole"]["persistence"]
        assert counters <= set(persistence)
        assert all(isinstance(persistence[c], int) for c in counters)
    assert any(
        line["run"]["finalRole"]["persistence"][c] == 0 for line in replayed.values() for c in counters
    )


def test_clients_stream_and_call_without_importing_the_server_side(server: str, tmp_path: Path) -> None:
    rng = random.Random("light")
    source = write_jsonl(tmp_path / "in.jsonl", [{"id": 1, "text": synthetic_jd(1, rng, "light")[0]}])
    jd = tmp_path / "jd.txt"
    jd.write_text(synthetic_jd(2, rng, "light")[0], encoding="utf-8")
    out = tmp_path / "out.jsonl"
    commands = [
        ["batch", str(source), "--out", str(out), "--server", server, "--no-progress"],
        ["analyze", "--server", server, "--dry-run", str(jd)],
    ]
    for command in commands:
        code = f"from jdlens_server.cli import main\nassert main({command!r}) == 0"
        assert heavy_modules_after(code) == [], command
    assert len(read_out(out)) == 1


# ---- kill and resume -------------------------------------------------------------------------


def _kill_then_resume(
    source: Path, out: Path, args: list[str], kill_after: int, limit: float
) -> subprocess.CompletedProcess[bytes]:
    """Start ``jdlens batch``, SIGKILL it once OUT has ``kill_after`` lines, then run the same
    command again to the end; returns the second run."""
    command = [
        sys.executable,
        "-m",
        "jdlens_server.batch",
        str(source),
        "--out",
        str(out),
        "--no-progress",
        *args,
    ]
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    first = subprocess.Popen(command, cwd=REPO, env=env, stderr=subprocess.PIPE)
    deadline = time.monotonic() + limit
    while not (out.exists() and out.read_bytes().count(b"\n") >= kill_after):
        if first.poll() is not None:
            stderr = first.stderr.read().decode() if first.stderr else ""
            pytest.fail(f"batch ended before it was killed: {stderr}")
        if time.monotonic() > deadline:
            first.kill()
            pytest.fail(f"batch wrote fewer than {kill_after} lines in {limit} s")
        time.sleep(0.05)
    first.send_signal(signal.SIGKILL)
    first.wait(timeout=30)
    written = out.read_bytes().count(b"\n")
    total = len(source.read_bytes().splitlines())
    assert kill_after <= written < total, "the kill came too late to test a resume"
    second = subprocess.run(command, cwd=REPO, env=env, capture_output=True, timeout=600, check=False)
    assert second.returncode == 0, second.stderr.decode()
    assert f"{written} already in the output" in second.stderr.decode()
    return second


def test_killed_client_resumes_exactly_once(server: str, db: str, tmp_path: Path) -> None:
    items = synthetic_items(160, 40, "kill")
    valid = sum(1 for i in items if str(i.get("text", "")).strip())
    source = write_jsonl(tmp_path / "in.jsonl", items)
    out = tmp_path / "out.jsonl"
    before = row_counts(db)

    _kill_then_resume(source, out, ["--server", server, "--concurrency", "8"], kill_after=40, limit=120)
    lines = read_out(out)
    assert Counter(line["id"] for line in lines) == Counter(i["id"] for i in items)  # each exactly once
    after = row_counts(db)
    assert after["runs"] - before["runs"] == valid
    assert after["distinct_keys"] == after["runs"]
    # Items the server finished while the first client was dying come back as stored runs.
    replayed = [line for line in lines if line.get("replayed")]
    assert len(replayed) <= 8  # at most the client's window


@pytest.mark.slow
def test_killed_embedded_batch_resumes_exactly_once(db: str, tmp_path: Path) -> None:
    """Without --server the batch process owns the server: a kill stops both mid-work."""
    items = synthetic_items(150, 50, "embedded")
    valid = sum(1 for i in items if str(i.get("text", "")).strip())
    source = write_jsonl(tmp_path / "in.jsonl", items)
    out = tmp_path / "out.jsonl"

    _kill_then_resume(source, out, ["--db", db], kill_after=30, limit=240)
    lines = read_out(out)
    assert Counter(line["id"] for line in lines) == Counter(i["id"] for i in items)
    counts = row_counts(db)
    assert counts["runs"] == valid and counts["distinct_keys"] == valid


def test_items_done_on_the_server_but_not_written_come_back_replayed(
    server: str, db: str, tmp_path: Path
) -> None:
    """What a kill between the server's commit and the client's write leaves: lines missing from
    OUT for runs that exist. The redo gets those runs back and adds none."""
    source = write_jsonl(tmp_path / "in.jsonl", synthetic_items(30, 0, "lost"))
    out = tmp_path / "out.jsonl"
    batch.run_batch(server, batch.read_items(source), out, concurrency=4)
    lines = out.read_text(encoding="utf-8").splitlines(keepends=True)
    kept, lost = lines[:22], [json.loads(line) for line in lines[22:]]
    # The last kept line torn mid-write, as a kill can leave it.
    out.write_text("".join(kept) + lines[22][:40], encoding="utf-8")
    counts = row_counts(db)

    summary = batch.run_batch(server, batch.read_items(source), out, concurrency=4)
    assert (summary.skipped, summary.runs, summary.replayed) == (22, 8, 8)
    redone = {line["id"]: line for line in read_out(out)[22:]}
    assert {k: v["run"]["name"] for k, v in redone.items()} == {  # type: ignore[index]
        line["id"]: line["run"]["name"] for line in lost
    }
    assert row_counts(db) == counts


def test_reconnects_when_the_server_goes_away_and_comes_back(
    runtime: Runtime, db: str, tmp_path: Path
) -> None:
    """The server stops mid-batch (in-flight calls cut off) and is back on the same port a moment
    later: the batch reconnects, resends what was unanswered and finishes each item exactly once."""
    items = synthetic_items(120, 0, "reconnect")
    source = write_jsonl(tmp_path / "in.jsonl", items)
    out = tmp_path / "out.jsonl"
    before = row_counts(db)
    abrupt = ServerConfig(address="127.0.0.1:0", grace_seconds=0)
    result: dict[str, batch.BatchSummary | BaseException] = {}

    with embedded_server(runtime, abrupt) as target:

        def work() -> None:
            try:
                result["summary"] = batch.run_batch(target, batch.read_items(source), out, concurrency=8)
            except BaseException as exc:  # the assertion below shows it
                result["summary"] = exc

        worker = threading.Thread(target=work, daemon=True)
        worker.start()
        deadline = time.monotonic() + 120
        while not (out.exists() and out.read_bytes().count(b"\n") >= 20):
            assert time.monotonic() < deadline and worker.is_alive(), "the batch did not get going"
            time.sleep(0.05)
    # The port is free again: bring a server back on it (the batch waits a second before retrying).
    again = ServerConfig(address=target, grace_seconds=0)
    with embedded_server(runtime, again):
        worker.join(timeout=300)
    assert not worker.is_alive()
    summary = result["summary"]
    assert isinstance(summary, batch.BatchSummary) and summary.complete
    lines = read_out(out)
    assert Counter(line["id"] for line in lines) == Counter(i["id"] for i in items)
    after = row_counts(db)
    assert after["runs"] - before["runs"] == 120 and after["distinct_keys"] == after["runs"]


def _database_failing_for(runtime: Runtime, calls: int | None, monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The runtime's core raises SQLAlchemy's OperationalError (as a locked or lost database does)
    for its first ``calls`` AnalyzeJd calls (None: always); returns the counter of calls."""
    real = runtime.core.analyze_jd
    seen = [0]

    def flaky(*args: Any, **kwargs: Any) -> Any:
        seen[0] += 1
        if calls is None or seen[0] <= calls:
            raise OperationalError("INSERT INTO runs", {}, Exception("database is locked"))
        return real(*args, **kwargs)

    monkeypatch.setattr(runtime.core, "analyze_jd", flaky)
    return seen


def test_items_answered_unavailable_are_sent_again_not_written_as_errors(
    runtime: Runtime, db: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    items = synthetic_items(12, 0, "unavailable")
    source = write_jsonl(tmp_path / "in.jsonl", items)
    out = tmp_path / "out.jsonl"
    before = row_counts(db)
    seen = _database_failing_for(runtime, 5, monkeypatch)
    with embedded_server(runtime, ServerConfig(address="127.0.0.1:0", stream_concurrency=4)) as target:
        summary = batch.run_batch(target, batch.read_items(source), out, concurrency=4)
    assert summary.complete and summary.errors == 0 and summary.runs == 12
    lines = read_out(out)
    assert Counter(line["id"] for line in lines) == Counter(i["id"] for i in items)
    assert all("run" in line for line in lines)
    assert seen[0] == 12 + 5  # the five that failed went once more
    after = row_counts(db)
    assert after["runs"] - before["runs"] == 12


def test_a_database_that_stays_down_stops_the_batch_with_nothing_written(
    runtime: Runtime, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = write_jsonl(tmp_path / "in.jsonl", synthetic_items(3, 0, "down"))
    out = tmp_path / "out.jsonl"
    seen = _database_failing_for(runtime, None, monkeypatch)
    with (
        embedded_server(runtime, ServerConfig(address="127.0.0.1:0")) as target,
        pytest.raises(batch.BatchError) as caught,
    ):
        batch.run_batch(target, batch.read_items(source), out, concurrency=2, reconnects=1)
    assert "3 items were answered UNAVAILABLE" in str(caught.value)
    assert "rerun the same command to resume" in str(caught.value)
    assert seen[0] == 3 * 2  # the first pass, then one more
    assert not out.exists() or out.read_text() == ""  # nothing recorded as done: a rerun sends all
