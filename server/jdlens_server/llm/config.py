"""Settings of the anthropic backend: models per stage, timeouts, retries, breaker, batches.

The API key is deliberately not a setting: ``AnthropicBackend`` reads it from the environment
(``ANTHROPIC_API_KEY``) and hands it to the SDK client only, so no config object, repr or log
line can carry it.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass, field, replace

from jdlens_server.errors import SetupError
from jdlens_server.llm.breaker import BreakerConfig

__all__ = [
    "API_KEY_ENV",
    "DEFAULT_MODEL",
    "AnthropicConfig",
    "BatchPolicy",
    "LlmConfigError",
    "RetryPolicy",
    "StageModels",
]

API_KEY_ENV = "ANTHROPIC_API_KEY"
DEFAULT_MODEL = "claude-haiku-4-5"
_FLAGS = {"1": True, "true": True, "yes": True, "0": False, "false": False, "no": False}


class LlmConfigError(SetupError, ValueError):
    """The backend cannot be built as configured (no key, a model without a price, bad numbers)."""


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """Exponential backoff with full jitter on 408/409/429/5xx/529, timeouts and connection errors.

    ``max_attempts`` counts the first try. No retry starts when it would end past ``deadline_s``
    after the first try began (a request's own timeout counts), so a stage's worst case is bounded.
    A server ``retry-after`` is honoured up to ``max_delay_s``.
    """

    max_attempts: int = 3
    base_delay_s: float = 0.5
    max_delay_s: float = 8.0
    deadline_s: float = 90.0

    def __post_init__(self) -> None:
        if self.max_attempts < 1 or self.base_delay_s < 0 or self.max_delay_s < self.base_delay_s:
            raise LlmConfigError("retry: max_attempts >= 1 and 0 <= base_delay_s <= max_delay_s")

    def delay(self, attempt: int, retry_after: float | None, rng: random.Random) -> float:
        """Seconds to wait after failed attempt number ``attempt`` (1-based)."""
        ceiling = min(self.max_delay_s, self.base_delay_s * 2 ** (attempt - 1))
        wait = rng.uniform(0.0, ceiling)
        if retry_after is not None:
            wait = max(wait, min(retry_after, self.max_delay_s))
        return wait


@dataclass(frozen=True, slots=True)
class BatchPolicy:
    """Message Batches polling: the first wait, doubling (with jitter) up to ``poll_max_s``."""

    poll_initial_s: float = 10.0
    poll_max_s: float = 120.0
    # Batches end within 24 h (then unfinished requests expire); give up a little after that.
    max_wait_s: float = 25 * 3600.0
    # Requests per batch (the API allows 100,000 and 256 MB; JDs of a few kB stay far below both).
    max_requests: int = 10_000
    # Standard calls in flight at once after a batch ends (repairs, items retried alone).
    follow_up_concurrency: int = 8

    def __post_init__(self) -> None:
        if self.poll_initial_s < 0 or self.poll_max_s < self.poll_initial_s or self.max_requests < 1:
            raise LlmConfigError("batch: 0 <= poll_initial_s <= poll_max_s and max_requests >= 1")
        if self.follow_up_concurrency < 1:
            raise LlmConfigError("batch: follow_up_concurrency >= 1")


@dataclass(frozen=True, slots=True)
class StageModels:
    extract: str = DEFAULT_MODEL
    tie_break: str = DEFAULT_MODEL
    skill_meta: str = DEFAULT_MODEL


@dataclass(frozen=True, slots=True)
class AnthropicConfig:
    models: StageModels = field(default_factory=StageModels)
    # None: the SDK's default (https://api.anthropic.com); tests point it at a local stub.
    base_url: str | None = None
    # Per HTTP request. A stage-1 answer (~300 output tokens) takes a few seconds on Haiku 4.5.
    timeout_s: float = 30.0
    connect_timeout_s: float = 5.0
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    breaker: BreakerConfig = field(default_factory=BreakerConfig)
    batch: BatchPolicy = field(default_factory=BatchPolicy)
    # Also ask stage 1 for experience, education, certifications, pay and places (the offline parser
    # reads those by rule); roughly doubles the stage's cost. See schema.py.
    extract_facts: bool = False
    # Output caps per call; stage 1 needs ~150-500 tokens, so 2,048 only stops a runaway answer.
    max_tokens_extract: int = 2048
    max_tokens_tie_break: int = 512
    max_tokens_skill_meta_per_skill: int = 160

    def __post_init__(self) -> None:
        if self.timeout_s <= 0 or self.connect_timeout_s <= 0:
            raise LlmConfigError("timeouts must be positive")

    @property
    def stage_budget_s(self) -> float:
        """How long a caller waits for one stage before it gives up (and the call is cancelled):
        the call and its one repair, each within the retry deadline or one request's timeouts,
        whichever is longer, plus a second. A backstop: those limits normally end a stage first."""
        one_call = max(self.retry.deadline_s, self.connect_timeout_s + self.timeout_s)
        return 2 * one_call + 1.0

    def batch_budget_s(self, n_items: int) -> float:
        """How long a caller waits for ``n_items`` extractions through Message Batches: the polling
        limit, the submit and results calls, then each item's follow-up call (a repair or a retry
        alone) in rounds of ``batch.follow_up_concurrency``."""
        rounds = -(-max(n_items, 0) // self.batch.follow_up_concurrency)
        return self.batch.max_wait_s + self.stage_budget_s * (rounds + 1)

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> AnthropicConfig:
        """Defaults overridden by JDLENS_LLM_MODEL (every stage), JDLENS_LLM_MODEL_EXTRACT,
        JDLENS_LLM_MODEL_TIE_BREAK, JDLENS_LLM_MODEL_SKILL_META, JDLENS_LLM_TIMEOUT_S,
        JDLENS_LLM_EXTRACT_FACTS (1/true: stage 1 also asks for the facts) and ANTHROPIC_BASE_URL."""
        every = environ.get("JDLENS_LLM_MODEL") or DEFAULT_MODEL
        models = StageModels(
            extract=environ.get("JDLENS_LLM_MODEL_EXTRACT") or every,
            tie_break=environ.get("JDLENS_LLM_MODEL_TIE_BREAK") or every,
            skill_meta=environ.get("JDLENS_LLM_MODEL_SKILL_META") or every,
        )
        config = cls(models=models, base_url=environ.get("ANTHROPIC_BASE_URL") or None)
        if timeout := environ.get("JDLENS_LLM_TIMEOUT_S"):
            try:
                config = replace(config, timeout_s=float(timeout))
            except ValueError as exc:
                raise LlmConfigError(f"JDLENS_LLM_TIMEOUT_S: not a number: {timeout!r}") from exc
        facts = environ.get("JDLENS_LLM_EXTRACT_FACTS", "").strip().lower()
        if facts:
            if facts not in _FLAGS:
                raise LlmConfigError(f"JDLENS_LLM_EXTRACT_FACTS: expected 1/0, true/false, got {facts!r}")
            config = replace(config, extract_facts=_FLAGS[facts])
        return config
