"""Stage 1 for many JDs through the Message Batches API: half price, answers within 24 hours.

Submit (in chunks of ``BatchPolicy.max_requests``), poll each batch with doubling, jittered waits
until it has ended, stream its results and match them back by custom id. A succeeded item goes
through the same validation (and, when invalid, the same one repair, as a standard call) as a
single extraction; an errored, expired or canceled item, or one missing from the results, is
retried once on its own as a standard call. Every item ends as an ``LlmExtraction`` or an
``LlmFallback``: nothing is lost.

Custom ids sent to the API are our own (``jd-<n>``): callers' ids need not meet the API's
``^[A-Za-z0-9_-]{1,64}$`` rule, and they are mapped back on the way out.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from anthropic.types.messages import MessageBatch, MessageBatchIndividualResponse
from anthropic.types.messages.batch_create_params import Request

from jdlens_server.llm.backend import LlmExtraction, LlmFallback

if TYPE_CHECKING:
    from anthropic.types.message_create_params import MessageCreateParamsNonStreaming

    from jdlens_server.llm.anthropic_backend import AnthropicBackend

__all__ = ["run_extraction_batches"]

log = logging.getLogger(__name__)

Outcome = LlmExtraction | LlmFallback


@dataclass(frozen=True, slots=True)
class _Item:
    custom_id: str  # the caller's
    text: str
    hints: tuple[str, ...]
    params: MessageCreateParamsNonStreaming


@dataclass(frozen=True, slots=True)
class _Submitted:
    batch: MessageBatch
    items: dict[str, _Item]  # by our custom id


def _retry_alone(backend: AnthropicBackend, item: _Item, why: str) -> Outcome:
    log.info("batch item %s %s: retrying it alone", item.custom_id, why)
    try:
        return backend.finish_extraction(item.params, item.text, item.hints)
    except LlmFallback as exc:
        return LlmFallback(f"batch item {why}; retried alone: {exc.reason}", exc.usage)


def _wait(backend: AnthropicBackend, batch: MessageBatch) -> MessageBatch:
    """Poll until the batch has ended; raises LlmFallback when it does not within ``max_wait_s``."""
    policy = backend.config.batch
    batch_id = batch.id
    began = time.monotonic()
    delay = policy.poll_initial_s
    while batch.processing_status != "ended":
        if time.monotonic() - began > policy.max_wait_s:
            try:
                backend.send(lambda: backend.client.messages.batches.cancel(batch_id))
            except LlmFallback as exc:
                log.warning("batch %s: cancel failed: %s", batch_id, exc.reason)
            raise LlmFallback(f"batch did not end within {policy.max_wait_s:g}s")
        backend.sleep(delay * backend.rng.uniform(0.8, 1.2))
        delay = min(policy.poll_max_s, max(delay * 2, 0.001))
        batch, _ = backend.send(lambda: backend.client.messages.batches.retrieve(batch_id))
    return batch


def _collect(backend: AnthropicBackend, submitted: _Submitted, out: dict[str, Outcome]) -> None:
    try:
        batch_id = _wait(backend, submitted.batch).id
        lines: list[MessageBatchIndividualResponse]
        lines, _ = backend.send(lambda: list(backend.client.messages.batches.results(batch_id)))
    except LlmFallback as exc:
        for lost in submitted.items.values():
            out[lost.custom_id] = LlmFallback(f"batch {exc.reason}")
        return
    seen: set[str] = set()
    for line in lines:
        item = submitted.items.get(line.custom_id)
        if item is None or line.custom_id in seen:
            continue
        seen.add(line.custom_id)
        result = line.result
        if result.type == "succeeded":
            first = (result.message, backend.usage_of(result.message, item.params["model"], 0.0, batch=True))
            try:
                out[item.custom_id] = backend.finish_extraction(
                    item.params, item.text, item.hints, first=first
                )
            except LlmFallback as exc:
                out[item.custom_id] = exc
        elif result.type == "errored":
            out[item.custom_id] = _retry_alone(backend, item, f"errored ({result.error.error.type})")
        else:
            out[item.custom_id] = _retry_alone(backend, item, result.type)
    for custom_id, missing in submitted.items.items():
        if custom_id not in seen:
            out[missing.custom_id] = _retry_alone(backend, missing, "missing from the results")


def _create(backend: AnthropicBackend, requests: list[Request]) -> MessageBatch:
    batch, _ = backend.send(lambda: backend.client.messages.batches.create(requests=requests))
    return batch


def run_extraction_batches(
    backend: AnthropicBackend, items: Sequence[tuple[str, str, Sequence[str]]], *, model: str | None = None
) -> dict[str, Outcome]:
    """Extractions for ``(custom_id, text, hints)`` items, keyed by custom id, in the items' order."""
    ids = [custom_id for custom_id, _, _ in items]
    if len(set(ids)) != len(ids):
        raise ValueError("batch items need distinct custom ids")
    out: dict[str, Outcome] = {}
    submitted: list[_Submitted] = []
    size = backend.config.batch.max_requests
    for start in range(0, len(items), size):
        chunk = {
            f"jd-{start + n}": _Item(cid, text, tuple(hints), backend.extraction_params(text, hints, model))
            for n, (cid, text, hints) in enumerate(items[start : start + size])
        }
        requests: list[Request] = [{"custom_id": key, "params": it.params} for key, it in chunk.items()]
        try:
            batch = _create(backend, requests)
        except LlmFallback as exc:
            for it in chunk.values():
                out[it.custom_id] = LlmFallback(f"batch submit failed: {exc.reason}")
            continue
        log.info("batch %s submitted with %d requests", batch.id, len(requests))
        submitted.append(_Submitted(batch, chunk))
    for sub in submitted:
        _collect(backend, sub, out)
    return {custom_id: out[custom_id] for custom_id in ids}
