"""Stage 1, ExtractFromJd, computed without touching the store: parse, skills, role signals,
decision, and the plan of library updates that the core applies in the run's transaction."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from jdlens.v1 import common_pb2, parsed_jd_pb2, run_pb2
from jdlens_server.library.snapshot import LibrarySnapshot
from jdlens_server.library.state import LoadedLibrary
from jdlens_server.nlp import parsed
from jdlens_server.nlp.acronyms import expand_sector_acronyms, expand_title
from jdlens_server.nlp.embedder import Embedder
from jdlens_server.nlp.jd_parser import parse_jd
from jdlens_server.nlp.normalize import fold
from jdlens_server.nlp.title import (
    fallback_keys,
    is_role_head,
    normalize_key,
    normalize_title,
    qualified_keys,
    split_title,
    title_for_embedding,
    title_is_english,
    title_variants,
)
from jdlens_server.pipeline import signals as sig
from jdlens_server.pipeline.decision import TIE_BREAK_CANDIDATES, Decision, decide, ranked_roles, slugify
from jdlens_server.pipeline.duty_skills import linked_duty_skills
from jdlens_server.pipeline.parsed_proto import parsed_to_proto, span
from jdlens_server.pipeline.refs import role_ref, skill_ref
from jdlens_server.pipeline.skill_senses import without_unsupported_senses
from jdlens_server.pipeline.skills import ExtractedSkillCandidate, extract_skills
from jdlens_server.pipeline.updates import KraPlan, NewSkillPlan, UpdatePlan

if TYPE_CHECKING:
    from jdlens_server.pipeline.llm_stage import ModelStage1

FloatArray = npt.NDArray[np.float32]

# A responsibility sentence whose best match among the chosen role's KRAs is below this is
# proposed as a new KRA for the role (at most MAX_PROPOSED_KRAS per run).
KRA_COVERAGE = 0.5
MAX_PROPOSED_KRAS = 5
# The profile signal compares the JD with each role's profile, which is its title and its
# description's lead (library/tables.role_embed_texts). The JD's side has the same shape: its title
# and its first PROFILE_SENTENCES duty sentences, from vectors stage 1 embeds anyway. It replaced a
# 1,000-character passage of title and opening text (~45% of the tokens stage 1 embedded, often a
# company blurb): dev job-ads top-1 and top-5 unchanged, ISCO-4 two ads fewer, the first 2 to 4
# duties alike (see README, Quality). A JD with no title or no duty sentence still gets the passage.
PROFILE_SENTENCES = 3
PASSAGE_CHARS = 1000
SIGNAL_WEIGHTS = sig.FusionWeights()


@dataclass
class ExtractionOutcome:
    result: run_pb2.ExtractionResult
    plan: UpdatePlan
    rejected: bool
    model: str
    warnings: list[str] = field(default_factory=list)


def _title_only(title: str) -> parsed.ParsedJd:
    return parsed.ParsedJd(
        jd_type=parsed.JdType.PASS,
        role_title=title,
        role_title_source=parsed.TitleSource.HINT,
        normalized_title=normalize_title(title),
        role_aliases=title_variants(title),
        word_count=len(title.split()),
    )


# Rejections whose text is unreadable to us but whose request title may still be read.
_TITLE_STILL_READ = frozenset({parsed.RejectReason.NOT_ENGLISH, parsed.RejectReason.TOO_LITTLE_TEXT})


def _rank_title_of_rejected(
    loaded: LoadedLibrary,
    embedder: Embedder,
    jd: parsed.ParsedJd,
    title: str,
    top_k: int,
    result: run_pb2.ExtractionResult,
) -> None:
    """A posting in another language (or a few words) under an English title, the caller's or its
    own first line: the run stays rejected and learns nothing, but its signals rank roles for the
    title alone, as a title-only request would, so a job board can still file the listing."""
    if jd.reject_reason not in _TITLE_STILL_READ:
        return
    # Without a title in the request, a posting's first line may be one ("Room Attendant / Pembantu
    # Bilik Hotel" over an ad in Malay).
    title = " ".join(title.split()) or _first_line(jd.plain_text)
    if not title or not title_is_english(title):
        return
    view = run_extraction(loaded, embedder, "", title, top_k=top_k).result
    result.signals.CopyFrom(view.signals)
    if view.decision.HasField("chosen_role"):
        result.decision.reasoning += (
            f"; the title alone ranks {view.decision.chosen_role.display_name!r} first (no skills read,"
            " nothing learned)"
        )


def _first_line(text: str) -> str:
    """The text's first line when it is short enough to be a title (at most eight words)."""
    line = next((ln.strip() for ln in text.splitlines() if ln.strip()), "")
    return line if len(line.split()) <= 8 and not line.endswith((".", ":")) else ""


def _section_kind(kind: str) -> parsed_jd_pb2.SectionKind.ValueType:
    try:
        return parsed_jd_pb2.SectionKind.Value(f"SECTION_KIND_{kind}")
    except ValueError:
        return parsed_jd_pb2.SECTION_KIND_UNSPECIFIED


_SOURCE = {
    "dictionary": run_pb2.SKILL_SOURCE_DICTIONARY,
    "llm": run_pb2.SKILL_SOURCE_LLM,
    "embedding": run_pb2.SKILL_SOURCE_EMBEDDING,
}


def _skill_proto(
    loaded: LoadedLibrary, jd: parsed.ParsedJd, text: str, cand: ExtractedSkillCandidate
) -> run_pb2.ExtractedSkill:
    out = run_pb2.ExtractedSkill(
        skill_name=cand.name,
        is_primary=cand.is_primary,
        confidence=round(cand.confidence, 4),
        source=_SOURCE.get(cand.source, run_pb2.SKILL_SOURCE_PHRASE),
        matched_alias=cand.matched_alias,
        is_new=cand.is_new,
    )
    if cand.skill_id is not None:
        out.library_skill.CopyFrom(skill_ref(loaded.snapshot, cand.skill_id))
    for start, end, region_kind in cand.evidence:
        o_start, o_end = jd.to_original(start, end)
        out.evidence.add(
            text=text[o_start:o_end], span=span(o_start, o_end), section_kind=_section_kind(region_kind)
        )
    return out


def _score_proto(loaded: LoadedLibrary, entry: sig.RoleScoreEntry) -> run_pb2.RoleScore:
    out = run_pb2.RoleScore(
        role=role_ref(loaded.snapshot, entry.role_id),
        score=entry.score,
        matched_count=entry.matched_count,
        total_count=entry.total_count,
        matched_skills=list(entry.matched_skills),
        matched_alias=entry.matched_alias,
    )
    for m in entry.kra_matches:
        out.kra_matches.add(
            kra=f"roles/{entry.role_id}/kras/{m.kra_id}",
            kra_text=m.kra_text,
            sentence=m.sentence,
            sentence_span=span(m.sentence_start, m.sentence_end),
            similarity=m.similarity,
        )
    return out


def _unit(v: FloatArray) -> FloatArray:
    n = float(np.linalg.norm(v))
    return (v / n).astype(np.float32) if n > 0 else v


def profiled_by_duties(jd: parsed.ParsedJd, title: str) -> bool:
    """Whether the JD's profile is its title and lead duties (else a passage of opening text)."""
    return bool((jd.role_title or title) and jd.responsibility_sentences)


def embedding_head(jd: parsed.ParsedJd, title: str, text: str) -> list[str]:
    """What stage 1 embeds before the responsibility sentences: the title (when there is one) and,
    when the JD is not profiled by its duties, the JD as one passage (title + opening text,
    PASSAGE_CHARS long)."""
    # "WASH Officer" is embedded as the "Water, Sanitation and Hygiene" the JD spells out, not as washing.
    role_title = title_for_embedding(expand_title(jd.role_title or title, jd.plain_text or text))
    if profiled_by_duties(jd, title):
        return [role_title]
    passage = f"{role_title}. {jd.plain_text}"[:PASSAGE_CHARS] if text.strip() else role_title
    return [role_title, passage] if role_title else [passage]


def profile_vector(head_vecs: FloatArray, sentence_vecs: FloatArray, *, by_duties: bool) -> FloatArray:
    """The JD's side of the profile signal, from the vectors of embedding_head's texts and of the
    duty sentences: by its duties, the title's plus the lead duties' mean; else the passage's."""
    if by_duties:
        lead = _unit(sentence_vecs[:PROFILE_SENTENCES].mean(axis=0))
        return _unit(head_vecs[0] + lead)
    passage: FloatArray = head_vecs[-1]
    return passage


def stage1_embedding_texts(
    jd: parsed.ParsedJd, title: str, text: str, candidates: list[ExtractedSkillCandidate]
) -> tuple[list[str], int, int]:
    """Everything stage 1 embeds, in one call: the head (embedding_head), every responsibility
    sentence, then the names of the new skills. Stage 2 places new skills by their embedding; asked
    here, they share this call's batches and stage 2 finds them cached instead of paying a call of
    its own. Returns (texts, where the sentences start, where the new names start)."""
    head = embedding_head(jd, title, text)
    # "Manage the WASH projects" is embedded as water and sanitation work, not as washing.
    sentences = [expand_sector_acronyms(s.plain) for s in jd.responsibility_sentences]
    names = list(dict.fromkeys(c.name for c in candidates if c.is_new))
    return [*head, *sentences, *names], len(head), len(head) + len(sentences)


def offline_skills(loaded: LoadedLibrary, jd: parsed.ParsedJd) -> list[ExtractedSkillCandidate]:
    """Dictionary and phrase matching over the non-boilerplate regions of the plain text."""
    regions = [(r.plain_start, r.plain_end, r.section_kind.value) for r in jd.skill_text_spans]
    if not regions:
        return []
    snapshot = loaded.snapshot
    found = extract_skills(
        jd.plain_text,
        regions,
        loaded.matcher,
        skill_names=snapshot.skill_names,
        stack_skill_ids=snapshot.stack_skill_ids,
        employer=jd.company_name,
    )
    found = without_role_names(without_parsed_names(found, jd), snapshot)
    return degree_fields_secondary(without_unsupported_senses(found, snapshot, jd.plain_text), jd)


def degree_fields_secondary(
    candidates: list[ExtractedSkillCandidate], jd: parsed.ParsedJd
) -> list[ExtractedSkillCandidate]:
    """A library skill read only where the JD states the education it asks for is the degree's field
    ("BA in Statistics, Economics, Public Health or related field"), one of several that qualify:
    secondary, not a core skill of the role."""
    fields = [(e.start, e.end) for e in jd.education]
    if not fields:
        return candidates
    return [
        replace(c, is_primary=False)
        if c.is_primary and not c.is_new and c.evidence and _read_only_within(c, jd, fields)
        else c
        for c in candidates
    ]


def _read_only_within(c: ExtractedSkillCandidate, jd: parsed.ParsedJd, fields: list[tuple[int, int]]) -> bool:
    """Every evidence span of ``c`` lies inside one of the parser's ``fields`` (the evidence indexes
    the plain text, the fields the original)."""
    spans = [jd.to_original(s, e) for s, e, _ in c.evidence]
    return all(any(a <= s and e <= z for a, z in fields) for s, e in spans)


# An acronym's plural: "GPs", "PTAs", "ECTs".
_ACRONYM_PLURAL = re.compile(r"[A-Z]{2,}s")


def without_role_names(
    candidates: list[ExtractedSkillCandidate], snapshot: LibrarySnapshot
) -> list[ExtractedSkillCandidate]:
    """The candidates less the new ones that name a role of the library ("Lecturer", "HR
    Director", "GPs"): the people the JD mentions, not skills to propose."""

    def names_a_role(name: str) -> bool:
        if _ACRONYM_PLURAL.fullmatch(name):
            name = name[:-1]  # "GPs": people
        elif " " not in name and (name.isupper() or not is_role_head(name)):
            return False  # one word that is also a field or a tool: "SEO", "Composer"
        return bool(snapshot.role_alias_map.get(normalize_title(name)))

    return [c for c in candidates if not (c.is_new and names_a_role(c.name))]


# Capitalised tokens of a certification's name that are its acronyms ("RN" of "Active RN license").
_ACRONYM = re.compile(r"\b[A-Z][A-Z0-9]{1,7}\b")


def parsed_names(jd: parsed.ParsedJd) -> tuple[frozenset[str], str]:
    """What the parser already knows is not a skill, folded: the places (city, state, country, its
    code, each alias and alias part: "Springfield, IL" gives "il"), the certifications and their
    acronyms; and the employer's name ("" when none was found), whose runs are not skills either."""
    names: set[str] = set()
    for place in jd.locations:
        for value in (place.city, place.state, place.country, place.country_code, *place.aliases):
            if value:
                names.update(map(fold, {value, *value.split(",")}))
    for cert in jd.certifications:
        names.add(fold(cert.name))
        names.update(fold(acronym) for acronym in _ACRONYM.findall(cert.name))
    names.discard("")
    return frozenset(names), fold(jd.company_name or "")


def _line_of(text: str, needle: str) -> tuple[int, int] | None:
    """The span of the first line of ``text`` that holds ``needle``."""
    at = text.find(needle)
    if at < 0:
        return None
    end = text.find("\n", at)
    return text.rfind("\n", 0, at) + 1, end if end >= 0 else len(text)


def without_parsed_names(
    candidates: list[ExtractedSkillCandidate], jd: parsed.ParsedJd
) -> list[ExtractedSkillCandidate]:
    """The candidates less the new ones that name a place, a certification or the employer (a
    town or "UK" is no skill to propose to the library), that are part of the title ("6G Pipe
    Welder"), or that are only read where the parser found the education or the pay ("ITI /
    Diploma in Mechanical Engineering (DME) or B.E.", "PHP 20,000"): degrees and amounts are no
    skills either. Library skills stay as matched."""
    names, company = parsed_names(jd)
    title = f" {fold(jd.role_title)} " if jd.role_title else ""
    title_line = _line_of(jd.plain_text, jd.role_title) if jd.role_title else None
    fields = [(e.start, e.end) for e in jd.education]
    if jd.compensation is not None:
        fields.append((jd.compensation.start, jd.compensation.end))
    if not names and not company and not title and not fields:
        return candidates

    def named_elsewhere(name: str) -> bool:
        key = fold(name)
        # A run of the employer's name counts from two words on: "Apex" of "Apex Systems" may
        # still be the Apex language, "Mary's Regional Hospital" is no skill.
        employer = bool(company) and (key == company or (" " in key and f" {key} " in f" {company} "))
        return key in names or employer

    def only_in_title(c: ExtractedSkillCandidate) -> bool:
        # "6G Pipe Welder" read on the title's line; "SAP FICO" asked for again below is a skill.
        key = fold(c.name)
        if title_line is None or " " not in key or f" {key} " not in title:
            return False
        return all(title_line[0] <= s and e <= title_line[1] for s, e, _ in c.evidence)

    return [
        c
        for c in candidates
        if not (
            c.is_new
            and (named_elsewhere(c.name) or (fields and _read_only_within(c, jd, fields)) or only_in_title(c))
        )
    ]


def run_extraction(
    loaded: LoadedLibrary,
    embedder: Embedder,
    text: str,
    title: str,
    *,
    top_k: int,
    llm: ModelStage1 | None = None,
) -> ExtractionOutcome:
    """Stage 1; with ``llm`` (the anthropic backend) the model refines the parse and the skills
    and settles close calls, each part falling back to the rules on its own (see llm_stage)."""
    snapshot = loaded.snapshot
    # A batched model call prepared the parse and dictionary skills already (same JD, same library).
    prepared = llm.prepared(loaded) if llm is not None else None
    if prepared is not None:
        jd = prepared.jd
    else:
        jd = parse_jd(text, title_hint=title or None) if text.strip() else _title_only(title)
    model_skills = None
    if llm is not None and jd.jd_type != parsed.JdType.REJECT:
        offline = list(prepared.candidates) if prepared is not None else offline_skills(loaded, jd)
        jd, model_skills = llm.refine(loaded, jd, text, offline)
    result = run_pb2.ExtractionResult(parsed=parsed_to_proto(jd))
    model = f"offline rules + {embedder.name}"
    if jd.jd_type == parsed.JdType.REJECT:
        result.rejected = True
        result.decision.decision_case = run_pb2.DECISION_CASE_REJECTED
        result.decision.reasoning = f"Rejected: {jd.reject_detail or jd.reject_reason}"
        _rank_title_of_rejected(loaded, embedder, jd, title, top_k, result)
        return ExtractionOutcome(result, UpdatePlan(None, None), True, model)

    candidates = (
        without_parsed_names(model_skills, jd) if model_skills is not None else offline_skills(loaded, jd)
    )
    # One embedding call: the title (and a passage only when there is no title or duty sentence),
    # every responsibility sentence and the new skills' names.
    role_title = jd.role_title or title
    sentences = [sig.SentenceInput(s.plain, s.start, s.end) for s in jd.responsibility_sentences]
    texts, sentences_at, names_at = stage1_embedding_texts(jd, title, text, candidates)
    vectors = embedder.embed(texts)
    title_vec = vectors[0] if role_title else None
    sentence_vecs = vectors[sentences_at:names_at]
    # The skills the JD names vote for roles. Offline, the library skills its duties restate are
    # added from the sentence vectors (pipeline/duty_skills; a model names the skills itself):
    # listed, not voted with, as votes they cost the dev job ads roles (a duty's skill is often
    # every role's).
    library_skill_ids = [c.skill_id for c in candidates if c.skill_id is not None]
    if model_skills is None:
        links = linked_duty_skills(snapshot, jd, sentence_vecs, library_skill_ids, loaded.matcher.lead_verbs)
        candidates = [*candidates, *links]
    result.skills.extend(_skill_proto(loaded, jd, text, c) for c in candidates)
    by_duties = profiled_by_duties(jd, title)
    profile_vec = profile_vector(vectors[:sentences_at], sentence_vecs, by_duties=by_duties)
    jd_vec = _unit(sentence_vecs.mean(axis=0)) if len(sentence_vecs) else profile_vec

    normalized = jd.normalized_title or normalize_title(role_title)
    signals = sig.Signals(normalized_title=normalized)
    # The title written out first ("Senior Physiotherapist", "Production Operator (Plastic
    # Moulding)"): a qualified label is keyed so (library.snapshot.alias_lookup_key); then its
    # normalised key, then the fallbacks.
    written = (
        (
            *qualified_keys(role_title),  # "Teaching Assistant (SEN)": the SEN teaching assistant first
            normalize_key(role_title),
            normalize_key(split_title(role_title).as_written),
        )
        if role_title
        else ()
    )
    for key in dict.fromkeys(written):
        if key and key != normalized:
            signals.alias = sig.alias_signal(snapshot, key)
            if signals.alias:
                break
    if not signals.alias:
        signals.alias = sig.alias_signal(snapshot, normalized)
    if not signals.alias and role_title:
        for key in fallback_keys(role_title):  # "Corporate Lawyer / Legal Counsel", "Licensed Plumber"
            signals.alias = sig.alias_signal(snapshot, key)
            if signals.alias:
                break
    title_scores = sig.title_similarity(snapshot, title_vec)
    signals.kra, kra_scores, kra_best = sig.kra_signal(
        snapshot, loaded.kra_index, sentences, sentence_vecs, top_k
    )
    signals.skill, skill_scores = sig.skill_signal(snapshot, library_skill_ids, top_k)
    centroid = sig.centroid_scores(snapshot, jd_vec)
    signals.centroid = sig.top_entries(snapshot, centroid, top_k)
    profile = sig.profile_scores(snapshot, profile_vec)
    signals.profile = sig.top_entries(snapshot, profile, top_k)
    sparse = {"kra_scores": kra_scores, "skill_scores": skill_scores, "weights": SIGNAL_WEIGHTS}
    extra = sig.fusion_extra(snapshot, alias=signals.alias, **sparse)  # type: ignore[arg-type]
    extra_non_alias = sig.fusion_extra(snapshot, alias=[], **sparse)  # type: ignore[arg-type]

    def fused_with(extra: FloatArray) -> Callable[[FloatArray], FloatArray]:
        return lambda title_scores: sig.fuse(
            title_scores=title_scores,
            profile_scores=profile,
            centroid=centroid,
            extra=extra,
            weights=SIGNAL_WEIGHTS,
        )

    fuse, fuse_non_alias = fused_with(extra), fused_with(extra_non_alias)
    # Exact title similarity wherever the decision or a listed ranking reads it (see settle_title).
    alias_rows = [snapshot.role_row[e.role_id] for e in signals.alias if e.role_id in snapshot.role_row]
    reach = max(top_k + 1, TIE_BREAK_CANDIDATES, 2)
    sig.settle_title(snapshot, title_scores, (fuse, fuse_non_alias), SIGNAL_WEIGHTS.title, reach, alias_rows)
    signals.title = sig.top_entries(snapshot, title_scores.values, top_k)
    fused, non_alias = fuse(title_scores.values), fuse_non_alias(title_scores.values)
    tie_break = llm.tie_breaker(snapshot, signals, jd, title) if llm is not None else None
    decision = decide(
        snapshot,
        signals,
        fused,
        non_alias,
        role_title,
        tie_break,
        title_scores=title_scores.values,
        kra_scores=kra_scores,
    )
    signals.combined = ranked_roles(snapshot, fused, decision, top_k)

    result.signals.CopyFrom(
        run_pb2.RoleSignals(
            normalized_title=normalized,
            alias_found=bool(signals.alias),
            alias_match_roles=[_score_proto(loaded, e) for e in signals.alias],
            kra_match_roles=[_score_proto(loaded, e) for e in signals.kra],
            skill_match_roles=[_score_proto(loaded, e) for e in signals.skill],
            centroid_match_roles=[_score_proto(loaded, e) for e in signals.centroid],
            combined_roles=[_score_proto(loaded, e) for e in signals.combined],
            title_match_roles=[_score_proto(loaded, e) for e in signals.title],
            profile_match_roles=[_score_proto(loaded, e) for e in signals.profile],
        )
    )
    result.jd_role.CopyFrom(
        run_pb2.JdRole(
            display_name=role_title,
            slug=slugify(normalized or role_title) if role_title else "",
            role_aliases=list(jd.role_aliases),
            role_archetype=jd.role_archetype or "",
        )
    )
    new_role = _new_role_proposal(jd, role_title, normalized, candidates) if decision.is_new_role else None
    result.decision.CopyFrom(_decision_proto(loaded, decision, signals, candidates, new_role))
    # Only a sure filing teaches the role its JDs and duties: a close call folded in would pull the
    # role toward the wrong JDs (and the next repost of the same JD would "confirm" it), and its
    # duties are another role's.
    sure = _teaches_centroid(decision)
    plan = UpdatePlan(
        role_id=decision.role_id,
        jd_vector=jd_vec if text.strip() and sure else None,
        new_skills=[
            NewSkillPlan(
                c.name,
                c.is_primary,
                tuple(e for e in _skill_proto(loaded, jd, text, c).evidence),
            )
            for c in candidates
            if c.is_new
        ],
        collision_alias=decision.collision_alias,
        collision_role_ids=decision.collision_role_ids,
        uncovered_sentences=_uncovered(decision, kra_best, jd) if sure else [],
        new_role=new_role,
    )
    return ExtractionOutcome(result, plan, False, model)


# A decision at least this sure (a unique alias, a clear lead) is folded into its role's centroid.
CENTROID_MIN_CONFIDENCE = 0.75


def _teaches_centroid(decision: Decision) -> bool:
    return decision.case != "D" and decision.confidence >= CENTROID_MIN_CONFIDENCE


def _uncovered(
    decision: Decision, kra_best: dict[int, dict[int, tuple[float, int]]], jd: parsed.ParsedJd
) -> list[KraPlan]:
    """Responsibility sentences (not the about-the-role prose) that none of the chosen role's KRAs
    cover: the role's best match among each sentence's nearest KRAs is below KRA_COVERAGE."""
    if decision.role_id is None:
        return []
    per_sentence = kra_best.get(decision.role_id, {})
    out: list[KraPlan] = []
    for i, sentence in enumerate(jd.responsibility_sentences):
        if sentence.section_kind != parsed.SectionKind.RESPONSIBILITIES or len(sentence.plain.split()) < 4:
            continue
        best = per_sentence.get(i, (0.0, 0))[0]
        if best < KRA_COVERAGE:
            out.append(KraPlan(sentence.plain, float(best)))
        if len(out) >= MAX_PROPOSED_KRAS:
            break
    return out


def _new_role_proposal(
    jd: parsed.ParsedJd, title: str, normalized: str, candidates: list[ExtractedSkillCandidate]
) -> run_pb2.NewRoleProposal:
    display = title.strip() or "Untitled role"
    return run_pb2.NewRoleProposal(
        slug=slugify(normalized or display),
        display_name=display,
        aliases=list(dict.fromkeys([display, *jd.role_aliases, normalized])),
        archetype=jd.role_archetype or "",
        rationale="No library role fits this JD's title, responsibilities and skills well enough",
        kras=[
            s.plain
            for s in jd.responsibility_sentences
            if s.section_kind == parsed.SectionKind.RESPONSIBILITIES
        ][:12],
        skills=[c.name for c in candidates][:30],
    )


_CASE = {
    "A": run_pb2.DECISION_CASE_UNIQUE_ALIAS,
    "B": run_pb2.DECISION_CASE_ALIAS_COLLISION,
    "C": run_pb2.DECISION_CASE_COMBINED_SIGNALS,
    "D": run_pb2.DECISION_CASE_TIE_BREAK,
    "E": run_pb2.DECISION_CASE_NEW_ROLE,
}


def _decision_proto(
    loaded: LoadedLibrary,
    decision: Decision,
    signals: sig.Signals,
    candidates: list[ExtractedSkillCandidate],
    new_role: run_pb2.NewRoleProposal | None,
) -> run_pb2.RoleDecision:
    snapshot = loaded.snapshot
    out = run_pb2.RoleDecision(
        decision_case=_CASE[decision.case],
        case_letter=decision.case,
        confidence=decision.confidence,
        reasoning=decision.reasoning,
        alias_collision_detected=len(decision.collision_role_ids) > 1,
        collision_roles=[role_ref(snapshot, r) for r in decision.collision_role_ids],
        is_new_role=decision.is_new_role,
        margin=decision.margin,
    )
    if decision.tie_break is not None:
        out.llm2_fired = decision.tie_break.fired
        out.llm2_reasoning = decision.tie_break.reasoning
        out.tie_break_is_rule = decision.tie_break.is_rule
    if decision.role_id is not None:
        out.chosen_role.CopyFrom(role_ref(snapshot, decision.role_id))
        role_skills = snapshot.role_skills.get(decision.role_id, {})
        out.matched_skills.extend(
            c.name for c in candidates if c.skill_id is not None and c.skill_id in role_skills
        )
        for entry in signals.kra:
            if entry.role_id == decision.role_id:
                out.matched_kras.extend(_score_proto(loaded, entry).kra_matches)
    elif new_role is not None:
        out.new_role.CopyFrom(new_role)
        out.chosen_role.CopyFrom(
            common_pb2.RoleRef(slug=new_role.slug, display_name=new_role.display_name, source="proposed")
        )
    return out
