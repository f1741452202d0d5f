"""Schema-valid model answers -> result dataclasses, with the checks a schema cannot express.

Readers raise ``OutputInvalid`` only for what would mislead the pipeline (a hint number that does
not exist, a tie-break choice that is not a candidate); those errors go back to the model for one
repair. Harmless slips are normalised instead (a hint listed as both primary and secondary counts
as primary, confidences are clamped to [0, 1]) because a repair costs a whole second call.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TypeVar

from jdlens.v1 import common_pb2
from jdlens_server.llm.backend import (
    LlmCertification,
    LlmCompensation,
    LlmEducation,
    LlmExperience,
    LlmExtraction,
    LlmLocation,
    LlmSkill,
    Located,
    SkillMetaSuggestion,
    TieBreakCandidate,
    TieBreakResult,
)
from jdlens_server.llm.quotes import QuoteIndex
from jdlens_server.llm.schema import FACT_FIELDS, TIE_BREAK_NONE
from jdlens_server.nlp.parsed import (
    EmploymentType,
    JdType,
    PayPeriod,
    RejectReason,
    Requirement,
    Seniority,
    WorkMode,
)
from jdlens_server.nlp.title import split_title
from jdlens_server.proto_enums import enum_from_key

__all__ = ["OutputInvalid", "read_extraction", "read_skill_meta", "read_tie_break"]

Json = Mapping[str, object]
E = TypeVar("E", JdType, RejectReason, Seniority, WorkMode, EmploymentType, PayPeriod, Requirement)


class OutputInvalid(ValueError):
    def __init__(self, errors: Sequence[str]) -> None:
        super().__init__("; ".join(errors))
        self.errors = list(errors)


def _s(data: Json, key: str) -> str:
    value = data.get(key)
    return value.strip() if isinstance(value, str) else ""


def _opt_s(data: Json, key: str) -> str | None:
    return _s(data, key) or None


def _opt_int(data: Json, key: str) -> int | None:
    value = data.get(key)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _opt_float(data: Json, key: str) -> float | None:
    value = data.get(key)
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _strings(data: Json, key: str) -> list[str]:
    value = data.get(key)
    return [v.strip() for v in value if isinstance(v, str) and v.strip()] if isinstance(value, list) else []


def _objects(data: Json, key: str) -> list[Json]:
    value = data.get(key)
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def _enum(kind: type[E], data: Json, key: str, default: E) -> E:
    # Schema keys are the proto store keys ("full_time"); the nlp enums use the same names upper-cased.
    value = data.get(key)
    return kind(value.upper()) if isinstance(value, str) and value else default


def _clamp01(value: float | None) -> float:
    return 0.0 if value is None else min(1.0, max(0.0, value))


class _Quotes:
    """Locates quotes in one JD and counts the ones it does not contain."""

    def __init__(self, text: str) -> None:
        self.index = QuoteIndex(text)
        self.dropped = 0

    def locate(self, quote: str) -> Located | None:
        if not quote.strip():
            return None
        hit = self.index.find(quote)
        if hit is None:
            self.dropped += 1
        return hit


def _hint_numbers(data: Json, key: str, n_hints: int, errors: list[str]) -> list[int]:
    value = data.get(key)
    numbers: list[int] = []
    for i, raw in enumerate(value if isinstance(value, list) else []):
        if not isinstance(raw, int) or isinstance(raw, bool) or not 0 <= raw < n_hints:
            top = f"0..{n_hints - 1}" if n_hints else "there are no hits"
            errors.append(f"$.{key}[{i}]: {raw!r} is not a hit number ({top})")
        elif raw not in numbers:
            numbers.append(raw)
    return numbers


def _skills(
    data: Json, hints: Sequence[str], quotes: _Quotes, errors: list[str]
) -> tuple[list[LlmSkill], int]:
    primary = _hint_numbers(data, "core", len(hints), errors)
    secondary = [i for i in _hint_numbers(data, "extra", len(hints), errors) if i not in primary]
    by_hint: dict[int, bool] = {i: True for i in primary} | {i: False for i in secondary}
    hint_of = {h.casefold(): i for i, h in enumerate(hints)}
    added: dict[str, LlmSkill] = {}
    dropped_skills = 0
    for is_primary, key in ((True, "new_core"), (False, "new_extra")):
        for name in _strings(data, key):
            if name.casefold() in hint_of:  # the model repeated a hit: count it as confirming the hit
                i = hint_of[name.casefold()]
                by_hint[i] = by_hint.get(i, False) or is_primary
                continue
            if name.casefold() in added:
                continue
            # Added skills are written in the JD's own words: the name is the evidence quote.
            hit = quotes.locate(name)
            if hit is None:  # not in the JD: invented
                dropped_skills += 1
                continue
            added[name.casefold()] = LlmSkill(name, is_primary, None, (hit,))
    skills = []
    for i, is_primary in sorted(by_hint.items(), key=lambda kv: (not kv[1], kv[0])):
        seen = quotes.index.find(hints[i])
        skills.append(LlmSkill(hints[i], is_primary, i, (seen,) if seen else ()))
    return skills + list(added.values()), dropped_skills


def read_extraction(data: Json, text: str, hints: Sequence[str]) -> LlmExtraction:
    """The extraction (the schema's short names mapped to the contracts' fields) with its quotes
    located in ``text``; raises OutputInvalid on bad hit numbers."""
    errors: list[str] = []
    quotes = _Quotes(text)
    skills, dropped_skills = _skills(data, hints, quotes, errors)
    if errors:
        raise OutputInvalid(errors)
    confirmed = {s.hint_index for s in skills if s.hint_index is not None}

    exp = data.get("exp")
    experience = None
    if isinstance(exp, dict):
        quote = _s(exp, "q")
        experience = LlmExperience(_opt_int(exp, "min"), _opt_int(exp, "max"), quote, quotes.locate(quote))
    pay = data.get("pay")
    compensation = None
    if isinstance(pay, dict):
        quote = _s(pay, "q")
        compensation = LlmCompensation(
            _opt_float(pay, "min"),
            _opt_float(pay, "max"),
            _s(pay, "cur").upper(),
            _enum(PayPeriod, pay, "per", PayPeriod.UNSPECIFIED),
            quote,
            quotes.locate(quote),
        )
    education = tuple(
        LlmEducation(
            _s(e, "level"),
            _s(e, "field"),
            _enum(Requirement, e, "req", Requirement.REQUIRED),
            _s(e, "q"),
            quotes.locate(_s(e, "q")),
        )
        for e in _objects(data, "edu")
    )
    certifications = tuple(
        LlmCertification(
            _s(c, "name"),
            _enum(Requirement, c, "req", Requirement.REQUIRED),
            _s(c, "q"),
            quotes.locate(_s(c, "q")),
        )
        for c in _objects(data, "certs")
        if _s(c, "name")
    )
    locations = tuple(
        LlmLocation(
            _opt_s(loc, "city"),
            _opt_s(loc, "state"),
            _opt_s(loc, "country"),
            _enum(WorkMode, loc, "mode", WorkMode.UNSPECIFIED),
        )
        for loc in _objects(data, "places")
        if _s(loc, "city") or _s(loc, "state") or _s(loc, "country")
    )
    reason = data.get("reject")
    titles = list(dict.fromkeys(_strings(data, "titles")))
    title = titles[0] if titles else None
    domains = list(dict.fromkeys(_strings(data, "domains")))
    return LlmExtraction(
        jd_type=JdType.REJECT if isinstance(reason, str) and reason else JdType.PASS,
        reject_reason=RejectReason(reason.upper()) if isinstance(reason, str) and reason else None,
        role_title=title,
        role_aliases=tuple(titles[1:]),
        role_archetype=_opt_s(data, "family"),
        # Not asked: the offline rule over the model's title.
        seniority=split_title(title).seniority if title else Seniority.UNSPECIFIED,
        company_name=_opt_s(data, "company"),
        primary_domain=domains[0] if domains else None,
        secondary_domain=domains[1] if len(domains) > 1 else None,
        experience=experience,
        education=education,
        certifications=certifications,
        compensation=compensation,
        locations=locations,
        work_mode=_enum(WorkMode, data, "mode", WorkMode.UNSPECIFIED),
        employment_type=_enum(EmploymentType, data, "emp", EmploymentType.UNSPECIFIED),
        skills=tuple(skills),
        rejected_hints=tuple(h for i, h in enumerate(hints) if i not in confirmed),
        dropped_quotes=quotes.dropped,
        dropped_skills=dropped_skills,
        facts_included=any(key in data for key in FACT_FIELDS),
    )


def read_tie_break(data: Json, candidates: Sequence[TieBreakCandidate]) -> TieBreakResult:
    choice = _s(data, "choice")
    ids = {c.id.casefold(): c.id for c in candidates}
    if choice.casefold() == TIE_BREAK_NONE:
        chosen = None
    elif choice.casefold() in ids:
        chosen = ids[choice.casefold()]
    else:
        allowed = ", ".join(f'"{c.id}"' for c in candidates)
        raise OutputInvalid(
            [f'$.choice: "{choice}" is not a candidate id; answer one of {allowed} or "none"']
        )
    return TieBreakResult(chosen, _s(data, "reasoning"), _clamp01(_opt_float(data, "confidence")))


def read_skill_meta(data: Json, names: Sequence[str]) -> dict[str, SkillMetaSuggestion]:
    """Suggestions keyed by the names as asked; names the model skipped are left out."""
    asked = {n.casefold(): n for n in names}
    out: dict[str, SkillMetaSuggestion] = {}
    for entry in _objects(data, "skills"):
        name = asked.get(_s(entry, "name").casefold())
        if name is None or name in out:
            continue
        out[name] = SkillMetaSuggestion(
            category=_s(entry, "category"),
            sub_category=_s(entry, "sub_category"),
            nature=enum_from_key(common_pb2.SkillNature, _s(entry, "nature")),
            volatility=enum_from_key(common_pb2.Volatility, _s(entry, "volatility")),
            typical_lifespan=enum_from_key(common_pb2.TypicalLifespan, _s(entry, "typical_lifespan")),
            version_strategy=enum_from_key(common_pb2.VersionStrategy, _s(entry, "version_strategy")),
            confidence=_clamp01(_opt_float(entry, "confidence")),
            reasoning=_s(entry, "reasoning"),
        )
    if names and not out:
        raise OutputInvalid([f"$.skills: no entry names any of {list(names)}; use the names exactly"])
    return out
