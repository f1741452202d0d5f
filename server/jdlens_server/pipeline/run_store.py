"""Runs in the store: the whole jdlens.v1.Run as proto bytes plus the columns that filter and page."""

from __future__ import annotations

import hashlib
import json
import re
from datetime import UTC, datetime
from typing import cast

from sqlalchemy import Table, bindparam, select, update
from sqlalchemy.orm import Session

from jdlens.v1 import common_pb2, run_pb2
from jdlens_server.errors import FieldViolation, InvalidArgument, NotFound
from jdlens_server.store.db import dialect_name
from jdlens_server.store.models import RunRow
from jdlens_server.store.run_blob import IDENTITY, decode_run, encode_run

RUN_NAME = re.compile(r"^runs/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$")

STATUS_COLUMN = {
    run_pb2.RUN_STATUS_EXTRACTED: "extracted",
    run_pb2.RUN_STATUS_DETAILED: "detailed",
    run_pb2.RUN_STATUS_COMPLETED: "completed",
    run_pb2.RUN_STATUS_REJECTED: "rejected",
}
STAGE_COLUMN = {
    run_pb2.STAGE_EXTRACT: "extract",
    run_pb2.STAGE_DETAILS: "details",
    run_pb2.STAGE_FINAL_ROLE: "final_role",
    run_pb2.STAGE_ENRICHMENT: "enrichment",
}
BACKEND_COLUMN = {common_pb2.BACKEND_OFFLINE: "offline", common_pb2.BACKEND_ANTHROPIC: "anthropic"}


def run_id_from_name(name: str, field: str = "run") -> str:
    match = RUN_NAME.match(name)
    if match is None:
        raise InvalidArgument(
            f"{field} must be a run name like runs/<uuid>, got {name!r}",
            [FieldViolation(field, "expected runs/{run_id} with a lower-case UUID run_id")],
        )
    return match.group(1)


def normalized_text(text: str) -> str:
    return " ".join(text.split())


def derive_idempotency_key(text: str, title: str, options: run_pb2.RunOptions, library_version: int) -> str:
    """Same normalised JD + options + library version = same run. Stage calls share the key, so an
    AnalyzeJd after an ExtractFromJd of the same JD continues that run instead of starting another."""
    payload = json.dumps(
        {
            "text": normalized_text(text),
            "title": normalized_text(title),
            "backend": int(options.backend) or common_pb2.BACKEND_OFFLINE,
            "top_k": options.top_k,
            "library_version": library_version,
        },
        sort_keys=True,
    )
    return "auto:" + hashlib.sha256(payload.encode()).hexdigest()


def client_idempotency_key(key: str) -> str:
    return "client:" + hashlib.sha256(key.encode()).hexdigest()


# The statements of every run, built once on the Core table with bound parameters: a run neither
# rebuilds them nor recomputes their cache keys, and skips the ORM's execution path (no RunRow
# object is ever in the session). The INSERT and UPDATE take their columns from the parameters.
_RUNS = cast(Table, RunRow.__table__)
_BY_KEY = select(_RUNS.c.run_proto, _RUNS.c.run_codec).where(_RUNS.c.idempotency_key == bindparam("b_key"))
_BY_ID = select(_RUNS.c.run_proto, _RUNS.c.run_codec).where(_RUNS.c.id == bindparam("b_id"))
_BY_ID_LOCKED = _BY_ID.with_for_update()
_STATUS_BY_ID = select(_RUNS.c.status).where(_RUNS.c.id == bindparam("b_id"))
_STATUS_BY_ID_LOCKED = _STATUS_BY_ID.with_for_update()
_INSERT = _RUNS.insert()
_UPDATE = update(_RUNS).where(_RUNS.c.id == bindparam("b_id"))


def find_by_key(session: Session, key: str) -> run_pb2.Run | None:
    row = session.execute(_BY_KEY, {"b_key": key}).first()
    return decode_run(row.run_proto, row.run_codec) if row is not None else None


def load(session: Session, name: str, *, for_update: bool = False) -> run_pb2.Run:
    run_id = run_id_from_name(name)
    locked = for_update and dialect_name(session) == "postgresql"
    row = session.execute(_BY_ID_LOCKED if locked else _BY_ID, {"b_id": run_id}).first()
    if row is None:
        raise NotFound("jdlens.v1.Run", name, "no run with this name; runs from dry runs are not stored")
    return decode_run(row.run_proto, row.run_codec)


def stored_status(session: Session, run_id: str) -> str | None:
    """The run's status column (its row locked for the transaction on PostgreSQL)."""
    locked = dialect_name(session) == "postgresql"
    status: str | None = session.scalar(_STATUS_BY_ID_LOCKED if locked else _STATUS_BY_ID, {"b_id": run_id})
    return status


def _columns(run: run_pb2.Run, *, proto: bool = True) -> dict[str, object]:
    chosen = ""
    if run.HasField("final_role") and run.final_role.chosen_role.name:
        chosen = run.final_role.chosen_role.name
    elif run.extraction.decision.chosen_role.name:
        chosen = run.extraction.decision.chosen_role.name
    role_id = int(chosen.removeprefix("roles/")) if chosen.startswith("roles/") else None
    return {
        "status": STATUS_COLUMN.get(run.status, "unspecified"),
        "stage": STAGE_COLUMN.get(run.stage, "unspecified"),
        "updated_at": run.update_time.ToDatetime(tzinfo=UTC),
        "chosen_role_id": role_id,
        "total_cost_usd": run.total_usage.cost_usd,
        **_blob(run, proto),
    }


def _blob(run: run_pb2.Run, proto: bool) -> dict[str, object]:
    blob, codec = encode_run(run) if proto else (b"", IDENTITY)
    return {"run_proto": blob, "run_codec": codec}


def insert(session: Session, run: run_pb2.Run, *, proto: bool = True) -> None:
    """Insert first in the run's transaction: a concurrent twin with the same key fails here,
    before it has written anything else. ``proto=False`` leaves the proto empty for a ``save``
    later in the same transaction to write (no reader sees the row before that commits), so a
    run that changes in between is serialised once, not twice."""
    session.execute(
        _INSERT,
        {
            "id": run.run_id,
            "idempotency_key": run.idempotency_key,
            "created_at": run.create_time.ToDatetime(tzinfo=UTC),
            "library_version": run.library_version,
            "backend": BACKEND_COLUMN.get(run.backend, "offline"),
            **_columns(run, proto=proto),
        },
    )


def save(session: Session, run: run_pb2.Run) -> None:
    run.update_time.FromDatetime(datetime.now(UTC))
    session.execute(_UPDATE, {"b_id": run.run_id, **_columns(run)})
