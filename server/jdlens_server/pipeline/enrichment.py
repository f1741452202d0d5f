"""The client output enrichment of a run, computed offline by explainable rules (no model call):
AI index, tech-stack maturity, nature of work, skill clusters and a KRA description.

All text rules read the JD's own words outside boilerplate (benefits, equal-opportunity, scam and
accessibility notices never count), with the curated lists of ``enrichment_terms``.

- AI index (0..5): the sum of the weights of the components that hold (COMPONENT_WEIGHTS; they sum
  to 5): the title names AI work; an AI term is among the JD's skills or asked for in its text;
  asked for where the work is described (title, requirements, responsibilities: primary) and/or
  elsewhere (secondary); the JD places the job on an AI team; the JD says the job builds AI
  (a build verb with an AI object in one clause). The explanation lists each component with its
  weight and evidence, so the score can be checked by hand.
- Tech-stack maturity: curated terms per level (legacy, mainstream, modern, AI-native); a level is
  reported when two or more of its terms appear, or when it is the level with the most terms.
- Nature of work: responsibility sentences ranked by their best match to the chosen role's KRAs
  (stage 1), the skills they mention and their position; the label is the kind of work whose
  words weigh most in them, the summary joins the top sentences, the quote is the best one,
  verbatim, with its span in the JD.
- Skill clusters: each skill under the chosen role's dimension it belongs to (the role's library
  dimensions plus the links stage 3 saved); skills under none, or new, go to "Cross-cutting /
  unaligned".
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from jdlens.v1 import common_pb2, parsed_jd_pb2, run_pb2
from jdlens_server.library.state import LoadedLibrary
from jdlens_server.pipeline import enrichment_terms as terms
from jdlens_server.pipeline.refs import dimension_ref
from jdlens_server.pipeline.skills import in_employer_sentence, is_pay_term
from jdlens_server.resource_names import DIMENSIONS, ROLES, SKILLS, parse_id_name

__all__ = ["AI_INDEX_VERSION", "COMPONENT_WEIGHTS", "GENERATED_BY", "UNALIGNED_LABEL", "compute_enrichment"]

GENERATED_BY = "offline rules v1"
AI_INDEX_VERSION = "offline-1"
UNALIGNED_LABEL = "Cross-cutting / unaligned"
COMPONENT_WEIGHTS: dict[str, float] = {
    "title_match": 1.5,
    "has_ai_skill": 0.5,
    "ai_skill_primary": 1.0,
    "ai_skill_secondary": 0.25,
    "on_ai_team": 0.75,
    "builds_ai_products": 1.0,
}
_COMPONENT_LABELS = {
    "title_match": "title match",
    "has_ai_skill": "AI skill present",
    "ai_skill_primary": "AI skill primary",
    "ai_skill_secondary": "AI skill secondary",
    "on_ai_team": "on an AI team",
    "builds_ai_products": "builds AI products",
}
MAX_KRA_CHARS = 700
SUMMARY_SENTENCES = 3
SUMMARY_WORDS = 30

_K = parsed_jd_pb2.SectionKind
_EXCLUDED = {_K.Value("SECTION_KIND_BOILERPLATE"), _K.Value("SECTION_KIND_BENEFITS")}
_PRIMARY_KINDS = {_K.Value("SECTION_KIND_REQUIREMENTS"), _K.Value("SECTION_KIND_RESPONSIBILITIES")}
# Where an AI term counts as a skill asked for (not company background).
_SKILL_KINDS = _PRIMARY_KINDS | {
    _K.Value("SECTION_KIND_NICE_TO_HAVE"),
    _K.Value("SECTION_KIND_ABOUT_ROLE"),
    _K.Value("SECTION_KIND_OTHER"),
    _K.Value("SECTION_KIND_UNSPECIFIED"),
}
_RESPONSIBILITIES = _K.Value("SECTION_KIND_RESPONSIBILITIES")
_ABOUT_ROLE = _K.Value("SECTION_KIND_ABOUT_ROLE")


@dataclass(frozen=True, slots=True)
class _Region:
    start: int
    end: int
    kind: parsed_jd_pb2.SectionKind.ValueType
    # Cut once here for every vocabulary that searches the region.
    tokens: terms.Tokens


@dataclass(frozen=True, slots=True)
class _Hit:
    category: str
    name: str
    start: int
    end: int
    kind: parsed_jd_pb2.SectionKind.ValueType


def _regions(run: run_pb2.Run) -> list[_Region]:
    """The JD's non-boilerplate stretches with their section kind."""
    parsed = run.extraction.parsed
    text = run.jd_text
    blocked = [(b.span.start, b.span.end) for b in parsed.boilerplate]
    sections = [s for s in parsed.sections if s.kind not in _EXCLUDED]
    if not parsed.sections and text:
        sections_spans = [(0, len(text), _K.Value("SECTION_KIND_UNSPECIFIED"))]
    else:
        sections_spans = [(s.span.start, s.span.end, s.kind) for s in sections]
    out: list[_Region] = []
    for start, end, kind in sections_spans:
        pieces = [(start, end)]
        for b0, b1 in blocked:
            pieces = [p for a, z in pieces for p in ((a, min(z, b0)), (max(a, b1), z)) if p[1] > p[0]]
        out.extend(_Region(a, z, kind, terms.Tokens.of(text, a, z)) for a, z in pieces)
    return out


def _find(vocabulary: terms.Vocabulary, regions: Sequence[_Region]) -> list[_Hit]:
    return [
        _Hit(category, name, start, end, region.kind)
        for region in regions
        for category, name, start, end in vocabulary.find_in(region.tokens)
    ]


def _distinct(hits: Sequence[_Hit]) -> list[str]:
    return list(dict.fromkeys(h.name for h in hits))


def _title(run: run_pb2.Run) -> str:
    return run.extraction.parsed.role_title or run.title_hint or run.extraction.jd_role.display_name


# ---- AI index ----------------------------------------------------------------------------------


def _skill_names(run: run_pb2.Run) -> list[tuple[str, bool]]:
    """(name, is_primary) of the run's skills, with their canonical names when resolved."""
    primary = {s.skill_name: s.is_primary for s in run.extraction.skills}
    out = [(s.skill_name, s.is_primary) for s in run.extraction.skills]
    out += [
        (d.canonical.display_name, primary.get(d.input_skill, False))
        for d in run.details.skills_detail
        if d.canonical.display_name
    ]
    return out


def _ai_index(run: run_pb2.Run, regions: list[_Region]) -> run_pb2.AiIndex:
    text = run.jd_text
    hits = _find(terms.AI_VOCABULARY, regions)
    vocabulary = run_pb2.AiVocabulary(
        **{c: _distinct([h for h in hits if h.category == c]) for c in terms.AI_VOCABULARY.names}
    )
    evidence: dict[str, str] = {}

    title = _title(run)
    title_hits = terms.AI_VOCABULARY.search(title) + terms.AI_TITLE_EXTRA.search(title)
    if title_hits:
        evidence["title_match"] = f"{title!r} names {', '.join(dict.fromkeys(title_hits))}"

    primary: list[str] = []
    secondary: list[str] = []
    for name, is_primary in _skill_names(run):
        if terms.AI_VOCABULARY.search(name):
            (primary if is_primary else secondary).append(f"skill {name}")
    employer = run.extraction.parsed.company_name
    for hit in hits:
        # "Clearpath Analytics helps finance teams ... with AI-powered reconciliation": the
        # employer's product, not a skill the role asks for.
        if hit.kind in _SKILL_KINDS and not (employer and in_employer_sentence(text, hit.start, employer)):
            (primary if hit.kind in _PRIMARY_KINDS else secondary).append(hit.name)
    primary, secondary = list(dict.fromkeys(primary)), list(dict.fromkeys(secondary))
    if primary or secondary:
        evidence["has_ai_skill"] = ", ".join((primary + secondary)[:5])
    if primary:
        evidence["ai_skill_primary"] = ", ".join(primary[:5])
    if secondary:
        evidence["ai_skill_secondary"] = ", ".join(secondary[:5])

    for key, pattern in (("on_ai_team", terms.AI_TEAM), ("builds_ai_products", terms.AI_BUILDS_PRODUCTS)):
        for region in regions:
            m = pattern.search(text, region.start, region.end)
            if m is not None:
                evidence[key] = repr(" ".join(m.group().split()))
                break

    components = run_pb2.AiIndexComponents(**{key: key in evidence for key in COMPONENT_WEIGHTS})
    score = round(sum(w for key, w in COMPONENT_WEIGHTS.items() if key in evidence), 2)
    parts = [
        f"{_COMPONENT_LABELS[key]} {COMPONENT_WEIGHTS[key] if key in evidence else 0:g}"
        + (f" ({evidence[key]})" if key in evidence else "")
        for key in COMPONENT_WEIGHTS
    ]
    explanation = f"{score:g} / 5 = " + " + ".join(parts)
    return run_pb2.AiIndex(
        score=score,
        version=AI_INDEX_VERSION,
        components=components,
        vocabulary=vocabulary,
        explanation=explanation,
    )


# ---- tech-stack maturity -----------------------------------------------------------------------


def _maturity(run: run_pb2.Run, regions: list[_Region]) -> run_pb2.TechStackMaturity:
    # "PHP 20,000 per month" is pesos, "+ AWS" in a pay line Singapore's annual wage supplement.
    hits = [h for h in _find(terms.MATURITY, regions) if not is_pay_term(run.jd_text, h.start, h.end)]
    levels = list(terms.MATURITY.names)
    found = {lv: _distinct([h for h in hits if h.category == lv]) for lv in levels}
    out = run_pb2.TechStackMaturity()
    if not hits:
        out.reasoning = "No technology the curated lists know appears in the JD: maturity not assessed."
        return out
    top = max(levels, key=lambda lv: len(found[lv]))
    chosen = [lv for lv in levels if len(found[lv]) >= 2 or lv == top]
    out.levels.extend(run_pb2.TechMaturity.Value(f"TECH_MATURITY_{lv}") for lv in chosen)
    first = {h.name: h for h in reversed(hits)}
    out.evidence.extend(
        f"{h.name} ({_level(h.category)})" for h in sorted(first.values(), key=lambda h: h.start)
    )
    described = [f"{_level(lv)} ({len(found[lv])}: {_listed(found[lv])})" for lv in chosen]
    minor = [f"{_level(lv)} only {found[lv][0]}" for lv in levels if lv not in chosen and found[lv]]
    absent = [_level(lv) for lv in levels if not found[lv]]
    reasoning = "Stack terms in the JD: " + "; ".join(described) + "."
    if minor:
        reasoning += " A single term does not make a level: " + ", ".join(minor) + "."
    if absent:
        reasoning += " None " + " or ".join(absent) + "."
    out.reasoning = reasoning
    return out


def _level(name: str) -> str:
    return name.lower().replace("_", "-")


_LISTED = 6  # names a level's reasoning lists before "and N more"


def _listed(names: list[str]) -> str:
    """The names, or the first _LISTED of them and how many more: the count before them is all."""
    if len(names) <= _LISTED:
        return ", ".join(names)
    return f"{', '.join(names[:_LISTED])} and {len(names) - _LISTED} more"


# ---- nature of work ----------------------------------------------------------------------------


def _ranked_sentences(run: run_pb2.Run) -> list[tuple[float, int, parsed_jd_pb2.Sentence]]:
    """Responsibility sentences (else about-the-role ones), best first, as (score, position, sentence)."""
    sentences = list(run.extraction.parsed.responsibility_sentences)
    pool = [s for s in sentences if s.section_kind == _RESPONSIBILITIES] or [
        s for s in sentences if s.section_kind == _ABOUT_ROLE
    ]
    pool = pool or sentences
    kra: dict[int, float] = defaultdict(float)
    for m in run.extraction.decision.matched_kras:
        kra[m.sentence_span.start] = max(kra[m.sentence_span.start], m.similarity)
    spans = [ev.span for s in run.extraction.skills for ev in s.evidence]
    ranked = []
    for pos, s in enumerate(pool):
        skills = sum(s.span.start <= sp.start < s.span.end for sp in spans)
        words = len(s.text.split())
        # The role's KRAs say what the job is, but generic duties ("mentor team members") match
        # generic KRAs too: skills named, position and substance weigh in.
        score = 0.5 * kra[s.span.start] + 0.15 * min(skills, 4) + 0.3 / (1 + pos) + 0.1 * min(words / 15, 1.0)
        ranked.append((round(score, 4), pos, s))
    ranked.sort(key=lambda r: (-r[0], r[1]))
    return ranked


def _clause(text: str, max_words: int) -> str:
    """The sentence, or its first ``max_words`` words ending on a word and an ellipsis."""
    words = text.rstrip(" .;").split()
    if len(words) <= max_words:
        return " ".join(words)
    return " ".join(words[:max_words]).rstrip(",;:") + "…"


def _lower_first(text: str) -> str:
    first = text.split(" ", 1)[0]
    return text if first.isupper() and len(first) > 1 else text[:1].lower() + text[1:]


def _nature_of_work(run: run_pb2.Run) -> run_pb2.NatureOfWork:
    ranked = _ranked_sentences(run)
    if not ranked:
        return run_pb2.NatureOfWork(
            label="Not described", summary="The JD does not describe the work itself."
        )
    weights: dict[str, float] = defaultdict(float)
    # Each sentence votes once for every kind of work it names, with its rank score.
    for score, _, s in ranked:
        for label, pattern in terms.WORK_FAMILIES:
            if pattern.search(s.text):
                weights[label] += 1 + score
    title = _title(run)
    for label, pattern in terms.WORK_FAMILIES:
        if pattern.search(title):
            weights[label] += 1
    label = max(weights, key=lambda k: weights[k]) if any(weights.values()) else "General duties"

    top = sorted(ranked[:SUMMARY_SENTENCES], key=lambda r: r[1])
    clauses = [_clause(s.text, SUMMARY_WORDS) for _, _, s in top]
    clauses = [clauses[0]] + [_lower_first(c) for c in clauses[1:]]
    if len(clauses) > 1:
        clauses[-1] = "and " + clauses[-1]
    summary = "; ".join(clauses) + "."
    best = ranked[0][2]
    quote = run.jd_text[best.span.start : best.span.end]
    return run_pb2.NatureOfWork(
        label=label,
        summary=summary[:1].upper() + summary[1:],
        evidence_quote=quote,
        evidence_span=common_pb2.TextSpan(start=best.span.start, end=best.span.end),
    )


# ---- skill clusters and KRA description ---------------------------------------------------------


def _skills_with_ids(run: run_pb2.Run) -> list[tuple[str, int | None]]:
    if run.details.skills_detail:
        return [
            (d.input_skill, parse_id_name(d.canonical.name, SKILLS) if d.canonical.name else None)
            for d in run.details.skills_detail
            if d.new_skill_meta.placement != run_pb2.PLACEMENT_SPLIT
        ]
    return [
        (s.skill_name, parse_id_name(s.library_skill.name, SKILLS) if s.library_skill.name else None)
        for s in run.extraction.skills
    ]


def _skill_clusters(loaded: LoadedLibrary, run: run_pb2.Run) -> list[run_pb2.SkillCluster]:
    snapshot = loaded.snapshot
    decision = run.extraction.decision
    role_id = parse_id_name(decision.chosen_role.name, ROLES) if decision.chosen_role.name else None
    role_dims: dict[int, int] = dict(snapshot.role_dimensions.get(role_id, {})) if role_id is not None else {}
    saved_skill_dims: dict[str, set[int]] = defaultdict(set)
    linked = (run_pb2.LINK_OUTCOME_SAVED, run_pb2.LINK_OUTCOME_ALREADY_LINKED)
    for item in run.final_role.persistence.items:
        dim_id = parse_id_name(item.dimension.name, DIMENSIONS)
        if dim_id is None:
            continue
        if item.role_dimension in linked:
            role_dims.setdefault(dim_id, 1)
        if item.skill_dimension in linked:
            saved_skill_dims[item.input_skill].add(dim_id)

    groups: dict[int, list[str]] = defaultdict(list)
    unaligned: list[str] = []
    for name, skill_id in _skills_with_ids(run):
        dims = set(snapshot.skill_dimensions.get(skill_id, ())) if skill_id is not None else set()
        dims |= saved_skill_dims.get(name, set())
        under = [d for d in dims if d in role_dims]
        if skill_id is None or not under:
            unaligned.append(name)
            continue
        best = max(under, key=lambda d: (role_dims[d], -d))
        if name not in groups[best]:
            groups[best].append(name)
    out: list[run_pb2.SkillCluster] = []
    for d in sorted(groups, key=lambda d: (-len(groups[d]), _dimension_label(loaded, d))):
        ref = dimension_ref(snapshot, d)
        out.append(run_pb2.SkillCluster(dimension=ref, label=ref.display_name, skills=groups[d]))
    if unaligned:
        out.append(
            run_pb2.SkillCluster(label=UNALIGNED_LABEL, skills=list(dict.fromkeys(unaligned)), unaligned=True)
        )
    return out


def _dimension_label(loaded: LoadedLibrary, dimension_id: int) -> str:
    dim = loaded.snapshot.dimensions.get(dimension_id)
    return dim.display_name if dim else ""


def _kra_description(run: run_pb2.Run) -> tuple[str, str]:
    """(description, source): responsibility sentences, else about-the-role ones, cut at a sentence."""
    sentences = run.extraction.parsed.responsibility_sentences
    for kind, source in ((_RESPONSIBILITIES, "jd responsibilities"), (_ABOUT_ROLE, "jd about the role")):
        picked = [s.text.strip().rstrip(".;") + "." for s in sentences if s.section_kind == kind]
        if picked:
            out = ""
            for sentence in picked:
                if out and len(out) + 1 + len(sentence) > MAX_KRA_CHARS:
                    break
                out = f"{out} {sentence}".strip()
            return out, source
    return "", "none"


_SPACES = re.compile(r"\s+")


def compute_enrichment(loaded: LoadedLibrary, run: run_pb2.Run) -> run_pb2.Enrichment:
    """The enrichment of a run from its stage outputs (stage 1 at least) and the library snapshot."""
    regions = _regions(run)
    out = run_pb2.Enrichment(generated_by=GENERATED_BY)
    out.ai_index.CopyFrom(_ai_index(run, regions))
    out.tech_stack_maturity.CopyFrom(_maturity(run, regions))
    out.nature_of_work.CopyFrom(_nature_of_work(run))
    out.skill_clusters.extend(_skill_clusters(loaded, run))
    description, kra_source = _kra_description(run)
    out.kra_description = _SPACES.sub(" ", description)
    text_source = "jd" if run.jd_text.strip() else "title"
    out.sources.update(
        {
            "ai_index": text_source,
            "tech_stack_maturity": text_source,
            "nature_of_work": text_source,
            "skill_clusters": "library (chosen role's dimensions)",
            "kra_description": kra_source,
        }
    )
    return out
