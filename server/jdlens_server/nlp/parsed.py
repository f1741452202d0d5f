"""What the offline JD parser returns: plain, frozen dataclasses (no protobuf, no grpc).

Every `start`/`end` pair indexes the ORIGINAL input string (Python code-point offsets), so
`jd[start:end] == text` for every block, section, sentence and fact that carries a `text`/`raw`.
`plain` variants are the same passages with markup removed and whitespace collapsed, which is
what matchers and embedders should read.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from jdlens_server.nlp.sections import BoilerplateKind, SectionKind
from jdlens_server.nlp.text import PlainText
from jdlens_server.nlp.title import Seniority

__all__ = [
    "AboutCompany",
    "Boilerplate",
    "BoilerplateKind",
    "Certification",
    "Compensation",
    "Domain",
    "DomainInfo",
    "Education",
    "EmploymentType",
    "Experience",
    "JdType",
    "Location",
    "ParsedJd",
    "PayPeriod",
    "RejectReason",
    "Requirement",
    "Section",
    "SectionKind",
    "Seniority",
    "Sentence",
    "SkillRegion",
    "TitleSource",
    "WorkMode",
]


class JdType(StrEnum):
    PASS = "PASS"
    REJECT = "REJECT"


class RejectReason(StrEnum):
    NOT_A_JD = "NOT_A_JD"
    NOT_ENGLISH = "NOT_ENGLISH"
    TOO_LITTLE_TEXT = "TOO_LITTLE_TEXT"


class WorkMode(StrEnum):
    UNSPECIFIED = "UNSPECIFIED"
    REMOTE = "REMOTE"
    HYBRID = "HYBRID"
    ONSITE = "ONSITE"


class EmploymentType(StrEnum):
    UNSPECIFIED = "UNSPECIFIED"
    FULL_TIME = "FULL_TIME"
    PART_TIME = "PART_TIME"
    CONTRACT = "CONTRACT"
    TEMPORARY = "TEMPORARY"
    INTERNSHIP = "INTERNSHIP"
    CASUAL = "CASUAL"


class Requirement(StrEnum):
    REQUIRED = "REQUIRED"
    PREFERRED = "PREFERRED"


class PayPeriod(StrEnum):
    UNSPECIFIED = "UNSPECIFIED"
    HOUR = "HOUR"
    DAY = "DAY"
    WEEK = "WEEK"
    MONTH = "MONTH"
    YEAR = "YEAR"


class TitleSource(StrEnum):
    """Where role_title came from, strongest first."""

    HINT = "HINT"  # given by the caller
    LABEL = "LABEL"  # "Job Title: ...", "Position: ..."
    PHRASE = "PHRASE"  # "we are looking for a ...", "is seeking a ..."
    FIRST_LINE = "FIRST_LINE"  # a short title-like first line
    LEADING_WORDS = "LEADING_WORDS"  # the capitalised words an ad flattened to one line opens with
    NONE = "NONE"


@dataclass(frozen=True, slots=True)
class AboutCompany:
    text: str
    plain: str
    word_count: int
    first_five_words: str
    last_five_words: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Section:
    kind: SectionKind
    heading: str | None  # as written (plain), None when inferred
    heading_was_present: bool
    heading_start: int | None
    heading_end: int | None
    bullet_count: int
    text: str  # jd[start:end], the body without its heading
    plain: str
    word_count: int
    first_five_words: str
    last_five_words: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Boilerplate:
    kind: BoilerplateKind
    start: int
    end: int
    first_five_words: str
    last_five_words: str


@dataclass(frozen=True, slots=True)
class Sentence:
    text: str  # jd[start:end]
    plain: str
    start: int
    end: int
    section_kind: SectionKind
    # Where it stands in ParsedJd.plain_text (-1 where unknown: a sentence a model wrote).
    plain_start: int = -1
    plain_end: int = -1


@dataclass(frozen=True, slots=True)
class SkillRegion:
    """A stretch of the JD a skill matcher may read; plain_* index ParsedJd.plain_text."""

    start: int
    end: int
    plain_start: int
    plain_end: int
    section_kind: SectionKind


@dataclass(frozen=True, slots=True)
class Domain:
    name: str
    aliases: tuple[str, ...]
    score: float


@dataclass(frozen=True, slots=True)
class DomainInfo:
    primary: Domain | None = None
    secondary: Domain | None = None


@dataclass(frozen=True, slots=True)
class Experience:
    # Months, since JDs state both ("6 months' experience", "1.5 years", "3-5 years").
    min_months: int | None
    max_months: int | None
    raw: str  # jd[start:end]: the sentence the figures came from
    start: int
    end: int
    # Whether the JD asks for it or only states it as desirable; None where a model read it.
    requirement: Requirement | None = None

    @property
    def min_years(self) -> int | None:
        """Whole years, rounded down: a filter on years never excludes what the months admit."""
        return None if self.min_months is None else self.min_months // 12

    @property
    def max_years(self) -> int | None:
        """Whole years, rounded up (18 months: 2)."""
        return None if self.max_months is None else -(-self.max_months // 12)


@dataclass(frozen=True, slots=True)
class Education:
    level: str  # "PhD", "Master's", "Bachelor's", "Degree", "Diploma", "Certificate", "High school"
    qualification: str  # field, e.g. "Computer Science or Engineering related fields"
    raw: str
    requirement: Requirement
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Certification:
    name: str
    raw: str
    requirement: Requirement
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Compensation:
    min_amount: float | None
    max_amount: float | None
    currency: str  # ISO 4217 code, "" when not stated
    period: PayPeriod
    raw: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Location:
    city: str | None  # as the JD writes it ("Montreal", "New York")
    state: str | None
    country: str
    country_code: str
    work_mode: WorkMode
    aliases: tuple[str, ...]  # other names: the gazetteer's, "Toronto, ON", the JD's other spellings
    start: int  # first mention
    end: int


@dataclass(frozen=True, slots=True)
class ParsedJd:
    jd_type: JdType
    reject_reason: RejectReason | None = None
    reject_detail: str = ""
    word_count: int = 0
    role_title: str | None = None
    role_title_source: TitleSource = TitleSource.NONE
    normalized_title: str = ""
    role_aliases: tuple[str, ...] = ()
    role_archetype: str | None = None
    seniority: Seniority = Seniority.UNSPECIFIED
    company_name: str | None = None
    about_company: AboutCompany | None = None
    domain: DomainInfo = field(default_factory=DomainInfo)
    experience: Experience | None = None
    education: tuple[Education, ...] = ()
    certifications: tuple[Certification, ...] = ()
    compensation: Compensation | None = None
    locations: tuple[Location, ...] = ()
    work_mode: WorkMode = WorkMode.UNSPECIFIED
    employment_type: EmploymentType = EmploymentType.UNSPECIFIED
    sections: tuple[Section, ...] = ()
    boilerplate: tuple[Boilerplate, ...] = ()
    urls: tuple[str, ...] = ()
    responsibility_sentences: tuple[Sentence, ...] = ()
    skill_text_spans: tuple[SkillRegion, ...] = ()
    # The markup-free text matchers read, and its map back to the original (see text.PlainText).
    plain: PlainText | None = None

    @property
    def plain_text(self) -> str:
        return "" if self.plain is None else self.plain.text

    def to_original(self, plain_start: int, plain_end: int) -> tuple[int, int]:
        """Map a span of plain_text (e.g. a skill match) to offsets in the original JD."""
        if self.plain is None:
            return plain_start, plain_end
        return self.plain.to_original(plain_start, plain_end)
