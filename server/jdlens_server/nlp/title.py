"""Job-title normalisation for alias lookup.

"Senior Data Engineer (m/f/d) - Berlin, Full-time" -> "data engineer": gender markers, seniority
and level words, location and contract noise, re-advert notes and counts are stripped; what is
left is lower-cased with "&" spelled "and" and spacing/punctuation made uniform.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from jdlens_server.nlp.locations import is_place_name
from jdlens_server.nlp.text import wordlist


class Seniority(StrEnum):
    UNSPECIFIED = "UNSPECIFIED"
    INTERN = "INTERN"
    JUNIOR = "JUNIOR"
    MID = "MID"
    SENIOR = "SENIOR"
    LEAD = "LEAD"
    PRINCIPAL = "PRINCIPAL"
    MANAGER = "MANAGER"
    DIRECTOR = "DIRECTOR"
    EXECUTIVE = "EXECUTIVE"


# Head nouns that end job titles; used to find titles in running text and to judge title segments.
ROLE_HEADS = frozenset(
    wordlist(
        """
        engineer developer programmer architect scientist analyst manager officer assistant
        accountant auditor consultant specialist coordinator director lead head supervisor
        administrator designer technician technologist clerk cashier receptionist secretary nurse
        midwife physician doctor surgeon dentist pharmacist therapist physiotherapist radiologist
        pediatrician paediatrician psychologist counsellor counselor teacher lecturer instructor
        tutor trainer professor researcher chef cook baker waiter waitress bartender barista driver
        mechanic electrician plumber carpenter welder operator inspector surveyor agent
        representative executive associate advisor adviser attorney lawyer paralegal intern trainee
        apprentice writer editor translator interpreter journalist photographer videographer
        producer marketer strategist planner buyer merchandiser storekeeper keeper guard cleaner
        housekeeper janitor nanny caregiver economist statistician chemist biologist geologist
        pharmacologist veterinarian vet optometrist dietitian nutritionist epidemiologist registrar
        librarian archivist president vp ceo cto cfo coo cio partner controller treasurer bookkeeper
        collector recruiter promoter salesperson seller tester steward stewardess pilot captain
        commis digitizer encoder entrant mentor facilitator mobilizer mobiliser expert fellow
        volunteer worker labourer laborer handler packer picker foreman superintendent principal
        dean chair owner founder artist animator illustrator modeler modeller estimator scheduler
        dispatcher controller investigator examiner appraiser underwriter actuary broker banker
        teller operative porter attendant carer courier installer fitter machinist assembler
        fabricator hairdresser stylist beautician concierge gardener landscaper roofer bricklayer
        plasterer joiner glazier tiler scaffolder optician paramedic radiographer sonographer
        phlebotomist hygienist sommelier dishwasher firefighter lifeguard typist transcriber
        telemarketer solicitor barrister notary mediator conservator draughtsman draftsman
        counsel promodiser leader
        """
        # Not here, though they are jobs: words that also open company names or everyday phrases
        # (host, advocate, coach, farmer, ranger, tailor, aide, painter, ...), which would make
        # "Host Healthcare" or "Farmers Insurance" a title.
    )
)
_PLURAL_HEADS = {h + ("es" if h.endswith(("s", "ch", "sh", "x")) else "s") for h in ROLE_HEADS}


# Agent nouns the list above cannot all name ("generalist", "psychotherapist", "metallurgist",
# "electrician", "mathematician"): -ist and -ician words of seven letters or more are people. A
# "-list" word is one only as "-alist" (generalist, journalist; not checklist or shortlist).
_AGENT_SUFFIX = re.compile(r"[a-z]{4,}(?:ist|ician)s?")
_IST_VERBS = frozenset(wordlist("consist persist insist resist subsist desist"))


def title_is_english(title: str) -> bool:
    """Whether a title reads as English: Latin script with an English occupation word in it
    ("GA/ Medical Radiology Technologist" yes; "Kerani Akaun" or a title in Ge'ez script no)."""
    return any(is_role_head(w) for w in re.findall(r"[A-Za-z]+", title))


def is_role_head(word: str) -> bool:
    w = word.lower().strip(".,;:()")
    if w in ROLE_HEADS or w in _PLURAL_HEADS:
        return True
    if _AGENT_SUFFIX.fullmatch(w) is None:
        return False
    stem = w.removesuffix("s")
    return stem not in _IST_VERBS and (not stem.endswith("list") or stem.endswith("alist"))


# Leading seniority words stripped for lookup (with the level they signal).
_SENIORITY_PREFIX: list[tuple[str, Seniority]] = [
    (r"senior|sr|snr", Seniority.SENIOR),
    (r"junior|jr|jnr", Seniority.JUNIOR),
    (r"entry[-\s]level|graduate|grad", Seniority.JUNIOR),
    (r"mid[-\s]?level|mid[-\s]senior|intermediate|mid", Seniority.MID),
    (r"principal", Seniority.PRINCIPAL),
    (r"lead", Seniority.LEAD),
    (
        r"staff(?=\s+(?:software\s+|data\s+|ml\s+|machine\s+learning\s+)?(?:engineer|developer|scientist|"
        r"designer|architect|analyst))",
        Seniority.PRINCIPAL,
    ),
    (r"experienced|seasoned", Seniority.SENIOR),
]
_SENIORITY_RE = re.compile(
    r"^\s*(?:(?:" + "|".join(p for p, _ in _SENIORITY_PREFIX) + r")\b\.?\s*[,/&]?\s*)+(?=\S)", re.IGNORECASE
)
_LEVEL_SUFFIX = re.compile(
    r"(?:[\s\-\u2013]+(?:[IVX]{1,4}|[1-9]|level\s*\d|l\d|(?:grade|band)\s+(?:\d[\w/.]*|[a-h]\d?|[ivx]{1,4})|"
    r"\d(?:st|nd|rd|th)\s+grade)|"
    r"-(?:[IVX]{1,4}|[1-9]))\s*$",
    re.IGNORECASE,
)
# A pay band or civil-service grade before the title ("Band 5 Staff Nurse", "Grade 7 Officer").
# An Australian licence grade too ("A-grade Electrician").
_LEVEL_PREFIX = re.compile(
    r"^(?:(?:band|grade|level)\s+(?:\d[\w/.]*|[a-h]|[ivx]{1,4})|[a-d][-\s]grade)\s+(?=\S)", re.IGNORECASE
)
_GENDER = re.compile(
    r"\(\s*(?:[mwfdxhgn]\s*\*?\s*(?:/\s*[mwfdxhgn]\s*\*?\s*){1,3}|all\s+genders?|gn\*?|d)\s*\)|"
    r"(?<![\w/])[mwfh]\s*/\s*[mwfdx](?:\s*/\s*[mwfdx]){0,2}(?![\w/])|\*in\b|:in\b",
    re.IGNORECASE,
)
_NOISE_WORDS = (
    r"full[-\s]?time|part[-\s]?time|contract(?:or)?|contractual|permanent|temporary|temp|fixed[-\s]?term|"
    r"freelance|casual|seasonal|internship|remote(?:\s+first)?|hybrid|on[-\s]?site|onsite|in[-\s]office|"
    r"work\s+from\s+home|wfh|urgent(?:ly)?|immediate(?:\s+start)?|asap|new|hiring|now\s+hiring|vacancy|"
    r"re[-\s]*advert(?:ised|isement)?|re[-\s]*announced?|re[-\s]*posted|readvert(?:ised)?|"
    r"international\s+position|national\s+position|local\s+position|"
    # a term: "12-month contract", "6 Months Contract", "Fixed Term Contract", "Maternity Cover"
    r"(?:\d+|one|two|three|four|five|six|nine|twelve|eighteen)[-\s]*(?:months?|years?|weeks?)"
    r"(?:[-\s]+(?:fixed[-\s]?term[-\s]+)?(?:contract|ftc|cover|basis))?|"
    r"(?:fixed[-\s]?term|permanent|temporary|casual|contract(?:ual)?)\s+(?:contract|role|position|basis|post)|"
    r"maternity\s+(?:cover|leave(?:\s+cover)?)|locum|ftc|(?:ref(?:erence)?|job\s+(?:id|code)|req)\s*[:#.]?\s*[\w/-]+|"
    r"(?:\d+|one|two|three|four|five|six|seven|"
    r"eight|nine|ten)\s*(?:positions?|posts?|vacancies|openings)?|x\s*\d+|\d+\s*x|wanted|needed|required|"
    r"(?:grade|level|band|scale)\s+[\w-]+"
)
_NOISE_SEGMENT = re.compile(
    rf"^(?:{_NOISE_WORDS})(?:\s*(?:[,/&]|and|or)\s*(?:{_NOISE_WORDS}))*$", re.IGNORECASE
)
_NOISE_PREFIX = re.compile(
    r"^\s*(?:job\s+title|position(?:\s+title)?|vacancy(?:\s+announcement)?|role|title|hiring|now\s+hiring|"
    r"we\s*(?:'|\u2019)?re\s+hiring|urgent(?:ly)?|wanted)\s*[:\-\u2013|]\s*",
    re.IGNORECASE,
)
_NOISE_SUFFIX = re.compile(r"\s+(?:wanted|needed|required|vacancy|position)\s*$", re.IGNORECASE)
_SEPARATORS = re.compile(
    r"\s+[-\u2013\u2014|@]\s+|\s*[|]\s*|\s*[,:]\s*|\s+[\u2013\u2014]|[\u2013\u2014]\s+|_"
)
_PAREN = re.compile(r"\(([^()]*)\)|\[([^\[\]]*)\]")


def _bracket_inner(m: re.Match[str]) -> str:
    """What a _PAREN match holds, round or square brackets alike."""
    return (m.group(1) if m.group(1) is not None else m.group(2) or "").strip()


def _collapsed(title: str) -> str:
    """The title on one line of single spaces, its curly apostrophes straight."""
    return " ".join(title.replace("\u2019", "'").split())


@dataclass(frozen=True, slots=True)
class TitleParts:
    as_written: str  # the title with gender/location/contract noise removed, case kept
    without_seniority: str  # same, minus leading seniority words and trailing levels
    normalized: str  # lower-case lookup key
    seniority: Seniority
    alternatives: tuple[str, ...]  # other titles inside it ("Officer (Physiotherapist)" -> "Physiotherapist")


def _is_noise(segment: str) -> bool:
    seg = segment.strip(" .-\u2013\u2014()/")
    if not seg:
        return True
    if _NOISE_SEGMENT.match(seg) or _GENDER.fullmatch(seg):
        return True
    parts = [p.strip() for p in _LIST_SPLIT.split(seg) if p.strip()]
    return bool(parts) and all(is_place_name(p) or _NOISE_SEGMENT.match(p) for p in parts)


_LIST_SPLIT = re.compile(r"\s*(?:/|,|&|\band\b|\bor\b)\s*")
# Bracketed words that are no field: a site, a gender, a reference, a shift or a contract.
_NOT_QUALIFIER = re.compile(
    r"\b(?:based|located|at|in|near|male|female|men|women|ref|reference|urgent|only|days?|nights?|evenings?|"
    r"weekends?|weekdays?|shifts?|ftc|cover|locum|zero|bank|relief|temp|maternity|mon|tue|wed|thu|fri|sat|sun|"
    r"monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b|\d",
    re.IGNORECASE,
)


def _is_qualifier(inner: str) -> bool:
    """A bracketed field for a bare head: one to three words, no place, level, site or number."""
    words = _LETTER_WORD.findall(inner)
    return (
        1 <= len(words) <= 3
        and len(inner) > 1
        and _NOT_QUALIFIER.search(inner) is None
        and _level_of(inner) is Seniority.UNSPECIFIED
        and not is_place_name(inner)
    )


_LETTER_WORD = re.compile(r"[A-Za-z]+")
_LEVEL_RES = [(re.compile(rf"(?:{pattern})\b", re.IGNORECASE), level) for pattern, level in _SENIORITY_PREFIX]
# A seniority word written after the title ("Housekeeping Attendant Snr").
_TRAILING_SENIORITY = re.compile(r"\s+(?:senior|sr|snr|junior|jr|jnr)\.?$", re.IGNORECASE)
_HEAD_LEVELS = [
    (
        re.compile(r"\b(?:chief|ceo|cto|cfo|coo|cio|vp|vice\s+president|president|c-level)\b"),
        Seniority.EXECUTIVE,
    ),
    (re.compile(r"\b(?:director|head\s+of)\b"), Seniority.DIRECTOR),
    (re.compile(r"\b(?:intern|internship|trainee|apprentice)\b"), Seniority.INTERN),
    (re.compile(r"\b(?:manager|head)\b"), Seniority.MANAGER),
    # who leads a team or a shift without managing the function
    (re.compile(r"\b(?:supervisor|team\s+lead(?:er)?|foreman|forewoman|charge\s*hand)\b"), Seniority.LEAD),
]
_POSSESSIVE = re.compile(r"(?<=\w)'s\b")
_ODD_CHARS = re.compile(r"[^\w+#./\s-]|_")
_LOOSE_PUNCT = re.compile(r"(?<![\w])[-./]+|[-./]+(?![\w+#])")
_SLASH = re.compile(r"\s*/\s*")
_MD_TAIL = re.compile(r"\s*/\s*(?=[A-Z][\w.]*\.?\s*[A-Z]?[\w.]*\s*/\s*$)")


def _has_head(s: str) -> bool:
    return any(is_role_head(w) for w in _LETTER_WORD.findall(s))


def _level_of(words: str) -> Seniority:
    for rx, level in _LEVEL_RES:
        if rx.match(words):
            return level
    return Seniority.UNSPECIFIED


# A board's level field ("Seniority level: Mid-Senior level", LinkedIn's): its words that no title uses.
_BOARD_LEVELS = (
    (re.compile(r"internship|intern\b", re.IGNORECASE), Seniority.INTERN),
    (re.compile(r"mid[-\s]senior", re.IGNORECASE), Seniority.SENIOR),  # LinkedIn's experienced staff
    (re.compile(r"associate", re.IGNORECASE), Seniority.JUNIOR),
    (re.compile(r"director", re.IGNORECASE), Seniority.DIRECTOR),
    (re.compile(r"executive|c[-\s]level", re.IGNORECASE), Seniority.EXECUTIVE),
    (re.compile(r"manager|management", re.IGNORECASE), Seniority.MANAGER),
)


def level_field_seniority(value: str) -> Seniority:
    """The seniority a board's level field states ("Entry level", "Mid-Senior level", "Director")."""
    value = value.strip()
    for rx, level in _BOARD_LEVELS:
        if rx.match(value):
            return level
    return _level_of(value)


def _seniority_from_head(title: str) -> Seniority:
    t = title.lower()
    return next((level for rx, level in _HEAD_LEVELS if rx.search(t)), Seniority.UNSPECIFIED)


def normalize_key(text: str) -> str:
    """Lower-case lookup key: '&' -> 'and', quotes and stray punctuation dropped, spaces collapsed."""
    t = text.lower().replace("\u2019", "'").replace("&", " and ")
    t = _POSSESSIVE.sub("s", t)
    t = _ODD_CHARS.sub(" ", t)
    t = _LOOSE_PUNCT.sub(" ", t)
    t = _SLASH.sub("/", t)
    return " ".join(t.split())


def _strip_trailing_place(title: str) -> str:
    """ "Communications Lead Africa" -> "Communications Lead": a place right after the head noun."""
    words = title.split()
    for n in (3, 2, 1):
        if len(words) > n and is_role_head(words[-n - 1]) and is_place_name(" ".join(words[-n:])):
            return " ".join(words[:-n])
    return title


def split_title(title: str) -> TitleParts:
    """Strip noise from a job title and derive its lookup forms."""
    raw = _collapsed(title)
    raw = _NOISE_PREFIX.sub("", raw)
    raw = _GENDER.sub(" ", raw)
    alternatives: list[str] = []
    qualifiers: list[str] = []  # "(Molding)" of "Operator (Molding)": the field of a bare head
    levels: list[Seniority] = []  # "Graphic Designer (Mid-level)": a level in brackets

    def paren(m: re.Match[str]) -> str:
        inner = _bracket_inner(m)
        level = _level_of(inner)
        # The brackets hold the level alone (the pattern needs a word after it: hence the "x").
        if level is not Seniority.UNSPECIFIED and _SENIORITY_RE.sub("", f"{inner} x").strip() == "x":
            levels.append(level)
        elif inner and not _is_noise(inner):
            if _has_head(inner):
                alternatives.append(inner)
            elif _is_qualifier(inner):
                qualifiers.append(inner)
        return " "

    raw = _PAREN.sub(paren, raw)
    raw = _MD_TAIL.sub(" ", raw)  # "/MD. Specialist/" tails
    raw = raw.strip(" /")
    segments = [s.strip() for s in _SEPARATORS.split(raw) if s and s.strip()]
    kept = [s for s in segments if not _is_noise(s)] or segments[:1]
    if len(kept) > 1:
        first = _SENIORITY_RE.sub("", kept[0]).strip()
        if len(first.split()) >= 2 and _has_head(first):
            for extra in kept[1:]:
                if _has_head(extra):
                    alternatives.append(extra)
            kept = kept[:1]
    as_written = _strip_trailing_place(" - ".join(kept))
    as_written = _NOISE_SUFFIX.sub("", as_written).strip(" -\u2013,")
    seniority = _level_of(as_written)
    trailing = _TRAILING_SENIORITY.search(as_written)
    if trailing is not None and len(as_written[: trailing.start()].split()) >= 1:
        if seniority is Seniority.UNSPECIFIED:
            seniority = _level_of(trailing.group().strip())
        as_written = as_written[: trailing.start()]
    core = _SENIORITY_RE.sub("", as_written).strip()
    core = _LEVEL_SUFFIX.sub("", core).strip(" -\u2013,") or core
    core = _LEVEL_PREFIX.sub("", core) or core  # "Band 5 Staff Nurse" -> "Staff Nurse"
    if not core:
        core = as_written
    if seniority is Seniority.UNSPECIFIED and levels:
        seniority = levels[0]
    if seniority is Seniority.UNSPECIFIED:
        seniority = _seniority_from_head(core)
    if qualifiers and len(core.split()) == 1:
        # "Operator (Molding)" -> "Molding Operator": alone, the head names no field.
        core = f"{qualifiers[0]} {core}"
    sides = [side.strip() for side in _SLASH.split(core)] if "/" in core else []
    # "Civil / Structural Engineer", "Day / Night Shift Supervisor": the last side less its first
    # word is every side's ("Civil Engineer", "Day Shift Supervisor").
    shared_head = (
        sides[-1].split(maxsplit=1)[1]
        if sides and len(sides[-1].split()) >= 2 and _has_head(sides[-1])
        else ""
    )
    for side in sides:
        # "Child Care Taker/Infant Care Teacher": each side is a title of its own
        if len(side.split()) >= 2 and _has_head(side):
            alternatives.append(side)
    # The sides given the shared head come after those written with it ("Sales/Account Manager"
    # is the sales account manager before the sales manager).
    alternatives += [
        f"{side} {shared_head}"
        for side in sides
        if shared_head and 1 <= len(side.split()) <= 2 and not _has_head(side)
    ]
    alts = tuple(dict.fromkeys(a for a in alternatives if normalize_key(a) != normalize_key(core)))
    return TitleParts(as_written, core, normalize_key(core), seniority, alts)


def normalize_title(title: str) -> str:
    """The lookup key for a title: "Senior Data Engineer (m/f/d) - Berlin, Full-time" -> "data engineer"."""
    return split_title(title).normalized


# Words before an occupation that say how it is held, not what it is: "Licensed Journeyman
# Plumber", "Staff Pharmacist", "Travel Nurse"; "Certified Nursing Assistant" keeps its "nursing".
_CREDENTIAL_WORDS = frozenset(
    {"licensed", "certified", "journeyman", "journeymen", "staff", "travel", "qualified"}
)


def fallback_keys(title: str) -> list[str]:
    """Lookup keys to try when the title's own key has no alias: each title it names ("Corporate
    Lawyer / Legal Counsel"), then its key less leading credential words ("licensed journeyman
    plumber" -> "plumber"). Without the own key, empties and repeats."""
    parts = split_title(title)
    words = parts.normalized.split()
    i = 0
    while i < len(words) - 1 and words[i] in _CREDENTIAL_WORDS:
        i += 1
    keys = [normalize_title(a) for a in parts.alternatives] + ([" ".join(words[i:])] if i else [])
    # "Electrician - Commercial Fitout", "Paralegal - Commercial Litigation": the title before a
    # field or project named after it.
    segments = _SEPARATORS.split(parts.without_seniority)
    if len(segments) > 1 and _has_head(segments[0]):
        keys.append(normalize_key(segments[0]))
    return [k for k in dict.fromkeys(keys) if k and k != parts.normalized]


def qualified_keys(title: str) -> list[str]:
    """Lookup keys of the title's head with the field it names apart, in brackets or after a
    dash, written before it: "Teaching Assistant (SEN)" -> "sen teaching assistant", "Social
    Worker - Child Protection / Fostering" -> "child protection social worker", "fostering social
    worker". Tried before the head alone, which names the general role (or another one: "teaching
    assistant" is ESCO's university teaching assistant)."""
    core = _SEPARATORS.split(split_title(title).without_seniority)[0].strip()
    sides = {_SENIORITY_RE.sub("", side).strip().lower() for side in _SLASH.split(core) if side.strip()}
    if "/" in core and len(sides) == 1:
        core = sides.pop()  # "Executive / Senior Executive - Quality Control": levels of one title
    if not core or not _has_head(core):
        return []
    raw = _collapsed(title)
    fields = [_bracket_inner(m) for m in _PAREN.finditer(raw)]
    segments = [s.strip() for s in _SEPARATORS.split(_PAREN.sub(" ", raw)) if s and s.strip()]
    fields += [part for segment in segments[1:] for part in _SLASH.split(segment)]
    keys = [
        normalize_key(f"{field} {core}")
        for field in fields
        if 1 <= len(_LETTER_WORD.findall(field)) <= 3
        and not _is_noise(field)
        and _NOT_QUALIFIER.search(field) is None
        and not _has_head(field)
        and _level_of(field) is Seniority.UNSPECIFIED  # "Web Designer (Junior)" names no field
        and normalize_key(field) not in normalize_key(core)  # "Nurse (ICU)" is keyed "icu nurse" already
    ]
    own = normalize_key(core)
    return [k for k in dict.fromkeys(keys) if k and k != own]


def title_variants(title: str) -> tuple[str, ...]:
    """As written, without seniority, normalised, then any alternative titles it contains; no duplicates."""
    parts = split_title(title)
    seen: dict[str, str] = {}
    for v in (
        parts.as_written,
        parts.without_seniority,
        parts.normalized,
        *parts.alternatives,
        *(normalize_key(a) for a in parts.alternatives),
    ):
        if v and v not in seen.values():
            seen.setdefault(v, v)
    return tuple(seen)


# "Executive" as a job grade ("HR Executive", "Logistics Executive", "Accounts Exec": the usual
# staff title in Malaysia, Singapore, India and the UK) ranks a professional in the field its other
# words name; embedded, the word pulls the title toward "chief executive officer", whatever the
# field. Where the word is part of a role ("chief executive", "executive assistant / director /
# chef ...") it stays.
_GRADE_EXECUTIVE = re.compile(
    # Whitespace is collapsed first, so one space or hyphen follows "chief" / "vice" / "account".
    r"(?<!\bchief[ -])(?<!\bvice[ -])(?<!\baccount )\b(?:executive|exec|exe)\b\.?"
    r"(?!\s*(?:director|officer|assistant|secretary|chef|producer|editor|housekeeper|coach|search|board|"
    r"committee|administrative|pastry|sous|vice|vp|chairman|chairperson|president|partner|protection|"
    r"recruiter|manager)\b)",
    re.IGNORECASE,
)
_EDGE_PUNCT = " .,;:-\u2013\u2014/|&"
# Words that name a level, not a field: "Senior Executive" keeps its "Executive".
_LEVEL_ONLY = re.compile(
    r"senior|sr|snr|junior|jr|jnr|assistant|asst|trainee|intern|lead|head|cum", re.IGNORECASE
)
# "Executive cum Driver" -> "Driver": a joining "cum" left at an edge.
_EDGE_CUM = re.compile(r"^cum\s+|\s+cum$", re.IGNORECASE)


def _how_held(segment: str) -> bool:
    # An internship is a level, not only a contract: "Internship - Marketing" is embedded whole.
    return _NOISE_SEGMENT.match(segment) is not None and "intern" not in segment.lower()


def _segments_outside_brackets(text: str) -> list[str]:
    """The text cut at its separators, but not at one inside brackets ("(Based in Oil Palm Estate,
    Negeri Sembilan)" stays whole)."""
    masked = _PAREN.sub(lambda m: "(" + "x" * (len(m.group()) - 2) + ")", text)
    segments: list[str] = []
    start = 0
    for m in _SEPARATORS.finditer(masked):
        segments.append(text[start : m.start()])
        start = m.end()
    segments.append(text[start:])
    return [s.strip() for s in segments if s.strip()]


def without_noise(title: str) -> str:
    """The title less what says how the job is held (contract, hours, remote, a re-advert) and for
    whom (m/f/d), kept as written otherwise: "UX Designer (12-month contract)" -> "UX Designer",
    "Data Engineer (m/f/d) - Berlin, Full-time" -> "Data Engineer - Berlin"; a field in brackets
    stays ("Teaching Assistant (SEN)")."""
    collapsed = _collapsed(title)
    raw = _GENDER.sub(" ", _NOISE_PREFIX.sub("", collapsed))

    def paren(m: re.Match[str]) -> str:
        inner = _bracket_inner(m)
        return " " if not inner or _how_held(inner) or _GENDER.fullmatch(inner) else m.group()

    raw = " ".join(_PAREN.sub(paren, raw).split())
    # Places stay: a site often names the trade ("General Worker (Oil Palm Estate)", "(Plantation)").
    segments = _segments_outside_brackets(raw)
    kept = [s for s in segments if not _how_held(s.strip(" .-\u2013\u2014()/"))]
    out = " - ".join(kept) if kept and len(kept) < len(segments) else raw.strip(" -/")
    return title if not out or out == collapsed else out


def title_for_embedding(title: str) -> str:
    """The title as it is embedded: its noise dropped (``without_noise``), and a grade-word
    "Executive" dropped when other words name the field ("Logistic executive" -> "Logistic";
    "Executive (IT)" -> "(IT)"; "Executive" alone, "Executive Assistant" and "Account Executive",
    a sales role, stay)."""
    title = without_noise(title)
    collapsed = re.sub(r"\s+", " ", title).strip()
    stripped = _GRADE_EXECUTIVE.sub(" ", collapsed)
    if stripped == collapsed:
        return title
    stripped = re.sub(r"\s+", " ", stripped).strip(_EDGE_PUNCT)
    stripped = _EDGE_CUM.sub("", stripped).strip(_EDGE_PUNCT)
    stripped = re.sub(r"\s+([,.)/])", r"\1", stripped)
    field_words = [w for w in _LETTER_WORD.findall(stripped) if not _LEVEL_ONLY.fullmatch(w)]
    return stripped if field_words else title
