"""The model's part of a run on the anthropic backend, and how each part falls back to the rules.

Stage 1 (``ModelStage1``): the offline parser and dictionary matcher run first; their hits go to
the model as hints in ONE extraction call over the JD's plain text. The model's judgement fills
the parsed fields it gives (title, and the seniority the offline rule reads in it, aliases,
family, company, domain; work mode, employment type and the other facts when asked for them); its
skills are the hits it confirmed (with its primary/secondary call) plus the skills it added, each
resolved through the same alias index and dictionary matcher as offline, with its evidence
located in the JD (an unlocated quote is dropped and counted). Role signals and the decision
then run as offline, except that a close call (case D) goes to the model's tie-break. Stage 2
(``model_skill_metadata``) asks the model for the metadata of the skills the library lacks, one
call for all of them.

Every model call happens while the run is computed, before its transaction. An ``LlmFallback``
never fails a run: that part runs on the rules, and its ``StageReport`` says backend offline, why,
and what the failed attempts cost.
"""

from __future__ import annotations

import bisect
import threading
import time
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

import numpy as np

from jdlens.v1 import common_pb2, run_pb2
from jdlens_server.library.snapshot import LibrarySnapshot
from jdlens_server.library.state import LoadedLibrary
from jdlens_server.llm.backend import (
    LlmBackend,
    LlmExtraction,
    LlmFallback,
    Located,
    Outcome,
    SkillMetaSuggestion,
    StageUsage,
    TieBreakCandidate,
    TieBreakKra,
)
from jdlens_server.nlp import parsed
from jdlens_server.nlp.title import normalize_title
from jdlens_server.pipeline.decision import TieBreaker, TieBreakVerdict
from jdlens_server.pipeline.signals import Signals
from jdlens_server.pipeline.skill_resolution import AliasIndex, alias_index
from jdlens_server.pipeline.skills import ExtractedSkillCandidate

__all__ = [
    "ModelInput",
    "ModelStage1",
    "Prefetched",
    "PreparedStage1",
    "SkillMetaCache",
    "StageReport",
    "model_input",
    "model_skill_metadata",
]

# Confidence of a skill only the model names (it gives none): primary ones are core to the role.
ADDED_CONFIDENCE = {True: 0.8, False: 0.65}
# A library skill the model named without a dictionary hit: the library vouches for the name too.
ADDED_LIBRARY_CONFIDENCE = {True: 0.85, False: 0.7}
# What the tie-break is shown of the JD and of each candidate role.
SUMMARY_SENTENCES = 12
SUMMARY_CHARS = 1500
CANDIDATE_ALIASES = 8
CANDIDATE_KRAS = 3
MAX_REJECTED_LISTED = 8


@dataclass(frozen=True, slots=True)
class StageReport:
    """What one stage (or the tie-break) used: the backend really used, its model, usage, and why
    it fell back to the rules when it did."""

    stage: run_pb2.Stage.ValueType
    backend: common_pb2.Backend.ValueType
    model: str
    usage: StageUsage = field(default_factory=StageUsage)
    fallback_reason: str = ""

    @classmethod
    def fallback(
        cls, stage: run_pb2.Stage.ValueType, reason: str, usage: StageUsage | None = None
    ) -> StageReport:
        spent = usage or StageUsage()
        return cls(stage, common_pb2.BACKEND_OFFLINE, "", spent, reason)

    def metrics(self, offline_model: str, duration_s: float) -> run_pb2.StageMetrics:
        out = run_pb2.StageMetrics(
            stage=self.stage,
            backend=self.backend,
            model=self.model if self.backend == common_pb2.BACKEND_ANTHROPIC else offline_model,
            usage=self.usage.to_proto(),
            fallback_reason=self.fallback_reason,
        )
        out.duration.FromNanoseconds(int(max(0.0, duration_s) * 1e9))
        return out


@dataclass(frozen=True, slots=True)
class ModelInput:
    """What stage 1 sends the model: the JD's plain text without its boilerplate, and the
    dictionary hits as hints."""

    text: str
    hints: tuple[str, ...]
    # The dictionary candidates behind each hint, index for index (words of the JD that name two
    # library skills are one hint: the model cannot tell them apart, nor need it).
    hinted: tuple[tuple[ExtractedSkillCandidate, ...], ...]
    # Pieces of the plain text kept in ``text``: (start in text, start in the plain text, length).
    pieces: tuple[tuple[int, int, int], ...] = ()

    def to_plain(self, start: int, end: int) -> tuple[int, int]:
        """A span of ``text`` (a located quote) as a span of the JD's plain text."""
        if not self.pieces or end <= start:
            return start, end
        at = [p[0] for p in self.pieces]

        def plain(i: int) -> int:
            k = max(0, bisect.bisect_right(at, i) - 1)
            text_start, plain_start, length = self.pieces[k]
            return plain_start + min(i - text_start, length)

        return plain(start), plain(end - 1) + 1


@dataclass(frozen=True, slots=True)
class PreparedStage1:
    """A JD's parse and dictionary skills as stage 1 computes them, at one library version: built
    when the JD's model call is prepared ahead (a Message Batch), so its run need not redo them."""

    library_version: int
    jd: parsed.ParsedJd
    candidates: tuple[ExtractedSkillCandidate, ...]


@dataclass(frozen=True, slots=True)
class Prefetched:
    """A stage-1 answer obtained ahead of the run (a Message Batch), for the hints it was asked with,
    and the parse and skills those hints came from."""

    hints: tuple[str, ...]
    outcome: Outcome
    prepared: PreparedStage1 | None = None


def _without_boilerplate(jd: parsed.ParsedJd) -> tuple[str, tuple[tuple[int, int, int], ...]]:
    """The plain text minus the parser's boilerplate (equal-opportunity, scam warnings,
    accessibility: a fifth to a quarter of a typical JD, and nothing the model needs), with
    where each kept piece came from."""
    plain = jd.plain
    text = jd.plain_text
    if plain is None or not jd.boilerplate:
        return text, ((0, 0, len(text)),)  # as is: the parser's offsets need no map
    # Boilerplate spans index the original; find the plain characters they cover.
    indices = range(len(text))
    cut = sorted(
        (
            bisect.bisect_left(indices, b.start, key=plain.origin),
            bisect.bisect_left(indices, b.end, key=plain.origin),
        )
        for b in jd.boilerplate
    )
    parts: list[str] = []
    pieces: list[tuple[int, int, int]] = []
    size = pos = 0
    for a, z in [*cut, (len(text), len(text))]:
        piece = text[pos:a]
        body = piece.strip()
        if a > pos and body:
            if parts:
                parts.append("\n\n")
                size += 2
            parts.append(body)
            pieces.append((size, pos + len(piece) - len(piece.lstrip()), len(body)))
            size += len(body)
        pos = max(pos, z)
    return "".join(parts), tuple(pieces)


def model_input(jd: parsed.ParsedJd, candidates: Sequence[ExtractedSkillCandidate]) -> ModelInput:
    """The plain text (markup-free, so quotes and hints index the same string as the matcher's
    offsets) without its boilerplate, and per dictionary hit the JD's own words for it (shorter
    than ESCO labels such as "Python (computer programming)", and what the model sees)."""
    text = jd.plain_text
    groups: dict[str, tuple[str, list[ExtractedSkillCandidate]]] = {}
    for c in candidates:
        if c.source != "dictionary":
            continue
        words = (text[c.evidence[0][0] : c.evidence[0][1]] if c.evidence else c.name).strip() or c.name
        groups.setdefault(words.casefold(), (words, []))[1].append(c)
    sent, pieces = _without_boilerplate(jd)
    return ModelInput(
        sent,
        tuple(words for words, _ in groups.values()),
        tuple(tuple(g) for _, g in groups.values()),
        pieces,
    )


def _region_kind(jd: parsed.ParsedJd, start: int, end: int) -> str:
    for region in jd.skill_text_spans:
        if region.plain_start <= start < region.plain_end:
            return region.section_kind.value
    return ""


class ModelStage1:
    """The model's part of one stage-1 run; collects the stage reports and warnings it produced."""

    def __init__(self, backend: LlmBackend, *, prefetched: Prefetched | None = None) -> None:
        self.backend = backend
        self.prefetched = prefetched
        self.extract_report: StageReport | None = None
        self.tie_break_report: StageReport | None = None
        self.tie_break_seconds = 0.0
        self.warnings: list[str] = []

    # ---- extraction ----------------------------------------------------------------------

    def prepared(self, loaded: LoadedLibrary) -> PreparedStage1 | None:
        """The parse and skills computed with the prefetched call, if still of this library."""
        pre = self.prefetched.prepared if self.prefetched is not None else None
        return pre if pre is not None and pre.library_version == loaded.snapshot.version else None

    def _ask(self, request: ModelInput) -> LlmExtraction:
        pre = self.prefetched
        if pre is not None and pre.hints == request.hints:
            if isinstance(pre.outcome, LlmFallback):
                raise pre.outcome
            return pre.outcome
        if pre is not None:  # the library changed between the batch and the run: ask again
            self.warnings.append("model: the batched answer was for other dictionary hits; asked again")
        return self.backend.extract(request.text, hints=request.hints)

    def refine(
        self,
        loaded: LoadedLibrary,
        jd: parsed.ParsedJd,
        text: str,
        candidates: list[ExtractedSkillCandidate],
    ) -> tuple[parsed.ParsedJd, list[ExtractedSkillCandidate]]:
        """The parse and skills with the model's answer applied; unchanged when the model fails."""
        if not jd.plain_text.strip():
            self.extract_report = StageReport.fallback(
                run_pb2.STAGE_EXTRACT, "no JD text for the model to read"
            )
            return jd, candidates
        request = model_input(jd, candidates)
        try:
            answer = self._ask(request)
        except LlmFallback as exc:
            self.extract_report = StageReport.fallback(run_pb2.STAGE_EXTRACT, exc.reason, exc.usage)
            self.warnings.append(f"stage 1 fell back to the offline backend: {exc.reason}")
            return jd, candidates
        self.extract_report = StageReport(
            run_pb2.STAGE_EXTRACT, common_pb2.BACKEND_ANTHROPIC, answer.usage.model, answer.usage
        )
        if answer.dropped_quotes or answer.dropped_skills:
            self.warnings.append(
                f"model: {answer.dropped_quotes} quote(s) not found in the JD were dropped"
                + (
                    f", {answer.dropped_skills} of them skill(s) the JD does not name"
                    if answer.dropped_skills
                    else ""
                )
            )
        if answer.rejected_hints:
            shown = ", ".join(answer.rejected_hints[:MAX_REJECTED_LISTED])
            more = len(answer.rejected_hints) - MAX_REJECTED_LISTED
            self.warnings.append(
                f"model: {len(answer.rejected_hints)} dictionary hit(s) read as false matches and left out: "
                f"{shown}{f' and {more} more' if more > 0 else ''}"
            )
        return _apply_fields(jd, text, request, answer), _merge_skills(loaded, jd, request, answer)

    # ---- tie-break -----------------------------------------------------------------------

    def tie_breaker(
        self, snapshot: LibrarySnapshot, signals: Signals, jd: parsed.ParsedJd, title: str
    ) -> TieBreaker:
        """The decision's close-call callback: the model chooses among the leaders, or None (rule)."""

        def settle(leaders: Sequence[tuple[int, float]]) -> TieBreakVerdict | None:
            began = time.perf_counter()
            candidates, by_id = _candidates(snapshot, signals, leaders)
            try:
                result = self.backend.tie_break(_summary(jd, title), candidates)
            except LlmFallback as exc:
                self.tie_break_report = StageReport.fallback(run_pb2.STAGE_TIE_BREAK, exc.reason, exc.usage)
                self.warnings.append(f"tie-break fell back to the offline rule: {exc.reason}")
                return None
            finally:
                self.tie_break_seconds = time.perf_counter() - began
            self.tie_break_report = StageReport(
                run_pb2.STAGE_TIE_BREAK, common_pb2.BACKEND_ANTHROPIC, result.usage.model, result.usage
            )
            role_id = by_id[result.choice] if result.choice is not None else None
            return TieBreakVerdict(role_id, result.reasoning, result.confidence)

        return settle


def _summary(jd: parsed.ParsedJd, title: str) -> str:
    role_title = jd.role_title or title
    sentences = [
        s.plain for s in jd.responsibility_sentences if s.section_kind == parsed.SectionKind.RESPONSIBILITIES
    ][:SUMMARY_SENTENCES]
    lines = [f"Title: {role_title}"] if role_title else []
    if jd.company_name:
        lines.append(f"Employer: {jd.company_name}")
    if sentences:
        lines.append("Responsibilities:")
        lines.extend(f"- {s}" for s in sentences)
    else:
        lines.append(jd.plain_text[:SUMMARY_CHARS])
    return "\n".join(lines)


def _candidates(
    snapshot: LibrarySnapshot, signals: Signals, leaders: Sequence[tuple[int, float]]
) -> tuple[list[TieBreakCandidate], dict[str, int]]:
    kra_by_role = {e.role_id: e.kra_matches for e in signals.kra}
    out: list[TieBreakCandidate] = []
    by_id: dict[str, int] = {}
    for role_id, score in leaders:
        role = snapshot.roles[role_id]
        key = role.slug or f"role-{role_id}"
        if key.casefold() in {k.casefold() for k in by_id}:
            key = f"{key}-{role_id}"
        # One vectorised pass over the alias ids, not a Python loop over every alias per leader.
        aliases = [
            snapshot.alias_texts[i]
            for i in np.flatnonzero(snapshot.alias_role_ids == role_id)
            if snapshot.alias_texts[i] != role.display_name
        ]
        kras = tuple(
            TieBreakKra(m.kra_text, m.sentence, round(m.similarity, 4))
            for m in kra_by_role.get(role_id, ())[:CANDIDATE_KRAS]
        )
        out.append(
            TieBreakCandidate(
                key,
                role.display_name,
                tuple(dict.fromkeys(aliases))[:CANDIDATE_ALIASES],
                kras,
                round(score, 4),
            )
        )
        by_id[key] = role_id
    return out, by_id


# ---- applying the extraction ---------------------------------------------------------------


def _to_original(
    jd: parsed.ParsedJd, text: str, request: ModelInput, span: Located | None
) -> tuple[str, int, int] | None:
    if span is None:
        return None
    start, end = jd.to_original(*request.to_plain(span.start, span.end))
    return text[start:end], start, end


def _apply_fields(
    jd: parsed.ParsedJd, text: str, request: ModelInput, answer: LlmExtraction
) -> parsed.ParsedJd:
    """The parse with the model's fields where it gives them. The caller's title (a hint) stands;
    sections, sentences and boilerplate stay the parser's (they carry exact offsets)."""
    changes: dict[str, object] = {}
    if answer.jd_type == parsed.JdType.REJECT:
        reason = answer.reject_reason or parsed.RejectReason.NOT_A_JD
        changes.update(
            jd_type=parsed.JdType.REJECT,
            reject_reason=reason,
            reject_detail=f"the model read it as {reason.value.lower().replace('_', ' ')}",
        )
    if answer.role_title and jd.role_title_source != parsed.TitleSource.HINT:
        changes.update(role_title=answer.role_title, normalized_title=normalize_title(answer.role_title))
        if answer.seniority != parsed.Seniority.UNSPECIFIED:  # read from that title
            changes["seniority"] = answer.seniority
    if answer.role_aliases:
        changes["role_aliases"] = answer.role_aliases
    if answer.role_archetype:
        changes["role_archetype"] = answer.role_archetype
    if answer.company_name:
        changes["company_name"] = answer.company_name
    if answer.primary_domain:
        secondary = parsed.Domain(answer.secondary_domain, (), 1.0) if answer.secondary_domain else None
        changes["domain"] = parsed.DomainInfo(parsed.Domain(answer.primary_domain, (), 1.0), secondary)
    if answer.work_mode != parsed.WorkMode.UNSPECIFIED:
        changes["work_mode"] = answer.work_mode
    if answer.employment_type != parsed.EmploymentType.UNSPECIFIED:
        changes["employment_type"] = answer.employment_type
    if answer.facts_included:
        changes.update(_facts(jd, text, request, answer))
    return replace(jd, **changes)  # type: ignore[arg-type]


def _months(years: int | None) -> int | None:
    """The model answers experience in whole years; the parsed JD keeps months."""
    return None if years is None else 12 * years


def _facts(jd: parsed.ParsedJd, text: str, request: ModelInput, answer: LlmExtraction) -> dict[str, object]:
    """The model's facts that it quoted from the JD (a fact without a located quote is left out:
    the contract gives every fact a span)."""
    out: dict[str, object] = {}
    exp = answer.experience
    located = _to_original(jd, text, request, exp.span) if exp is not None else None
    if exp is not None and located is not None:
        out["experience"] = parsed.Experience(_months(exp.min_years), _months(exp.max_years), *located)
    education = []
    for ed in answer.education:
        at = _to_original(jd, text, request, ed.span)
        if at is not None:
            education.append(
                parsed.Education(ed.level, ed.qualification, at[0], ed.requirement, at[1], at[2])
            )
    if education:
        out["education"] = tuple(education)
    certifications = []
    for c in answer.certifications:
        at = _to_original(jd, text, request, c.span)
        if at is not None:
            certifications.append(parsed.Certification(c.name, at[0], c.requirement, at[1], at[2]))
    if certifications:
        out["certifications"] = tuple(certifications)
    pay = answer.compensation
    at_pay = _to_original(jd, text, request, pay.span) if pay is not None else None
    if pay is not None and at_pay is not None:
        out["compensation"] = parsed.Compensation(
            pay.min_amount, pay.max_amount, pay.currency, pay.period, *at_pay
        )
    if answer.locations:
        # The model gives places, not where the JD names them: keep the parser's offsets for a place
        # it also found, and the start of the JD otherwise.
        known = {(loc.city or "").casefold(): loc for loc in jd.locations}
        places = []
        for loc in answer.locations:
            mine = known.get((loc.city or "").casefold())
            places.append(
                parsed.Location(
                    loc.city,
                    loc.state,
                    loc.country or (mine.country if mine else ""),
                    mine.country_code if mine else "",
                    loc.work_mode,
                    mine.aliases if mine else (),
                    mine.start if mine else 0,
                    mine.end if mine else 0,
                )
            )
        out["locations"] = tuple(places)
    return out


def _merge_skills(
    loaded: LoadedLibrary, jd: parsed.ParsedJd, request: ModelInput, answer: LlmExtraction
) -> list[ExtractedSkillCandidate]:
    """The hits the model confirmed (primary/secondary as it says) and the skills it added, each
    resolved like an offline skill: the alias index (case-, form- and inflection-insensitive), else
    the dictionary matcher over the words the JD uses for it; unresolved ones are new skills."""
    snapshot = loaded.snapshot
    out: list[ExtractedSkillCandidate] = []
    by_skill: dict[int, int] = {}
    for skill in answer.skills:
        if skill.hint_index is None:
            continue
        for hit in request.hinted[skill.hint_index]:
            cand = replace(hit, is_primary=skill.is_primary)
            if cand.skill_id is not None and cand.skill_id in by_skill:
                continue
            out.append(cand)
            if cand.skill_id is not None:
                by_skill[cand.skill_id] = len(out) - 1
    index = alias_index(snapshot)
    new_names: set[str] = set()
    for skill in answer.skills:
        if skill.hint_index is not None or not skill.evidence:
            continue
        spans = [request.to_plain(e.start, e.end) for e in skill.evidence]
        evidence = tuple((a, z, _region_kind(jd, a, z)) for a, z in spans)
        skill_id, alias = _resolve(loaded, jd.plain_text, skill.name, evidence[0], index)
        if skill_id is not None and skill_id in by_skill:
            i = by_skill[skill_id]
            kept = out[i]
            out[i] = replace(
                kept,
                is_primary=kept.is_primary or skill.is_primary,
                evidence=tuple(sorted(set(kept.evidence) | set(evidence))),
            )
            continue
        if skill_id is None:
            if skill.name.casefold() in new_names:
                continue
            new_names.add(skill.name.casefold())
        confidence = (ADDED_CONFIDENCE if skill_id is None else ADDED_LIBRARY_CONFIDENCE)[skill.is_primary]
        out.append(
            ExtractedSkillCandidate(
                name=snapshot.skill_names.get(skill_id, skill.name) if skill_id is not None else skill.name,
                skill_id=skill_id,
                is_primary=skill.is_primary,
                confidence=confidence,
                evidence=evidence,
                source="llm",
                matched_alias=alias,
                is_new=skill_id is None,
            )
        )
        if skill_id is not None:
            by_skill[skill_id] = len(out) - 1
    out.sort(key=lambda c: (c.is_new, not c.is_primary, -c.confidence, c.evidence[0][0] if c.evidence else 0))
    return out


def _resolve(
    loaded: LoadedLibrary, text: str, name: str, evidence: tuple[int, int, str], index: AliasIndex
) -> tuple[int | None, str]:
    hit = index.resolve(name)
    if hit is not None:
        return hit.skill_id, hit.alias_text
    start, end, kind = evidence
    mentions = [
        m for m in loaded.matcher.find(text, [(start, end, kind)]) if m.start == start and m.end == end
    ]
    if mentions:
        best = max(mentions, key=lambda m: m.confidence)
        return best.skill_id, best.alias_text
    return None, name


# ---- stage 2: metadata of new skills ---------------------------------------------------------


def _invalid(s: SkillMetaSuggestion) -> str:
    missing = [
        name
        for name, value in (
            ("nature", s.nature),
            ("volatility", s.volatility),
            ("typical_lifespan", s.typical_lifespan),
            ("version_strategy", s.version_strategy),
        )
        if value == 0
    ]
    if not s.category:
        missing.insert(0, "category")
    return ", ".join(missing)


class SkillMetaCache:
    """The model's valid metadata of new skills, by folded name, for the life of the process: a
    skill the library lacks recurs across JDs (a stream of data JDs keeps naming Kafka) and its
    metadata does not depend on the JD, so each is asked for once. Thread-safe, bounded (LRU)."""

    def __init__(self, size: int = 20_000) -> None:
        self._size = size
        self._entries: OrderedDict[str, tuple[SkillMetaSuggestion, str]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, name: str) -> tuple[SkillMetaSuggestion, str] | None:
        with self._lock:
            hit = self._entries.get(name.casefold())
            if hit is not None:
                self._entries.move_to_end(name.casefold())
            return hit

    def put(self, name: str, suggestion: SkillMetaSuggestion, model: str) -> None:
        with self._lock:
            self._entries[name.casefold()] = (suggestion, model)
            self._entries.move_to_end(name.casefold())
            while len(self._entries) > self._size:
                self._entries.popitem(last=False)


def _use(meta: run_pb2.NewSkillMeta, suggestion: SkillMetaSuggestion, model: str, note: str) -> None:
    derived = meta.derived
    model_meta = suggestion.to_proto()
    # The model's fields over the rules'; what it does not give (skill type, reuse) stays.
    derived.MergeFrom(model_meta)
    derived.sub_category = model_meta.sub_category
    derived.confidence = model_meta.confidence
    derived.reasoning = f"{model or 'model'}: {model_meta.reasoning}"
    meta.keep_log.append(f"metadata: from the model{note} (confidence {suggestion.confidence:.2f})")


def model_skill_metadata(
    backend: LlmBackend, result: run_pb2.DetailsResult, cache: SkillMetaCache | None = None
) -> StageReport | None:
    """Replace the rule-derived metadata of the KEEP_NEW skills in ``result`` with the model's:
    from ``cache`` when an earlier run asked, else one call for all the others; skill by skill
    where the model's entry is valid. None when the run has no new skill."""
    details = [d for d in result.skills_detail if d.new_skill_meta.placement == run_pb2.PLACEMENT_KEEP_NEW]
    if not details:
        return None
    cache = cache or SkillMetaCache()
    cached_model = ""
    asking: list[run_pb2.SkillDetail] = []
    for d in details:
        hit = cache.get(d.input_skill)
        if hit is None:
            asking.append(d)
        else:
            _use(d.new_skill_meta, hit[0], hit[1], " (asked by an earlier run)")
            cached_model = cached_model or hit[1]
    if not asking:
        return StageReport(run_pb2.STAGE_DETAILS, common_pb2.BACKEND_ANTHROPIC, cached_model)
    names = list(dict.fromkeys(d.input_skill for d in asking))
    try:
        answer = backend.skill_metadata(names)
    except LlmFallback as exc:
        for d in asking:
            d.new_skill_meta.keep_log.append(f"metadata: offline rules (the model fell back: {exc.reason})")
        return StageReport.fallback(run_pb2.STAGE_DETAILS, exc.reason, exc.usage)
    rejected = 0
    model = answer.usage.model
    for d in asking:
        meta = d.new_skill_meta
        suggestion = answer.suggestions.get(d.input_skill)
        problem = "the model gave no entry" if suggestion is None else _invalid(suggestion)
        if suggestion is None or problem:
            rejected += 1
            meta.keep_log.append(f"metadata: offline rules ({problem or 'invalid'} in the model's answer)")
            continue
        _use(meta, suggestion, model, "")
        cache.put(d.input_skill, suggestion, model)
    reason = f"{rejected} of {len(details)} skill(s) kept the offline metadata" if rejected else ""
    return StageReport(run_pb2.STAGE_DETAILS, common_pb2.BACKEND_ANTHROPIC, model, answer.usage, reason)
