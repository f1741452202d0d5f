"""Runs in the store: the whole jdlens.v1.Run as proto bytes plus the columns that filter and page."""

from __future__ import annotations

import hashlib
import json
import re
from datetime import UTC, datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from jdlens.v1 import common_pb2, run_pb2
from jdlens_server.errors import FieldViolation, InvalidArgument, NotFound
from jdlens_server.store.models import RunRow

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


def find_by_key(session: Session, key: str) -> run_pb2.Run | None:
    blob = session.scalar(select(RunRow.run_proto).where(RunRow.idempotency_key == key))
    return _parse(blob) if blob is not None else None


def load(session: Session, name: str, *, for_update: bool = False) -> run_pb2.Run:
    run_id = run_id_from_name(name)
    stmt = select(RunRow.run_proto).where(RunRow.id == run_id)
    if for_update and session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update()
    blob = session.scalar(stmt)
    if blob is None:
        raise NotFound("jdlens.v1.Run", name, "no run with this name; runs from dry runs are not stored")
    return _parse(blob)


def _parse(blob: bytes) -> run_pb2.Run:
    run = run_pb2.Run()
    run.ParseFromString(blob)
    return run


def _columns(run: run_pb2.Run) -> dict[str, object]:
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
        "run_proto": run.SerializeToString(),
    }


def insert(session: Session, run: run_pb2.Run) -> None:
    """Insert first in the run's transaction: a concurrent twin with the same key fails here,
    before it has written anything else."""
    session.add(
        RunRow(
            id=run.run_id,
            idempotency_key=run.idempotency_key,
            created_at=run.create_time.ToDatetime(tzinfo=UTC),
            library_version=run.library_version,
            backend=BACKEND_COLUMN.get(run.backend, "offline"),
            **_columns(run),
        )
    )
    session.flush()


def save(session: Session, run: run_pb2.Run) -> None:
    run.update_time.FromDatetime(datetime.now(UTC))
    session.execute(update(RunRow).where(RunRow.id == run.run_id).values(**_columns(run)))
