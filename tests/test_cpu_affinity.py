"""The request threads on one CPU, the embedder's lanes and background passes on all of them."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import numpy as np
import pytest

from grpc_harness import fresh_sqlite_url, running_server
from jdlens.v1 import run_service_pb2
from jdlens_server import cpu_affinity, huge_pages
from jdlens_server.grpc_api.server import ServerConfig
from jdlens_server.llm.loop_thread import LoopThread
from jdlens_server.nlp.embedder import DEFAULT_EMBEDDER, OnnxEmbedder, model_spec

T = TypeVar("T")

needs_two_cpus = pytest.mark.skipif(
    not cpu_affinity.supported() or len(cpu_affinity.process_cpus()) < 2,
    reason="pinning is only observable with thread affinity and at least two CPUs",
)


def _on_thread(work: Callable[[], T]) -> T:
    """``work()`` on a new thread (so a pin never leaks into the test runner's own thread)."""
    box: list[T] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            box.append(work())
        except BaseException as exc:
            errors.append(exc)

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(30)
    assert not thread.is_alive(), "the work did not finish within 30 s"
    if errors:
        raise errors[0]
    return box[0]


def test_configured_cpu_reads_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    if not cpu_affinity.supported():
        assert cpu_affinity.configured_cpu({cpu_affinity.ENV_VAR: "0"}) is None
        return
    for cpus, auto in (({0, 1}, 1), ({2, 5}, 5), ({0}, None), ({0, 1, 2, 3}, None)):
        monkeypatch.setattr(cpu_affinity, "process_cpus", lambda cpus=cpus: set(cpus))
        assert cpu_affinity.configured_cpu({}) == auto, cpus
        assert cpu_affinity.configured_cpu({cpu_affinity.ENV_VAR: "AUTO"}) == auto, cpus
        for off in ("off", "OFF", "no", "none", ""):
            assert cpu_affinity.configured_cpu({cpu_affinity.ENV_VAR: off}) is None
        chosen = min(cpus)
        assert cpu_affinity.configured_cpu({cpu_affinity.ENV_VAR: f" {chosen} "}) == chosen
    with pytest.raises(ValueError, match=r"may use CPUs \[0, 1, 2, 3\] only"):
        cpu_affinity.configured_cpu({cpu_affinity.ENV_VAR: "7"})
    with pytest.raises(ValueError, match="expected auto, off or a CPU number"):
        cpu_affinity.configured_cpu({cpu_affinity.ENV_VAR: "fast"})


@needs_two_cpus
def test_a_pinned_thread_passes_its_pin_on_until_released() -> None:
    everywhere = cpu_affinity.process_cpus()
    cpu = min(everywhere)

    def pinned() -> tuple[set[int], set[int], set[int]]:
        cpu_affinity.pin_current_thread(cpu)
        own = set(os.sched_getaffinity(0))
        inherited = _on_thread(lambda: set(os.sched_getaffinity(0)))

        def released() -> set[int]:
            cpu_affinity.release_current_thread()
            return set(os.sched_getaffinity(0))

        return own, inherited, _on_thread(released)

    own, inherited, released = _on_thread(pinned)
    assert own == {cpu}
    assert inherited == {cpu}  # why the lanes must release themselves
    assert released == everywhere
    assert cpu_affinity.process_cpus() == everywhere  # the process's own set never narrowed


@needs_two_cpus
def test_embedder_lanes_started_by_a_pinned_thread_run_on_every_cpu(monkeypatch: pytest.MonkeyPatch) -> None:
    everywhere = cpu_affinity.process_cpus()
    emb = OnnxEmbedder(model_spec(DEFAULT_EMBEDDER), threads=2, cache_size=0)
    seen: list[set[int]] = []
    run_batch = emb._run_batch

    def spy(seqs: list[list[int]]) -> np.ndarray:
        seen.append(set(os.sched_getaffinity(0)))
        return run_batch(seqs)

    monkeypatch.setattr(emb, "_run_batch", spy)

    def pinned_call() -> np.ndarray:
        cpu_affinity.pin_current_thread(min(everywhere))
        return emb.embed(["Design data pipelines", "Bake bread for the shop", "Repair vehicle brakes"])

    vectors = _on_thread(pinned_call)
    assert vectors.shape[0] == 3
    assert seen and all(cpus == everywhere for cpus in seen)


async def _work_thread_cpus(tmp_path: Path, config: ServerConfig) -> list[set[int]]:
    """The CPU sets of the request threads a real server started to answer one RunService call."""
    tmp_path.mkdir()
    before = {t.ident for t in threading.enumerate()}
    async with running_server(fresh_sqlite_url(tmp_path), config) as h:
        await h.runs.ListRuns(run_service_pb2.ListRunsRequest(page_size=5))
        workers = [
            t
            for t in threading.enumerate()
            if t.ident not in before and t.name.startswith("jdlens-work") and t.native_id is not None
        ]
        return [set(os.sched_getaffinity(t.native_id)) for t in workers if t.native_id is not None]


@needs_two_cpus
async def test_the_servers_request_threads_run_where_the_config_says(tmp_path: Path) -> None:
    everywhere = cpu_affinity.process_cpus()
    cpu = max(everywhere)
    pinned = await _work_thread_cpus(tmp_path / "pinned", ServerConfig(pipeline_cpu=cpu))
    assert pinned and all(cpus == {cpu} for cpus in pinned)
    free = await _work_thread_cpus(tmp_path / "free", ServerConfig())
    assert free and all(cpus == everywhere for cpus in free)


@needs_two_cpus
def test_the_huge_pages_pass_started_by_a_pinned_thread_runs_on_every_cpu(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    everywhere = cpu_affinity.process_cpus()
    seen: list[set[int]] = []
    monkeypatch.setattr(huge_pages, "enabled", lambda: True)
    monkeypatch.setattr(huge_pages, "back_with_huge_pages", lambda: seen.append(set(os.sched_getaffinity(0))))

    def pinned_reload() -> threading.Thread | None:
        cpu_affinity.pin_current_thread(min(everywhere))
        return huge_pages.back_in_background()  # as a reload on a request thread starts it

    thread = _on_thread(pinned_reload)
    assert thread is not None
    thread.join(10)
    assert seen == [everywhere]


@needs_two_cpus
def test_the_model_backends_loop_thread_started_by_a_pinned_thread_runs_on_every_cpu() -> None:
    everywhere = cpu_affinity.process_cpus()
    loop_thread = LoopThread("jdlens-test-loop")

    async def loop_cpus() -> set[int]:
        return set(os.sched_getaffinity(0))

    def pinned_first_use() -> set[int]:
        cpu_affinity.pin_current_thread(min(everywhere))  # a request thread makes the first call
        return loop_thread.run(loop_cpus(), timeout=10)

    try:
        assert _on_thread(pinned_first_use) == everywhere
    finally:
        loop_thread.close()


@needs_two_cpus
def test_a_cpu_that_cannot_be_pinned_leaves_the_thread_unpinned(
    caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cpu_affinity, "_warned", False)  # the warning comes once per process
    everywhere = cpu_affinity.process_cpus()
    outside = max(everywhere) + 1  # not in the process's set: the kernel refuses it

    def pin_outside() -> set[int]:
        cpu_affinity.pin_current_thread(outside)  # as a pool's initializer: must not raise
        return set(os.sched_getaffinity(0))

    with caplog.at_level("WARNING", logger="jdlens"):
        assert _on_thread(pin_outside) == everywhere
    assert any(cpu_affinity.ENV_VAR in r.getMessage() for r in caplog.records)


def test_a_bad_value_is_refused_before_anything_else(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cpu_affinity, "supported", lambda: False)  # even where pinning is unavailable
    with pytest.raises(ValueError, match="expected auto, off or a CPU number"):
        cpu_affinity.configured_cpu({cpu_affinity.ENV_VAR: "fast"})
    assert cpu_affinity.configured_cpu({cpu_affinity.ENV_VAR: "1"}) is None
    assert cpu_affinity.configured_cpu({}) is None
