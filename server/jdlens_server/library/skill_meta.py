"""Skill metadata from explainable rules: nature, volatility, lifespan and version strategy of an ESCO
skill from its type, reuse level, label, description and place in the skill hierarchy.

The first rule that fires decides the nature and is named in ``reasoning``; ``confidence`` says how
much the rule is worth (a language pillar member is surely a language; "knowledge" is a fallback).
Rules, in order:
1. in the ESCO language pillar (L)                     -> LANGUAGE (natural language)
2. label "(computer programming)" or the description
   ESCO gives programming languages                    -> LANGUAGE (programming language)
3. label names a certificate                           -> CERTIFICATION
4. knowledge named for a method (agile, lean, ...)     -> METHODOLOGY
5. a proper name (capitalised words) in the ICT
   groups, or a product descriptor in parentheses       -> PLATFORM when it names a system, OS,
                                                          server, engine, framework; else TOOL
6. reuse level "transversal"                           -> SOFT_SKILL
7. skill type "knowledge"                              -> KNOWLEDGE
8. skill type "skill/competence"                       -> PRACTICE
9. untyped (a few DigComp competences)                 -> PRACTICE, low confidence
Volatility and lifespan follow the nature, then the reuse level (ICT content moves faster); only
tools, platforms and programming languages have versions that matter (MAJOR_VERSIONS).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from jdlens_server.library.packs.records import EscoSkill, ReuseLevel, SkillType

__all__ = ["GroupPlace", "SkillMeta", "curated_meta", "esco_skill_meta", "tool_meta"]

# Nature, volatility, lifespan and version-strategy names as the protos spell them (without prefix).
CONCEPT, PRACTICE, TOOL, LANGUAGE, PLATFORM = "CONCEPT", "PRACTICE", "TOOL", "LANGUAGE", "PLATFORM"
METHODOLOGY, SOFT_SKILL, KNOWLEDGE, CERTIFICATION = "METHODOLOGY", "SOFT_SKILL", "KNOWLEDGE", "CERTIFICATION"
STABLE, LOW, MEDIUM, HIGH = "STABLE", "LOW", "MEDIUM", "HIGH"
EPHEMERAL, MULTI_YEAR, DECADE, EVERGREEN = "EPHEMERAL", "MULTI_YEAR", "DECADE", "EVERGREEN"
NOT_APPLICABLE, MAJOR_VERSIONS = "NOT_APPLICABLE", "MAJOR_VERSIONS"


@dataclass(frozen=True, slots=True)
class GroupPlace:
    """Where a skill group sits: its label, its top group below the pillar root, and the pillar."""

    label: str
    top_label: str
    # Root code: "S" skills, "K" knowledge, "T" transversal, "L" language.
    pillar: str
    # Under ICT knowledge (ISCED-F 06) or "working with computers" (S5).
    ict: bool


@dataclass(frozen=True, slots=True)
class SkillMeta:
    category: str
    sub_category: str
    nature: str
    volatility: str
    typical_lifespan: str
    version_strategy: str
    confidence: float
    reasoning: str


_PROGRAMMING_DESCRIPTION = re.compile(r"programming paradigms in\b", re.IGNORECASE)
_CERTIFICATE = re.compile(r"\bcertif(?:icate|ication|ied)\b", re.IGNORECASE)
_METHOD = re.compile(
    r"\b(?:methodolog\w*|agile|scrum|kanban|lean|waterfall|six sigma|prince2|devops|kaizen|5s|"
    r"(?:incremental|iterative|spiral|prototyping|rapid application) development)\b",
    re.IGNORECASE,
)
_TRAILING_PAREN = re.compile(r"\s*\(([^()]*)\)\s*$")
_PRODUCT_DESCRIPTOR = re.compile(r"\b(?:tools?|software|systems?|programming)\b", re.IGNORECASE)
_PLATFORM_WORDS = re.compile(
    r"\b(?:systems?|os|linux|windows|android|server|database|engine|framework|platform|websphere|"
    r"weblogic|tomcat|jboss|hadoop)\b",
    re.IGNORECASE,
)
# Small words that may stay lower-case inside a product name ("Cain and Abel").
_NAME_GLUE = frozenset({"and", "of", "for", "the", "de", "on", "to", "in"})
# Capitalised labels that are rules and bodies of rules, not products.
_NOT_PRODUCT = re.compile(
    r"\b(?:standards?|legislation|regulations?|conventions?|directives?|principles|philosophy|policy|"
    r"policies|law|code of|texts|science|ict)\b",
    re.IGNORECASE,
)


def _is_proper_name(label: str) -> bool:
    """Every word outside a trailing parenthesis starts upper-case or with a digit (glue words aside)."""
    core = _TRAILING_PAREN.sub("", label)
    words = core.split()
    if not words:
        return False
    return all(w[0].isupper() or w[0].isdigit() or w.lower() in _NAME_GLUE for w in words)


def _dynamics(nature: str, reuse: ReuseLevel | None, ict: bool, programming: bool) -> tuple[str, str, str]:
    """(volatility, lifespan, version strategy) for a nature, refined by reuse level and ICT."""
    if nature in (TOOL, PLATFORM):
        return HIGH, MULTI_YEAR, MAJOR_VERSIONS
    if nature == LANGUAGE:
        return (MEDIUM, DECADE, MAJOR_VERSIONS) if programming else (STABLE, EVERGREEN, NOT_APPLICABLE)
    if nature == CERTIFICATION:
        return MEDIUM, MULTI_YEAR, NOT_APPLICABLE
    if nature == METHODOLOGY:
        return LOW, DECADE, NOT_APPLICABLE
    if nature == SOFT_SKILL:
        return STABLE, EVERGREEN, NOT_APPLICABLE
    if ict:
        return MEDIUM, DECADE, NOT_APPLICABLE
    if reuse in (ReuseLevel.TRANSVERSAL, ReuseLevel.CROSS_SECTOR):
        return STABLE, EVERGREEN, NOT_APPLICABLE
    return LOW, DECADE, NOT_APPLICABLE


def esco_skill_meta(skill: EscoSkill, groups: list[GroupPlace]) -> SkillMeta:
    """Metadata of an ESCO skill; ``groups`` are its nearest skill groups, the first one primary."""
    label = skill.preferred_label
    description = skill.description or ""
    first = groups[0] if groups else None
    category = first.top_label if first else ""
    sub_category = first.label if first else ""
    ict = any(g.ict for g in groups)
    paren = _TRAILING_PAREN.search(label)
    descriptor = paren.group(1) if paren else ""
    is_knowledge = skill.skill_type is SkillType.KNOWLEDGE
    programming = False

    if any(g.pillar == "L" for g in groups):
        nature, confidence, why = LANGUAGE, 0.95, "in the ESCO language pillar (natural language)"
    elif descriptor == "computer programming" or _PROGRAMMING_DESCRIPTION.search(description):
        programming = True
        nature, confidence, why = LANGUAGE, 0.9, "ESCO describes it as a programming language"
    elif _CERTIFICATE.search(label):
        nature, confidence, why = CERTIFICATION, 0.7, "label names a certificate"
    elif (is_knowledge or skill.skill_type is None) and _METHOD.search(label):
        nature, confidence, why = METHODOLOGY, 0.7, "knowledge named for a method (agile, lean, ...)"
    elif (skill.skill_type is not SkillType.SKILL_COMPETENCE and not _NOT_PRODUCT.search(label)) and (
        (_is_proper_name(label) and ict) or (descriptor and _PRODUCT_DESCRIPTOR.search(descriptor))
    ):
        if _PLATFORM_WORDS.search(label):
            nature, confidence, why = PLATFORM, 0.7, "a named product that is a system/OS/server/engine"
        else:
            nature, confidence, why = TOOL, 0.75, "a named product (proper-name label in ICT groups)"
    elif skill.reuse_level is ReuseLevel.TRANSVERSAL:
        nature, confidence, why = SOFT_SKILL, 0.8, "reuse level transversal"
    elif is_knowledge:
        nature, confidence, why = KNOWLEDGE, 0.8, "skill type knowledge"
    elif skill.skill_type is SkillType.SKILL_COMPETENCE:
        nature, confidence, why = PRACTICE, 0.7, "skill type skill/competence"
    else:
        nature, confidence, why = PRACTICE, 0.4, "untyped in ESCO; treated as a practice"

    volatility, lifespan, versions = _dynamics(nature, skill.reuse_level, ict, programming)
    reuse = skill.reuse_level.value if skill.reuse_level else "none"
    reasoning = (
        f"rule: {why}; volatility/lifespan from nature {nature}, reuse level {reuse}"
        + (", ICT group" if ict else "")
        + (f"; category from group {sub_category!r}" if sub_category else "; no skill group")
    )
    return SkillMeta(category, sub_category, nature, volatility, lifespan, versions, confidence, reasoning)


def tool_meta(category: str, sub_category: str, hot: bool) -> SkillMeta:
    """Metadata of an O*NET technology skill: a product named in O*NET's technology examples."""
    nature = TOOL
    reasoning = "rule: O*NET technology skill example (a named product)" + (
        "; O*NET marks it a hot technology" if hot else ""
    )
    return SkillMeta(category, sub_category, nature, HIGH, MULTI_YEAR, MAJOR_VERSIONS, 0.8, reasoning)


def curated_meta(nature: str, category: str, sub_category: str) -> SkillMeta:
    """Metadata of a curated tech-pack skill: its nature is stated by the curator, not inferred; the
    dynamics follow the same nature rules as ESCO's ICT skills (they are all ICT content)."""
    volatility, lifespan, versions = _dynamics(nature, None, True, nature == LANGUAGE)
    reasoning = (
        f"curated in the jdlens tech pack as {nature}; volatility/lifespan from nature {nature}, ICT group"
        + (f"; category from group {sub_category!r}" if sub_category else "; no skill group")
    )
    return SkillMeta(category, sub_category, nature, volatility, lifespan, versions, 0.9, reasoning)
