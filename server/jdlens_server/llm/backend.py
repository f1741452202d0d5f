"""The model-backend interface and what it returns: plain frozen dataclasses, no grpc.

A backend answers three questions for the pipeline: stage-1 extraction (the JD's facts and skills),
the role tie-break, and metadata for skills the library lacks. Every result carries the
``StageUsage`` it cost. A backend that cannot answer raises ``LlmFallback``; the caller then runs
the offline rules for that stage and records the reason (and the usage already spent) in the run.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal, Protocol

from jdlens.v1 import common_pb2
from jdlens_server.llm.cancel import Cancellation
from jdlens_server.nlp.parsed import (
    EmploymentType,
    JdType,
    PayPeriod,
    RejectReason,
    Requirement,
    Seniority,
    WorkMode,
)

__all__ = [
    "BatchLlmBackend",
    "LlmBackend",
    "LlmCertification",
    "LlmCompensation",
    "LlmEducation",
    "LlmExperience",
    "LlmExtraction",
    "LlmFallback",
    "LlmLocation",
    "LlmSkill",
    "Located",
    "Outcome",
    "SkillMetaResult",
    "SkillMetaSuggestion",
    "StageUsage",
    "TieBreakCandidate",
    "TieBreakKra",
    "TieBreakResult",
    "sum_usage",
]

ServiceTier = Literal["standard", "batch", "priority", ""]


@dataclass(frozen=True, slots=True)
class StageUsage:
    """Tokens, cost and time of one stage (all model calls it made, repairs and retries included).

    ``input_tokens`` excludes cached tokens, as the API reports it: the prompt is
    ``input_tokens + cache_creation_input_tokens + cache_read_input_tokens``.
    ``latency_ms`` is the stage's wall time; ``model_ms`` the part spent waiting on HTTP calls,
    so ``latency_ms - model_ms`` is what the server added (serialisation, validation, backoff).
    """

    model: str = ""
    input_tokens: int = 0
    output_tokens: int = 0
    cache_creation_input_tokens: int = 0
    cache_read_input_tokens: int = 0
    service_tier: ServiceTier = ""
    cost_usd: float = 0.0
    model_calls: int = 0
    latency_ms: float = 0.0
    model_ms: float = 0.0

    def plus(self, other: StageUsage) -> StageUsage:
        """Both usages summed; model and tier of the later one when set (a retry may change tier)."""
        return StageUsage(
            model=other.model or self.model,
            input_tokens=self.input_tokens + other.input_tokens,
            output_tokens=self.output_tokens + other.output_tokens,
            cache_creation_input_tokens=self.cache_creation_input_tokens + other.cache_creation_input_tokens,
            cache_read_input_tokens=self.cache_read_input_tokens + other.cache_read_input_tokens,
            service_tier=other.service_tier or self.service_tier,
            cost_usd=self.cost_usd + other.cost_usd,
            model_calls=self.model_calls + other.model_calls,
            latency_ms=self.latency_ms + other.latency_ms,
            model_ms=self.model_ms + other.model_ms,
        )

    def to_proto(self) -> common_pb2.Usage:
        return common_pb2.Usage(
            input_tokens=self.input_tokens,
            output_tokens=self.output_tokens,
            cache_creation_input_tokens=self.cache_creation_input_tokens,
            cache_read_input_tokens=self.cache_read_input_tokens,
            service_tier=self.service_tier,
            cost_usd=self.cost_usd,
            model_calls=self.model_calls,
        )


def sum_usage(usages: Sequence[common_pb2.Usage]) -> common_pb2.Usage:
    """The usages summed (a run's stages, a page of runs). The tier is kept only when every usage
    that has one agrees: a total over standard and batch calls has no single tier."""
    total = common_pb2.Usage()
    for usage in usages:
        total.input_tokens += usage.input_tokens
        total.output_tokens += usage.output_tokens
        total.cache_creation_input_tokens += usage.cache_creation_input_tokens
        total.cache_read_input_tokens += usage.cache_read_input_tokens
        total.cost_usd += usage.cost_usd
        total.model_calls += usage.model_calls
    tiers = {u.service_tier for u in usages if u.service_tier}
    if len(tiers) == 1:
        total.service_tier = tiers.pop()
    return total


class LlmFallback(Exception):
    """The model stage could not produce a usable answer; run the offline rules instead.

    ``reason`` is short and safe to store in the run (it never contains the request, the JD or
    the key); ``usage`` is what the failed attempts cost (invalid outputs are still billed).
    """

    def __init__(self, reason: str, usage: StageUsage | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.usage = usage if usage is not None else StageUsage()


@dataclass(frozen=True, slots=True)
class Located:
    """A model quote found in the JD: ``jd[start:end]`` is the JD's own text for it."""

    quote: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class LlmSkill:
    name: str
    is_primary: bool
    # Index into the hints the call was given; None for a skill the model added.
    hint_index: int | None
    # Where the JD says it (hint skills: the hint text when it appears verbatim; may be empty).
    evidence: tuple[Located, ...] = ()


@dataclass(frozen=True, slots=True)
class LlmExperience:
    min_years: int | None
    max_years: int | None
    quote: str
    span: Located | None


@dataclass(frozen=True, slots=True)
class LlmEducation:
    level: str
    qualification: str
    requirement: Requirement
    quote: str
    span: Located | None


@dataclass(frozen=True, slots=True)
class LlmCertification:
    name: str
    requirement: Requirement
    quote: str
    span: Located | None


@dataclass(frozen=True, slots=True)
class LlmCompensation:
    min_amount: float | None
    max_amount: float | None
    currency: str
    period: PayPeriod
    quote: str
    span: Located | None


@dataclass(frozen=True, slots=True)
class LlmLocation:
    city: str | None
    state: str | None
    country: str | None
    work_mode: WorkMode


@dataclass(frozen=True, slots=True)
class LlmExtraction:
    """Stage 1 from a model: the ParsedJd's main fields and the skills.

    Structure (sections, sentences, boilerplate) stays with the offline parser, which has exact
    offsets; the model supplies the judgement calls. The facts (experience, education,
    certifications, compensation, locations) come from the model only when ``facts_included``
    (``AnthropicConfig.extract_facts``); otherwise they are empty here and the offline parser's
    stand. Quotes the JD does not contain are dropped (``dropped_quotes``); a model-added skill with
    no evidence in the JD is dropped too (``dropped_skills``).
    """

    jd_type: JdType
    reject_reason: RejectReason | None
    role_title: str | None
    role_aliases: tuple[str, ...]
    role_archetype: str | None
    seniority: Seniority
    company_name: str | None
    primary_domain: str | None
    secondary_domain: str | None
    experience: LlmExperience | None
    education: tuple[LlmEducation, ...]
    certifications: tuple[LlmCertification, ...]
    compensation: LlmCompensation | None
    locations: tuple[LlmLocation, ...]
    work_mode: WorkMode
    employment_type: EmploymentType
    skills: tuple[LlmSkill, ...]
    # Dictionary hits the model did not confirm (false matches in its reading).
    rejected_hints: tuple[str, ...]
    dropped_quotes: int
    dropped_skills: int
    facts_included: bool = False
    usage: StageUsage = field(default_factory=StageUsage)
    fallback_reason: str | None = None


# What a model call for one JD's stage 1 ends in: an answer, or the reason to fall back.
Outcome = LlmExtraction | LlmFallback


@dataclass(frozen=True, slots=True)
class TieBreakKra:
    kra_text: str
    sentence: str
    similarity: float


@dataclass(frozen=True, slots=True)
class TieBreakCandidate:
    # The id the model must answer with (e.g. the role slug); unique among the candidates.
    id: str
    display_name: str
    aliases: tuple[str, ...] = ()
    kra_matches: tuple[TieBreakKra, ...] = ()
    score: float = 0.0


@dataclass(frozen=True, slots=True)
class TieBreakResult:
    # A candidate id, or None when the model said no candidate fits (-> new-role proposal).
    choice: str | None
    reasoning: str
    confidence: float
    usage: StageUsage = field(default_factory=StageUsage)
    fallback_reason: str | None = None


@dataclass(frozen=True, slots=True)
class SkillMetaSuggestion:
    category: str
    sub_category: str
    nature: common_pb2.SkillNature.ValueType
    volatility: common_pb2.Volatility.ValueType
    typical_lifespan: common_pb2.TypicalLifespan.ValueType
    version_strategy: common_pb2.VersionStrategy.ValueType
    confidence: float
    reasoning: str

    def to_proto(self) -> common_pb2.SkillMetadata:
        return common_pb2.SkillMetadata(
            category=self.category,
            sub_category=self.sub_category,
            nature=self.nature,
            volatility=self.volatility,
            typical_lifespan=self.typical_lifespan,
            version_strategy=self.version_strategy,
            confidence=self.confidence,
            reasoning=self.reasoning,
        )


@dataclass(frozen=True, slots=True)
class SkillMetaResult:
    # Keyed by the names as asked; a name the model skipped is absent (use the rules for it).
    suggestions: Mapping[str, SkillMetaSuggestion]
    usage: StageUsage = field(default_factory=StageUsage)
    fallback_reason: str | None = None


class LlmBackend(Protocol):
    """A model backend. Methods block (the pipeline core runs in a thread pool) and are thread-safe."""

    def extract(self, text: str, *, hints: Sequence[str], model: str | None = None) -> LlmExtraction: ...

    def tie_break(
        self, jd_summary: str, candidates: Sequence[TieBreakCandidate], *, model: str | None = None
    ) -> TieBreakResult: ...

    def skill_metadata(self, names: Sequence[str], *, model: str | None = None) -> SkillMetaResult: ...


class BatchLlmBackend(LlmBackend, Protocol):
    """A backend that can also run stage 1 for many JDs at a discount (Message Batches)."""

    def submit_extractions(
        self,
        items: Sequence[tuple[str, str, Sequence[str]]],
        *,
        model: str | None = None,
        cancel: Cancellation | None = None,
    ) -> dict[str, Outcome]:
        """``(custom_id, text, hints)`` items -> each item's extraction or fallback, by custom id.
        ``cancel`` stops the work; unanswered items then fall back."""
        ...
