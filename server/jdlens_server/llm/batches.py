"""Stage 1 for many JDs through the Message Batches API: half price, answers within 24 hours.

Submit (in chunks of ``BatchPolicy.max_requests``), poll the batches concurrently with doubling,
jittered waits until each has ended, read its results and match them back by custom id. A
succeeded item goes through the same validation (and, when invalid, the same one repair, as a
standard call) as a single extraction; an errored, expired or canceled item, or one missing from
the results, is retried once on its own as a standard call (``follow_up_concurrency`` at a time).
Every item ends as an ``LlmExtraction`` or an ``LlmFallback``: nothing is lost.

All of it is one coroutine on the backend's loop, so it can be cancelled (the stream that wanted
the answers is gone, or the backend closes): polling stops and a batch still processing is
cancelled at the API (``messages.batches.cancel``), so it is neither polled nor processed for
nobody; items without an answer yet get none (the caller marks them).

Custom ids sent to the API are our own (``jd-<n>``): callers' ids need not meet the API's
``^[A-Za-z0-9_-]{1,64}$`` rule, and they are mapped back on the way out.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from anthropic.types.messages import MessageBatch, MessageBatchIndividualResponse
from anthropic.types.messages.batch_create_params import Request

from jdlens_server.llm.backend import LlmFallback, Outcome

if TYPE_CHECKING:
    from anthropic.types.message_create_params import MessageCreateParamsNonStreaming

    from jdlens_server.llm.anthropic_backend import AnthropicBackend

__all__ = ["run_extraction_batches"]

log = logging.getLogger(__name__)


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


async def _retry_alone(backend: AnthropicBackend, item: _Item, why: str) -> Outcome:
    log.info("batch item %s %s: retrying it alone", item.custom_id, why)
    try:
        return await backend.finish_extraction(item.params, item.text, item.hints)
    except LlmFallback as exc:
        return LlmFallback(f"batch item {why}; retried alone: {exc.reason}", exc.usage)


async def _cancel_at_api(backend: AnthropicBackend, batch_id: str, why: str) -> None:
    try:
        await backend.send(lambda: backend.client.messages.batches.cancel(batch_id))
        log.info("batch %s cancelled (%s)", batch_id, why)
    except LlmFallback as exc:
        log.warning("batch %s: cancel failed: %s", batch_id, exc.reason)


async def _wait(backend: AnthropicBackend, batch: MessageBatch) -> MessageBatch:
    """Poll until the batch has ended; raises LlmFallback when it does not within ``max_wait_s``.
    Cancelled while polling: cancels the batch at the API, then lets the cancellation through."""
    policy = backend.config.batch
    batch_id = batch.id
    began = time.monotonic()
    delay = policy.poll_initial_s
    try:
        while batch.processing_status != "ended":
            if time.monotonic() - began > policy.max_wait_s:
                await _cancel_at_api(backend, batch_id, "waited too long")
                raise LlmFallback(f"did not end within {policy.max_wait_s:g}s")
            await backend.sleep(delay * backend.rng.uniform(0.8, 1.2))
            delay = min(policy.poll_max_s, max(delay * 2, 0.001))
            batch, _ = await backend.send(lambda: backend.client.messages.batches.retrieve(batch_id))
    except asyncio.CancelledError:
        await _cancel_at_api(backend, batch_id, "its caller was cancelled")
        raise
    return batch


async def _results(backend: AnthropicBackend, batch_id: str) -> list[MessageBatchIndividualResponse]:
    decoder = await backend.client.messages.batches.results(batch_id)
    return [line async for line in decoder]


async def _collect(backend: AnthropicBackend, submitted: _Submitted, out: dict[str, Outcome]) -> None:
    try:
        batch_id = (await _wait(backend, submitted.batch)).id
        lines, _ = await backend.send(lambda: _results(backend, batch_id))
    except LlmFallback as exc:
        for lost in submitted.items.values():
            out[lost.custom_id] = LlmFallback(f"batch {exc.reason}")
        return
    limit = asyncio.Semaphore(backend.config.batch.follow_up_concurrency)

    async def settle(item: _Item, outcome: Awaitable[Outcome]) -> None:
        async with limit:
            out[item.custom_id] = await outcome

    async def finish(item: _Item, line: MessageBatchIndividualResponse) -> Outcome:
        result = line.result
        if result.type == "succeeded":
            first = (result.message, backend.usage_of(result.message, item.params["model"], 0.0, batch=True))
            try:
                return await backend.finish_extraction(item.params, item.text, item.hints, first=first)
            except LlmFallback as exc:
                return exc
        if result.type == "errored":
            return await _retry_alone(backend, item, f"errored ({result.error.error.type})")
        return await _retry_alone(backend, item, result.type)

    work: list[Awaitable[None]] = []
    seen: set[str] = set()
    for line in lines:
        item = submitted.items.get(line.custom_id)
        if item is None or line.custom_id in seen:
            continue
        seen.add(line.custom_id)
        work.append(settle(item, finish(item, line)))
    for custom_id, missing in submitted.items.items():
        if custom_id not in seen:
            work.append(settle(missing, _retry_alone(backend, missing, "missing from the results")))
    await asyncio.gather(*work)


async def _create(backend: AnthropicBackend, requests: list[Request]) -> MessageBatch:
    """Submit one batch. Cancelled meanwhile, the batch may exist already: the submit is let
    finish (shielded) and the batch it made cancelled at the API, so nobody's batch runs on."""
    submit = asyncio.ensure_future(
        backend.send(lambda: backend.client.messages.batches.create(requests=requests))
    )
    try:
        batch, _ = await asyncio.shield(submit)
    except asyncio.CancelledError:
        try:
            made, _ = await submit
        except (LlmFallback, asyncio.CancelledError):
            raise asyncio.CancelledError from None
        await _cancel_at_api(backend, made.id, "its caller was cancelled while it was submitted")
        raise
    return batch


async def run_extraction_batches(
    backend: AnthropicBackend,
    items: Sequence[tuple[str, str, Sequence[str]]],
    out: dict[str, Outcome],
    *,
    model: str | None = None,
) -> None:
    """Each ``(custom_id, text, hints)`` item's extraction or fallback, put in ``out`` by custom
    id as it is known (so a cancelled run leaves the answers it had)."""
    submitted: list[_Submitted] = []
    size = backend.config.batch.max_requests
    for start in range(0, len(items), size):
        chunk = {
            f"jd-{start + n}": _Item(cid, text, tuple(hints), backend.extraction_params(text, hints, model))
            for n, (cid, text, hints) in enumerate(items[start : start + size])
        }
        requests: list[Request] = [{"custom_id": key, "params": it.params} for key, it in chunk.items()]
        try:
            batch = await _create(backend, requests)
        except LlmFallback as exc:
            for it in chunk.values():
                out[it.custom_id] = LlmFallback(f"batch submit failed: {exc.reason}")
            continue
        log.info("batch %s submitted with %d requests", batch.id, len(requests))
        submitted.append(_Submitted(batch, chunk))
    await asyncio.gather(*(_collect(backend, sub, out) for sub in submitted))
