"""Facts read from JD sentences: experience, education, certifications, pay, work mode, contract, urls."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from jdlens_server.nlp.parsed import (
    Certification,
    Compensation,
    Education,
    EmploymentType,
    Experience,
    PayPeriod,
    Requirement,
    WorkMode,
)
from jdlens_server.nlp.sections import SectionKind
from jdlens_server.nlp.text import DUTY_VERBS, PlainText
from jdlens_server.nlp.title import Seniority, is_role_head

_I = re.IGNORECASE


@dataclass(frozen=True, slots=True)
class SentenceRef:
    """A sentence of the plain text (plain offsets) and the kind of section it sits in."""

    text: str
    start: int
    end: int
    kind: SectionKind


@dataclass(frozen=True, slots=True)
class Source:
    """The original JD and its plain text, to turn plain offsets into original ones."""

    original: str
    plain: PlainText

    def span(self, s: SentenceRef) -> tuple[str, int, int]:
        a, z = self.plain.to_original(s.start, s.end)
        return self.original[a:z], a, z


# What makes a requirement a preference (education, certifications here; skills' importance in
# pipeline/skills reads the same words).
PREFERRED = re.compile(
    # "an advantage", "is an asset", "desired" of the candidate; not "a competitive advantage",
    # "an asset register" or "the desired results"
    r"\b(?:prefer(?:red|ably|able)?|desirable|desired(?!\s+(?:results?|outcomes?|state|effects?|levels?))|"
    r"an?\s+(?:added\s+|distinct\s+|definite\s+|real\s+)?advantage\b(?!\s+(?:of|over|to))|advantageous|"
    r"a\s+plus|nice[\s-]+to[\s-]+have|ideally|"
    r"optional|beneficial|not\s+required|a\s+merit|"
    r"bonus|would\s+be\s+(?:great|good|an\s+asset)|(?:is|are|be|as|considered)\s+(?:an?\s+)?(?:\w+\s+)?asset\b|"
    r"highly\s+regarded|well\s+regarded|"
    r"a\s+(?:strong|big|huge|definite|real)\s+plus|"
    # "Degree holders are welcome": accepted, not asked for
    r"(?:is|are)\s+(?:also\s+)?welcome(?:d)?|"
    r"regarded\s+favourably)\b",
    _I,
)


def _requirement(s: SentenceRef) -> Requirement:
    if s.kind is SectionKind.NICE_TO_HAVE or PREFERRED.search(s.text):
        return Requirement.PREFERRED
    return Requirement.REQUIRED


# ---------------------------------------------------------------- experience

_NUMBER_WORDS = {
    "zero": 0,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
    "twenty": 20,
    "a": 1,
    "an": 1,
}
_NUM = r"(?:\d{1,2}(?:\.\d)?|" + "|".join(k for k in _NUMBER_WORDS if len(k) > 2) + r")"
_PAREN_NUM = r"(?:\s*\(\s*\d{1,2}\s*\))?"
# The unit: years, or months ("6 months' experience"); the figure's unit decides its months.
_YEARS = r"\s*(?P<unit>years?|yrs?|months?|mos?)\b"
_EXP_PATTERNS: list[tuple[re.Pattern[str], str]] = [
    (
        # "6 months to 2 years": a unit after each figure
        re.compile(
            rf"\b(?P<a>{_NUM})\s*(?P<a_unit>months?|mos?|years?|yrs?)\s*(?:-|\u2013|\u2014|to)\s*(?P<b>{_NUM}){_YEARS}",
            _I,
        ),
        "range",
    ),
    (
        re.compile(
            rf"\b(?P<a>{_NUM}){_PAREN_NUM}\s*\+?\s*(?:-|\u2013|\u2014|to)\s*(?P<b>{_NUM}){_PAREN_NUM}\s*\+?{_YEARS}",
            _I,
        ),
        "range",
    ),
    (re.compile(rf"\b(?P<a>{_NUM})\s*/\s*(?P<b>{_NUM}){_YEARS}", _I), "alt"),
    (re.compile(rf"\b(?P<a>{_NUM}){_PAREN_NUM}\s*\+{_YEARS}", _I), "min"),
    # "Two or more years", "Five-plus years", "3 or more yrs": the minimum before the unit
    (
        re.compile(
            rf"\b(?P<a>{_NUM}){_PAREN_NUM}\s*(?:or\s+more|and\s+(?:above|over)|-?\s*plus){_YEARS}", _I
        ),
        "min",
    ),
    # "a decade of experience", "over a decade in retail banking": ten years
    # (not "a decade-old codebase", nor "nearly a decade", which is less)
    (
        re.compile(
            r"(?<!\bnearly\s)(?<!\balmost\s)(?<!\bclose\sto\s)\b(?P<a>a|one|two|three)\s+(?P<unit>decades?)\b"
            r"(?![-\u2013](?:old|long)\b)",
            _I,
        ),
        "min",
    ),
    (
        re.compile(
            rf"\b(?:minimum|min\.?|at\s+least|over|more\s+than|(?:not|no)\s+less\s+than)\s*(?:of\s*)?"
            rf"(?P<a>{_NUM}){_PAREN_NUM}\s*\+?{_YEARS}",
            _I,
        ),
        "min",
    ),
    (
        re.compile(rf"\b(?P<a>{_NUM}){_PAREN_NUM}{_YEARS}\s*(?:and|or|&)?\s*(?:above|more|over|plus)\b", _I),
        "min",
    ),
    (
        re.compile(
            rf"\b(?:up\s+to|maximum(?:\s+of)?|max\.?|not\s+more\s+than)\s*(?P<b>{_NUM}){_PAREN_NUM}{_YEARS}",
            _I,
        ),
        "max",
    ),
    (re.compile(rf"\b(?P<a>{_NUM}){_PAREN_NUM}{_YEARS}", _I), "plain"),
]
# A degree as experience figures name it: "MSc with 6 years of experience OR BSc with 8 years" (the
# core), "4 years for BA", "2 years for a second degree".
_DEGREE_CORE = r"B\.?\s?Sc|B\.?A|bachelor(?:'?s)?|M\.?\s?Sc|M\.?A|master(?:'?s)?|Ph\.?\s?D|diploma|degree"
_DEGREE_WORD = rf"(?:{_DEGREE_CORE}|BEd|B\.?Ed|MBA|(?:first|second|1st|2nd)\s+degree)\b"
_EXP_CONTEXT = re.compile(
    r"\bexp(?:er|re|\.|\b)\w*|\bin\s+(?:a\s+)?similar\s+(?:role|position)|\bworked\b|"
    # "two years in a customer support or success role", "3 years working in a hospital pharmacy"
    r"\bin\s+(?:a|an)\s+(?:[\w/&-]+\s+){0,5}(?:roles?|positions?|capacity)\b|\bworking\s+(?:in|as|at)\b|"
    # "3+ years as CDP or Demi Chef de Partie", "2-3 years as a Sales Officer"
    r"\b(?:years?|yrs?)\s+as\s+(?:an?\s+)?(?-i:[A-Z])|"
    # "4 years for BA and 2 years for MA": a figure per degree
    rf"\b(?:years?|yrs?)\s+for\s+(?:an?\s+)?{_DEGREE_WORD}|"
    # Indeed's experience block, each line its own field: "Accounting: 3 years (Required)"
    r"\b(?:years?|yrs?)\s*\(\s*(?:preferred|required)\s*\)",
    _I,
)
_NOT_EXPERIENCE = re.compile(
    r"\b(?:years?\s+old|of\s+age|age\b|ago\b|since\b|established|founded|history|warranty|guarantee|"
    r"celebrat\w*|appoint\w*|first\s+instance|remain\w*|"
    r"probation|contract|duration|renewable|project\s+(?:period|life)|years?\s+(?:program|project|grant|plan|"
    r"strategy|activity|contract)|five-year|(?:one|two|three|four|five)-year|"
    # a recency window ("experience within the past 3 years"), not the experience's length
    r"(?:within|in|during|over)\s+the\s+(?:past|last|previous)\s+\S+\s+(?:years?|months?|decades?))",
    _I,
)
# Terms measured in months beside the word experience that are not experience asked for.
_NOT_MONTHS_OF_EXPERIENCE = re.compile(
    r"\b(?:notice|fixed[-\s]term|training\s+(?:period|programme|program|provided)|of\s+(?:\w+\s+)?training|internship|"
    r"placement|assignment|secondment|maternity|cover|(?:your|the)\s+first|within|every|after|gain|gained)\b",
    _I,
)
_ZERO_EXP = re.compile(
    r"\b(?:fresh\s+graduates?|no\s+(?:prior\s+)?experience\s+(?:is\s+)?(?:required|needed)|"
    r"experience\s*(?:in\s+years?)?\s*[:\-]?\s*(?:not\s+required|none|nil|0\b))",
    _I,
)
_SKIP_FOR_FACTS = frozenset({SectionKind.ABOUT_COMPANY, SectionKind.BOILERPLATE, SectionKind.BENEFITS})


def _months(figure: str | None, per_unit: int) -> int | None:
    """A figure in months: "1.5" years is 18, "6" months is 6."""
    if figure is None:
        return None
    low = figure.lower()
    if low in _NUMBER_WORDS:
        return _NUMBER_WORDS[low] * per_unit
    try:
        return round(float(figure) * per_unit)
    except ValueError:
        return None


def _experience_mentions(s: SentenceRef) -> list[tuple[int | None, int | None, int]]:
    """(min, max, position) in months for each experience figure in a sentence."""
    out: list[tuple[int | None, int | None, int]] = []
    low = s.text.lower()
    if not any(unit in low for unit in ("year", "yr", "month", " mo", "decade")):
        return out
    taken: list[tuple[int, int]] = []
    for rx, how in _EXP_PATTERNS:
        for m in rx.finditer(s.text):
            if any(a < m.end() and m.start() < z for a, z in taken):
                continue
            near = s.text[max(0, m.start() - 25) : m.end() + 25]
            unit = m.group("unit").lower()
            per_unit = 1 if unit.startswith("mo") else 120 if unit.startswith("decade") else 12
            # Months are mostly probation, notice or contract terms: they count only close to the
            # word experience ("6 months' experience", "12 months of verifiable driving experience").
            before, after = (25, 45) if per_unit == 1 else (70, 70)
            window = s.text[max(0, m.start() - before) : m.end() + after]
            if not _EXP_CONTEXT.search(window) or _NOT_EXPERIENCE.search(near):
                continue
            if per_unit == 1 and _NOT_MONTHS_OF_EXPERIENCE.search(near):
                continue
            a_unit = m.groupdict().get("a_unit")
            a = _months(
                m.groupdict().get("a"), (1 if a_unit.lower().startswith("mo") else 12) if a_unit else per_unit
            )
            b = _months(m.groupdict().get("b"), per_unit)
            if how == "range":
                lo, hi = (a, b) if a is not None and b is not None and a <= b else (b, a)
            elif how == "alt":
                lo, hi = (min(a, b), None) if a is not None and b is not None else (a, None)
            elif how == "max":
                lo, hi = None, b
            else:
                lo, hi = a, None
            if (lo is not None and lo > 40 * 12) or (hi is not None and hi > 45 * 12):
                continue
            taken.append((m.start(), m.end()))
            out.append((lo, hi, m.start()))
    return out


# A preference that governs the experience figure itself, not the setting it names ("2 years of
# experience, preferably in manufacturing" asks for the 2 years): the sentence opens with it
# ("Desirable: 12 months in acute care", "While not mandatory, at least 3 years ..."), the
# experience is called it ("at least 3 years ... is highly desirable"), or it follows the figure's
# own experience word ("2+ years experience preferred").
_PREFERENCE_OPENS = re.compile(
    r"^\W*(?:desirable|preferred|preferable|preferably|ideally|nice[\s-]+to[\s-]+have|bonus|advantageous|"
    r"(?:while\s+|although\s+)?not\s+(?:mandatory|required|essential))\b",
    _I,
)
# The first copula after the figure, in its clause (no comma, bracket or second "experience"
# between; a decimal point is no break), and whether it calls the experience a preference.
_COPULA = re.compile(
    r"[,;()\n]|\.(?!\d)|\b(?:experience|where|which|that|who)\b|\band\s+(?:a|an|the|some|any)\b|\band\b(?!/)|"
    r"\b(?:is|are|would\s+be|will\s+be)\b",
    _I,
)
_PREFERENCE_PREDICATE = re.compile(
    r"\s+(?:highly\s+|strongly\s+|very\s+|also\s+)?(?:desirable|desired|preferred|advantageous|beneficial|"
    r"an?\s+(?:added\s+|distinct\s+|definite\s+)?(?:advantage|asset|plus|bonus))\b",
    _I,
)
_PREFERENCE_WORDS = r"(?:preferred|desirable|desired|optional|an?\s+(?:advantage|plus|asset))"
_PREFERENCE_AFTER_FIGURE = re.compile(
    # "2+ years experience preferred"; "3+ years of sales and marketing experience preferred" (an
    # "of" phrase is the figure's own); "Customer service: 1 year (Preferred)"
    rf"^(?:(?!\b(?:experience|and)\b)[^,;()\n]){{0,70}}\bexperience\s*(?:is\s+)?{_PREFERENCE_WORDS}\b|"
    rf"^\S+\s*(?:years?|yrs?|months?)\s+of\s+(?:(?!\bexperience\b)[^,;()\n]){{0,60}}\bexperience\s*"
    rf"(?:is\s+)?{_PREFERENCE_WORDS}\b|"
    rf"^[^,;()\n]{{0,70}}\(\s*{_PREFERENCE_WORDS}\b|"
    # "5 years preferred", "2 years (of experience) desirable"
    rf"^\S+\s*(?:years?|yrs?|months?)\b\W{{0,3}}(?:is\s+)?{_PREFERENCE_WORDS}\b",
    _I,
)
# Where the figure's own clause ends: a required word after it belongs to another ("Ideally 5+
# years of experience, must be comfortable with ambiguity").
_CLAUSE_END = re.compile(r"[,;(]|\.(?!\d)")


def _experience_requirement(s: SentenceRef, pos: int, following: int) -> Requirement:
    """Whether the figure at ``pos`` is asked for or only desirable (see _PREFERENCE_OPENS); a
    requirement word in its own clause decides first ("3+ years required, 5+ preferred")."""
    if s.kind is SectionKind.NICE_TO_HAVE:
        return Requirement.PREFERRED
    own = s.text[pos:following]
    end = _CLAUSE_END.search(own)
    clause = own[: end.start()] if end is not None else own
    if _REQUIRED_WORD.search(clause) is not None and PREFERRED.search(clause) is None:
        return Requirement.REQUIRED
    # The opening word of the sentence, or of the item a label opens ("Requirements: Preferably 2
    # years of retail experience").
    head = s.text[:pos]
    item = head[max(head.rfind(":"), head.rfind("\n"), head.rfind(";")) + 1 :]
    opens = _PREFERENCE_OPENS.search(s.text) is not None or _PREFERENCE_OPENS.search(item) is not None
    if opens or _PREFERENCE_AFTER_FIGURE.search(own) is not None:
        return Requirement.PREFERRED
    return Requirement.PREFERRED if _called_a_preference(own) else Requirement.REQUIRED


def _called_a_preference(clause: str) -> bool:
    """Whether the first copula of the figure's clause names a preference ("at least 3 years ...
    is highly desirable"; not "... is a must, though X would be advantageous", nor another
    subject's: "... and a CRM background is a plus", "... in a store where Spanish is an
    advantage")."""
    seen_experience = joined = False
    for m in _COPULA.finditer(clause):
        word = m.group().lower()
        if word == "and":
            joined = True  # "... on NTDs and Onchocerciasis programmes is preferred": still its own
        elif word == "experience":
            if seen_experience or joined:
                return False  # "3 years in the field and NGO experience is preferred": another's
            seen_experience = True
        elif word.startswith("and ") or word in ("where", "which", "that", "who"):
            return False  # another subject takes the copula: "... and a CRM background is a plus"
        elif word[0].isalpha():
            return _PREFERENCE_PREDICATE.match(clause, m.end()) is not None
        else:
            return False
    return False


# The level a JD states in its text when its title names none: an entry-level role ("This is an
# entry-level position", "No experience necessary", "graduate scheme", "new graduates welcome",
# "newly qualified nurses") or a mid-level one. "Graduate from an accredited college" is no level.
_ENTRY_LEVEL = re.compile(
    r"\bentry[-\s]level\b|\bno\s+(?:prior\s+|previous\s+)?experience\s+(?:is\s+)?(?:necessary|needed|required)\b|"
    # not an "Under graduate program" department
    r"(?<!\bunder\s)(?<!\bpost[\s-])\bgraduate\s+(?:role|position|job|programme|program|scheme|opportunity|"
    r"intake)\b|"
    # not "a newly qualified or experienced nurse", "newly qualified and experienced" (any level)
    r"\b(?:(?:new|recent|fresh)\s+grad(?:uate)?s?|newly[-\s]qualified)\b"
    r"(?![^.\n]{0,40}\b(?:or|and)\s+(?:an?\s+)?(?:experienced|(?:a\s+)?few\s+years|more\s+experienced))",
    _I,
)
_MID_LEVEL = re.compile(r"\bmid[-\s]level\s+(?:role|position|job|opportunity)\b", _I)
# What keeps such words from stating the job's level, in the words before them: a negation ("not
# an entry-level role", "no newly qualified drivers"), a verb whose object they are ("mentor
# entry-level accountants", "run our graduate scheme"), or another level offered beside them
# ("experienced or newly qualified").
_LEVEL_NOT_STATED_BEFORE = re.compile(
    r"\b(?:not|never|isn't|aren't|unsuitable)\s+(?:[\w-]+\s+){0,3}$|\bno\s+$|"
    r"\b(?:mentor|train|supervis|manag|run|lead|coach|onboard)(?:e|es|s|ed|ing)?\s+(?:our\s+|the\s+|all\s+|a\s+)?$|"
    r"\bexperienced\s+(?:or|and)\s+$",
    _I,
)


def stated_level(sents: Sequence[SentenceRef]) -> Seniority:
    """JUNIOR or MID when the JD's own sentences (not its company or benefits text) state an
    entry-level or mid-level role; else UNSPECIFIED (the title and a board's level field come first)."""
    for s in sents:
        if s.kind in _SKIP_FOR_FACTS:
            continue
        for rx, level in ((_ENTRY_LEVEL, Seniority.JUNIOR), (_MID_LEVEL, Seniority.MID)):
            for m in rx.finditer(s.text):
                if _LEVEL_NOT_STATED_BEFORE.search(s.text, max(0, m.start() - 40), m.start()) is None:
                    return level
    return Seniority.UNSPECIFIED


# "6 years for BSc and 4 years for MA": the figure before was one degree's, this one another's.
_FOR_DEGREE_BEFORE = re.compile(rf"\bfor\s+(?:an?\s+)?{_DEGREE_WORD}[^.;:\n]{{0,20}}?\b(?:and|or|,)\s*$", _I)
# "... as Housekeeping Supervisor or 3 years as Room Attendant": an "or" right before the figure.
_OR_BEFORE_FIGURE = re.compile(
    r"\bor\s+(?:"
    # "MSc with 6 years of experience OR BSc with 8 years": each degree with its own figure
    rf"(?:an?\s+)?(?:{_DEGREE_CORE})\b"
    r"[^.;:\n]{0,50}?\b(?:with|and|plus)\s+)?(?:(?:at\s+least|a\s+minimum\s+of|minimum|min\.?|over)\s+)?$",
    _I,
)


def _alternatives_merged(
    text: str, mentions: list[tuple[int | None, int | None, int]]
) -> list[tuple[int | None, int | None, int]]:
    """Figures joined by "or" are alternatives, and the smaller minimum admits: "2 years as
    Housekeeping Supervisor or 3 years as Room Attendant" asks for 2."""
    out: list[tuple[int | None, int | None, int]] = []
    for lo, hi, pos in sorted(mentions, key=lambda m: m[2]):
        prev = out[-1] if out else None
        between = text[prev[2] : pos] if prev is not None else ""
        joined = prev is not None and (
            _OR_BEFORE_FIGURE.search(between) is not None or _FOR_DEGREE_BEFORE.search(between) is not None
        )
        if prev is not None and prev[0] is not None and lo is not None and joined:
            out[-1] = (lo, hi, pos) if lo < prev[0] else prev
            continue
        out.append((lo, hi, pos))
    return out


def find_experience(sents: Sequence[SentenceRef], src: Source) -> Experience | None:
    """The experience requirement: the largest stated minimum across the JD.

    Every listed requirement must be met, so the binding one is the largest minimum; skill-specific
    figures ("5+ years with Spark") are normally below the general one ("8+ years of experience").
    A figure the JD only calls desirable ("Desirable: 12 months in acute care", "5+ years
    preferred") binds nobody: the largest required minimum wins, and a preferred one is reported
    (as PREFERRED) only when the JD asks for none. Company boilerplate ("100 years of experience")
    and about-company text are ignored.
    """
    best: tuple[int, int | None, SentenceRef] | None = None
    preferred: tuple[int, int | None, SentenceRef] | None = None
    max_only: tuple[int, SentenceRef] | None = None
    zero: SentenceRef | None = None
    for s in sents:
        if s.kind in _SKIP_FOR_FACTS:
            continue
        mentions = _alternatives_merged(s.text, _experience_mentions(s))
        for k, (lo, hi, pos) in enumerate(mentions):
            following = mentions[k + 1][2] if k + 1 < len(mentions) else len(s.text)
            if lo is not None and _experience_requirement(s, pos, following) is Requirement.PREFERRED:
                if preferred is None or lo > preferred[0]:
                    preferred = (lo, hi, s)
            elif lo is not None and (best is None or lo > best[0]):
                best = (lo, hi, s)
            elif lo is None and hi is not None and max_only is None:
                max_only = (hi, s)
        if (
            zero is None
            and ("experience" in s.text.lower() or "fresh" in s.text.lower())
            and _ZERO_EXP.search(s.text)
        ):
            zero = s
    if best is not None:
        raw, a, z = src.span(best[2])
        return Experience(best[0], best[1], raw, a, z, Requirement.REQUIRED)
    if max_only is not None:
        raw, a, z = src.span(max_only[1])
        return Experience(None, max_only[0], raw, a, z, Requirement.REQUIRED)
    if zero is not None:
        raw, a, z = src.span(zero)
        return Experience(0, None, raw, a, z, Requirement.REQUIRED)
    if preferred is not None:
        raw, a, z = src.span(preferred[2])
        return Experience(preferred[0], preferred[1], raw, a, z, Requirement.PREFERRED)
    return None


# ---------------------------------------------------------------- education

_OFFICE_APPS = (
    r"(?!\s*(?:Office|Word|Excel|Project|Access|Teams|SQL|Dynamics|Windows|Visio|PowerPoint|Outlook))"
)
# Ambiguous acronyms ("MA", "BS", "BE") count only in capitals and not as a US state after a comma.
_NOT_STATE = r"(?<!,\s)(?<!,)"
_LEVELS: list[tuple[str, int, re.Pattern[str], re.Pattern[str] | None]] = [
    ("PhD", 7, re.compile(r"\b(?:ph\.?\s?d|doctorate|doctoral\s+degree|d\.?phil)\b", _I), None),
    (
        "Master's",
        6,
        re.compile(
            r"\b(?:master(?:'?s)?(?=\s+(?:degree|of|in)\b)|master's|masters|m\.\s?sc|msc|mba|m\.\s?tech|m\.\s?eng|"
            r"m\.\s?ed|llm|mph|m\.\s?phil|m\.?\s?pharm|mca(?!\s+(?-i:[A-Z]))|m\.\s?com|post-?graduate\s+degree|"
            r"graduate\s+degree)\b",
            _I,
        ),
        # not a certification's code: "MS-900", "MS 700"
        re.compile(_NOT_STATE + r"\b(?:MA|MS|MED|MEd|M\.A|M\.S)\b(?![-\s]?\d)" + _OFFICE_APPS),
    ),
    (
        "Bachelor's",
        5,
        re.compile(
            r"\b(?:bachelor(?:'?s)?|b\.\s?sc|bsc|b\.\s?tech|btech|b\.\s?eng|b\.\s?ed|bcom|b\.com|bba|llb|mbbs|"
            r"b\.?\s?pharm|b\.\s?arch|bds|bca|"
            r"(?:first|1st)\s+degree|undergraduate\s+degree|university\s+degree|college\s+degree|"
            r"four[-\s]year\s+degree|graduate\s+of(?!\s+(?:high|secondary)\b))\b",
            _I,
        ),
        re.compile(_NOT_STATE + r"\b(?:BA|BS|BED|BEd|B\.A|B\.S|B\.E|BE(?=\s*(?:/|in\b)))\b"),
    ),
    ("Degree", 4, re.compile(r"\bdegree\b", _I), None),
    (
        "Diploma",
        3,
        re.compile(
            r"\b(?:(?:advanced\s+)?diploma|tvet|hnd|associate(?:'?s)?\s+degree|"
            # "Level 4 Diploma", "TVET Level IV in Accounting", "Level 3 Early Years qualification";
            # not a course's level ("Level 3 HACCP", "IWCF Level 4 Well Control")
            r"level\s+(?:iv|iii|[3-5])\b(?:(?!\s+(?-i:[A-Z]))|(?=(?:\s+[\w&-]+){0,3}?\s+(?:qualification|diploma|nvq|btec)\b)))",
            _I,
        ),
        re.compile(r"\bOND\b"),  # Nigeria's ordinary national diploma
    ),
    ("Certificate", 2, re.compile(r"\bcertificate\s+(?:in|level)\b", _I), None),
    (
        "High school",
        1,
        re.compile(
            r"\b(?:high\s+school|secondary\s+school\s+(?:certificate|diploma|"
            r"completion|leaving)|grade\s+(?:10|12|ten|twelve)\s+(?:complete|completion|"
            r"pass)|10\+2|matric(?:ulation)?|a[-\s]levels?)\b",
            _I,
        ),
        # US, Malaysia, West Africa, Kenya, UK: the secondary-school certificates postings name
        re.compile(r"\b(?:GED|SPM|STPM|SSCE|WASSCE|WAEC|KCSE|GCSEs?|O[-\s]Levels?)\b"),
    ),
]
_FIELD = re.compile(
    r"\b(?:in|of)\s*:?\s+(?P<field>[^.;:]+?)(?=\s*(?:$|[.;]|\(|\bwith\b|\band\s+(?:at\s+least|a\s+minimum|\d|"
    r"minimum|relevant|proven|strong|good|excellent)|\bor\s+(?:equivalent|related\s+experience)|\bfrom\b|\bplus\b|"
    r"\bis\b|\bare\b|\bpreferred\b|\brequired\b|\bpreferably\b|,\s*(?:with|and\s+\d|plus|minimum|at\s+least)"
    r"|\s+[A-Z][\w]*(?:\s+[A-Z][\w]*)?\s*:))",
    _I,
)


_EDU_TRIGGERS = (
    "degree",
    "bachelor",
    "btech",
    "pharm",
    "b.arch",
    "bds",
    "bca",
    "mca",
    "master",
    "diploma",
    "doctor",
    "phd",
    "ph.d",
    "ph. d",
    "bsc",
    "b.sc",
    "b. sc",
    "msc",
    "m.sc",
    "m. sc",
    "mba",
    "llb",
    "llm",
    "mph",
    "bba",
    "bcom",
    "b.com",
    "b.tech",
    "m.tech",
    "b.eng",
    "m.eng",
    "b.ed",
    "m.ed",
    "mbbs",
    "tvet",
    "hnd",
    "high school",
    "secondary school",
    "certificate",
    "grade 1",
    "grade t",
    "10+2",
    "matric",
    "a-level",
    "a level",
    "level i",
    "level 3",
    "level 4",
    "level 5",
    "graduate",
    "d.phil",
)
_EDU_ACRONYMS = (
    "BA",
    "MA",
    "BS",
    "MS",
    "BE",
    "BED",
    "MED",
    "BEd",
    "MEd",
    "GED",
    "B.A",
    "M.A",
    "B.S",
    "M.S",
    "B.E",
    "OND",
    "SPM",
    "STPM",
    "SSCE",
    "WAEC",
    "KCSE",
    "GCSE",
    "Level",
)


def _levels_in(text: str) -> list[tuple[str, int, int]]:
    """(level, rank, position) of each education level the text names."""
    found: list[tuple[str, int, int]] = []
    if not (any(map(text.lower().__contains__, _EDU_TRIGGERS)) or any(map(text.__contains__, _EDU_ACRONYMS))):
        return found
    for level, rank, rx, acronyms in _LEVELS:
        for x in (rx, acronyms):
            if x is not None:
                found.extend((level, rank, m.start()) for m in x.finditer(text))
    return found


_FOR_BEFORE = re.compile(r"\bfor\s+(?:an?\s+)?$", _I)
_EDU_SECTIONS = frozenset({SectionKind.REQUIREMENTS, SectionKind.NICE_TO_HAVE, SectionKind.OTHER})
_EDU_STRONG = (
    "degree",
    "diploma",
    "qualification",
    "graduate",
    "bachelor",
    "master",
    "bsc",
    "msc",
    "phd",
    "b.sc",
    "m.sc",
    "educational background",
)


def find_education(sents: Sequence[SentenceRef], src: Source) -> list[Education]:
    """One entry per sentence naming a qualification: its lowest (entry) level and field."""
    out: list[Education] = []
    seen: set[tuple[str, str]] = set()
    for s in sents:
        if s.kind in _SKIP_FOR_FACTS:
            continue
        if s.kind not in _EDU_SECTIONS and not any(map(s.text.lower().__contains__, _EDU_STRONG)):
            continue  # "high school education" in prose about the role is not a requirement
        if s.kind is SectionKind.RESPONSIBILITIES and s.text.split(maxsplit=1)[0].lower() in DUTY_VERBS:
            continue  # "Teach at Master of Public Health level", "Supervise PhD theses": the work, no degree
        levels = _levels_in(s.text)
        if not levels or all(_FOR_BEFORE.search(s.text, max(0, p - 6), p) for _l, _r, p in levels):
            continue  # "4 years for BA and 2 years for MA": experience per degree, no degree asked
        specific = [lv for lv in levels if lv[0] != "Degree"] or levels
        level = min(specific, key=lambda lv: (lv[1], lv[2]))[0]
        first_pos = min(p for _l, _r, p in levels)
        fm = _FIELD.search(s.text, first_pos)
        if fm is not None and fm.start() - first_pos > 60:
            fm = None  # the field follows the level closely ("BSc degree in X"), not a later "of Y"
        field = " ".join(fm.group("field").split()) if fm else ""
        words = field.split()
        if len(words) > 14:
            field = " ".join(words[:14])
        key = (level, field.lower())
        if key in seen:
            continue
        seen.add(key)
        raw, a, z = src.span(s)
        requirement = _requirement(s)
        preferred_levels = (
            _levels_preferred_alone(s, levels, level) if requirement is Requirement.PREFERRED else []
        )
        if preferred_levels:
            # "B.Tech/B.E., B.Sc (Statistics/Maths), MBA preferred": only the MBA is a preference.
            requirement = Requirement.REQUIRED
        out.append(Education(level, field, raw, requirement, a, z))
        for other in preferred_levels:
            if (other, "") not in seen:
                seen.add((other, ""))
                out.append(Education(other, "", raw, Requirement.PREFERRED, a, z))
    return out


_ALTERNATIVE_JOIN = re.compile(r"^[^,;]{0,25}?(?:\bor\b|/)[^,;]{0,6}$", _I)


def _joined_to_entry(text: str, mentions: list[tuple[str, int, int]], entry: str, pos: int) -> bool:
    """An entry-level mention sits just before ``pos`` joined to it by "or" or "/"."""
    return any(lv == entry and p < pos and _ALTERNATIVE_JOIN.match(text[p:pos]) for lv, _r, p in mentions)


# How far after a level's mention a preference word qualifies that level alone ("MBA preferred",
# "(M.Tech preferred)", "Master's degree is a plus").
_PREFERENCE_REACH = 25


def _levels_preferred_alone(s: SentenceRef, levels: list[tuple[str, int, int]], entry: str) -> list[str]:
    """The other levels each preference word in the sentence follows closely, when every one of them
    does (then the entry level is required); else nothing."""
    if s.kind is SectionKind.NICE_TO_HAVE:
        return []
    specific = [lv for lv in levels if lv[0] != "Degree"]

    def named(lv: tuple[str, int, int]) -> tuple[str, int, int]:
        """The "degree" of "Master's degree" is the master's mention, not a level of its own."""
        if lv[0] == "Degree":
            owner = next((sp for sp in specific if 0 < lv[2] - sp[2] <= 12), None)
            if owner is not None:
                return owner[0], owner[1], lv[2]
        return lv

    mentions = [named(lv) for lv in levels]
    found: list[str] = []
    for m in PREFERRED.finditer(s.text):
        near = [lv for lv in mentions if 0 <= m.start() - lv[2] <= _PREFERENCE_REACH]
        if not near:
            return []
        closest = max(near, key=lambda lv: lv[2])
        # where the level itself is written (its "degree" may stand later: "Master's degree")
        start = max((p for lv, _r, p in specific if lv == closest[0] and p <= closest[2]), default=closest[2])
        if closest[0] == entry or _joined_to_entry(s.text, mentions, entry, start):
            return []  # "Bachelor's or Master's degree preferred": the preference is both's
        found.append(closest[0])
    return list(dict.fromkeys(found))


# ---------------------------------------------------------------- certifications

_CERT_ACRONYMS = (
    r"PMP|CAPM|PRINCE2|CPA|ACCA|CIMA|CFA|CMA|CISA|CISM|CISSP|CEH|OSCP|CCNA|CCNP|CCIE|ITIL|TOGAF|CSM|PSM|"
    r"SAFe|LEED|NEBOSH|IOSH|SHRM-CP|SHRM-SCP|PHR|SPHR|CIPD|FRM|BLS|ACLS|PALS|CDL(?:-[ABC])?|COC|CKA|CKAD|RHCE|RHCSA|"
    r"MCSE|MCSA|OCP|CPR|Six\s+Sigma(?:\s+(?:Green|Black|Yellow)\s+Belt)?|CompTIA(?:\s+[A-Z][\w+]*\+?)?|"
    # security, analysis and agile; nursing; UK and AU site and trade tickets; food; US trades and transport
    r"GCIH|GCIA|GSEC|GPEN|CySA\+|Security\+|Network\+|CBAP|CCBA|PMI-ACP|CSPO|IREB\s+CPRE|CCRN|TNCC|CPHQ|"
    r"SMSTS|SSSTS|CSCS(?:\s+[Cc]ard)?|IPAF|PASMA|CPCS|QTS|Gas\s+Safe(?:\s+[Rr]egist(?:ered|ration))?|"
    r"White\s+Card|ServSafe|Food\s+Safety\s+Supervisor|Care\s+Certificate|EPA\s+(?:Section\s+)?608(?:\s+Universal)?|"
    r"OSHA[\s-](?:10|30)(?:-[Hh]our)?|Hazmat\s+[Ee]ndorsement|TWIC|NATE|DOT\s+[Mm]edical\s+[Cc]ard|P\.\s?Eng|First\s+Aid\s+at\s+Work"
)
_CERT_RE = re.compile(
    rf"(?<![\w-])(?P<acr>{_CERT_ACRONYMS})(?![\w-])"
    r"|(?P<named>(?:AWS|Azure|Google(?:\s+Cloud)?|Microsoft|Cisco|Oracle|Salesforce|Kubernetes|Red\s+Hat|"
    r"Certified)\s+(?:[A-Z][\w+.-]*\s+){0,4}(?:Certified|Certification|Certificate|Professional|Associate|"
    r"Architect|Administrator|Developer|Engineer|Specialist|Practitioner|Accountant|Auditor|Manager|Analyst|"
    r"Expert)(?:\s*[-\u2013]\s*[A-Z][\w+-]*(?:\s+[A-Z][\w+-]*){0,2})?)"
    r"|(?P<generic>(?:[A-Z][\w+&/-]*\s+){1,4}(?:[Cc]ertification|[Ll]icen[cs]e|[Cc]ertified))"
    # "Level 2 Food Hygiene and Safety certificate" (not "Certificate in ...", a course)
    r"|(?P<certificate>(?:[A-Z][\w+&-]*\s+(?:and\s+)?){1,4}[Cc]ertificate(?!\s+(?:in|of)\b))"
    r"|(?P<coc>[Cc]ertificate\s+of\s+[Cc]ompetenc[ey])"
    # "valid driving licence (Class D)", "Full UK driving licence", "Class E driving licence"
    r"|(?P<driving>(?:(?:[Cc]lass|[Cc]ategory)\s+[A-Z0-9+]{1,3}\s+)?(?:[Dd]riving|[Dd]river(?:'|\u2019)?s)\s+[Ll]icen[cs]e"
    r"(?:\s*\(\s*(?:[Cc]lass|[Cc]ategory|Lesen)\s+[A-Z0-9+]{1,3}\s*\))?"
    r"(?!\s+(?:information|numbers?|records?|data|checks?|plates?|details)\b))"
    # "Current HCPC registration", "registration with the State Paramedical Board"
    r"|(?P<registration>(?:[Cc]urrent|[Vv]alid|[Ff]ull|[Aa]ctive)\s+[A-Z][A-Z&]{1,6}\s+[Rr]egistration|"
    # a body that registers professionals ("... Board", "... Council", "the NMC"), not "the Company"
    r"[Rr]egist(?:ration|ered)\s+with\s+(?:the\s+)?(?=[^.\n]{0,80}?\b(?:Board|Council|College|Authority|Commission|"
    r"Institute|Association|Society|Agency|Registry|Chamber|Ministry|[A-Z]{2,6}\b))"
    r"[A-Z][\w&'-]*(?:\s+(?:(?:and|of|for|&)\s+)?[A-Z(][\w&'()-]*){0,7})"
    # "Licensed Pharmacist", "Licensed Professional Teacher (LPT)"
    r"|(?P<licensed>Licensed\s+(?:[A-Z][\w-]*\s+){0,2}[A-Z][\w-]*)",
)
_CERT_ACRONYM_RE = re.compile(_CERT_ACRONYMS)
# Literal words of the certification names above, to skip sentences that cannot contain one.
_CERT_WORDS = tuple(
    {w for w in re.findall(r"[A-Za-z][A-Za-z0-9+-]+", _CERT_ACRONYMS) if w[0].isupper()}
    | {
        "AWS",
        "Azure",
        "Google",
        "Microsoft",
        "Cisco",
        "Oracle",
        "Salesforce",
        "Kubernetes",
        "Red Hat",
        "Certified",
    }
)
_GENERIC_STOP = frozenset(
    {
        "A",
        "An",
        "The",
        "Any",
        "Valid",
        "Relevant",
        "Professional",
        "Required",
        "Must",
        "Have",
        "With",
        "Driving",
        "Proof",
        "Business",
        "Trade",
        "Work",
        "Other",
    }
)


_DRIVING_IN_NAME = re.compile(r"\b[Dd]riv(?:ing|er(?:'|\u2019)?s)\s+[Ll]icen[cs]e")
_NOT_A_CERTIFICATION = re.compile(
    r"\b(?:school|matric\w*|o[\s-]level|a[\s-]level|gce|birth|marriage|death|police|medical|clearance)\b",
    re.IGNORECASE,
)
_SCHOOL_EXAMS = frozenset(
    {"KCSE", "KCPE", "SPM", "STPM", "WAEC", "WASSCE", "SSCE", "NECO", "GCSE", "GCSES", "SSC", "HSC"}
)


def find_certifications(sents: Sequence[SentenceRef], src: Source) -> list[Certification]:
    out: list[Certification] = []
    seen: set[str] = set()
    joined = "\n".join(s.text for s in sents)
    present = list(filter(joined.__contains__, _CERT_WORDS))
    for s in sents:
        if s.kind in _SKIP_FOR_FACTS:
            continue
        low = s.text.lower()
        if not (
            "certif" in low
            or "licen" in low
            or "competenc" in low
            or "regist" in low
            or any(map(s.text.__contains__, present))
        ):
            continue
        matches = list(_CERT_RE.finditer(s.text))
        for n, m in enumerate(matches):
            name = " ".join(m.group().split())
            kind = m.lastgroup
            if kind == "generic" and _DRIVING_IN_NAME.search(name):
                # "Valid Driving Licence (Class D)" written in capitals: the generic pattern took it.
                kind, name = "driving", " ".join(s.text[m.start() : m.end() + 14].split())
            if kind in ("generic", "certificate"):
                words = name.split()
                while words and words[0] in _GENERIC_STOP:
                    words = words[1:]
                # A school-leaving certificate ("KCSE certificate", "Secondary School Certificate")
                # is education, read there; a birth or police certificate is a document.
                if len(words) < 2 or words[0].upper() in _SCHOOL_EXAMS or _NOT_A_CERTIFICATION.search(name):
                    continue
                if all(_CERT_ACRONYM_RE.fullmatch(w) for w in words[:-1]):
                    words = words[:-1]  # "PMP certification" -> "PMP"
                name = " ".join(words)
            elif kind == "coc":
                name = "Certificate of Competency (COC)"
            elif kind == "licensed" and not is_role_head(name.split()[-1]):
                continue  # "Licensed Premises", "a Licensed Restaurant": no profession
            elif kind == "driving":
                grade = re.search(r"(?:[Cc]lass|[Cc]ategory|Lesen)\s+([A-Z0-9+]{1,3})", name)
                name = f"Driving licence (class {grade.group(1)})" if grade else "Driving licence"
            elif kind == "registration":
                name = re.sub(r"^(?:[Cc]urrent|[Vv]alid|[Ff]ull|[Aa]ctive)\s+", "", name)
                name = re.sub(
                    r"^[Rr]egist(?:ration|ered)\s+with\s+(?:the\s+)?", "Registration with the ", name
                )
                name = name.rstrip(" (")
            if name.lower() in seen:
                continue
            seen.add(name.lower())
            raw, a, z = src.span(s)
            following = matches[n + 1].start() if n + 1 < len(matches) else len(s.text)
            out.append(
                Certification(name, raw, _requirement_of_mention(s, m.start(), m.end(), following), a, z)
            )
    return out


_REQUIRED_WORD = re.compile(r"\b(?:required|essential|mandatory|must|necessary)\b", _I)


def _requirement_of_mention(s: SentenceRef, start: int, end: int, following: int) -> Requirement:
    """A list names what it asks for with a word after each part: "SMSTS and CSCS card required,
    First Aid at Work preferred". The first such word after the mention decides; when another
    mention (at ``following``) stands before that word, which is then that one's, a word before this
    mention decides if there is one ("Must hold a valid CSCS card and SMSTS would be an advantage");
    else the sentence."""
    if s.kind is SectionKind.NICE_TO_HAVE:
        return Requirement.PREFERRED
    after_word = _first_requirement_word(s.text[end:])
    if after_word is not None and end + after_word[0] > following:
        before = _last_requirement_word(s.text[:start])
        if before is not None:
            return before
    if after_word is not None:
        return after_word[1]
    return _requirement(s)


def _first_requirement_word(text: str) -> tuple[int, Requirement] | None:
    pref, req = PREFERRED.search(text), _REQUIRED_WORD.search(text)
    if pref is None and req is None:
        return None
    if req is None or (pref is not None and pref.start() < req.start()):
        return pref.start() if pref is not None else 0, Requirement.PREFERRED
    return req.start(), Requirement.REQUIRED


def _last_requirement_word(text: str) -> Requirement | None:
    found = [(m.start(), Requirement.PREFERRED) for m in PREFERRED.finditer(text)]
    found += [(m.start(), Requirement.REQUIRED) for m in _REQUIRED_WORD.finditer(text)]
    return max(found)[1] if found else None


# ---------------------------------------------------------------- compensation

_CURRENCIES = {
    "$": "USD",
    "us$": "USD",
    "usd": "USD",
    "€": "EUR",
    "eur": "EUR",
    "£": "GBP",
    "gbp": "GBP",
    "¥": "JPY",
    "jpy": "JPY",
    "₹": "INR",
    "inr": "INR",
    "rs": "INR",
    "rs.": "INR",
    "cad": "CAD",
    "c$": "CAD",
    "aud": "AUD",
    "a$": "AUD",
    "etb": "ETB",
    "birr": "ETB",
    "br": "ETB",
    "kes": "KES",
    "ksh": "KES",
    "ngn": "NGN",
    "₦": "NGN",
    "zar": "ZAR",
    "chf": "CHF",
    "sek": "SEK",
    "nok": "NOK",
    "dkk": "DKK",
    "aed": "AED",
    "sar": "SAR",
    "pln": "PLN",
    "brl": "BRL",
    "r$": "BRL",
    "mxn": "MXN",
    "cny": "CNY",
    "rmb": "CNY",
    "sgd": "SGD",
    "s$": "SGD",
    "hkd": "HKD",
    "nzd": "NZD",
    "rm": "MYR",
    "myr": "MYR",
    "idr": "IDR",
    "₱": "PHP",
    "php": "PHP",
    "r": "ZAR",
    "thb": "THB",
    "฿": "THB",
    "vnd": "VND",
    "pkr": "PKR",
    "egp": "EGP",
    "ghs": "GHS",
    "ugx": "UGX",
    "tzs": "TZS",
    "n": "NGN",
    "bdt": "BDT",
    "tk": "BDT",
    "tk.": "BDT",
    "\u09f3": "BDT",
    "ca$": "CAD",
    "au$": "AUD",
    "nz$": "NZD",
    "hk$": "HKD",
    "sg$": "SGD",
    "qar": "QAR",
    "kwd": "KWD",
    "bhd": "BHD",
    "omr": "OMR",
    "jod": "JOD",
    "try": "TRY",
    "ils": "ILS",
    "krw": "KRW",
    "twd": "TWD",
    "lkr": "LKR",
    "npr": "NPR",
    "mad": "MAD",
    "rwf": "RWF",
    "zmw": "ZMW",
}
# An amount after a currency code that is also a name (the peso's "PHP", the rand's "R"): "22,000",
# "25 000", "610/day"; not a version ("PHP 8", "R2").
PAY_AMOUNT_AHEAD = r"\s?(?:\d{1,3}(?:[, ]\d{3})+|\d{4,}|\d+(?:\.\d\d)?\s?(?:/|per\s)\s?(?:day|hour|hr)\b)"
_CUR = (
    # "CA$" and "AU$" before "A$" (else "CA$52,000" reads as Australian dollars).
    r"(?:R\$|US\$|CA\$|AU\$|NZ\$|HK\$|SG\$|C\$|A\$|S\$|\$|€|£|¥|₹|₦|USD|EUR|GBP|JPY|INR|Rs\.?|CAD|AUD|ETB|"
    r"[Bb]irr|Br\.?|KES|KSh|NGN|ZAR|CHF|SEK|NOK|DKK|AED|SAR|QAR|KWD|BHD|OMR|JOD|TRY|ILS|KRW|TWD|LKR|NPR|MAD|RWF|"
    r"ZMW|PLN|BRL|MXN|CNY|RMB|SGD|HKD|NZD|(?<![A-Za-z])RM|MYR|IDR|₱|THB|฿|VND|PKR|EGP|GHS|UGX|TZS|BDT|"
    r"\u09f3|Tk\.?(?=\s?\d)|"
    # The peso's code and the rand's sign are also a language and a release ("PHP 8", "R2"): only
    # before an amount ("PHP 22,000", "R25 000 per month")
    rf"(?:PHP|Php|(?<![A-Za-z])R)(?={PAY_AMOUNT_AHEAD})|"
    # Nigerian postings write the naira "N" before grouped thousands: "N850,000 - N1,100,000".
    r"(?<![A-Za-z])N(?=\d{1,3}(?:,\d{3})+)"
    r")"
)
# Indian grouping first ("5,00,000", "12,50,000": lakhs and crores), then thousands, then plain.
_AMT = r"\d{1,2}(?:,\d{2})+,\d{3}(?:\.\d{1,2})?|\d{1,3}(?:[,.' ]\d{3})+(?:\.\d{1,2})?|\d+(?:\.\d{1,2})?"
_K = r"(?:\s?[kK]\b)?"
# "$165,000/yr - $195,000/yr", "$19/hr - $21/hr": a unit after each figure of a range (LinkedIn's way).
_UNIT = r"(?:\s?/\s?(?:year|yr|hour|hr|h|month|mo|week|wk|annum|day)\b)?"
_PAY_RE = re.compile(
    rf"(?P<c1>{_CUR})\s?(?:\)\s*:?\s*)?(?P<a>{_AMT}){_K}{_UNIT}(?:\s*(?:-|\u2013|\u2014|to)\s*(?:{_CUR})?\s?(?P<b>{_AMT}){_K})?"
    rf"|(?P<a2>{_AMT}){_K}(?:\s*(?:-|\u2013|\u2014|to)\s*(?P<b2>{_AMT}){_K})?\s?(?P<c2>{_CUR})(?![\w$])"
)
_PERIODS: list[tuple[PayPeriod, re.Pattern[str]]] = [
    # "per hour", "/hr" (not the "hr" of "brutto/Jahr"); German and Malay where their postings use them.
    (PayPeriod.HOUR, re.compile(r"(?:\b(?:per|an|a)\s*|/\s*)(?:hour|hr)\b|hourly|/h\b|\bpro\s+stunde\b", _I)),
    (
        PayPeriod.DAY,
        re.compile(r"(?:\b(?:per|a)\s*|/\s*)day\b|daily\s+(?:rate|pay|wage)|day\s+rate|\bsehari\b", _I),
    ),
    (PayPeriod.WEEK, re.compile(r"(?:\b(?:per|a)\s*|/\s*)(?:week|wk)\b|weekly", _I)),
    (
        PayPeriod.MONTH,
        re.compile(
            r"(?:\b(?:per|a)\s*|/\s*)(?:month|mo)\b|monthly|p\.?m\.?\b|\bpro\s+monat\b|monatlich|\bsebulan\b",
            _I,
        ),
    ),
    (
        PayPeriod.YEAR,
        re.compile(
            r"(?:\b(?:per|a)\s*|/\s*)(?:year|annum|yr|jahr)\b|annual(?:ly)?|yearly|p\.?a\.?\b|\bOTE\b|"
            r"\bpro\s+jahr\b|j(?:ä|ae)hrlich",
            _I,
        ),
    ),
]
_PAY_CONTEXT = re.compile(
    r"\b(?:salary|salaries|pay|paid|compensation|remuneration|wages?|ctc|stipend|rate|base|ote|gross|net|"
    r"earn|earning|package|per\s+(?:hour|month|year|annum)|superannuation|gehalt|brutto|gaji)\b|"
    # AU: "+ super"; "RM2,500 - RM3,500 + trip allowance", "AED 3,000 - 4,000 + OT": what comes on
    # top of a figure says the figure is pay.
    r"\+\s*(?:super|ot|overtime|commissions?|incentives?|bonus(?:es)?|benefits|(?:\w+\s+)?allowances?)\b|"
    # "£32,000 - £40,000 DOE", "negotiable"; a board's header line: "Bristol | Hybrid | £32,000"
    r"\b(?:DOE|negotiable|pro\s+rata)\b",
    _I,
)
_DIGIT = re.compile(r"\d")
_PAY_TRIGGERS = (
    "salary",
    "pay",
    "compensation",
    "remuneration",
    "wage",
    "ctc",
    "lpa",
    "lakh",
    "lac",
    "super",
    "stipend",
    "rate",
    "per ",
    " a month",
    " an hour",
    " a year",
    " a week",
    " a day",
    "/h",
    "/m",
    "/y",
    "annual",
    "monthly",
    "hourly",
    "weekly",
    "daily",
    "usd",
    "eur",
    "gbp",
    "inr",
    "cad",
    "aud",
    "etb",
    "birr",
    "kes",
    "ksh",
    "ngn",
    "zar",
    "chf",
    "sek",
    "nok",
    "dkk",
    "aed",
    "sar",
    "pln",
    "brl",
    "mxn",
    "cny",
    "rmb",
    "sgd",
    "hkd",
    "nzd",
    "myr",
    "jpy",
    "rs",
    "br",
    "php",
    "bdt",
    "tk",
    "\u09f3",
    "allowance",
    "gehalt",
    "gaji",
    "qar",
    "kwd",
    "bhd",
    "omr",
    "lkr",
)
# "INR 450 Cr turnover", "$2 million": a company's size, not pay (lakhs of pay are read apart).
_BIG_UNIT = re.compile(r"^\s*(?:million|billion|mn|bn|m\b|b\b|cr\b|crores?|lakhs?|lacs?|lpa\b)", _I)


def _amount(s: str | None, k_suffix: bool) -> float | None:
    if not s:
        return None
    digits = re.sub(r"[,' ]", "", s)
    if re.fullmatch(r"\d{1,3}(?:\.\d{3})+", digits):  # 1.000.000 style thousands
        digits = digits.replace(".", "")
    try:
        value = float(digits)
    except ValueError:
        return None
    return value * 1000 if k_suffix else value


# Pay on top of the base ("shift differential of $6/hour", "$10,000 sign-on bonus", "401(k)
# match up to $5,000"): a JD's pay is its base, so a figure these words qualify is passed over.
_ADD_ON = re.compile(
    r"\b(?:differentials?|bonus(?:es)?|sign[-\s]?on|signing|referral|relocation|reimburse\w*|"
    r"allowances?|tuition|per\s+diem|401\s?\(?k\)?|match(?:es|ing)?|commissions?|tips?|overtime|premiums?|"
    r"incentives?|equity|stock|rsus?|stipends?\s+for)\b",
    _I,
)
# Where a clause ends, so an add-on word after "plus", "+" or a comma qualifies the next figure, not this one.
_CLAUSE_BREAK = re.compile(r"\b(?:plus|and|with)\b|[,;:(+\n\u2022]|\s[-\u2013]\s(?=(?-i:[A-Z]))", _I)


def states_pay_figure(text: str) -> bool:
    """A currency with an amount ("£13.50", "USD 5,500") or pay in lakhs ("18 LPA")."""
    return _PAY_RE.search(text) is not None or _LAKHS.search(text) is not None


def names_pay(label: str) -> bool:
    """A heading that says what follows is pay ("Compensation Range", "Salary", "Pay")."""
    return len(label.split()) <= 4 and _PAY_CONTEXT.search(label) is not None and not is_add_on_label(label)


def is_add_on_label(label: str) -> bool:
    """A label that names pay on top of the base ("Shift differential", "Overtime", "Bonus")."""
    return _ADD_ON.search(label) is not None


def _is_add_on(text: str, start: int, end: int) -> bool:
    """Whether the figure at text[start:end] is an add-on to the pay: an add-on word in its clause,
    before it ("differential of $6/hour") or right after it ("$10,000 sign-on bonus")."""
    window = text[max(0, start - 60) : start]
    # "Shift differential: $4/hour": a label names what the figure after its colon is.
    label = _LABEL_BEFORE.search(window)
    if label is not None and _ADD_ON.search(label.group(1)) is not None:
        return True
    before = _CLAUSE_BREAK.split(window)[-1]
    after = _CLAUSE_BREAK.split(text[end : end + 30])[0]
    add_on = [m.end() for m in _ADD_ON.finditer(before)]
    # "Annual bonus Salary range RM 3,200 - RM 4,200": the pay word after the add-on names the figure.
    if add_on and not any(m.start() > add_on[-1] for m in _BASE_PAY_WORD.finditer(before)):
        return True
    return _ADD_ON.search(after) is not None


# Money a role moves, not what it pays ("scaling spend of $500K+/month", "budgets of £2M", "$10M
# ARR", "a $1.2M quota"): the noun right before the figure, or right after it.
_BUSINESS_MONEY = (
    r"(?:ad\s+|media\s+|marketing\s+|paid\s+|annual\s+|monthly\s+)?(?:spend|spending|budgets?|revenues?|"
    r"turnover|ARR|MRR|GMV|AUM|valuation|portfolio|pipeline|quota)"
)
_BUSINESS_SUM_BEFORE = re.compile(
    rf"\b{_BUSINESS_MONEY}\s*(?:of|over|above|exceeding|worth|totalling|totaling|up\s+to|in\s+excess\s+of|"
    r"ranging\s+from|from)?\s*(?:approximately|approx\.?|around|about|over|more\s+than|~)?\s*$|"
    # contracts, deals and savings only with the word that sizes them ("service contracts of
    # £250,000", "deals worth $100K"): "W2 contract $65/hr" is pay
    r"\b(?:contracts?|deals?|savings)\s+(?:of|worth|valued\s+at|totalling|totaling|in\s+excess\s+of)\s*"
    r"(?:approximately|approx\.?|around|about|over|more\s+than|~)?\s*$",
    _I,
)
_BUSINESS_SUM_AFTER = re.compile(rf"^\s*(?:in|of)?\s*{_BUSINESS_MONEY}\b", _I)


def _is_business_sum(text: str, start: int, end: int) -> bool:
    """Whether the figure at text[start:end] is a sum the role handles (spend, budget, revenue,
    quota) rather than its pay: such a noun right before it, or right after it; never under a pay
    label ("Salary: ...", "Rate: ...")."""
    label = _LABEL_BEFORE.search(text[max(0, start - 60) : start])
    if label is not None and _PAY_CONTEXT.search(label.group(1)) is not None:
        return False
    before = _CLAUSE_BREAK.split(text[max(0, start - 40) : start])[-1]
    after = _CLAUSE_BREAK.split(text[end : end + 30])[0]
    return _BUSINESS_SUM_BEFORE.search(before) is not None or _BUSINESS_SUM_AFTER.match(after) is not None


_LABEL_BEFORE = re.compile(r"([^\n:;,.()]{1,40}):\s*$")
# Capitalised: the next item of a flattened list ("Annual bonus Salary range"), not "overtime pay".
_BASE_PAY_WORD = re.compile(r"\b(?:Salary|Salaries|Pay|Wages?|Compensation|Remuneration|Base)\b")


# Where a bare "$" is not the US dollar: the JD's places decide (Montreal's "$20.50 an hour" is CAD).
_LOCAL_DOLLAR = {"CA": "CAD", "AU": "AUD", "NZ": "NZD", "SG": "SGD", "HK": "HKD", "MX": "MXN"}
# Currencies whose unstated period is a year when the figure is this large ("£45,000 - £52,000"):
# their monthly pay stays well under it (unlike CHF, SGD, HKD or INR).
_ANNUAL_BY_SIZE = frozenset({"USD", "GBP", "EUR", "AUD", "CAD", "NZD"})
_ANNUAL_FLOOR = 15_000
# Currencies whose postings state monthly pay (Malaysia, Singapore, the Philippines, Indonesia,
# Thailand, the Gulf, Kenya, Nigeria): an unstated period is a month for a figure in this range
# (a month's pay or more, less than a year's): "RM 3,500 - RM 4,500", "KES 80,000".
_MONTHLY_BY_SIZE = {
    "MYR": (1_000, 40_000),
    "SGD": (1_000, 25_000),
    "PHP": (8_000, 250_000),
    "IDR": (1_500_000, 100_000_000),
    "THB": (9_000, 300_000),
    "AED": (1_500, 60_000),
    "SAR": (1_500, 60_000),
    "QAR": (1_500, 60_000),
    "KES": (10_000, 1_000_000),
    "NGN": (30_000, 1_500_000),
}


def local_dollar(country_codes: Iterable[str]) -> str:
    """The currency a bare "$" means for a JD in these countries: a local dollar when every place
    with one agrees, else USD."""
    local = {_LOCAL_DOLLAR.get(code, "USD") for code in country_codes if code}
    return local.pop() if len(local) == 1 else "USD"


def local_rupee(country_codes: Iterable[str]) -> str:
    """The currency "Rs." means for a JD in these countries: Pakistan's, Sri Lanka's or Nepal's
    rupee when every place with one agrees, else India's."""
    local = {_LOCAL_RUPEE.get(code, "INR") for code in country_codes if code}
    return local.pop() if len(local) == 1 else "INR"


_LOCAL_RUPEE = {"PK": "PKR", "LK": "LKR", "NP": "NPR"}


def find_compensation(
    sents: Sequence[SentenceRef], src: Source, *, dollar: str = "USD", rupee: str = "INR"
) -> Compensation | None:
    """The first stated base-pay figure (with currency) in a pay context. A bare "$" is ``dollar``
    (see local_dollar), "Rs." is ``rupee`` (see local_rupee). The period is the stated one, else a
    year for a figure only annual pay reaches in its currency. Figures of pay on top of the base
    (differentials, bonuses, allowances, matches) are passed over: with nothing else stated, the
    JD states no pay."""
    for s in sents:
        if s.kind is SectionKind.BOILERPLATE or _DIGIT.search(s.text) is None:
            continue
        low = s.text.lower()
        if not (
            any(map(s.text.__contains__, "$€£¥₹₦₱฿"))
            or _RINGGIT.search(s.text) is not None  # in capitals, as a word: not "CRM 12,000", "perform"
            or any(map(low.__contains__, _PAY_TRIGGERS))
        ):
            continue
        for m in _PAY_RE.finditer(s.text):
            after = s.text[m.end() : m.end() + 40]
            if _BIG_UNIT.match(after):
                continue
            window = _own_item(s.text, max(0, m.start() - 60), m.start(), m.end(), m.end() + 40)
            period = next((p for p, rx in _PERIODS if rx.search(window)), PayPeriod.UNSPECIFIED)
            if _is_add_on(s.text, m.start(), m.end()) or _is_business_sum(s.text, m.start(), m.end()):
                continue
            text = m.group()
            ks = [bool(x) for x in re.findall(r"\d\s?([kK])?\b", text)]
            lo = _amount(m.group("a") or m.group("a2"), bool(ks and ks[0]))
            hi = _amount(m.group("b") or m.group("b2"), bool(ks and ks[-1]))
            if hi is None and lo is not None and ks and ks[-1] and not ks[0]:
                lo *= 1000
            cur_raw = (m.group("c1") or m.group("c2") or "").lower()
            currency = _CURRENCIES.get(cur_raw, _CURRENCIES.get(cur_raw.rstrip("."), ""))
            # "$58,000 to $108,000 CAD annually": the code after the figures names the dollar.
            code = _CODE_AFTER.match(s.text, m.end())
            if cur_raw == "$":
                currency = _CURRENCIES[code.group(1).lower()] if code is not None else dollar
            elif cur_raw in ("rs", "rs."):
                currency = rupee
            if hi is None and _BETWEEN.search(s.text, max(0, m.start() - 12), m.start()):
                # "between €3,800 and €5,000 gross per month"
                upper = _AND_AMOUNT.match(s.text, m.end())
                if upper is not None:
                    hi = _amount(upper.group(1), bool(upper.group(2)))
            if lo is None or lo == 0:
                continue
            monthly = _MONTHLY_BY_SIZE.get(currency)
            a_month = monthly is not None and monthly[0] <= lo < monthly[1]
            # A figure the text calls pay; or a range outside the duties where no pay word is
            # needed: a month's pay in such currencies ("RM 3,800 - RM 5,000 - 5 working days"), a
            # board's header field ("Bristol | Hybrid | £32,000 - £40,000"). A single sum is
            # anything else (a float, a limit, a target).
            unlabelled_range = (
                hi is not None and s.kind is not SectionKind.RESPONSIBILITIES and (a_month or "|" in window)
            )
            if period is PayPeriod.UNSPECIFIED and not (_PAY_CONTEXT.search(window) or unlabelled_range):
                continue
            if period is PayPeriod.UNSPECIFIED and currency in _ANNUAL_BY_SIZE and lo >= _ANNUAL_FLOOR:
                period = PayPeriod.YEAR
            if period is PayPeriod.UNSPECIFIED and a_month:
                period = PayPeriod.MONTH
            raw, a, z = src.span(s)
            if hi is None and _UP_TO.search(s.text, max(0, m.start() - 16), m.start()):
                return Compensation(None, lo, currency, period, raw, a, z)  # "up to £35,000": a ceiling
            return Compensation(lo, hi, currency, period, raw, a, z)
        lakhs = _LAKHS.search(s.text)
        # Lakhs count customers too ("50 lakh customers"): pay only as LPA, per annum or by a pay word.
        if lakhs is not None and (
            _PER_ANNUM.search(lakhs.group()) is not None or _PAY_CONTEXT.search(s.text) is not None
        ):
            # "CTC: 18 - 26 LPA", "14 LPA - 20 LPA": Indian pay in lakhs (100,000 rupees) a year.
            raw, a, z = src.span(s)
            lo_lakhs = float(lakhs.group("a") or lakhs.group("a_only")) * 100_000
            hi_lakhs = float(lakhs.group("b")) * 100_000 if lakhs.group("b") else None
            return Compensation(lo_lakhs, hi_lakhs, "INR", PayPeriod.YEAR, raw, a, z)
    return None


# Where a list item ends in a line of many (a label on the line above still names the figure): a
# bullet glyph, or a dash between spaces before a capital ("RM 3,800 - RM 5,000 - 5 working days
# - Annual bonus": the bonus says no period).
_ITEM_END = re.compile(
    r"\u2022|\s[-\u2013]\s(?=[A-Z][a-z])(?!(?:Per|Monthly|Hourly|Weekly|Daily|Annually|Yearly)\b)"
)


def _own_item(text: str, lo: int, start: int, end: int, hi: int) -> str:
    """text[lo:hi] around the figure at text[start:end], cut to the list item that holds it."""
    before = _ITEM_END.split(text[lo:start])[-1]
    after = _ITEM_END.split(text[end:hi])[0]
    return before + text[start:end] + after


_RINGGIT = re.compile(r"(?<![A-Za-z])RM\s?\d")
_PER_ANNUM = re.compile(r"lpa|per\s+annum|p\.?\s?a\b", _I)
_CODE_AFTER = re.compile(r"\s*\(?(CAD|AUD|SGD|NZD|HKD|USD|MXN)\b")
_BETWEEN = re.compile(r"\bbetween\s*$", _I)
_UP_TO = re.compile(r"\b(?:up\s?to|max(?:imum)?\.?|not\s+exceeding)\s*:?\s*$", _I)
_AND_AMOUNT = re.compile(rf"\s*and\s*(?:{_CUR})?\s?({_AMT})(\s?[kK]\b)?")
_LAKH_UNIT = r"(?:lpa|lakhs?(?:\s+(?:per\s+annum|p\.?\s?a\.?))?|lacs?(?:\s+(?:per\s+annum|p\.?\s?a\.?))?)"
_LAKHS = re.compile(
    rf"(?:₹|inr|rs\.?)?\s*(?P<a>\d{{1,3}}(?:\.\d{{1,2}})?)\s*(?:{_LAKH_UNIT})?\s*(?:-|\u2013|to)\s*"
    rf"(?:₹|inr|rs\.?)?\s*(?P<b>\d{{1,3}}(?:\.\d{{1,2}})?)\s*{_LAKH_UNIT}\b"
    rf"|(?:₹|inr|rs\.?)?\s*(?P<a_only>\d{{1,3}}(?:\.\d{{1,2}})?)\s*{_LAKH_UNIT}\b",
    _I,
)


# ---------------------------------------------------------------- work mode, contract, urls


def _from_letters(letters: str, pattern: str) -> re.Pattern[str]:
    """Case-insensitive pattern whose matches all begin with one of the letters: the look-ahead lets
    the engine skip to those (a pattern opening with \\b is otherwise tried at every position)."""
    return re.compile(f"(?=[{letters}])(?:{pattern})", _I)


_REMOTE = _from_letters(
    "f1rwtlo(",
    # "Remote (US or Canada)", "Austin, TX or Remote": a board's location line
    r"\b(?:remote\s*\([^)\n]{1,80}\)|or\s+remote\b|fully\s+remote|100%\s+remote|remote[-\s](?:first|friendly|only|position|role|job(?!\s*[:\n]?\s*no\b)|work(?:ing)?|"
    r"opportunity|based)|work(?:ing)?\s+(?:remotely|from\s+home|from\s+anywhere)|wfh|telecommut\w*|"
    r"(?:this|the)\s+(?:is\s+a\s+)?(?:position|role|job)\s+is\s+remote|location\s*:\s*remote)|"
    # "(Remote)", "(Remote - US)", "(Remote, UK)": a board's place in brackets
    r"\(remote\s*(?:\)|[-\u2013\u2014,/:]\s*[^)\n]{0,40}\))|"
    # "Remote" alone between a board's separators: "· Remote ·", "Remote — United States"
    r"(?:^|(?<=[·|•\n\u2014\u2013])|(?<=[·|•\n\u2014\u2013]\s))remote\s*(?=$|[·|•\n\u2014\u2013])|"
    # "Location: Remote, United States"
    r"location\s*:\s*remote\b",
)
_HYBRID = _from_letters(
    "hwruotf0-9",
    r"\bhybrid\b(?!\s+(?:cloud|app|model\s+of\s+care|seeds?|vehicles?|cars?|varieties))|"
    # "work from home two days per week", "remote working 2 days a week": part of the week
    r"\b(?:work(?:ing)?\s+from\s+home|remote(?:ly)?(?:\s+working)?|mobile\s+working)\s+(?:up\s+to\s+)?"
    r"(?:\d|one|two|three|four)\s+days?\b|\b(?:up\s+to\s+)?(?:\d|one|two|three|four)\s+days?\s+(?:a|per)\s+"
    r"week\s+(?:from\s+home|remote(?:ly)?|of\s+(?:remote|mobile)\s+working)|"
    r"\b(?:up\s+to\s+)?(?:\d|one|two|three|four)\s+days?\s+of\s+(?:remote|mobile|home)\s+work(?:ing)?\b|"
    # "Remote work on Fridays", "work from home on Mondays": one day of the week away
    r"\b(?:remote(?:\s+work(?:ing)?)?|work(?:ing)?\s+from\s+home|wfh)\s+(?:on\s+)?(?:mon|tues|wednes|thurs|fri)days?\b",
)
_ONSITE = _from_letters(
    "oipmwrt",
    # Indeed's "Work Location: In person"; USAJOBS' "Remote job: No", "Telework eligible: No"
    # (telework on some days is no on-site job)
    r"\b(?:work\s+location\s*:\s*in[-\s]person|telework\s+eligible\s*:?\s*no|"
    r"remote\s+job\s*:?\s*no(?![\s\S]{0,160}telework\s+eligible\s*:?\s*yes))\b|"
    r"\b(?:on[-\s]?site\s+(?:role|position|job|work)|onsite|in[-\s]office|office[-\s]based|work\s+from\s+office|"
    r"in[-\s]person\s+"
    r"(?:role|position|work)|on-site|physical\s+presence|must\s+(?:be\s+able\s+to\s+)?(?:work|report)\s+"
    r"(?:from|at|in)\s+(?:the|our)\s+office)\b",
)


# A mode denied just before it is named: "This position is not eligible for remote work", "no
# hybrid or remote options".
_DENIED = re.compile(r"\b(?:not|no|never|cannot|can't|isn't|without)\b[^.;:!?,\n]{0,30}$", _I)


def _mentions(pattern: re.Pattern[str], text: str) -> tuple[bool, bool]:
    """Whether the text names the mode anywhere without denying it, and whether it denies it
    somewhere ("This position is not eligible for remote work")."""
    named = denied = False
    for m in pattern.finditer(text):
        if _DENIED.search(text, max(0, m.start() - 40), m.start()) is None:
            named = True
        else:
            denied = True
    return named, denied


def find_work_mode(text: str) -> WorkMode:
    """Hybrid beats remote beats on-site when the JD names more than one; a mode the JD denies
    ("not eligible for remote work") is not named, and a denied remote mode is on site."""
    low = text.lower()
    if any(map(low.__contains__, ("hybrid", "days", "day ", "day,", "day."))) and _mentions(_HYBRID, text)[0]:
        return WorkMode.HYBRID
    remote_denied = False
    if any(map(low.__contains__, ("remote", "from home", "anywhere", "wfh", "telecommut"))):
        remote_named, remote_denied = _mentions(_REMOTE, text)
        if remote_named:
            return WorkMode.REMOTE
    if any(map(low.__contains__, ("site", "office", "person", "physical", "remote", "telework"))) and (
        remote_denied or _ONSITE.search(text)
    ):
        return WorkMode.ONSITE
    return WorkMode.UNSPECIFIED


_EMPLOYMENT: list[tuple[EmploymentType, re.Pattern[str]]] = [
    (EmploymentType.INTERNSHIP, _from_letters("i", r"\binternships?\b|\bintern\b")),
    (EmploymentType.PART_TIME, _from_letters("pt", r"\bpart[-\s]?time\b|\bteilzeit\b")),
    (
        EmploymentType.FULL_TIME,
        _from_letters("fpvu", r"\bfull[-\s]?time\b|\bpermanent\b|\bvollzeit\b|\bunbefristet\b"),
    ),
    (
        EmploymentType.TEMPORARY,
        # Seasonal as the job is ("a seasonal position", "Job type: Seasonal"), not "seasonal menus".
        _from_letters(
            "st",
            r"\btemporary\b|\btemp\s+(?:role|position|job)\b|\bseasonal\s+(?:role|position|job|work|workers?|staff|"
            r"employment|contract|hire|basis|vacanc\w*|opportunit\w*)\b|\btype\s*:?\s*seasonal\b",
        ),
    ),
    (
        EmploymentType.CASUAL,
        # Casual as the job is ("a casual position", "Job type: Casual"), not "casual dress"; the
        # NHS's bank and the UK's zero hours ("Bank Healthcare Assistant", "zero-hours contract").
        _from_letters(
            "cjetzbwpah/",
            # (not a "casual work environment")
            r"\bcasual\s+(?:roles?|positions?|jobs?|workers?|basis|employment|contract|staff|hours|shifts?|"
            r"team\s+members?|vacanc\w*|opportunit\w*|rates?|loading|"
            r"work(?!\s+(?:environment|atmosphere|culture|attire|place|space|setting|vibe)))\b|"
            # a field of a header line: "Casual, weekday mornings", "$28 - $31 per hour, casual"
            r"(?:(?<=\n)|(?<=^))casual[ \t]*(?=[,|(\n]|$)|"
            # a board's header segment: "Sydney NSW 2000 · Casual", "Melbourne VIC, Casual"
            r"(?:(?<=[|\u2022\u00b7][ \t])|(?<=[|\u2022\u00b7]))casual\b|"
            r"(?<=,[ \t])(?-i:Casual)(?=[ \t]*(?:[,|(\n]|$))|"
            r"(?:per\s+hour|an\s+hour|/\s*hr|/\s*hour|hourly)[ \t]*[,|][ \t]*casual\b|"
            r"\b(?:job\s+type|employment(?:\s+type)?|contract(?:\s+type)?|work\s+type|type)\s*:?\s*casual\b|"
            # not "no zero hours contracts"; the NHS's bank, not a retail bank, a blood bank or a
            # permanent job's extra bank shifts
            r"(?<!\bno\s)(?<!\bnot\sa\s)\bzero[-\s]hours?\b|"
            r"(?<!\bextra\s)(?<!\badditional\s)(?<!\binvestment\s)(?<!\bretail\s)(?<!\bblood\s)(?<!\bfood\s)"
            r"(?<!\d\s)\bbank\s+(?:shifts?|contract|role|position|"
            r"(?:healthcare\s+|health\s+care\s+|care\s+)?(?:assistants?|nurses?|HCAs?|carers?))\b",
        ),
    ),
    (
        EmploymentType.CONTRACT,
        _from_letters(
            "fcets0-9",
            # "a 2-year renewable contract", "an 18-month rotational contract"
            r"\bfixed[-\s]term\b|\b(?:travel|short[-\s]term|\d+[-\s](?:weeks?|months?|years?))\s+"
            r"(?:(?:renewable|rotational|extendable|initial|local|project|full[-\s]time)\s+)?contract\b"
            # "5 years contract management experience": a field of experience
            r"(?!\s+(?:management|manager|law|admin\w*|negotiat\w*|drafting|review\w*|experience))|"
            # "Contract: 12 months, renewable"
            r"\bcontract\s*:\s*\d+\s*(?:weeks?|months?|years?)\b|"
            # "Contract (12 months)", "a 12-month maternity leave contract"
            r"\bcontract\s*\(\s*\d+\s*(?:weeks?|months?|years?)\s*\)|\bcontract\s*/\s*temp\w*|"
            r"\b\d+[-\s]months?\s+(?:(?:maternity|parental|leave|cover|fixed[-\s]term)\s+)*contract\b|"
            r"\bcontract(?:ual)?\s+(?:basis|position|role|"
            r"employment|job)\b|\b(?:employment|contract)\s+type\s*:\s*contract|"
            # A consultancy is the contract only as one ("on a consultancy basis", "Type: Consultancy"):
            # "an independent environmental consultancy" is the employer.
            r"\bconsultancy\s+(?:basis|contract|assignment|position|role|period)\b|"
            r"\b(?:type|contract|engagement)\s*:\s*consultancy\b|\bfreelance\b",
        ),
    ),
]


_EMPLOYMENT_TRIGGERS = {
    EmploymentType.INTERNSHIP: ("intern",),
    EmploymentType.PART_TIME: ("part", "teilzeit"),
    EmploymentType.FULL_TIME: ("full", "permanent", "vollzeit", "unbefristet"),
    EmploymentType.TEMPORARY: ("temp", "seasonal"),
    EmploymentType.CASUAL: ("casual", "zero", "bank"),
    EmploymentType.CONTRACT: ("term", "contract", "consultancy", "freelance"),
}


def find_employment_type(text: str, title: str | None) -> EmploymentType:
    """The first contract type named: an intern title wins, then the earliest cue in the text."""
    if title and re.search(r"\bintern(?:ship)?\b", title, _I):
        return EmploymentType.INTERNSHIP
    best: tuple[int, EmploymentType] | None = None
    low = text.lower()
    for kind, rx in _EMPLOYMENT:
        if not any(map(low.__contains__, _EMPLOYMENT_TRIGGERS[kind])):
            continue
        m = rx.search(text)
        if m is not None and (best is None or m.start() < best[0]):
            best = (m.start(), kind)
    return EmploymentType.UNSPECIFIED if best is None else best[1]


_URL = re.compile(r"(?=[hw])\b(?:https?://|www\.)[^\s<>\"'\])]+", _I)


def find_urls(original: str) -> list[str]:
    """Web addresses as written (from the original, so markup links count too), deduplicated."""
    seen: dict[str, None] = {}
    for m in _URL.finditer(original):
        url = m.group().rstrip(".,;:!?")
        seen.setdefault(url, None)
    return list(seen)
