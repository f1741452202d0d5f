"""Skill extraction for one JD: dictionary mentions aggregated per library skill, plus new-skill
candidates the library lacks, each with evidence spans, primary/secondary and a confidence.

Inputs are the JD text, the regions a skill may be read from (the parser's skill text spans:
boilerplate already left out) with their section kind, and a :class:`SkillMatcher` built from the
library. Nothing here touches the store.

- Dictionary skills: every mention of a library alias, grouped by skill. A skill is *primary*
  when it is asked for where the work is described (requirements, responsibilities, the title),
  not only as a nice-to-have, or when the JD keeps coming back to it; its confidence grows with
  the trust in the alias (canonical > alternative > hidden), the section and repetition.
- New skills: tool-shaped names (CamelCase, dotted, digits, ALLCAPS), the other items of a list
  that holds known tools ("Hadoop/Ceph, Spark/Flink, Hive"), and the objects of "experience
  with X" / "knowledge of X" / "proficiency in X" in requirement-like lines, when no library alias
  covers them. Slash compounds are split into their parts.
"""

from __future__ import annotations

import bisect
import functools
import re
from collections.abc import Container, Mapping, Sequence
from dataclasses import dataclass, field

from jdlens_server.nlp.acronyms import spelled_out
from jdlens_server.nlp.jd_facts import PAY_AMOUNT_AHEAD, PREFERRED
from jdlens_server.nlp.locations import is_place_name, is_region_code
from jdlens_server.nlp.skill_matcher import (
    SkillMatcher,
    SkillMention,
    Token,
    is_tool_like,
    sentence_ids,
    tokenize,
)
from jdlens_server.nlp.skill_phrases import (
    DOCUMENTS_AND_CREDENTIALS,
    ORGANISATION_ACRONYMS,
    STATUTORY_SCHEMES,
    PhraseCandidate,
    PhraseKind,
    PhraseProposer,
    is_equal_opportunity,
    speaks_of_employer,
)
from jdlens_server.nlp.stemming import fold_token, fold_tokens
from jdlens_server.nlp.text import DUTY_VERBS, clause_starts, wordlist

__all__ = [
    "ExtractedSkillCandidate",
    "SpanCandidate",
    "extract_skills",
    "in_employer_sentence",
    "is_pay_term",
    "skill_spans",
]

Region = tuple[int, int, str]
Evidence = tuple[int, int, str]


def _folded(words: str) -> frozenset[str]:
    return frozenset(fold_token(w) for w in words.split())


# How much a mention in each kind of section says the skill is really wanted.
_REGION_WEIGHT: dict[str, float] = {
    "TITLE": 1.0,
    "REQUIREMENTS": 1.0,
    "RESPONSIBILITIES": 0.9,
    "ABOUT_ROLE": 0.7,
    "": 0.7,
    "OTHER": 0.6,
    "NICE_TO_HAVE": 0.4,
    "ABOUT_COMPANY": 0.3,
    "BENEFITS": 0.2,
    "BOILERPLATE": 0.1,
}
_PRIMARY_KINDS = frozenset({"TITLE", "REQUIREMENTS", "RESPONSIBILITIES"})
_COMPANY = "ABOUT_COMPANY"
# Requirement-like regions where open phrases may name new skills.
_NEW_SKILL_KINDS = frozenset({"TITLE", "REQUIREMENTS", "RESPONSIBILITIES", "NICE_TO_HAVE", "ABOUT_ROLE", ""})
_SENTENCE_BREAK = re.compile(r"[.!?;\n\u2022]")


@dataclass(frozen=True, slots=True)
class ExtractedSkillCandidate:
    name: str
    skill_id: int | None  # None for a new skill
    is_primary: bool
    confidence: float
    evidence: tuple[Evidence, ...]  # (start, end, region kind), offsets into the JD text
    source: str  # "dictionary" | "phrase"
    matched_alias: str
    is_new: bool


@dataclass(frozen=True, slots=True)
class SpanCandidate:
    """A stretch of text read as a skill: a dictionary mention or an open phrase."""

    start: int
    end: int
    source: str  # "dictionary" | "phrase"
    kind: str  # "dictionary" or the PhraseKind value


@dataclass(slots=True)
class _Agg:
    name: str
    skill_id: int | None
    alias: str
    source: str
    best: float = 0.0
    evidence: list[Evidence] = field(default_factory=list)
    weights: list[float] = field(default_factory=list)
    optional: list[bool] = field(default_factory=list)


class _Optionality:
    """Whether the sentence around a span says the skill is optional; sentences are found once."""

    def __init__(self, text: str) -> None:
        self._text = text
        # And where an ad flattened to one line starts its next item ("... is an advantage" speaks
        # of its own item, not of the whole ad).
        breaks = {m.start() for m in _SENTENCE_BREAK.finditer(text)}
        breaks.update(c - 1 for c in clause_starts(text, 0, len(text)))
        self._breaks = sorted(breaks)
        self._cache: dict[int, bool] = {}

    def __call__(self, start: int, kind: str) -> bool:
        if kind == "NICE_TO_HAVE":
            return True
        i = bisect.bisect_right(self._breaks, start)
        cached = self._cache.get(i)
        if cached is None:
            a = self._breaks[i - 1] + 1 if i > 0 else 0
            b = self._breaks[i] if i < len(self._breaks) else len(self._text)
            # "... is an asset", "French is a plus", "preferably": the item asks for it optionally.
            cached = self._cache[i] = PREFERRED.search(self._text, a, b) is not None
        return cached


def _score(agg: _Agg, core_kinds: frozenset[str] = _PRIMARY_KINDS) -> tuple[bool, float]:
    """(is_primary, confidence) of an aggregated skill; ``core_kinds``: the sections that ask."""
    n = len(agg.evidence)
    wanted = [w for w, opt in zip(agg.weights, agg.optional, strict=True) if not opt]
    best_weight = max(wanted, default=max(agg.weights, default=0.0) * 0.5)
    kinds = {kind for _, _, kind in agg.evidence}
    core = any(
        kind in core_kinds and not opt for (_, _, kind), opt in zip(agg.evidence, agg.optional, strict=True)
    )
    # Without sections (kind ""), only repetition can make a skill primary.
    primary = core or (n >= 3 and best_weight >= 0.6) or (bool(kinds & {""}) and n >= 2 and bool(wanted))
    repetition = min(0.15, 0.05 * (n - 1))
    confidence = agg.best * (0.6 + 0.4 * best_weight) + repetition
    return primary, round(min(1.0, max(0.0, confidence)), 4)


def extract_skills(
    text: str,
    regions: Sequence[Region] | None,
    matcher: SkillMatcher,
    *,
    skill_names: Mapping[int, str],
    proposer: PhraseProposer | None = None,
    stack_skill_ids: Container[int] | None = None,
    employer: str | None = None,
) -> list[ExtractedSkillCandidate]:
    """Skills of a JD, library skills first (by confidence), then new-skill candidates.

    With ``stack_skill_ids``, a mention in the employer's description of itself counts only for a
    skill of that set (its tools, platforms and languages): "Content and journalism across the
    internet are funded through advertising" asks no journalism of the candidate. That description
    is the about-company section, and with ``employer`` (its name) any sentence that opens with the
    name and never addresses the reader ("Clearpath Analytics helps finance teams close their books
    with AI-powered reconciliation")."""
    spans: Sequence[Region] = [(0, len(text), "")] if regions is None else regions
    # Each region is tokenised once, for the matcher, the phrase proposer and the list reader.
    region_tokens = [tokenize(text, start, end) for start, end, _ in spans]
    mentions = matcher.find(text, spans, tokens=region_tokens)
    if stack_skill_ids is not None:
        mentions = [
            m
            for m in mentions
            if m.skill_id in stack_skill_ids
            or not (m.region_kind == _COMPANY or (employer and in_employer_sentence(text, m.start, employer)))
        ]
    mentions = [
        m for m in mentions if not (is_pay_term(text, m.start, m.end) or is_legal_form(text, m.start, m.end))
    ]
    proposer = proposer or PhraseProposer(matcher.lead_verbs)

    optional = _Optionality(text)
    known: dict[int, _Agg] = {}
    for m in mentions:
        agg = known.get(m.skill_id)
        if agg is None:
            name = skill_names.get(m.skill_id, m.alias_text)
            agg = known[m.skill_id] = _Agg(name, m.skill_id, m.alias_text, "dictionary")
        if m.confidence > agg.best:
            agg.best = m.confidence
            agg.alias = m.alias_text
        agg.evidence.append((m.start, m.end, m.region_kind))
        agg.weights.append(_REGION_WEIGHT.get(m.region_kind, 0.6))
        agg.optional.append(optional(m.start, m.region_kind))

    new: dict[str, _Agg] = {}
    covered = [(m.start, m.end) for m in mentions]
    known_keys = {_key(skill_names.get(sid, "")) for sid in known}
    for (start, end, kind), tokens in zip(spans, region_tokens, strict=True):
        if kind not in _NEW_SKILL_KINDS:
            continue
        region_mentions = [m for m in mentions if start <= m.start and m.end <= end]
        for name, a, b, conf in _new_skill_names(text, tokens, proposer, region_mentions):
            # A library term covers the candidate, or cuts across it: not new. A candidate that
            # holds a term and says more ("streaming [data processing]") is a narrower new skill.
            if any(a < e and s < b and not (a <= s and e <= b and (s, e) != (a, b)) for s, e in covered):
                continue
            key = _key(name)
            if not key or key in known_keys or "\n" in name:
                continue  # a name never runs over a line break ("Nights\n\nSt. Brendan")
            if matcher.is_label(name):
                continue  # a library label the matcher read as no skill here ("Go" without code) is no new one
            agg = new.get(key)
            if agg is None:
                agg = new[key] = _Agg(name, None, name, "phrase")
            agg.best = max(agg.best, conf)
            agg.evidence.append((a, b, kind))
            agg.weights.append(_REGION_WEIGHT.get(kind, 0.6))
            agg.optional.append(optional(a, kind))

    _drop_unlikely_new(text, new, list(known.values()))

    # A posting written as prose has no duties or requirements section: its role text is where the
    # work is described, so a skill asked for there is primary.
    core_kinds = (
        _PRIMARY_KINDS
        if any(kind in _PRIMARY_KINDS - {"TITLE"} for _s, _e, kind in spans)
        else _PRIMARY_KINDS | {"ABOUT_ROLE"}
    )
    out: list[ExtractedSkillCandidate] = []
    for agg in [*known.values(), *new.values()]:
        primary, confidence = _score(agg, core_kinds)
        out.append(
            ExtractedSkillCandidate(
                name=agg.name,
                skill_id=agg.skill_id,
                is_primary=primary,
                confidence=confidence,
                evidence=tuple(sorted(set(agg.evidence))),
                source=agg.source,
                matched_alias=agg.alias,
                is_new=agg.skill_id is None,
            )
        )
    out.sort(key=lambda c: (c.is_new, not c.is_primary, -c.confidence, c.evidence[0][0] if c.evidence else 0))
    return out


# Currency codes that are also skills' names: "PHP 25,000" is Philippine pesos, not the language.
_CURRENCY_NAMES = frozenset({"PHP", "Php"})
# An amount ("PHP 22,000", "PHP 610/day"), not a version ("PHP 8"): as the pay reader reads it.
_FIGURE_AFTER = re.compile(PAY_AMOUNT_AHEAD)


# "SGD 4,500 - 5,800 per month + AWS + variable bonus": an add-on after "+" in a pay line.
_PLUS_BEFORE = re.compile(r"\+\s*$")
_PAY_LINE = re.compile(
    r"\d[\d,. ]*\s*(?:per|a|/)\s*(?:month|year|annum|hour|week)|\b(?:salary|pay)\b", re.IGNORECASE
)


# Pay words that are also tools' names: Singapore's and Malaysia's annual wage supplement.
_PAY_ACRONYMS = frozenset({"AWS"})
# A list item next to the mention that is a benefit: the mention is one of the benefits.
_BENEFIT = (
    r"(?:(?:variable|performance|annual)\s+)?(?:bonus(?:es)?|medical|insurance|allowances?|annual\s+leave)"
)
_BENEFIT_ITEM_NEXT = re.compile(rf"\s*(?:,|&|\band\b|\+)\s*{_BENEFIT}\b", re.IGNORECASE)
_BENEFIT_ITEM_BEFORE = re.compile(
    rf"\b(?:{_BENEFIT}|benefits?\s+include)\s*(?:,|&|\band\b|\+|:)?\s*$", re.IGNORECASE
)


def is_pay_term(text: str, start: int, end: int) -> bool:
    """The mention is part of the pay, not a skill: a currency code before an amount ("PHP
    22,000"), an item of a list of benefits ("AWS, variable bonus"), or an add-on after "+" on a
    line that states pay ("+ AWS + variable bonus")."""
    if text[start:end] in _CURRENCY_NAMES and _FIGURE_AFTER.match(text, end) is not None:
        return True
    if text[start:end] in _PAY_ACRONYMS and (
        _BENEFIT_ITEM_NEXT.match(text, end) or _BENEFIT_ITEM_BEFORE.search(text, max(0, start - 40), start)
    ):
        return True  # "Benefits include AWS, variable bonus": Singapore's annual wage supplement
    if _PLUS_BEFORE.search(text, max(0, start - 4), start) is None:
        return False
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    return _PAY_LINE.search(text[line_start : line_end if line_end >= 0 else len(text)]) is not None


# "PLC" after a firm's name is its legal form (Ethiopian and British firms): "[REDACTED] Construction
# PLC", "Abyssinia Trading PLC"; not "Siemens PLC programming".
_LEGAL_FORM_AFTER = re.compile(
    r"(?:\]|\b(?:Construction|Trading|Engineering|Manufacturing|Industries|Industry|Industrial|Bank|Insurance|"
    r"Hotels?|Enterprises?|Group|Services|Holdings|Company|Import|Export|General|Share|Pharmaceuticals?|"
    r"Textiles?|Foods?|Beverages?|Logistics|Transport|Consultancy|Consulting|Agro|Farms?|Plastics|Steel|"
    r"Cement|Motors|Developers?|Properties|Hospital|Brewery|Breweries))[ \t]+$"
)


def is_legal_form(text: str, start: int, end: int) -> bool:
    """The mention is a firm's legal form ("... Trading PLC"), not the programmable logic controller."""
    return (
        text[start:end] in ("PLC", "Plc")
        and _LEGAL_FORM_AFTER.search(text, max(0, start - 40), start) is not None
    )


@functools.lru_cache(maxsize=1 << 14)  # the library's skill names come back in every JD
def _key(name: str) -> str:
    return " ".join(t.key for t in tokenize(name) if t.is_word)


_MAX_NEW_WORDS = 4


# Cues after which an open noun phrase is a skill the JD asks for (not "such as", "work with").
def _cue_key(cue: str) -> str:
    return fold_tokens(cue.split())  # fold_token case-folds


_STRONG_OBJECT_CUES = frozenset(
    _cue_key(c)
    for c in (
        "experience with",
        "experience in",
        "experience using",
        "experienced in",
        "experienced with",
        "knowledge of",
        "knowledge in",
        "understanding of",
        "familiarity with",
        "familiar with",
        "proficiency in",
        "proficiency with",
        "proficient in",
        "proficient with",
        "expertise in",
        "expertise with",
        "expert in",
        "skills in",
        "skilled in",
        "background in",
        "passion for",
        "competence in",
        "certified in",
        "certification in",
        "fluent in",
        "fluency in",
        "mastery of",
    )
)
# Words that never make a new skill on their own.
_NOT_NEW = (
    _folded(
        """
    experience knowledge skills skill tools tool technologies technology systems system people team
    teams interest interests things thing ways way work environment role company field fields area
    areas industry solutions solution products product projects project trends latest new modern
    various different other similar related relevant familiar ability understanding
    hybrid remote onsite nights evenings weekends overnight shifts
    bsc msc ba ma bs ms beng meng phd mba hons ged hnd hnc gcse gcses diploma degree bachelor bachelors
    master masters doctorate btech mtech bca mca ug pg barangay clearance"""
    )
    | DOCUMENTS_AND_CREDENTIALS
    | ORGANISATION_ACRONYMS
    | STATUTORY_SCHEMES
)
_GENERIC_HEADS = _folded(
    "tools tool technologies technology solutions environment environments stack related based language languages"
)
# Generic heads in lower case after a name: "ERP system" is ERP; "Opera Property Management
# System" is a product's name and "embedded systems" a field.
_LOWER_CASE_GENERIC_HEADS = frozenset({"system", "systems"})
# The same after a name written as a product's ("PostgreSQL databases", "J2EE development",
# "SAP modules"), not after a plain word ("Web development" is a field).
_LOWER_CASE_PRODUCT_HEADS = frozenset(
    wordlist(
        "software development scripting programming database databases domain platform platforms modules"
    )
)
# Days, months and CEFR language levels ("Sundays", "B2+"): facts of the posting, not skills.
_CALENDAR_OR_LEVEL = re.compile(
    r"(?:(?:mon|tues|wednes|thurs|fri|satur|sun)days?|january|february|march|april|june|july|august|"
    r"september|october|november|december|[abc][12]\+?)",
    re.IGNORECASE,
)
# Last words that make a capitalised name an organisation: "Medical Research Council".
# Not "Trust", "Foundation", "Authority", "Board": "Zero Trust", "ZURB Foundation", "Certificate
# Authority" and "Kanban Board" are skills.
_ORGANISATION_HEADS = _folded(
    """council ministry agency commission institute institution university college school hospital
    association society department authority administration bureau corporation federation"""
)
# A quantity or a reference number is no skill: "12kg", "33kV", "19C0000", "R1987654".
_MEASURE_OR_ID = re.compile(
    # (units of two letters or more: "5G" and "10G" are networks)
    r"\d+(?:[.,]\d+)?\s?(?:kg|lbs?|kv|kw|mw|kwh|hz|mhz|ghz|mm|cm|km|ml|tons?|tonnes?|hrs|%)|"
    r"[A-Z]{0,2}\d{2,}[A-Z]\d{3,}|[A-Z]{1,2}\d{6,}",
    re.IGNORECASE,
)
# An acronym a JD writes as an organisation (_an_organisation_acronym): every mention after
# "by / with / to the" ("registered with the CQC", "report to the IRS"; not "work within the
# SDLC"), with no tool noun or capitalised word after it ("the SAP system", "the AML Compliance
# team").
_CAPITALISED_AFTER = re.compile(r"[ \t]+[A-Z]")
_REGULATOR_BEFORE = re.compile(r"\b(?:by|with|to|from|under)\s+the\s+$", re.IGNORECASE)
_TOOL_NOUN_AFTER = re.compile(
    r"\s+(?:system|systems|platform|software|tool|tools|module|modules|suite|api|framework|database|language|"
    r"certification|certificate|standard|process|model|reports?)\b",
    re.IGNORECASE,
)


def _an_organisation_acronym(text: str, name: str, spans: Sequence[tuple[int, int]]) -> bool:
    """Whether the acronym ``name``, mentioned at ``spans``, is a body the JD answers to: spelled
    out as one ("Princess Alexandra Hospital (PAH)") or named as one at every mention."""
    if not (2 <= len(name) <= 7 and name.isalpha() and name.isupper()):
        return False  # "eCRF", "DevOps": systems and practices
    expansion = spelled_out(text, name)
    if expansion is not None and expansion.split()[-1].lower() in _ORGANISATION_HEADS:
        return True
    return all(
        _REGULATOR_BEFORE.search(text, max(0, a - 30), a) is not None
        and _TOOL_NOUN_AFTER.match(text, b) is None
        and _CAPITALISED_AFTER.match(text, b) is None
        for a, b in spans
    )


# A new name this short ("QA", "PT") stands for too many things to propose as one skill.
_MAX_AMBIGUOUS_CHARS = 2


def _drop_unlikely_new(text: str, new: dict[str, _Agg], known: Sequence[_Agg]) -> None:
    """Remove from ``new`` (by key) the candidates that are no new skills: a day, a month or a
    language level; two letters or fewer; a postcode; a quantity or a reference number; an
    organisation's name ("Medical Research Council") or acronym ("regulated by the FCA"); and a
    name read only as the end of a longer one that a maker's or family's
    capitalised name opens ("S7" of "Siemens S7", "ControlLogix" of "Allen-Bradley ControlLogix",
    "GAAP" of "UK GAAP"): the longer name is the skill. Not when a library term opens it ("Excel
    PowerPoint" is a list) or when the longer one only adds words after it ("QuickBooks
    accounting software")."""
    names = [(a, b, key) for key, agg in new.items() for a, b, _ in agg.evidence]
    library = [(a, b) for agg in known for a, b, _ in agg.evidence]

    def a_name_opens(a: int, start: int) -> bool:
        # Capitalised words that are no duty verb ("Defining SLOs" is a duty) and no library term.
        words = text[a:start].split()
        return (
            bool(words)
            and all(w[:1].isupper() for w in words)
            and words[0].lower() not in DUTY_VERBS
            and not any(a <= x and y <= start for x, y in library)
        )

    def read_as_a_suffix(start: int, end: int, key: str) -> bool:
        return any(a < start and end == b and k != key and a_name_opens(a, start) for a, b, k in names)

    def unlikely(key: str) -> bool:
        words = new[key].name.split()
        if _CALENDAR_OR_LEVEL.fullmatch(words[-1].strip(",.;:()")):
            return True  # "Sundays", "B2+", "English C1" (the language is a library skill)
        letters = "".join(words)
        if len(letters) <= _MAX_AMBIGUOUS_CHARS and letters.isalpha() and letters.isupper():
            return True  # "QA", "MM", "PT", "GP" (not "8D", "A+", "Qt"): too many things to queue as one
        if len(words) == 2 and is_region_code(words[0]) and words[1].isdigit() and len(words[1]) >= 4:
            return True  # "NSW 2150": a postcode (not "AZ 900", a certification)
        if _MEASURE_OR_ID.fullmatch(new[key].name):
            return True
        if len(words) == 1 and _an_organisation_acronym(
            text, words[0], [(a, b) for a, b, _ in new[key].evidence]
        ):
            return True  # "the CQC", "the FCA", "HHSC": a regulator or an agency
        if (
            len(words) > 1
            and words[-1].lower() in _ORGANISATION_HEADS
            and all(w[:1].isupper() for w in words)
        ):
            return True
        return all(read_as_a_suffix(a, b, key) for a, b, _ in new[key].evidence)

    for key in [k for k in new if unlikely(k)]:
        del new[key]


# Leading words that qualify a name, not part of it: "modern frameworks", "Strong JavaScript",
# "with GitHub Actions", "preferably AWS" (not "deep", "advanced", "in": deep learning, in-memory).
_NAME_LEAD_STRIP = _folded(
    """mainstream modern latest new current various different other similar popular common
    strong solid good excellent proven extensive demonstrable sound thorough with using via
    preferably ideally especially particularly including"""
)
_PRONOUNS = _folded(
    """
    i you we they he she it me us them what which who whom whose this that these those"""
)


def _new_skill_names(
    text: str, tokens: Sequence[Token], proposer: PhraseProposer, mentions: Sequence[SkillMention]
) -> list[tuple[str, int, int, float]]:
    """(name, start, end, confidence) of every new-skill candidate in one region (its tokens)."""
    out: list[tuple[str, int, int, float]] = []
    if not tokens:
        return out
    for phrase in proposer.propose(text, tokens=tokens):
        weak_cue = False
        if phrase.kind is PhraseKind.OBJECT:
            # After "such as", "including", "work with": only names (capitalised) are proposed.
            weak_cue = _cue_key(phrase.cue) not in _STRONG_OBJECT_CUES
        elif phrase.kind is not PhraseKind.TOOL:
            continue
        for _, a, b in _split_compound(text, phrase):
            words = [t for t in tokenize(text, a, b) if t.is_word]
            # "reporting tools", "Agile environment": the generic head adds nothing to the name.
            while (
                len(words) > 1
                and (
                    words[-1].key in _GENERIC_HEADS
                    or (  # "ERP system", "SAP systems"; not "embedded systems", "fire alarm systems"
                        words[-1].text in _LOWER_CASE_GENERIC_HEADS
                        and (words[-2].text[:1].isupper() or is_tool_like(words[-2].text))
                    )
                    or (words[-1].text in _LOWER_CASE_PRODUCT_HEADS and is_tool_like(words[-2].text))
                    or _CALENDAR_OR_LEVEL.fullmatch(words[-1].text)  # "English C1" is English
                )
            ):
                words.pop()
            while len(words) > 1 and words[0].key in _NAME_LEAD_STRIP:
                words.pop(0)
            if not words or len(words) > _MAX_NEW_WORDS:
                continue
            a, b = words[0].start, words[-1].end
            name = text[a:b]
            if all(t.key in _NOT_NEW for t in words) or any(t.key in _PRONOUNS for t in words):
                continue
            toolish = any(is_tool_like(t.text) for t in words)
            capitalised = all(t.text[:1].isupper() or not t.text.isalpha() for t in words)
            if weak_cue and not (toolish or capitalised):
                continue
            vague = len(words[0].text) < 6 or not words[0].text.isalpha()
            if (
                phrase.kind is PhraseKind.OBJECT
                and len(words) == 1
                and not (toolish or capitalised)
                and vague
            ):
                continue  # one short lower-case word is too vague to propose
            conf = 0.6 if toolish else (0.5 if capitalised else 0.4)
            out.append((name, a, b, conf))
    out.extend(_list_items(text, tokens, mentions))
    return out


def _split_compound(text: str, phrase: PhraseCandidate) -> list[tuple[str, int, int]]:
    """ "Hadoop/Ceph" -> Hadoop, Ceph; pairs of short acronyms ("CI/CD", "UI/UX") stay whole."""
    body = text[phrase.start : phrase.end]
    pieces = re.split(r"\s*/\s*", body)
    if len(pieces) > 1 and all(len(p) <= 3 and p.isupper() for p in pieces):
        return [(body, phrase.start, phrase.end)]
    parts: list[tuple[str, int, int]] = []
    a = phrase.start
    for m in re.finditer(r"\s*/\s*", body):
        b = phrase.start + m.start()
        if b > a:
            parts.append((text[a:b], a, b))
        a = phrase.start + m.end()
    if a < phrase.end:
        parts.append((text[a : phrase.end], a, phrase.end))
    return parts


_ITEM_SEPARATORS = frozenset({",", "/", "and", "or", "&", "(", ")"})
_MIN_LIST_ITEMS = 3


def _list_items(
    text: str, tokens: Sequence[Token], mentions: Sequence[SkillMention]
) -> list[tuple[str, int, int, float]]:
    """Capitalised items of a list (split on , / and or) that also holds a known or tool-shaped name.

    An item is the capitalised tail of the words between two separators ("applications using
    Hadoop" -> "Hadoop"); a list is a run of at least three such items.
    """
    if not tokens:
        return []
    mention_spans = [(m.start, m.end) for m in mentions]
    items: list[list[Token]] = []
    current: list[Token] = []
    opening = True  # the item opens the region, or follows sentence punctuation or a bullet
    for tok in [*tokens, None]:
        if tok is None or tok.key in _ITEM_SEPARATORS or tok.text in _ITEM_SEPARATORS or not tok.is_word:
            tail = _capitalised_tail(current)
            # "Define and track SLIs, SLOs ...": a duty line's verb is capitalised, not a name.
            if opening and len(current) == 1 and current[0].text.lower() in DUTY_VERBS:
                tail = []
            items.append(tail)
            opening = False
            if tok is not None and not tok.is_word and tok.text not in _ITEM_SEPARATORS:
                items.append([])  # sentence punctuation ends a list
                opening = True
            current = []
            continue
        current.append(tok)
    out: list[tuple[str, int, int, float]] = []
    run: list[list[Token]] = []
    for item in [*items, []]:
        if item:
            run.append(item)
            continue
        out.extend(_list_run(text, run, mention_spans))
        run = []
    return out


def _capitalised_tail(words: list[Token]) -> list[Token]:
    tail: list[Token] = []
    for tok in reversed(words):
        if not (tok.text[:1].isupper() or is_tool_like(tok.text)) or len(tail) == 3:
            break
        tail.insert(0, tok)
    # "Strong JavaScript" at a bullet's start: the qualifier is no part of the name.
    while len(tail) > 1 and tail[0].key in _NAME_LEAD_STRIP:
        tail.pop(0)
    # A tail that is the whole item must not be a sentence start of ordinary words.
    return tail


def _ampersand_names(
    text: str, run: list[list[Token]], mention_spans: list[tuple[int, int]]
) -> list[list[Token]]:
    """The run with "Weights & Biases"-shaped pairs joined: two single capitalised words, neither
    a library skill nor tool-shaped, joined by "&", are one name (a product or firm: "Weights &
    Biases", "Ernst & Young"), not two skills. Known skills stay apart ("Python & SQL")."""

    def plain_name(item: list[Token]) -> bool:
        if len(item) != 1:
            return False
        tok = item[0]
        known = any(s <= tok.start and tok.end <= e for s, e in mention_spans)
        return tok.text[:1].isupper() and tok.text.isalpha() and not known and not is_tool_like(tok.text)

    out: list[list[Token]] = []
    for item in run:
        if (
            out
            and plain_name(out[-1])
            and plain_name(item)
            and text[out[-1][-1].end : item[0].start].strip() == "&"
        ):
            out[-1] = [*out[-1], *item]
            continue
        out.append(item)
    return out


def _is_place(name: str) -> bool:
    """A state's code ("KS", "QLD") or a place's name."""
    return (name.isupper() and is_region_code(name)) or is_place_name(name)


def _list_run(
    text: str, run: list[list[Token]], mention_spans: list[tuple[int, int]]
) -> list[tuple[str, int, int, float]]:
    if len(run) < _MIN_LIST_ITEMS:  # counted before the joins: "MLflow, Weights & Biases" is a list
        return []
    run = _ampersand_names(text, run, mention_spans)

    def anchored(item: list[Token]) -> bool:
        a, b = item[0].start, item[-1].end
        known = any(s <= a and b <= e for s, e in mention_spans)
        return known or any(is_tool_like(t.text) for t in item)

    if not any(anchored(item) for item in run):
        return []
    # "Regional - MO, KS, NE, IA, OK", "Leeds, York, Hull": a list of places, not of skills.
    places = sum(_is_place(text[item[0].start : item[-1].end]) for item in run)
    if 2 * places >= len(run):
        return []
    out: list[tuple[str, int, int, float]] = []
    for item in run:
        a, b = item[0].start, item[-1].end
        if any(s <= a and b <= e for s, e in mention_spans):
            continue
        if all(t.key in _NOT_NEW for t in item):
            continue
        out.append((text[a:b], a, b, 0.55))
    return out


# ---- spans for evaluation and evidence --------------------------------------------------------

# Open-phrase kinds that usually describe the skill better than a dictionary word inside them.
_PHRASE_OVER_DICTIONARY = frozenset({PhraseKind.SKILL_NOUN})


def skill_spans(
    text: str,
    matcher: SkillMatcher,
    proposer: PhraseProposer,
    regions: Sequence[Region] | None = None,
) -> list[SpanCandidate]:
    """Every stretch of text read as a skill (library or not), for SkillSpan-style evaluation.

    Dictionary mentions and phrase proposals are both kept, also where one holds the other
    ("experience with [machine learning]" and "machine learning" inside an action): annotators
    draw either boundary, and measured on the dev sets keeping both wins. Two exceptions: a
    dictionary word inside an "X skills"-type phrase gives way to it (the modifiers belong to
    the skill), and a trait inside a longer library mention is dropped. Sentences about the
    employer ("We use Kafka at scale", "we offer courses such as ...") name no skill asked of
    the candidate: their library mentions are dropped here, and the proposer reads no cued
    phrases or traits there. (``extract_skills`` keeps such mentions: a JD's own stack is
    evidence of the role.)
    """
    spans: Sequence[Region] = [(0, len(text), "")] if regions is None else regions
    dictionary = sorted({(m.start, m.end) for m in matcher.find(text, spans)})
    phrases: list[PhraseCandidate] = []
    for start, end, _ in spans:
        phrases.extend(proposer.propose(text, start, end))

    keep_dictionary = set(dictionary)
    out: list[SpanCandidate] = []
    for p in phrases:
        if p.kind in _PHRASE_OVER_DICTIONARY:
            keep_dictionary.difference_update(
                (a, b) for a, b in dictionary if p.start <= a and b <= p.end and (a, b) != (p.start, p.end)
            )
        elif p.kind is PhraseKind.TRAIT and any(a <= p.start and p.end <= b for a, b in dictionary):
            continue
        if (p.start, p.end) not in keep_dictionary:
            out.append(SpanCandidate(p.start, p.end, "phrase", p.kind.value))
    keep_dictionary.difference_update(_in_employer_sentences(text, keep_dictionary))
    out.extend(SpanCandidate(a, b, "dictionary", "dictionary") for a, b in sorted(keep_dictionary))
    out.sort(key=lambda c: (c.start, c.end))
    return out


_SENTENCE_START = re.compile(r"(?:[.!?]\s+|\n)(?=[^\n]*$)")
_READER = re.compile(r"\b(?:you|your|you'll|you\u2019ll)\b", re.IGNORECASE)


def in_employer_sentence(text: str, pos: int, employer: str) -> bool:
    """The sentence around ``pos`` opens with the employer's name and never addresses the reader."""
    head = text[max(0, pos - 400) : pos]
    cut = _SENTENCE_START.search(head)
    start = pos - len(head) + (cut.end() if cut else 0)
    end_m = re.search(r"[.!?](?:\s|$)|\n", text[pos:])
    sentence = text[start : pos + (end_m.end() if end_m else len(text) - pos)]
    lead = " ".join(employer.split()[:2])
    return sentence.lstrip().removeprefix("The ").startswith(lead) and _READER.search(sentence) is None


def _in_employer_sentences(text: str, spans: set[tuple[int, int]]) -> set[tuple[int, int]]:
    """The spans that sit in sentences about the employer ("We use Kafka at scale") or in its
    equal-opportunity statement."""
    if not spans:
        return set()
    tokens = tokenize(text)
    ids = sentence_ids(text, tokens)
    sentences: dict[int, list[Token]] = {}
    for tok, sid in zip(tokens, ids, strict=True):
        sentences.setdefault(sid, []).append(tok)
    employer = {
        sid for sid, toks in sentences.items() if speaks_of_employer(toks) or is_equal_opportunity(toks)
    }
    starts = {tok.start: sid for tok, sid in zip(tokens, ids, strict=True)}
    return {(a, b) for a, b in spans if starts.get(a) in employer}
