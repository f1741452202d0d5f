"""Stages 2 and 3 continue from the run in hand when the store still has it at the status it had,
and answer with the stored run (replayed) when a twin request moved it on meanwhile."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from jdlens.v1 import run_pb2
from jdlens_server.app import Runtime
from jdlens_server.pipeline import run_store
from pipeline_runtime import REFERENCE_JD, library_runtime, stage1


@pytest.fixture
def rt(sqlite_url: str) -> Iterator[Runtime]:
    runtime = library_runtime(sqlite_url)
    yield runtime
    runtime.close()


def _stored(rt: Runtime, name: str) -> run_pb2.Run:
    with rt.factory() as session:
        return run_store.load(session, name)


def test_a_stage_continues_the_run_in_hand_as_stored(rt: Runtime) -> None:
    run = stage1(rt, REFERENCE_JD)
    detailed, replayed = rt.core._details(run)
    assert not replayed and detailed.status == run_pb2.RUN_STATUS_DETAILED
    assert detailed == _stored(rt, run.name)
    completed, replayed = rt.core._final(detailed)
    assert not replayed and completed.status == run_pb2.RUN_STATUS_COMPLETED
    assert completed == _stored(rt, run.name)


def test_a_twin_that_moved_the_run_on_wins(rt: Runtime) -> None:
    run = stage1(rt, REFERENCE_JD)
    stale = run_pb2.Run()
    stale.CopyFrom(run)  # read at stage 1, before the twin's stage 2
    twin, _ = rt.core.extract_details(run.name)
    again, replayed = rt.core._details(stale)
    assert replayed
    assert again == twin == _stored(rt, run.name)

    stale.CopyFrom(twin)
    done, _ = rt.core.finalize_role(run.name)
    again, replayed = rt.core._final(stale)
    assert replayed
    assert again == done == _stored(rt, run.name)
