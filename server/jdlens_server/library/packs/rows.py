"""Reading pack files (gzip'd JSON lines) into records, one problem per bad row instead of an exception.

Each pack line is one JSON object whose keys are the record's field names. A row builder raises
`RowError` for anything it cannot accept; `read_table` turns that into a `PackProblem` with the
file name and line number and goes on with the next row.
"""

from __future__ import annotations

import gzip
import json
import re
import zlib
from collections.abc import Callable, Sequence
from enum import StrEnum
from pathlib import Path
from typing import TypeVar, cast

from jdlens_server.library.packs.records import PackProblem

T = TypeVar("T")
E = TypeVar("E", bound=StrEnum)

Row = dict[str, object]

_DECODER = json.JSONDecoder()
_MEMBERS: dict[type[StrEnum], dict[str, StrEnum]] = {}


class RowError(ValueError):
    """A pack row is unusable; the message says which field and why."""


def read_table(path: Path, build: Callable[[Row], T], problems: list[PackProblem]) -> list[tuple[int, T]]:
    """Build one record per line; unreadable lines, rows the builder rejects and unreadable files
    are reported as problems and left out."""
    name = path.name
    if not path.is_file():
        problems.append(PackProblem(name, 0, "file is missing"))
        return []
    try:
        with gzip.open(path, "rb") as fh:
            data = fh.read()
    except (OSError, EOFError, zlib.error) as exc:
        problems.append(PackProblem(name, 0, f"not a readable gzip file: {exc}"))
        return []
    lines = _split_lines(data, name, problems)
    decode = _DECODER.raw_decode  # skips loads()' whitespace regex; trailing text is checked below
    out: list[tuple[int, T]] = []
    for line_no, line in enumerate(lines, 1):
        if line is None:
            continue
        if not line or line.isspace():
            problems.append(PackProblem(name, line_no, "empty line"))
            continue
        start = 0 if line[0] not in " \t\r" else len(line) - len(line.lstrip())
        try:
            obj, end = decode(line, start)
        except json.JSONDecodeError as exc:
            problems.append(PackProblem(name, line_no, f"not valid JSON: {exc.msg}"))
            continue
        if end != len(line) and line[end:].strip():
            problems.append(PackProblem(name, line_no, "text after the JSON value"))
            continue
        if not isinstance(obj, dict):
            problems.append(PackProblem(name, line_no, "not a JSON object"))
            continue
        try:
            out.append((line_no, build(obj)))
        except RowError as exc:
            problems.append(PackProblem(name, line_no, str(exc)))
    return out


def _split_lines(data: bytes, name: str, problems: list[PackProblem]) -> list[str | None]:
    """Lines of the file (None where a line is not UTF-8, which is reported)."""
    if data.endswith(b"\n"):
        data = data[:-1]  # the newline that ends the last line
    if not data:
        return []
    try:
        return list(data.decode("utf-8").split("\n"))
    except UnicodeDecodeError:
        pass
    out: list[str | None] = []
    for line_no, raw in enumerate(data.split(b"\n"), 1):
        try:
            out.append(raw.decode("utf-8"))
        except UnicodeDecodeError as exc:
            problems.append(PackProblem(name, line_no, f"not UTF-8: {exc.reason}"))
            out.append(None)
    return out


def unique_rows(
    rows: list[tuple[int, T]], key: Callable[[T], object], file: str, problems: list[PackProblem]
) -> list[tuple[int, T]]:
    """Keep the first row per key; later ones are reported as duplicates."""
    first_line: dict[object, int] = {}
    out: list[tuple[int, T]] = []
    for line, rec in rows:
        k = key(rec)
        if k in first_line:
            problems.append(PackProblem(file, line, f"duplicate of line {first_line[k]}: {k}"))
            continue
        first_line[k] = line
        out.append((line, rec))
    return out


def keep_rows(
    rows: list[tuple[int, T]], check: Callable[[T], str | None], file: str, problems: list[PackProblem]
) -> list[tuple[int, T]]:
    """Keep rows for which `check` has nothing to say; report the others with its message."""
    out: list[tuple[int, T]] = []
    for line, rec in rows:
        message = check(rec)
        if message is None:
            out.append((line, rec))
        else:
            problems.append(PackProblem(file, line, message))
    return out


def sort_problems(problems: list[PackProblem], file_order: Sequence[str]) -> None:
    """Order problems as the pack's files are read, then by line."""
    rank = {name: i for i, name in enumerate(file_order)}
    problems.sort(key=lambda p: (rank.get(p.file, len(rank)), p.file, p.line))


def records(rows: list[tuple[int, T]]) -> list[T]:
    return [rec for _, rec in rows]


def req_str(row: Row, key: str) -> str:
    value = row.get(key)
    if value is None:
        raise RowError(f"missing required field {key!r}")
    if not isinstance(value, str):
        raise RowError(f"field {key!r} must be a string, got {type(value).__name__}")
    if not value.strip():
        raise RowError(f"required field {key!r} is empty")
    return value


def opt_str(row: Row, key: str) -> str | None:
    value = row.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise RowError(f"field {key!r} must be a string or null, got {type(value).__name__}")
    return value if value.strip() else None


def matching(row: Row, key: str, pattern: re.Pattern[str], what: str) -> str:
    value = req_str(row, key)
    if pattern.fullmatch(value) is None:
        raise RowError(f"field {key!r} is not a valid {what}: {value!r}")
    return value


def labels(row: Row, key: str) -> tuple[str, ...]:
    value = row.get(key)
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise RowError(f"field {key!r} must be a list of non-empty strings")
    return tuple(value)


def enum_value(row: Row, key: str, enum: type[E]) -> E:
    raw = req_str(row, key)
    # A dict lookup instead of Enum.__call__: this runs once per row on the large relation tables.
    members = _MEMBERS.get(enum)
    if members is None:
        members = _MEMBERS[enum] = {m.value: m for m in enum}
    member = members.get(raw)
    if member is None:
        allowed = ", ".join(m.value for m in enum)
        raise RowError(f"field {key!r} has unknown value {raw!r} (expected one of {allowed})")
    return cast(E, member)


def opt_enum(row: Row, key: str, enum: type[E]) -> E | None:
    return None if opt_str(row, key) is None else enum_value(row, key, enum)


def int_code(row: Row, key: str, digits: int) -> int:
    """A fixed-width numeric code stored as text (keeps leading zeros detectable)."""
    raw = req_str(row, key)
    if not (len(raw) == digits and raw.isascii() and raw.isdigit()):
        raise RowError(f"field {key!r} must be a {digits}-digit code, got {raw!r}")
    return int(raw)


def positive_int(row: Row, key: str) -> int:
    raw = req_str(row, key)
    if not (raw.isascii() and raw.isdigit()) or int(raw) <= 0:
        raise RowError(f"field {key!r} must be a positive integer, got {raw!r}")
    return int(raw)


def yes_no(row: Row, key: str) -> bool:
    raw = req_str(row, key)
    if raw not in ("Y", "N"):
        raise RowError(f"field {key!r} must be 'Y' or 'N', got {raw!r}")
    return raw == "Y"
