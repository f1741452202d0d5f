"""Read masks over runs (AIP-157): a client may ask for less of a Run than the whole."""

from __future__ import annotations

from collections.abc import Sequence

from google.protobuf import field_mask_pb2

from jdlens.v1 import run_pb2

# What ListRuns returns by default: who, when, what was decided and what it cost, without the stage
# bodies (parsed JD, signals, details, persistence rows) or the JD text, which make a run large.
SUMMARY_PATHS: tuple[str, ...] = (
    "name",
    "run_id",
    "status",
    "create_time",
    "update_time",
    "idempotency_key",
    "library_version",
    "backend",
    "options",
    "title_hint",
    "stage",
    "extraction.rejected",
    "extraction.jd_role",
    "extraction.decision.decision_case",
    "extraction.decision.case_letter",
    "extraction.decision.chosen_role",
    "extraction.decision.confidence",
    "extraction.decision.is_new_role",
    "stage_metrics",
    "total_usage",
    "warnings",
)


def invalid_paths(paths: Sequence[str]) -> list[str]:
    """The paths that are not field paths of the Run (a path may end at a list or map, not go
    inside one): what the server refuses in a read mask, and a client can check before sending."""
    return [
        p
        for p in paths
        if not field_mask_pb2.FieldMask(paths=[p]).IsValidForDescriptor(run_pb2.Run.DESCRIPTOR)
    ]


def apply_read_mask(run: run_pb2.Run, paths: Sequence[str]) -> run_pb2.Run:
    """``run`` restricted to ``paths``; the whole run when there are none. Paths must be valid."""
    if not paths:
        return run
    masked = run_pb2.Run()
    field_mask_pb2.FieldMask(paths=list(paths)).MergeMessage(run, masked)
    return masked
