"""Replicas share one store: an approval on one process reaches the others' live library through
the watcher, in the background, on SQLite and PostgreSQL."""

from __future__ import annotations

import time

import pytest

from jdlens.v1 import library_pb2, pipeline_service_pb2, run_pb2
from jdlens.v1 import library_service_pb2 as pb
from jdlens_server.app import Runtime, build_runtime
from jdlens_server.library import review_queue
from jdlens_server.library.watcher import LibraryWatcher
from jdlens_server.store.db import transaction
from pipeline_runtime import library_runtime

LANGCHAIN_JD = """Machine Learning Engineer

About the role
We build retrieval and chat products on large language models for our customers.

Responsibilities
- Build retrieval pipelines with LangChain and Python for our assistants.
- Evaluate answer quality and deploy models to production.

Requirements
- Experience with LangChain, Python and SQL.
"""


def _skills(runtime: object, text: str) -> set[str]:
    run, _ = runtime.core.extract_from_jd(  # type: ignore[attr-defined]
        pipeline_service_pb2.ExtractFromJdRequest(
            jd=pipeline_service_pb2.JdInput(text=text), options=run_pb2.RunOptions(dry_run=True)
        )
    )
    return {s.skill_name for s in run.extraction.skills if not s.is_new}


def _approve_langchain(approving: Runtime, *, is_primary: bool) -> pb.ResolveReviewItemResponse:
    """Queue LangChain as a new skill on ``approving`` and approve it there (a new library version)."""
    with transaction(approving.factory) as session:
        item_id, _, _ = review_queue.propose(
            session,
            kind="new_skill",
            subject="LangChain",
            role_id=None,
            payload=library_pb2.NewSkillProposal(skill_name="LangChain", is_primary=is_primary),
            run_id=None,
        )
    return approving.review.resolve_review_item(
        pb.ResolveReviewItemRequest(name=f"reviewItems/{item_id}", decision=pb.REVIEW_DECISION_APPROVE)
    )


def test_an_approval_on_one_replica_reaches_the_other(db_url: str) -> None:
    approving = library_runtime(db_url)  # imports the library and serves it
    other = build_runtime(db_url)  # a second replica over the same store, no watcher thread
    try:
        watcher = LibraryWatcher(other.library, other.core.warm_up)
        assert "LangChain" not in _skills(other, LANGCHAIN_JD)
        assert not watcher.check_now()  # nothing moved yet

        response = _approve_langchain(approving, is_primary=True)
        assert "LangChain" in _skills(approving, LANGCHAIN_JD)  # the approving process: at once
        assert "LangChain" not in _skills(other, LANGCHAIN_JD)  # the other: still its loaded version

        assert watcher.check_now()
        assert other.library.current().snapshot.version == response.library_version
        assert "LangChain" in _skills(other, LANGCHAIN_JD)
        assert not watcher.check_now() and watcher.reloads == 1
    finally:
        other.close()
        approving.close()


def test_the_watcher_thread_refreshes_on_its_own(sqlite_url: str) -> None:
    approving = library_runtime(sqlite_url)
    other = build_runtime(sqlite_url, library_refresh_s=0.2)
    try:
        assert other.watcher is not None
        before = other.library.current().snapshot.version
        _approve_langchain(approving, is_primary=False)
        deadline = time.monotonic() + 60
        while other.watcher.reloads == 0:  # reloaded and warmed up
            assert time.monotonic() < deadline, "the watcher did not pick up the new version"
            time.sleep(0.05)
        assert other.library.current().snapshot.version > before
    finally:
        other.close()
        approving.close()
    assert not other.watcher.is_running


def test_an_interval_must_be_positive(sqlite_url: str) -> None:
    runtime = library_runtime(sqlite_url)
    try:
        with pytest.raises(ValueError, match="positive"):
            LibraryWatcher(runtime.library, runtime.core.warm_up, 0)
    finally:
        runtime.close()
