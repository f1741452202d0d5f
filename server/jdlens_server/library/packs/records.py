"""Typed records read from the shipped taxonomy packs (ESCO, O*NET, the curated tech supplement).

Records mirror the source tables after light normalisation (labels split into tuples and
whitespace-collapsed, empty / "n/a" cells as None); they carry no store identity. The importer maps
them to store rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class SkillType(StrEnum):
    SKILL_COMPETENCE = "skill/competence"
    KNOWLEDGE = "knowledge"


class ReuseLevel(StrEnum):
    TRANSVERSAL = "transversal"
    CROSS_SECTOR = "cross-sector"
    SECTOR_SPECIFIC = "sector-specific"
    OCCUPATION_SPECIFIC = "occupation-specific"


class RelationType(StrEnum):
    ESSENTIAL = "essential"
    OPTIONAL = "optional"


class ConceptType(StrEnum):
    """ESCO concept types that appear in the broader (hierarchy) relations."""

    SKILL = "KnowledgeSkillCompetence"
    SKILL_GROUP = "SkillGroup"
    OCCUPATION = "Occupation"
    ISCO_GROUP = "ISCOGroup"


class TaskType(StrEnum):
    CORE = "Core"
    SUPPLEMENTAL = "Supplemental"


@dataclass(frozen=True, slots=True)
class PackProblem:
    """A pack row that could not be turned into a record (or a pack file that failed a check).

    `line` is the 1-based line of the decompressed pack file; 0 means the whole file.
    """

    file: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"


# ---- ESCO -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class EscoSkill:
    uri: str
    preferred_label: str
    alt_labels: tuple[str, ...]
    hidden_labels: tuple[str, ...]
    # None for the few DigComp competences that ESCO leaves untyped.
    skill_type: SkillType | None
    reuse_level: ReuseLevel | None
    description: str | None


@dataclass(frozen=True, slots=True)
class EscoSkillGroup:
    uri: str
    # S/K/T/L codes such as "S4.4.1"; None for the ISCED-F knowledge groups, which ESCO leaves uncoded.
    code: str | None
    preferred_label: str
    alt_labels: tuple[str, ...]
    hidden_labels: tuple[str, ...]
    description: str | None


@dataclass(frozen=True, slots=True)
class BroaderRelation:
    """`uri` is narrower than `broader_uri` (skill pillar: skill/group tree; occupation pillar: ISCO tree)."""

    concept_type: ConceptType
    uri: str
    broader_type: ConceptType
    broader_uri: str


@dataclass(frozen=True, slots=True)
class EscoOccupation:
    uri: str
    code: str
    # 4-digit ISCO-08 unit group code, e.g. "2511".
    isco_group: str
    preferred_label: str
    alt_labels: tuple[str, ...]
    hidden_labels: tuple[str, ...]
    # Verbatim ESCO text (KRA derivation splits it elsewhere).
    description: str | None
    definition: str | None


@dataclass(frozen=True, slots=True)
class IscoGroup:
    uri: str
    code: str
    preferred_label: str


@dataclass(frozen=True, slots=True)
class EscoOccupationSkill:
    occupation_uri: str
    relation_type: RelationType
    skill_uri: str


# ---- O*NET ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class OnetOccupation:
    code: str
    title: str
    description: str


@dataclass(frozen=True, slots=True)
class OnetAlternateTitle:
    code: str
    title: str
    short_title: str | None


@dataclass(frozen=True, slots=True)
class OnetTask:
    code: str
    task_id: int
    task: str
    # None where O*NET says "n/a" (tasks not rated for relevance).
    task_type: TaskType | None


@dataclass(frozen=True, slots=True)
class OnetTechnologySkill:
    code: str
    example: str
    commodity_code: int
    commodity_title: str
    hot_technology: bool
    in_demand: bool


@dataclass(frozen=True, slots=True)
class UnspscCommodity:
    """UNSPSC classification of a commodity used by the technology skills (commodity < class < family)."""

    commodity_code: int
    commodity_title: str
    class_code: int
    class_title: str
    family_code: int
    family_title: str
    segment_code: int
    segment_title: str


# ---- tech supplement (curated by jdlens, see tools/tech_pack.toml) ----------------------------


@dataclass(frozen=True, slots=True)
class TechSkill:
    """A skill ESCO lacks. ``key`` is stable across releases (the store's source URI derives from it)."""

    key: str
    name: str
    description: str
    # A SkillNature name without prefix: CONCEPT, PRACTICE, TOOL, PLATFORM, LANGUAGE, METHODOLOGY, ...
    nature: str
    # ESCO skill-group URIs; the first is the primary dimension (category and sub-category).
    dimension_uris: tuple[str, ...]
    aliases: tuple[str, ...]
    # The labels (name or aliases) that are also ordinary words: matched only near tech context.
    context_labels: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class TechRoleTitles:
    """Current job titles for an existing ESCO occupation ("backend developer" for the software
    developer); ``esco_label`` is its preferred label, for checking."""

    esco_uri: str
    esco_label: str
    titles: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class TechEscoAlias:
    """Extra labels for an existing ESCO skill (``esco_label`` is its preferred label, for checking)."""

    esco_uri: str
    esco_label: str
    aliases: tuple[str, ...]
    # The aliases that are also ordinary words or another field's acronyms ("OOP", out-of-pocket):
    # matched only near tech context, as TechSkill.context_labels.
    context_labels: tuple[str, ...] = ()
