"""``jdlens batch``: analyze a file of JDs over one AnalyzeJdStream, resumably.

Input: JSON lines ``{"id": ..., "text": ..., "title": ...}`` (``title`` optional; an object
without ``id`` gets its line number) or a ``.csv`` / ``.tsv`` file with a ``text`` column and
optional ``id`` (default: the data row number, 1-based) and ``title`` columns. Ids must be unique.
The file is checked in one pass that keeps only the ids, then read again as items are sent, so
the client holds the ids of a large batch, not its texts.

Output: one JSON line per input, in completion order::

    {"id": ..., "run": <the run as proto JSON>, "replayed": false}
    {"id": ..., "error": {"code": "INVALID_ARGUMENT", "message": ..., "details": [...]}}

``--fields`` sends a read mask with every item, so a run line holds only those fields (a whole run
is ~100 KB of JSON; converting it is most of the client's CPU) and names them under ``"fields"``;
the server stores the whole run. A resume must ask for the same fields: an OUT never mixes shapes.

Resume: the ids already in OUT are skipped and new lines are appended, so rerunning the same
command after a kill or a lost connection finishes the rest. A kill loses at most the items in
flight (each line is flushed as it is written; a torn last line is dropped and its item redone).
Each item is sent with an idempotency key derived from its id and content, so an item the server
finished but whose line was never written comes back as the stored run (``replayed``) and changes
nothing twice. The key does not include the library version: resending an input id after a
library change returns the run it got the first time.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import hashlib
import json
import sys
import time
from collections.abc import AsyncIterator, Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, TextIO

import grpc
from google.protobuf import field_mask_pb2, json_format
from google.rpc import code_pb2
from google.rpc import error_details_pb2 as _error_details  # noqa: F401  # registers the detail types for JSON
from grpc import aio
from tqdm import tqdm

from jdlens.client import DEFAULT_MAX_MESSAGE_BYTES
from jdlens.v1 import common_pb2, pipeline_service_pb2, pipeline_service_pb2_grpc, run_pb2
from jdlens_server.grpc_api.correlation import no_server_answered, reached_server
from jdlens_server.render import unreachable_hint
from jdlens_server.runs.masks import SUMMARY_PATHS, invalid_paths

__all__ = [
    "BatchError",
    "BatchInput",
    "BatchItem",
    "BatchSummary",
    "add_batch_parser",
    "check_fields",
    "cmd_batch",
    "idempotency_key",
    "parse_fields",
    "read_done_ids",
    "read_items",
    "run_batch",
]

DEFAULT_CONCURRENCY = 16
# Stream failures worth reconnecting for; anything else is reported and the batch stops.
_RECONNECT_CODES = (grpc.StatusCode.UNAVAILABLE,)
_UNAVAILABLE = grpc.StatusCode.UNAVAILABLE.value[0]
# Codes that, without the server's correlation id, come from the transport rather than from jdlens
# (a connection cut as the server stops reads as "INTERNAL: Internal error from Core"): resending
# is safe, every item carries its idempotency key.
_TRANSPORT_CODES = (grpc.StatusCode.INTERNAL, grpc.StatusCode.UNKNOWN, grpc.StatusCode.CANCELLED)


def _worth_reconnecting(exc: aio.AioRpcError) -> bool:
    if exc.code() in _RECONNECT_CODES:
        return True
    return exc.code() in _TRANSPORT_CODES and not reached_server(exc.trailing_metadata())


_MAX_LISTED_PROBLEMS = 10
# A byte-order mark (spreadsheets write one) is dropped, so a CSV's first column keeps its name.
_ENCODING = "utf-8-sig"

JsonId = str | int | float | bool | None


class BatchError(Exception):
    """What stops a batch: a problem with the input or output file (found before anything is
    sent, or an input changed during the batch), or a stream that could not finish. The message
    says what to do; ``unreachable``: the last try found no server at the address."""

    def __init__(self, message: str, *, unreachable: bool = False) -> None:
        super().__init__(message)
        self.unreachable = unreachable


@dataclass(frozen=True, slots=True)
class BatchItem:
    # The id as given (a JSON value, or the CSV cell / row number), echoed in the output line.
    id: JsonId
    # None: the input had no text at all (the server refuses the item, unless a title is given).
    text: str | None
    title: str

    @property
    def key(self) -> str:
        return id_key(self.id)


@dataclass
class BatchSummary:
    total: int = 0
    skipped: int = 0  # already in OUT before this run
    runs: int = 0
    replayed: int = 0
    errors: int = 0
    seconds: float = 0.0
    # Error lines by code name, e.g. {"INVALID_ARGUMENT": 20}.
    error_codes: dict[str, int] = field(default_factory=dict)

    @property
    def written(self) -> int:
        return self.runs + self.errors

    @property
    def complete(self) -> bool:
        return self.skipped + self.written == self.total

    def line(self) -> str:
        rate = self.written / self.seconds if self.seconds > 0 else 0.0
        codes = ", ".join(f"{n} {c}" for c, n in sorted(self.error_codes.items()))
        errors = f"{self.errors} errors" + (f" ({codes})" if codes else "")
        return (
            f"{self.total} items: {self.runs} runs ({self.replayed} replayed), {errors}, "
            f"{self.skipped} already in the output; {self.seconds:.1f} s, {rate:.1f} JD/s"
        )


def id_key(value: JsonId) -> str:
    """The id's identity: a string as itself, anything else as its JSON (so 7 and "7" collide)."""
    return value if isinstance(value, str) else json.dumps(value)


def idempotency_key(item: BatchItem) -> str:
    """Stable per input item: the same id with the same content is the same run, whenever sent."""
    content = json.dumps([item.key, item.text, item.title], ensure_ascii=False)
    return "batch:" + hashlib.sha256(content.encode()).hexdigest()


# ---- input -----------------------------------------------------------------------------------


class BatchInput:
    """The items of an input file, read from the file each time they are iterated: a batch of
    millions of JDs holds their ids in memory, not their texts (read_items checked the file)."""

    def __init__(self, path: Path, keys: list[str]) -> None:
        self.path = path
        self.keys = keys  # every item's id key, in file order

    def __len__(self) -> int:
        return len(self.keys)

    def __iter__(self) -> Iterator[BatchItem]:
        """The items again, each checked against the ids read_items saw in that place: a file
        changed since (edited, replaced, cut short) raises BatchError instead of sending
        items nobody checked."""
        problems: list[str] = []
        count = 0
        try:
            with self.path.open(encoding=_ENCODING, newline="") as handle:
                for item in _parse(handle, self.path, problems):
                    if problems or count >= len(self.keys) or item.key != self.keys[count]:
                        problems.append(f"item {count + 1} is not the one checked before the batch")
                        break
                    count += 1
                    yield item
        except (OSError, UnicodeDecodeError) as exc:
            raise BatchError(f"cannot read {self.path} again: {exc}") from None
        if not problems and count < len(self.keys):
            problems.append(f"it ends after {count} of {len(self.keys)} items")
        if problems:
            raise BatchError(f"{self.path} changed during the batch: {problems[0]}; nothing more was sent")


def read_items(path: Path) -> BatchInput:
    """The items of a JSONL or CSV/TSV file, checked in one pass that keeps only their ids;
    BatchError listing the problems (bad lines, duplicate ids) when there are any, so a batch
    never starts on input it cannot finish."""
    problems: list[str] = []
    first_seen: dict[str, int] = {}
    try:
        with path.open(encoding=_ENCODING, newline="") as handle:
            for position, item in enumerate(_parse(handle, path, problems), 1):
                earlier = first_seen.setdefault(item.key, position)
                if earlier != position:
                    problems.append(
                        f"{path}: item {position}: duplicate id {item.key!r} (first at item {earlier})"
                    )
    except OSError as exc:
        raise BatchError(f"cannot read {path}: {exc.strerror}") from None
    except UnicodeDecodeError as exc:
        raise BatchError(f"{path} is not UTF-8 text: {exc}") from None
    if problems:
        shown = problems[:_MAX_LISTED_PROBLEMS]
        more = len(problems) - len(shown)
        listed = "\n  ".join(shown) + (f"\n  ... and {more} more" if more else "")
        raise BatchError(f"{len(problems)} problem(s) in the input, nothing was sent:\n  {listed}")
    return BatchInput(path, list(first_seen))


def _parse(handle: TextIO, path: Path, problems: list[str]) -> Iterator[BatchItem]:
    if path.suffix.lower() in (".csv", ".tsv"):
        return _read_csv(handle, path, problems, "\t" if path.suffix.lower() == ".tsv" else ",")
    return _read_jsonl(handle, path, problems)


def _read_jsonl(handle: TextIO, path: Path, problems: list[str]) -> Iterator[BatchItem]:
    for number, line in enumerate(handle, 1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            problems.append(f"{path}:{number}: not JSON ({exc.msg})")
            continue
        if not isinstance(obj, dict):
            problems.append(f"{path}:{number}: expected a JSON object, got {type(obj).__name__}")
            continue
        item_id = obj.get("id", number)
        text = obj.get("text")
        title = obj.get("title") or ""
        if isinstance(item_id, (dict, list)):
            problems.append(f"{path}:{number}: id must be a string or a number")
        elif text is not None and not isinstance(text, str):
            problems.append(f"{path}:{number}: text must be a string")
        elif not isinstance(title, str):
            problems.append(f"{path}:{number}: title must be a string")
        else:
            yield BatchItem(item_id, text, title)


def _read_csv(handle: TextIO, path: Path, problems: list[str], delimiter: str) -> Iterator[BatchItem]:
    reader = csv.DictReader(handle, delimiter=delimiter)
    columns = {name.strip().lower(): name for name in reader.fieldnames or ()}
    if "text" not in columns:
        problems.append(f"{path}: no 'text' column (columns: {', '.join(reader.fieldnames or ()) or 'none'})")
        return
    text_col, id_col, title_col = columns["text"], columns.get("id"), columns.get("title")
    for row_number, row in enumerate(reader, 1):
        if None in row:
            problems.append(f"{path}: row {row_number} (line {reader.line_num}): more cells than columns")
            continue
        item_id = row.get(id_col) if id_col else None
        text = row.get(text_col)
        title = (row.get(title_col) if title_col else None) or ""
        yield BatchItem(item_id if item_id else str(row_number), text, title)


# ---- output ----------------------------------------------------------------------------------


def ensure_writable(out: Path) -> None:
    """Create OUT's folder and open OUT for appending once, so a path that cannot take the results
    (a folder, no permission, a read-only disk) fails before a server starts; BatchError says why."""
    if out.is_dir():
        raise BatchError(f"--out {out} is a folder; name a file, e.g. {out / 'results.jsonl'}")
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        with out.open("a", encoding="utf-8"):
            pass
    except OSError as exc:
        raise BatchError(f"cannot write the results to {out}: {exc.strerror or exc}") from None


def read_done_ids(out: Path, fields: Sequence[str] | None = None) -> set[str]:
    """Ids already written to ``out``. A torn last line (a kill mid-write) is cut off the file so
    its item is redone; a bad line anywhere else is not ours to repair and raises BatchError.
    With ``fields`` (this run's --fields, [] for whole runs), a run line written with other fields
    raises BatchError too: a resumed OUT must not mix line shapes."""
    if not out.exists():
        return set()
    done: set[str] = set()
    torn_at: int | None = None
    # Line by line: the output of a large batch of whole runs is ~100 KB a line.
    with out.open("rb") as handle:
        offset = 0
        for number, raw in enumerate(handle, 1):
            if not raw.endswith(b"\n"):  # only the last line can lack its newline
                if not raw.startswith(b'{"id"'):  # every line of ours starts so: not our file
                    raise BatchError(
                        f"{out}:{number}: not a batch result line; is this a jdlens batch output?"
                    )
                torn_at = offset
                break
            offset += len(raw)
            _read_done_line(out, number, raw, fields, done)
    if torn_at is not None:
        with out.open("r+b") as handle:
            handle.truncate(torn_at)
    return done


def _read_done_line(out: Path, number: int, raw: bytes, fields: Sequence[str] | None, done: set[str]) -> None:
    """Line ``number`` of ``out``: its id into ``done``, or BatchError (see read_done_ids)."""
    if not raw.strip():
        return
    try:
        obj = json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise BatchError(f"{out}:{number}: not a JSON line; is this a jdlens batch output?") from None
    if not isinstance(obj, dict) or "id" not in obj or not ("run" in obj or "error" in obj):
        raise BatchError(f"{out}:{number}: not a batch result line (needs 'id' and 'run' or 'error')")
    written = obj.get("fields", [])
    if fields is not None and "run" in obj and written != list(fields):
        raise BatchError(
            f"{out}:{number}: written with {_fields_text(written)}, this run asks for "
            f"{_fields_text(fields)}; resume with the same --fields, or write to a new OUT"
        )
    done.add(id_key(obj["id"]))


def _fields_text(fields: Sequence[str]) -> str:
    return f"--fields {','.join(fields)}" if fields else "whole runs (no --fields)"


def _error_json(error: common_pb2.ItemError) -> dict[str, Any]:
    code = error.code
    name = code_pb2.Code.Name(code) if code in code_pb2.Code.values() else str(code)
    return {
        "code": name,
        "message": error.message,
        "details": [json_format.MessageToDict(d) for d in error.details],
    }


def _result_line(
    item: BatchItem, response: pipeline_service_pb2.AnalyzeJdStreamResponse, fields: Sequence[str]
) -> dict[str, Any]:
    if response.HasField("error"):
        return {"id": item.id, "error": _error_json(response.error)}
    line: dict[str, Any] = {
        "id": item.id,
        # A whole run prints every field (a counter of 0 says 0, not nothing); a run cut to
        # --fields prints only what is set, so what was left out does not read as empty.
        "run": json_format.MessageToDict(response.run, always_print_fields_with_no_presence=not fields),
        "replayed": response.replayed,
    }
    if fields:  # which part of the run the line holds; a resume checks it (read_done_ids)
        line["fields"] = list(fields)
    return line


def parse_fields(value: str) -> list[str]:
    """``--fields``: comma-separated field paths of the Run message (snake_case, joined by '.'),
    or ``summary`` for what ListRuns returns by default (who, when, what was decided, what it
    cost). Raises BatchError for a value that names no field, or a path that is not one
    (check_fields)."""
    paths: list[str] = []
    for part in (p.strip() for p in value.split(",")):
        if part == "summary":
            paths.extend(SUMMARY_PATHS)
        elif part:
            paths.append(part)
    if not paths:
        raise BatchError("--fields names no field; leave it out to write whole runs")
    return check_fields(paths)


def check_fields(paths: Sequence[str]) -> list[str]:
    """``paths`` without repeats, each checked as the server checks a read mask; raises
    BatchError naming every path that is not a field path of the Run."""
    bad = invalid_paths(paths)
    if bad:
        top = ", ".join(f.name for f in run_pb2.Run.DESCRIPTOR.fields)
        raise BatchError(
            f"--fields: {', '.join(map(repr, bad))} not a field path of the Run; use snake_case names "
            "joined by '.' (e.g. extraction.decision) or 'summary'; a path ends at a list or map "
            f"(details.skills_detail, not details.skills_detail.input_skill); the Run's fields: {top}"
        )
    return list(dict.fromkeys(paths))


# ---- the stream ------------------------------------------------------------------------------


class _StreamBroken(Exception):
    """A pass that did not finish its items: the stream was lost, or (``resend``) it went on
    but some items were answered UNAVAILABLE and are to be sent again."""

    def __init__(
        self, message: str, *, retryable: bool, unreachable: bool = False, resend: bool = False
    ) -> None:
        super().__init__(message)
        self.retryable = retryable
        # The transport found no server (UNAVAILABLE with no jdlens trailers), as opposed to a
        # server that answered with an error.
        self.unreachable = unreachable
        self.resend = resend


async def _stream_once(
    target: str,
    pending: Iterable[BatchItem],
    expected: int,
    write: Callable[[BatchItem, pipeline_service_pb2.AnalyzeJdStreamResponse], None],
    concurrency: int,
    timeout: float | None,
    options: run_pb2.RunOptions,
    read_mask: field_mask_pb2.FieldMask | None,
) -> None:
    """Send ``pending`` (``expected`` items, read as the window opens) over one stream with at most
    ``concurrency`` unanswered; ``write`` each answer as it comes. Raises _StreamBroken when the
    stream ends early."""
    window = asyncio.Semaphore(concurrency)
    waiting: dict[str, BatchItem] = {}
    answered = 0
    # grpc swallows what the request iterator raises and cancels the call; an input that can no
    # longer be read is kept here instead, the stream half-closes, and the items in flight are
    # still answered and written before it is raised.
    unreadable: list[BatchError] = []

    async def requests() -> AsyncIterator[pipeline_service_pb2.AnalyzeJdStreamRequest]:
        try:
            async for request in _requests():
                yield request
        except BatchError as exc:
            unreadable.append(exc)

    async def _requests() -> AsyncIterator[pipeline_service_pb2.AnalyzeJdStreamRequest]:
        for position, item in enumerate(pending):
            # The window: a slow server is not sent more than it can work on plus a little queue.
            await window.acquire()
            request_id = str(position)
            waiting[request_id] = item
            jd = pipeline_service_pb2.JdInput(title=item.title)
            if item.text is not None:
                jd.text = item.text
            yield pipeline_service_pb2.AnalyzeJdStreamRequest(
                request_id=request_id,
                jd=jd,
                options=options,
                idempotency_key=idempotency_key(item),
                read_mask=read_mask,
            )

    channel_options = [
        ("grpc.max_receive_message_length", DEFAULT_MAX_MESSAGE_BYTES),
        ("grpc.max_send_message_length", DEFAULT_MAX_MESSAGE_BYTES),
    ]
    async with aio.insecure_channel(target, options=channel_options) as channel:
        stub = pipeline_service_pb2_grpc.PipelineServiceStub(channel)
        call = stub.AnalyzeJdStream(requests(), timeout=timeout)
        try:
            async for response in call:
                item = waiting.pop(response.request_id, None)
                if item is None:
                    raise _StreamBroken(
                        f"the server answered unknown request_id {response.request_id!r}", retryable=False
                    )
                write(item, response)
                answered += 1
                window.release()
        except aio.AioRpcError as exc:
            message = f"{exc.code().name}: {exc.details()}"
            unreachable = no_server_answered(exc.code(), exc.trailing_metadata())
            raise _StreamBroken(
                message, retryable=_worth_reconnecting(exc), unreachable=unreachable
            ) from None
        finally:
            call.cancel()
    if unreadable:
        raise unreadable[0]
    if waiting or answered < expected:
        raise _StreamBroken(f"the stream ended after {answered} of {expected} answers", retryable=True)


def run_batch(
    target: str,
    items: BatchInput | Sequence[BatchItem],
    out: Path,
    *,
    concurrency: int = DEFAULT_CONCURRENCY,
    progress: bool = False,
    reconnects: int = 3,
    timeout: float | None = None,
    options: run_pb2.RunOptions | None = None,
    done: set[str] | None = None,
    fields: Sequence[str] = (),
) -> BatchSummary:
    """Analyze the items not yet in ``out`` (``done``: the ids ``read_done_ids(out)`` gave the
    caller, when it already read them) through the server at ``target``, appending a line
    for each. Reconnects (with backoff, up to ``reconnects`` times in a row without progress)
    when the stream is lost, and sends again the items answered UNAVAILABLE (the same way);
    raises BatchError when it cannot finish (the output stays valid,
    so a rerun resumes). ``options`` go with every item (backend, Message Batches); ``fields``:
    the run's fields to write (a read mask, see parse_fields), all when empty."""
    options = options or run_pb2.RunOptions()
    fields = check_fields(fields)  # a bad path would turn every item into an error line
    read_mask = field_mask_pb2.FieldMask(paths=fields) if fields else None
    if concurrency < 1:
        raise ValueError("concurrency must be >= 1")
    started = time.perf_counter()
    done = read_done_ids(out, fields) if done is None else done
    summary = BatchSummary(total=len(items))
    wanted = set(items.keys) if isinstance(items, BatchInput) else {item.key for item in items}
    summary.skipped = len(done & wanted)
    unknown = len(done - wanted)
    if unknown:
        print(f"jdlens batch: note: {out} has {unknown} ids that are not in the input", file=sys.stderr)
    bar = tqdm(
        total=len(items),
        initial=summary.skipped,
        unit="JD",
        file=sys.stderr,
        disable=not progress,
        dynamic_ncols=True,
        smoothing=0.1,
    )

    # Items answered UNAVAILABLE (the server's database unreachable, busy or deadlocked; their
    # transaction was rolled back) are not written: the next pass sends them again.
    deferred: list[str] = []

    def write(item: BatchItem, response: pipeline_service_pb2.AnalyzeJdStreamResponse) -> None:
        if response.HasField("error") and response.error.code == _UNAVAILABLE:
            deferred.append(response.error.message)
            return
        line = _result_line(item, response, fields)
        handle.write(json.dumps(line, ensure_ascii=False) + "\n")
        handle.flush()
        done.add(item.key)
        if "error" in line:
            summary.errors += 1
            code = line["error"]["code"]
            summary.error_codes[code] = summary.error_codes.get(code, 0) + 1
        else:
            summary.runs += 1
            summary.replayed += bool(response.replayed)
        bar.update(1)
        bar.set_postfix(runs=summary.runs, errors=summary.errors, replayed=summary.replayed, refresh=False)

    out.parent.mkdir(parents=True, exist_ok=True)
    failures = 0
    handle: IO[str]
    with out.open("a", encoding="utf-8", buffering=1) as handle, bar:
        while True:
            remaining = len(wanted - done)
            if not remaining:
                break
            # A generator: the items are read as the stream's window opens, not all at once.
            pending = (item for item in items if item.key not in done)
            before = len(done)
            deferred.clear()
            try:
                asyncio.run(
                    _stream_once(target, pending, remaining, write, concurrency, timeout, options, read_mask)
                )
                if deferred:  # the stream went on, some items did not: a pass to retry like a lost stream
                    raise _StreamBroken(
                        f"{len(deferred)} items were answered UNAVAILABLE ({deferred[0]})",
                        retryable=True,
                        resend=True,
                    )
            except _StreamBroken as exc:
                failures = 0 if len(done) > before else failures + 1
                if not exc.retryable or failures > reconnects:
                    summary.seconds = time.perf_counter() - started
                    raise BatchError(
                        f"the stream to {target} failed: {exc}; {summary.written} items were written "
                        "this time; rerun the same command to resume",
                        unreachable=exc.unreachable,
                    ) from None
                delay = min(2.0**failures, 30.0)
                again = f"{exc}; sending them again" if exc.resend else f"stream lost ({exc}); reconnecting"
                bar.write(f"jdlens batch: {again} in {delay:.0f} s", file=sys.stderr)
                time.sleep(delay)
    summary.seconds = time.perf_counter() - started
    return summary


# ---- the command -----------------------------------------------------------------------------


def add_batch_parser(sub: Any) -> argparse.ArgumentParser:
    """Register ``jdlens batch`` on the CLI's sub-command parsers."""
    batch = sub.add_parser(
        "batch",
        help="analyze a JSONL/CSV file of JDs over one stream, resumably",
        description='Stream every JD of IN (JSON lines {"id", "text", "title"?}, or CSV/TSV with a '
        "text column and optional id/title columns) through AnalyzeJdStream and write one JSON line per "
        'input to OUT: {"id", "run", "replayed"} or {"id", "error": {code, message, details}}. '
        "Rerunning the same command skips the ids already in OUT, so an interrupted batch resumes; "
        "idempotency keys make a redone item change nothing twice. Without --server an embedded server "
        "is started on the database (on first use the ESCO library and the tech supplement are imported).",
    )
    batch.add_argument("input", type=Path, metavar="IN", help="JSONL (default) or .csv/.tsv file")
    batch.add_argument("--out", type=Path, required=True, metavar="OUT", help="JSONL results (appended)")
    batch.add_argument("--server", metavar="ADDR", help="call a running server at host:port")
    batch.add_argument(
        "--concurrency",
        type=int,
        default=DEFAULT_CONCURRENCY,
        metavar="N",
        help=f"items in flight at once (default {DEFAULT_CONCURRENCY})",
    )
    batch.add_argument(
        "--fields",
        metavar="PATHS",
        default=None,
        help="write only these fields of each run: comma-separated paths of the Run message (e.g. "
        "run_id,extraction.decision,details.skills_detail; a path ends at a list), or 'summary' (what "
        "ListRuns returns by default); whole runs when omitted. A whole run is ~100 KB of JSON; the "
        "server still stores all of it. Resume an OUT with the --fields it was written with",
    )
    batch.add_argument("--no-progress", action="store_true", help="no progress bar (default: on a terminal)")
    from jdlens_server.cli import add_backend  # cli imports this module lazily: no cycle at import

    add_backend(batch, default=None)
    batch.add_argument(
        "--llm-batch",
        action="store_true",
        help="send stage 1's model calls through the Message Batches API (anthropic backend, half "
        "price, answers within 24 h); a batch holds up to --concurrency items",
    )
    batch.add_argument(
        "--db",
        metavar="URL",
        default=None,
        help="database for the embedded server (default: $JDLENS_DB, else the user data dir SQLite file)",
    )
    return batch  # type: ignore[no-any-return]


def cmd_batch(args: argparse.Namespace) -> int:
    """Exit 0 when every input has a line in OUT (per-item errors included), 1 when the stream
    failed before that (rerun to resume), 2 for unusable input."""
    if args.concurrency < 1:
        print("jdlens batch: --concurrency must be at least 1", file=sys.stderr)
        return 2
    try:
        fields = parse_fields(args.fields) if args.fields is not None else []
        items = read_items(args.input)
        ensure_writable(args.out)
        done = read_done_ids(args.out, fields)  # refuse a foreign OUT before starting a server
    except BatchError as exc:
        print(f"jdlens batch: {exc}", file=sys.stderr)
        return 2
    backend = getattr(args, "backend", None)
    llm_batch = bool(getattr(args, "llm_batch", False))
    if llm_batch and backend == "offline":
        print("jdlens batch: --llm-batch needs the anthropic backend", file=sys.stderr)
        return 2
    if llm_batch:
        backend = "anthropic"
    # Imported here: the model backend's modules cost a client-only command ~0.1 s to import.
    from jdlens_server.llm.provider import backend_from_name

    options = run_pb2.RunOptions(
        backend=backend_from_name(backend) if backend else common_pb2.BACKEND_UNSPECIFIED,
        use_message_batches=llm_batch,
    )
    progress = not args.no_progress and sys.stderr.isatty()

    def send(target: str) -> BatchSummary:
        return run_batch(
            target,
            items,
            args.out,
            concurrency=args.concurrency,
            progress=progress,
            options=options,
            done=done,
            fields=fields,
        )

    try:
        summary = send(args.server) if args.server else _run_embedded(args, backend, send)
    except BatchError as exc:
        print(f"jdlens batch: {exc}", file=sys.stderr)
        if args.server and exc.unreachable:
            print(f"jdlens batch: {unreachable_hint(args.server)}", file=sys.stderr)
        return 1
    print(f"jdlens batch: {summary.line()}", file=sys.stderr)
    return 0 if summary.complete else 1


def _run_embedded(
    args: argparse.Namespace, backend: str | None, send: Callable[[str], BatchSummary]
) -> BatchSummary:
    """``send`` the batch to an embedded server over the library at ``--db``."""
    from jdlens_server.app import build_runtime, embedded_server
    from jdlens_server.cli import _ensure_library, pipeline_cpu
    from jdlens_server.grpc_api.server import ServerConfig
    from jdlens_server.store.location import resolve_db_url

    url = resolve_db_url(args.db)
    cpu = pipeline_cpu("batch")
    _ensure_library(url)
    runtime = build_runtime(url, backend=backend, huge_pages=True)
    config = ServerConfig(address="127.0.0.1:0", stream_concurrency=args.concurrency, pipeline_cpu=cpu)
    try:
        with embedded_server(runtime, config) as target:
            return send(target)
    finally:
        runtime.close()


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m jdlens_server.batch IN --out OUT ...``: the same command outside the CLI."""
    parser = argparse.ArgumentParser(prog="jdlens")
    sub = parser.add_subparsers(dest="command", required=True)
    add_batch_parser(sub)
    args = parser.parse_args(["batch", *(sys.argv[1:] if argv is None else argv)])
    try:
        return cmd_batch(args)
    except KeyboardInterrupt:
        print("jdlens batch: interrupted; rerun the same command to resume", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
