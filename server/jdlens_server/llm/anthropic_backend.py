"""The anthropic backend: one structured Messages call per stage, costed, retried, breaker-guarded.

Design choices:
- Async client, synchronous face. The pipeline core is synchronous and runs in a thread pool; the
  backend owns one event-loop thread (``LoopThread``, started on first use, stopped by ``close``)
  where the SDK's ``AsyncAnthropic`` client runs. Each public method submits a coroutine there and
  waits for it with a budget (``AnthropicConfig.stage_budget_s``; for batches ``batch_budget_s``);
  past the budget, or when a caller's ``Cancellation`` fires, the coroutine is cancelled on the
  loop, so an HTTP request is aborted and a batch being polled stops (and is cancelled at the API)
  instead of holding a pool thread for up to a day. Backoff and polling waits are ``asyncio.sleep``.
- Structured outputs (``output_config.format`` with a JSON schema, GA on claude-haiku-4-5): the
  API constrains decoding to the schema, so malformed JSON is rare and no forced tool call (with its
  tool-use system prompt tokens) is needed. The answer is still validated here: against the schema
  (a model without structured-output support, or a truncated answer) and by the readers' checks.
  One repair call sends the errors back; a second failure raises ``LlmFallback``.
- Own retry loop, SDK retries off (``max_retries=0``): the loop sees every attempt, so the stage's
  time budget (``RetryPolicy.deadline_s``), the breaker and the latency accounting cover retries,
  and the backoff parameters are ours (the SDK's are fixed at 0.5-8 s).
- Only failures to get an answer from the API count against the breaker; an invalid answer means
  the API is up (the model misread), so it closes the breaker like any response. A cancelled call
  is no outcome: it only frees a half-open probe.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import json
import logging
import os
import random
import time
from collections.abc import Awaitable, Callable, Coroutine, Mapping, Sequence
from dataclasses import replace
from typing import Any, TypeVar

import anthropic
from anthropic.types import Message, MessageParam
from anthropic.types.message_create_params import MessageCreateParamsNonStreaming

from jdlens_server.llm import prompts
from jdlens_server.llm.backend import (
    LlmExtraction,
    LlmFallback,
    Outcome,
    SkillMetaResult,
    StageUsage,
    TieBreakCandidate,
    TieBreakResult,
)
from jdlens_server.llm.batches import run_extraction_batches
from jdlens_server.llm.breaker import CircuitBreaker
from jdlens_server.llm.cancel import Cancellation
from jdlens_server.llm.config import API_KEY_ENV, AnthropicConfig, LlmConfigError
from jdlens_server.llm.jsoncheck import validate
from jdlens_server.llm.loop_thread import LoopClosed, LoopThread, WaitTimeout
from jdlens_server.llm.prices import PriceTable, load_prices
from jdlens_server.llm.readers import OutputInvalid, read_extraction, read_skill_meta, read_tie_break
from jdlens_server.llm.schema import (
    EXTRACTION_SCHEMA,
    EXTRACTION_SCHEMA_WITH_FACTS,
    SKILL_META_SCHEMA,
    TIE_BREAK_SCHEMA,
    Schema,
)

__all__ = ["AnthropicBackend", "extraction_request", "extraction_schema", "structured_request"]

log = logging.getLogger(__name__)
T = TypeVar("T")
R = TypeVar("R")

_RETRY_STATUS = frozenset({408, 409, 429})
MAX_REASON = 240


def _ms(since: float) -> float:
    return (time.perf_counter() - since) * 1000.0


def _describe(exc: anthropic.AnthropicError, timeout_s: float) -> tuple[str, bool, float | None]:
    """(short reason, retryable, retry-after seconds) for an SDK error; never includes the request."""
    if isinstance(exc, anthropic.APITimeoutError):
        return f"timeout after {timeout_s:g}s", True, None
    if isinstance(exc, anthropic.APIConnectionError):
        return "connection error", True, None
    if isinstance(exc, anthropic.APIStatusError):
        status = exc.status_code
        body = exc.body if isinstance(exc.body, dict) else {}
        error = body.get("error")
        kind = error.get("type") if isinstance(error, dict) else None
        label = {429: "rate limited", 529: "overloaded"}.get(status, "API error")
        reason = f"{label} ({status}{', ' + kind if isinstance(kind, str) else ''})"
        retry_after: float | None = None
        header = exc.response.headers.get("retry-after")
        if header:
            try:
                retry_after = float(header)
            except ValueError:
                retry_after = None
        return reason, status in _RETRY_STATUS or status >= 500, retry_after
    return type(exc).__name__, False, None


def structured_request(
    model: str, instructions: str, schema: Schema, messages: list[MessageParam], max_tokens: int
) -> MessageCreateParamsNonStreaming:
    """A Messages request: cache-marked fixed instructions, the answer schema as structured output."""
    return {
        "model": model,
        "max_tokens": max_tokens,
        "system": prompts.system_blocks(instructions),
        "messages": messages,
        "output_config": {"format": {"type": "json_schema", "schema": schema}},
    }


def extraction_schema(config: AnthropicConfig) -> Schema:
    return EXTRACTION_SCHEMA_WITH_FACTS if config.extract_facts else EXTRACTION_SCHEMA


def extraction_request(
    config: AnthropicConfig, text: str, hints: Sequence[str], model: str | None = None
) -> MessageCreateParamsNonStreaming:
    """Stage 1's request for one JD exactly as the backend sends it (also what the token budget
    in pipeline/llm_budget.py measures)."""
    instructions = prompts.EXTRACT_INSTRUCTIONS + (prompts.FACTS_INSTRUCTIONS if config.extract_facts else "")
    messages: list[MessageParam] = [{"role": "user", "content": prompts.extract_message(text, hints)}]
    return structured_request(
        model or config.models.extract,
        instructions,
        extraction_schema(config),
        messages,
        config.max_tokens_extract,
    )


class AnthropicBackend:
    """``LlmBackend`` over the Anthropic Messages API (and Message Batches for stage 1 in bulk)."""

    def __init__(
        self,
        config: AnthropicConfig | None = None,
        *,
        prices: PriceTable | None = None,
        environ: Mapping[str, str] = os.environ,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        rng: random.Random | None = None,
    ) -> None:
        self.config = config or AnthropicConfig()
        self.prices = prices or load_prices()
        for stage, model in (
            ("extract", self.config.models.extract),
            ("tie_break", self.config.models.tie_break),
            ("skill_meta", self.config.models.skill_meta),
        ):
            if not self.prices.has(model):
                raise LlmConfigError(f"model {model!r} for stage {stage} has no price in the price table")
        api_key = environ.get(API_KEY_ENV, "").strip()
        if not api_key:
            raise LlmConfigError(f"{API_KEY_ENV} is not set: the anthropic backend needs an API key")
        # Built here, bound to the loop on first use (its connection pool is created lazily there).
        self._client = anthropic.AsyncAnthropic(
            api_key=api_key,
            base_url=self.config.base_url,
            max_retries=0,
            timeout=anthropic.Timeout(self.config.timeout_s, connect=self.config.connect_timeout_s),
        )
        self._loop = LoopThread("jdlens-anthropic")
        self.breaker = CircuitBreaker(self.config.breaker)
        self._extraction_schema = extraction_schema(self.config)
        self._sleep = sleep
        self._rng = rng or random.Random()

    def __repr__(self) -> str:
        return f"AnthropicBackend(models={self.config.models}, base_url={self.config.base_url!r})"

    def close(self) -> None:
        """Cancel calls in flight (a batch being polled is cancelled at the API), close the
        client's connections, stop the loop thread. Later calls fall back ("backend closed")."""
        self._loop.close(self._client.close)

    @property
    def client(self) -> anthropic.AsyncAnthropic:
        return self._client

    @property
    def loop_thread(self) -> LoopThread:
        return self._loop

    # ------------------------------------------------------------------ the loop hand-off

    def _wait(self, coro: Coroutine[Any, Any, T], budget_s: float, cancel: Cancellation | None = None) -> T:
        """``coro`` run on the loop thread, waited for up to ``budget_s``; LlmFallback when it is
        not done by then, was cancelled, or the backend is closed."""
        try:
            return self._loop.run(coro, timeout=budget_s, cancel=cancel)
        except LoopClosed as exc:
            raise LlmFallback("the anthropic backend is closed") from exc
        except concurrent.futures.CancelledError as exc:
            raise LlmFallback("cancelled") from exc
        except WaitTimeout as exc:
            self.breaker.record_failure()  # the API (or the network) hung past every limit
            raise LlmFallback(f"no answer within the stage budget ({budget_s:g}s)") from exc

    # ------------------------------------------------------------------ transport: retries + breaker

    async def send(self, request: Callable[[], Awaitable[T]]) -> tuple[T, float]:
        """``await request()`` with retries and the breaker; (its result, ms spent in HTTP). Raises LlmFallback."""
        if not self.breaker.allow():
            raise LlmFallback("circuit open")
        policy = self.config.retry
        began = time.perf_counter()
        http_ms = 0.0
        attempt = 0
        outcome_recorded = False
        try:
            while True:
                attempt += 1
                sent = time.perf_counter()
                try:
                    result = await request()
                except anthropic.AnthropicError as exc:
                    http_ms += _ms(sent)
                    reason, retryable, retry_after = _describe(exc, self.config.timeout_s)
                    delay = policy.delay(attempt, retry_after, self._rng)
                    # A retry must be able to finish (a whole timeout) inside the stage's deadline.
                    ends_s = time.perf_counter() - began + delay + self.config.timeout_s
                    if retryable and attempt < policy.max_attempts and ends_s <= policy.deadline_s:
                        log.info("anthropic: %s, retry %d in %.2fs", reason, attempt, delay)
                        await self._sleep(delay)
                        continue
                    self.breaker.record_failure()
                    outcome_recorded = True
                    tries = f" after {attempt} attempts" if attempt > 1 else ""
                    raise LlmFallback(
                        f"{reason}{tries}", StageUsage(latency_ms=_ms(began), model_ms=http_ms)
                    ) from exc
                http_ms += _ms(sent)
                self.breaker.record_success()
                outcome_recorded = True
                return result, http_ms
        except asyncio.CancelledError:
            if not outcome_recorded:  # no outcome: free a half-open probe, count nothing
                self.breaker.release()
                outcome_recorded = True
            raise
        finally:
            if not outcome_recorded:  # an unexpected error: release a half-open probe
                self.breaker.record_failure()

    # ------------------------------------------------------------------ one structured stage

    def usage_of(self, message: Message, model: str, http_ms: float, *, batch: bool = False) -> StageUsage:
        """The tokens and cost of one response; ``model`` prices it when the response's model has no price."""
        u = message.usage
        tier = "batch" if batch else (u.service_tier or "standard")
        cache_write = u.cache_creation_input_tokens or 0
        write_1h = u.cache_creation.ephemeral_1h_input_tokens if u.cache_creation else 0
        priced = message.model if self.prices.has(message.model) else model
        cost = self.prices.cost(
            priced,
            input_tokens=u.input_tokens,
            output_tokens=u.output_tokens,
            cache_write_5m_tokens=cache_write - write_1h,
            cache_write_1h_tokens=write_1h,
            cache_read_tokens=u.cache_read_input_tokens or 0,
            batch=tier == "batch",
        )
        return StageUsage(
            model=message.model or model,
            input_tokens=u.input_tokens,
            output_tokens=u.output_tokens,
            cache_creation_input_tokens=cache_write,
            cache_read_input_tokens=u.cache_read_input_tokens or 0,
            service_tier=tier,
            cost_usd=cost,
            model_calls=1,
            model_ms=http_ms,
        )

    async def _create(self, params: MessageCreateParamsNonStreaming) -> tuple[Message, float]:
        return await self.send(lambda: self._client.messages.create(**params))

    async def structured(
        self,
        params: MessageCreateParamsNonStreaming,
        schema: Schema,
        read: Callable[[Mapping[str, object]], R],
        *,
        first: tuple[Message, StageUsage] | None = None,
    ) -> tuple[R, StageUsage]:
        """Call (or take ``first``, a batch's answer), validate, read; one repair; else LlmFallback."""
        began = time.perf_counter()
        usage = StageUsage()
        model = params["model"]

        def fail(reason: str, extra: StageUsage | None = None) -> LlmFallback:
            total = usage.plus(extra) if extra is not None else usage
            return LlmFallback(reason[:MAX_REASON], replace(total, latency_ms=_ms(began)))

        for attempt in (1, 2):
            if attempt == 1 and first is not None:
                message, call_usage = first
            else:
                try:
                    message, http_ms = await self._create(params)
                except LlmFallback as exc:
                    raise fail(exc.reason, exc.usage) from exc
                call_usage = self.usage_of(message, model, http_ms)
            usage = usage.plus(call_usage)
            if message.stop_reason == "refusal":
                raise fail("model refused")
            if message.stop_reason == "max_tokens":
                raise fail(f"answer truncated at max_tokens ({params['max_tokens']})")
            answer = "".join(b.text for b in message.content if b.type == "text")
            errors, result = self._read(answer, schema, read)
            if result is not None:
                return result[0], replace(usage, latency_ms=_ms(began))
            log.info("anthropic: invalid answer (attempt %d): %s", attempt, errors[0])
            if attempt == 1:
                params = {
                    **params,
                    "messages": [
                        *params["messages"],
                        {"role": "assistant", "content": answer or "{}"},
                        {"role": "user", "content": prompts.repair_message(errors)},
                    ],
                }
        raise fail(f"invalid output after one repair: {errors[0]}")

    @staticmethod
    def _read(
        answer: str, schema: Schema, read: Callable[[Mapping[str, object]], R]
    ) -> tuple[list[str], tuple[R] | None]:
        try:
            data = json.loads(answer)
        except json.JSONDecodeError as exc:
            return [f"not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}"], None
        errors = validate(data, schema)
        if errors:
            return errors, None
        try:
            return [], (read(data),)
        except OutputInvalid as exc:
            return exc.errors, None

    # ------------------------------------------------------------------ the three stages

    def extraction_params(
        self, text: str, hints: Sequence[str], model: str | None = None
    ) -> MessageCreateParamsNonStreaming:
        return extraction_request(self.config, text, hints, self._model(model, self.config.models.extract))

    async def finish_extraction(
        self,
        params: MessageCreateParamsNonStreaming,
        text: str,
        hints: Sequence[str],
        first: tuple[Message, StageUsage] | None = None,
    ) -> LlmExtraction:
        hint_list = list(hints)
        extraction, usage = await self.structured(
            params, self._extraction_schema, lambda data: read_extraction(data, text, hint_list), first=first
        )
        return replace(extraction, usage=usage)

    def extract(self, text: str, *, hints: Sequence[str], model: str | None = None) -> LlmExtraction:
        params = self.extraction_params(text, hints, model)
        return self._wait(self.finish_extraction(params, text, hints), self.config.stage_budget_s)

    def tie_break(
        self, jd_summary: str, candidates: Sequence[TieBreakCandidate], *, model: str | None = None
    ) -> TieBreakResult:
        if not candidates:
            raise ValueError("tie_break needs at least one candidate")
        if len({c.id.casefold() for c in candidates}) != len(candidates):
            raise ValueError("tie_break candidates need distinct ids")
        chosen = self._model(model, self.config.models.tie_break)
        messages: list[MessageParam] = [
            {"role": "user", "content": prompts.tie_break_message(jd_summary, candidates)}
        ]
        params = structured_request(
            chosen,
            prompts.TIE_BREAK_INSTRUCTIONS,
            TIE_BREAK_SCHEMA,
            messages,
            self.config.max_tokens_tie_break,
        )
        result, usage = self._wait(
            self.structured(params, TIE_BREAK_SCHEMA, lambda data: read_tie_break(data, candidates)),
            self.config.stage_budget_s,
        )
        return TieBreakResult(result.choice, result.reasoning, result.confidence, usage)

    def skill_metadata(self, names: Sequence[str], *, model: str | None = None) -> SkillMetaResult:
        unique = list(dict.fromkeys(n.strip() for n in names if n.strip()))
        if not unique:
            return SkillMetaResult({})
        chosen = self._model(model, self.config.models.skill_meta)
        messages: list[MessageParam] = [{"role": "user", "content": prompts.skill_meta_message(unique)}]
        max_tokens = 200 + self.config.max_tokens_skill_meta_per_skill * len(unique)
        params = structured_request(
            chosen, prompts.SKILL_META_INSTRUCTIONS, SKILL_META_SCHEMA, messages, max_tokens
        )
        suggestions, usage = self._wait(
            self.structured(params, SKILL_META_SCHEMA, lambda data: read_skill_meta(data, unique)),
            self.config.stage_budget_s,
        )
        return SkillMetaResult(suggestions, usage)

    def submit_extractions(
        self,
        items: Sequence[tuple[str, str, Sequence[str]]],
        *,
        model: str | None = None,
        cancel: Cancellation | None = None,
    ) -> dict[str, Outcome]:
        """Stage 1 for many JDs through the Message Batches API (half price); see batches.py.

        ``cancel`` (the stream path passes one) stops the
        work: polling ends, the batch is cancelled at the API, and every item without an answer
        yet comes back as LlmFallback("cancelled").
        """
        ids = [custom_id for custom_id, _, _ in items]
        if len(set(ids)) != len(ids):
            raise ValueError("batch items need distinct custom ids")
        out: dict[str, Outcome] = {}
        why = ""
        try:
            self._wait(
                run_extraction_batches(self, items, out, model=model),
                self.config.batch_budget_s(len(items)),
                cancel,
            )
        except LlmFallback as exc:
            why = exc.reason
        reason = f"batch {why or 'gave no answer'}"
        return {cid: out[cid] if cid in out else LlmFallback(reason) for cid in ids}

    def _model(self, asked: str | None, default: str) -> str:
        model = asked or default
        if not self.prices.has(model):
            raise LlmConfigError(f"model {model!r} has no price in the price table ({self.prices.as_of})")
        return model

    @property
    def sleep(self) -> Callable[[float], Awaitable[None]]:
        return self._sleep

    @property
    def rng(self) -> random.Random:
        return self._rng
