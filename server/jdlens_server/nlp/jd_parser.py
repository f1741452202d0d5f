"""Offline, rule-based job-description parser: `parse_jd(text, title_hint) -> ParsedJd`.

Pipeline: markup stripped with an offset map (text.py) -> gate checks (too little text, not
English, not a job ad) -> sections and boilerplate (sections.py) -> title, company and the facts
(title.py, jd_facts.py, jd_domain.py, locations.py). Deterministic, no I/O after the gazetteer
has loaded; every offset indexes the original string.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Iterable, Sequence

from jdlens_server.nlp import jd_facts
from jdlens_server.nlp.header_lines import HeaderLine, header_company, header_lines, states_a_fact
from jdlens_server.nlp.jd_domain import find_archetype, find_domain
from jdlens_server.nlp.jd_facts import SentenceRef, Source
from jdlens_server.nlp.locations import Place, find_places, is_place_name
from jdlens_server.nlp.page_chrome import rated_employer, without_page_chrome
from jdlens_server.nlp.parsed import (
    AboutCompany,
    Boilerplate,
    BoilerplateKind,
    EmploymentType,
    JdType,
    Location,
    ParsedJd,
    RejectReason,
    Section,
    Seniority,
    Sentence,
    SkillRegion,
    TitleSource,
    WorkMode,
)
from jdlens_server.nlp.sections import (
    BoilerplateSpanPlain,
    Heading,
    SectionKind,
    SectionSpan,
    boilerplate_spans,
    split_sections,
)
from jdlens_server.nlp.text import (
    BULLET_GLYPHS,
    DUTY_VERBS,
    PlainText,
    edge_words,
    has_word,
    to_plain,
    word_count,
    wordlist,
)
from jdlens_server.nlp.title import (
    ROLE_HEADS,
    TitleParts,
    is_role_head,
    level_field_seniority,
    split_title,
    title_variants,
)

MIN_WORDS = 15

# ---------------------------------------------------------------- gate checks

_EN_STOP = frozenset(
    wordlist(
        """
        a about above after again all also am an and any are as at be because been before being
        below between both but by can could did do does doing down during each few for from further
        had has have having he her here hers him his how i if in into is it its itself just me more
        most my no nor not now of off on once only or other our ours out over own same she should so
        some such than that the their theirs them then there these they this those through to too
        under until up very was we were what when where which while who whom why will with would you
        your yours within must may per including across well able
        """
    )
)
# Frequent function words of other languages job ads come in (none is an English word).
_OTHER_STOP = frozenset(
    wordlist(
        """
        der die das und ist nicht mit für auf dem den des ein eine einen wir sie ihre bei oder zu
        von im als sind le la les et est une des pour dans avec sur nous vous votre qui du au aux ce
        cette sont pas el los las y es una para con por del se su lo al más como nuestro sus os um
        uma não com para são nossa seu sua dos das pelo pela il gli e è un una per con non sono
        della delle nel alla het een en van ik te dat niet zijn voor met op ook wij jouw
        """
    )
)
_LATIN_WORD = re.compile(r"[A-Za-zÀ-ÖØ-öø-ÿ']+")


_NON_LATIN_LETTER = re.compile(r"[^\W\d_\u0000-\u024f]")
_LETTER = re.compile(r"[^\W\d_]")


def english_score(text: str) -> tuple[float, float, float]:
    """(share of letters in Latin script, English stopword share, other-language stopword share)."""
    latin = 1.0
    if not text.isascii():
        non_latin = len(_NON_LATIN_LETTER.findall(text))
        if non_latin:
            latin = 1.0 - non_latin / max(len(_LETTER.findall(text)), 1)
    words = _LATIN_WORD.findall(text.lower())
    if not words:
        return latin, 0.0, 0.0
    en = sum(map(_EN_STOP.__contains__, words))
    other = sum(map(_OTHER_STOP.__contains__, words))
    return latin, en / len(words), other / len(words)


def is_english(text: str) -> tuple[bool, str]:
    latin, en, other = english_score(text)
    if latin < 0.5:
        return False, f"mostly non-Latin script ({latin:.0%} Latin letters)"
    if other > en and other >= 0.08:
        return False, f"function words of another language outnumber English ones ({other:.0%} vs {en:.0%})"
    if en < 0.05:
        return False, f"too few English function words ({en:.0%})"
    return True, ""


# Groups of job-ad vocabulary (lower-case substrings); a JD hits several groups, a recipe or a news story few.
def _phrases(spec: str) -> tuple[str, ...]:
    return tuple(p.strip() if not p.startswith(" ") else p for p in spec.split("|"))


_JD_CUES: list[tuple[str, float, tuple[str, ...]]] = [
    (
        "duties",
        2.0,
        _phrases(
            "responsibilit|duties|accountabilities|you will be|will be responsible|responsible for|key tasks"
            "|your tasks|what you'll do|what you will do"
        ),
    ),
    (
        "requirements",
        2.0,
        _phrases(
            "requirement|qualification|must have|required skills|what you need|what you bring|we're "
            "looking for"
            "|we are looking for|the ideal candidate|competenc|your profile|who you are|what you'll need"
        ),
    ),
    (
        "experience",
        1.5,
        _phrases(
            "years of experience|years experience|years of relevant|years of professional|years of work"
            "|experience in |experience with |experience of |work experience|working experience"
            "|proven experience|proven track record|+ year of|+ years of|+ year experience|+ years experience"
        ),
    ),
    (
        "apply",
        1.5,
        _phrases(
            "apply|applicant|application|candidate| cv|resume|curriculum vitae|cover letter|shortlist|recruit"
            "|hiring|vacanc|seeking a|seeking an|seeking experienced"
        ),
    ),
    (
        "role",
        1.0,
        _phrases(
            "job|position| role| post |opening|employment|employer|full-time|full time|part-time|part time"
            "|salary|compensation|benefits|per hour|/hr|/hour|hourly"
        ),
    ),
    ("education", 1.0, _phrases("degree|diploma|bachelor|master's|masters|bsc|msc|phd|graduate")),
    ("skills", 1.0, _phrases("skill|knowledge of|ability to|proficien|familiarity with|understanding of")),
    ("team", 0.5, _phrases("join our team|join the team|reports to|report to|team member|colleagues")),
]
JD_CUE_THRESHOLD = 4.0


def jd_cue_score(text: str, title_hint: str | None = None) -> tuple[float, list[str]]:
    """Weighted count of job-ad cue groups present (each group counts once), and their names."""
    low = text.lower()
    hits = [(name, w) for name, w, cues in _JD_CUES if any(map(low.__contains__, cues))]
    score = sum(w for _n, w in hits)
    # A title: the one the caller gives, or a short first line that is an occupation's title ("Line
    # Cook - Full Time"; not "Care Worker Pay Row Deepens" nor "Driver Safety Policy").
    if title_hint:
        titled = any(is_role_head(w) for w in re.findall(r"[A-Za-z]+", title_hint))
    else:
        first_line = text[: text.find("\n", len(text) - len(text.lstrip()))].strip() if "\n" in text else ""
        key = split_title(first_line).normalized if 0 < len(first_line.split()) <= 8 else ""
        titled = bool(key) and len(key.split()) <= 5 and is_role_head(key.rsplit(" ", 1)[-1])
    if titled:
        score += 1.0
        hits.append(("title", 1.0))
    return score, [n for n, _w in hits]


# CVs share a JD's vocabulary (experience, skills, degree) but are written in the first person;
# job ads almost never are (at most about 1% of words in the dev ads).
FIRST_PERSON_LIMIT = 0.02
# \b(?:I|me|my|My|Me)\b, with the leading \b written as a look-behind after the first letter so the
# pattern opens with literals and the engine skips straight to I, M and m.
_FIRST_PERSON = re.compile(r"(?:I(?<!\w.)|m(?<!\w.)[ey]|M(?<!\w.)[ye])\b")


def first_person_share(text: str, words: int | None = None) -> float:
    """Share of words that are the first-person singular pronouns I/me/my (words: word_count(text) if known)."""
    if words is None:
        words = word_count(text)
    return len(_FIRST_PERSON.findall(text)) / words if words else 0.0


# ---------------------------------------------------------------- title


_ADJECTIVES = frozenset(
    wordlist(
        """
        highly motivated experienced qualified talented passionate dynamic competent skilled
        dedicated energetic self-motivated results-driven result-oriented enthusiastic committed
        creative detail-oriented organized organised proactive reliable hardworking hard-working
        driven seasoned strong exceptional outstanding professional capable suitable innovative
        ambitious young and a an the new
        """
    )
)
# The leading look-ahead on the first letters lets the regex engine skip to candidate positions
# (a pattern that opens with a look-behind or \b is otherwise tried at every position).
_TITLE_LABEL = re.compile(
    r"(?=[jptrv])(?:^|(?<=[\s.;:|•]))(?:job\s+title|position\s+title|job\s+position|vacant\s+position|position|post|title|"
    # The mark on the label's own line: "... a similar role\n- Strong SQL" is a bullet after a line's end.
    r"role|vacancy)[ \t]*[:\-\u2013]\s*",
    re.I,
)
# What follows a heading, not a title: a bullet, or a line of more than eight words.
_LIST_OR_PROSE_NEXT = re.compile(rf"[ \t]*(?:[{BULLET_GLYPHS}*\-\u2013]|(?:\S+[ \t]+){{8}}\S)")
# A word that makes "role:" or "position:" a heading ("The role:", "Your role:", "About the role:").
_HEADING_NOT_LABEL = re.compile(r"\b(?:the|your|our|this)\s+$", re.I)
_TITLE_PHRASE = re.compile(
    r"(?=[lshria])\b(?:looking\s+for|seeking|seeks|hiring|recruiting|recruit|searching\s+for|in\s+search\s+of|"
    r"(?:applications?|applicants)\s+for)\s+(?:an?|the)\s+",
    re.I,
)
_CONNECT_IN_TITLE = frozenset({"of", "and", "&", "for", "the", "in", "to", "de", "-", "/", "\u2013"})
_STOP_AFTER_TITLE = frozenset(
    {"to", "who", "with", "that", "for", "in", "at", "and", "on", "which", "whose", "from"}
)


def _clean_title(words: list[str]) -> str:
    while words and words[-1].lower() in _CONNECT_IN_TITLE:
        words = words[:-1]
    return " ".join(words).strip(" ,.;:-\u2013")


# Where a title written after a label ends: a line/sentence break, a list number, a count of posts,
# hours, days or a time, or a date ("Nurse 2 posts", "Cleaner 10 hrs pw", "Operative 6am-2pm",
# "Driver 12/03/2025"; not the "1" of "HGV Class 1 Driver" nor the "5/6" of "Band 5/6"), or the next
# "Label:" (known labels are section headings already; an unknown one is taken as one word).
_TITLE_END = re.compile(
    r"[\n;|•]|\.(?:\s|$)|\s{2,}|\[REDACTED\]|\s\d{1,2}[.)]\s|"
    r"\s\(?\d+(?:\.\d+)?\s*(?:posts?|positions?|vacanc|openings?|no\b|nos\b|x\b|hours?|hrs?|h\b|days?|weeks?|"
    r"months?|am\b|pm\b|[ap]\.m\.)|(?<!band)(?<!grade)(?<!level)\s\(?\d+[/.-]\d|"
    r"\s\(?\d+\s*$|\s[A-Z][\w'\u2019]*\s*:",
    re.IGNORECASE,
)


def _title_from_label(plain: str, stops: list[int]) -> str | None:
    low = plain.lower()
    if not any(map(low.__contains__, ("title", "position", "post", "role", "vacan"))):
        return None
    for m in _TITLE_LABEL.finditer(plain):
        if _HEADING_NOT_LABEL.search(plain, max(0, m.start() - 6), m.start()) or (
            "\n" in m.group() and _LIST_OR_PROSE_NEXT.match(plain, m.end()) is not None
        ):
            continue  # "The role:" or "Role:" over a list or a paragraph is a heading, not a title label
        start = m.end()
        end = min([s for s in stops if s > start] + [len(plain)])
        cut = _TITLE_END.search(plain, start, end)
        # "Physiotherapist (Band 6) - MSK": a bracket's number is no list number.
        while cut is not None and cut.group().endswith(") ") and plain.count("(", start, cut.start()) > 0:
            cut = _TITLE_END.search(plain, cut.end() - 1, end)
        seg = plain[start : cut.start() if cut else end]
        if seg.count("(") > seg.count(")"):
            seg = seg[: seg.rfind("(")]  # "Bookkeeper (Part-Time, 25 hours)" cut at its comma
        words = seg.split()[:10]
        title = _clean_title(words)
        if title and title[0].isupper() and (any(is_role_head(w) for w in title.split()) or len(words) <= 5):
            return title
    return None


_PHRASE_TOKEN = re.compile(r"[\w&/'\u2019.+-]+|[,;:.()]")
_PHRASE_TRIGGERS = ("looking for", "seeking", "seeks", "hiring", "recruit", "search", "applica")


def _describes_candidate(word: str) -> bool:
    """A plain lower-case word before a capitalised title ("compassionate"), not part of the
    name ("iOS", "eCommerce") nor a seniority ("senior")."""
    return word.isalpha() and word.islower() and split_title(word).seniority is Seniority.UNSPECIFIED


def _title_from_phrase(plain: str) -> str | None:
    low = plain.lower()
    if not any(map(low.__contains__, _PHRASE_TRIGGERS)):
        return None
    for m in _TITLE_PHRASE.finditer(plain):
        words = _PHRASE_TOKEN.findall(plain[m.end() : m.end() + 160])
        i = 0
        while i < len(words) and words[i].lower() in _ADJECTIVES:
            i += 1
        words = words[i:]
        taken: list[str] = []
        capital_run = bool(words) and words[0][0].isupper()
        for w in words:
            if not w[0].isalnum():
                break
            if capital_run:
                if w[0].isupper() or (w.lower() in _CONNECT_IN_TITLE and taken):
                    taken.append(w)
                    continue
                break
            if w.lower() in _STOP_AFTER_TITLE or len(taken) >= 5:
                break
            taken.append(w)
        # "a compassionate Registered Nurse": lowercase words before a capitalised title describe
        # the candidate, not the role.
        while len(taken) > 1 and _describes_candidate(taken[0]) and any(t[0].isupper() for t in taken[1:]):
            taken.pop(0)
        title = _clean_title(taken)
        # "Chef de Partie", "Commis de Cuisine": the head comes before a French "de".
        head = title.split(" de ")[0] if " de " in title else title
        last = head.split()[-1].rstrip(".") if head else ""
        # "looking for a natural leader": a leader in lower case is a quality, not a title.
        if title and is_role_head(last) and not (last == "leader" and title.islower()):
            return title
    return None


_FIRST_LINE = re.compile(r"\s*([^\n]+)\n")
_HEADER_FIELD_BREAK = re.compile(r"\s+[|\u00b7\u2022]\s+")
# Where a title's own words end and its field, place or team begins ("Electrician - Commercial Fitout").
_SEGMENT_BREAK = re.compile(r"\s+[-\u2013\u2014@]\s+|\s*[,:(]\s*")
# Markdown marks, emoji and exclamation marks at a line's ends; a hiring banner before the title.
_EDGE_SYMBOLS = re.compile(r"^[^\w(]+|[^\w)]+$")
_HIRING_BANNER = re.compile(
    r"^(?:(?:we(?:'|\u2019)?re\s+|we\s+are\s+|now\s+|urgent(?:ly)?\s+)?hiring|urgent(?:ly)?(?:\s+(?:required|needed))?)"
    r"\s*[:\-\u2013!]\s*",
    re.IGNORECASE,
)


def _without_banner(line: str) -> str:
    """A line less its edge symbols and hiring banner ("🚀 We're hiring: X! 🚀" -> "X")."""
    return _HIRING_BANNER.sub("", _EDGE_SYMBOLS.sub("", line.strip()))


_TAGLINE_LEADER = re.compile(
    r"\b(?:market|industry|world|global|thought|sector|category)[\s-]+leaders?\b", re.I
)


def _title_from_first_line(plain: PlainText, sections: list[SectionSpan]) -> str | None:
    text = plain.text
    m = _FIRST_LINE.match(text)
    if m is None:
        return None
    # "🚀 We're hiring: Supply Chain Planner! 🚀": the banner around a title is no part of it.
    line = _without_banner(m.group(1))
    words = line.split()
    # A title's own words, before its field, place or team: "Assistant Vice President, Credit Risk
    # Officer - Corporate Banking" is long as a line, short as a title.
    own = _SEGMENT_BREAK.split(line)[0].split()
    # "6G Pipe Welder": a grade or code with a digit may open a title.
    opens = line[0].isupper() or _CODE_START.match(line) is not None
    if not words or len(own) > 8 or len(words) > 14 or line.endswith((".", ":")) or not opens:
        return None
    if _TAGLINE_LEADER.search(line):
        return None  # "Global Market Leader in Cold Chain Logistics": the firm's tagline
    for sec in sections:
        if sec.heading is not None and sec.heading.start == m.start(1) and sec.heading.kind is not None:
            return None  # a known section heading, not a title
    # "Data Analyst | 3-5 Yrs | Bangalore": a board's header line; the title is its first field
    # that ends with an occupation ("Acme Corp | Data Analyst | Bangalore": the second).
    for field in _HEADER_FIELD_BREAK.split(line):
        field = field.strip()
        head = _SEGMENT_BREAK.split(split_title(field).without_seniority)[0].split()
        # "Teacher of Mathematics", "Head of Finance": the head before its field.
        cut = next((i for i, w in enumerate(head) if i and w.lower() in _FIELD_PREPOSITIONS), len(head))
        head = head[:cut]
        # "Nurse Staffing Agency" names an occupation but ends with none: a firm, not a title.
        if head and is_role_head(head[-1].strip("()")) and not _is_plural_firm(head[-1]):
            # A line long only by its facts keeps the title's part ("Delivery Driver - Leeds -
            # £25,000 per annum - Full-time, Permanent"); a short one is kept as written.
            return _without_fact_segments(field) if len(field.split()) > 8 else field
    return None


_DASH_SEGMENT = re.compile(r"\s+[-\u2013\u2014]\s+")


def _without_fact_segments(field: str) -> str:
    """A title less its dash segments from the first that states a fact on: "Delivery Driver -
    Leeds - £25,000 per annum - Full-time" -> "Delivery Driver - Leeds"; "6G Pipe Welder (TIG/ARC) -
    Oil & Gas Project" keeps its project."""
    breaks = list(_DASH_SEGMENT.finditer(field))
    for n, brk in enumerate(breaks):
        part = field[brk.end() : breaks[n + 1].start() if n + 1 < len(breaks) else len(field)]
        if re.search(r"\d", part) or states_a_fact(part):
            return field[: brk.start()]
    return field


_CODE_START = re.compile(r"\d+[A-Z]\w*\s+[A-Z]")
_FIELD_PREPOSITIONS = frozenset({"of", "for", "in", "de"})  # "Chef de Partie": the head before "de"


def _is_plural_firm(word: str) -> bool:
    """ "Partners", "Consultants": a plural ends a firm's name, not a title."""
    return word.endswith("s") and is_role_head(word[:-1]) and not word.endswith("ss")


_SUBJECT_TITLE = re.compile(
    r"(?:The|A|An|Our)\s+((?:[A-Z][\w&/'\u2019.-]*\s+){0,5}[A-Z][\w&/'\u2019.-]*)\s+(?:is|are|will|shall|has|must|should|"
    r"works?|provides?|supports?|leads?|manages?|oversees?)\b"
)


def _title_from_subject(plain: str, sections: list[SectionSpan]) -> str | None:
    """ "The Account Executive is responsible for ..." at the start of a role section."""
    for sec in sections:
        if sec.kind not in (SectionKind.ABOUT_ROLE, SectionKind.RESPONSIBILITIES):
            continue
        for a, _z in sec.sentences[:3]:
            m = _SUBJECT_TITLE.match(plain, a)
            if m is not None and is_role_head(m.group(1).split()[-1]):
                return m.group(1)
    return None


_LEADING_WORDS = re.compile(r"\s*(?:(?:The|A|An)\s+)?((?:[A-Z][\w&/'\u2019.-]*\s+){1,6})")


def _title_from_leading_words(plain: str, sections: list[SectionSpan]) -> str | None:
    start = 0
    if sections and sections[0].heading is not None and sections[0].heading.start == 0:
        start = sections[0].heading.end
    m = _LEADING_WORDS.match(plain, start)
    if m is None:
        return None
    words = m.group(1).split()
    for n in range(len(words), 0, -1):
        last = words[n - 1].split("/")[-1].split("-")[0]
        if last.lower() in ROLE_HEADS:
            return " ".join(words[:n])
    return None


def find_title(
    plain: PlainText, sections: list[SectionSpan], hint: str | None
) -> tuple[str | None, TitleSource]:
    if hint and hint.strip():
        return " ".join(hint.split()), TitleSource.HINT
    stops = [h.start for s in sections for h in ((s.heading,) if s.heading else ()) + s.inner_headings]
    labelled = _title_from_label(plain.text, stops)
    if labelled:
        return labelled, TitleSource.LABEL
    # A board's first line names the post; a hiring phrase in the prose often names it loosely
    # ("looking for an experienced analyst" under "Cybersecurity Analyst (SOC L2)"), so the phrase
    # wins only when it holds the first line and says more ("Registered Nurse - ICU" under "Registered Nurse").
    phrase = _title_from_phrase(plain.text)
    first_line = _title_from_first_line(plain, sections)
    if first_line and not (
        phrase and first_line.lower() in phrase.lower() and phrase.lower() != first_line.lower()
    ):
        return first_line, TitleSource.FIRST_LINE
    finders: list[tuple[Callable[[], str | None], TitleSource]] = [
        (lambda: phrase, TitleSource.PHRASE),
        (lambda: _title_from_subject(plain.text, sections), TitleSource.PHRASE),
        (lambda: _title_from_leading_words(plain.text, sections), TitleSource.LEADING_WORDS),
    ]
    for finder, source in finders:
        found = finder()
        if found and not _TAGLINE_LEADER.search(found):
            return found, source
    return None, TitleSource.NONE


# ---------------------------------------------------------------- company

_NAME_RUN = re.compile(
    r"[A-Z][\w&.'\u2019-]*"
    r"(?:[ \t]+(?:&[ \t]+|of[ \t]+|and[ \t]+|for[ \t]+|de[ \t]+)?[A-Z][\w&.'\u2019-]*){0,5}"
)
_LEAD_WORDS = re.compile(r"^(?:(?:The|Our|At|About|Join|Joining)\s+)+")
_SUFFIX = re.compile(
    r"\s(?:Inc|Ltd|LLC|PLC|Plc|GmbH|Bhd|Corp|Corporation|Limited|S\.C|Share\s+Company|Group|Foundation|"
    r"Institute|Bank|University)\.?$"
)
# What may follow an employer's name (matched right after the name).
_AFTER_NAME = re.compile(
    r"\s+(?:is|are)\s+(?:aware|committed|proud|an\s+equal|currently\s+seeking|seeking|looking|hiring|recruiting|"
    r"dedicated)\b|\s+(?:welcomes|invites|would\s+like\s+to\s+invite|will\s+make|celebrates|"
    r"was\s+(?:founded|established))\b"
)
_AFTER_NAME_AT_START = re.compile(r"\s+(?:is|are)\s+(?:a|an|one\s+of\s+the)\s+[\w-]+")
# A verb after a name in the third person: the sentence is about the firm ("... GmbH produces").
_SUBJECT_VERB = re.compile(
    r"\s+(?:is|was|has|produces|manufactures|makes|provides|operates|offers|develops|designs|builds|supplies|"
    r"distributes|delivers|runs|serves|specialises|specializes|employs|owns|exports|imports|sells|grows)\b"
)
_NOT_COMPANY = frozenset(
    wordlist(
        """
        we our the this that you your it they he she job position role team company organization
        organisation candidates applicants candidate applicant successful ideal about equal who what
        how why where when responsibilities requirements qualifications duties summary background
        overview he/she s/he all any academy school university college bank group institute
        foundation hospital clinic agency ministry
        """
    )
)


_POSSESSIVE = re.compile(r"['\u2019]s$")
_NAME_ABBREVIATIONS = frozenset({"St", "Co", "Inc", "Ltd", "Mt", "Dr", "Pvt", "Bros", "Corp"})
_OF_AFTER = re.compile(r"\s+of\b")
_SENTENCE_BEFORE = re.compile(r"(?:[.!?]\s+|\n\s*)$")
_ABOUT_BEFORE = re.compile(r"(?:^|\n)\s*About\s+$")
_HEADING_AFTER = re.compile(r"\s*(?::|\n)")
_AT_AFTER = re.compile(r",\s+(?:we|our)\b")
# "Join Acme", "joining Acme"; not a duty's "pull, clean and join EHR tables".
_JOIN_BEFORE = re.compile(
    r"(?:\bJoin|(?:^|[.!?]\s+|\b(?:by|when|before|after|on)\s+)[Jj]oining|\bto\s+join)\s+$"
)
_JOIN_NOT = re.compile(r"\s+(?:team|as|us)\b")
_SUFFIX_WORDS = frozenset(
    wordlist(
        "Inc Ltd LLC PLC Plc GmbH Bhd Corp Corporation Limited S.C Company Group Foundation Institute Bank"
        " University"
    )
)
# Cheap first look at what follows a name; the patterns above decide.
_AFTER_STARTS = (
    ",",
    " is ",
    " are ",
    " welcomes",
    " invites",
    " would",
    " will ",
    " celebrates",
    " was ",
    ":",
    "\n",
    " :",
)


# First words _LEAD_WORDS can match; the words before a name that _JOIN_BEFORE and "At ..." look for.
_LEAD_STARTS = ("The", "Our", "At", "About", "Join")
_BEFORE_ENDS = ("At ", "at ", "oin ", "oining ")


def _company_candidate(plain: str, start: int, end: int) -> str | None:
    """The run plain[start:end] as an employer name if the words around it say it is one."""
    run = plain[start:end]
    lead = _LEAD_WORDS.match(run) if run.startswith(_LEAD_STARTS) else None
    name_start = start + (lead.end() if lead else 0)
    last = run[run.rfind(" ") + 1 :].rstrip(".")
    has_suffix = last in _SUFFIX_WORDS and _SUFFIX.search(run) is not None
    # Most runs fail this first look; it reads plain in place rather than slicing the context.
    if not (
        has_suffix
        or plain.startswith(_AFTER_STARTS, end)
        or plain.endswith(_BEFORE_ENDS, max(0, name_start - 12), name_start)
    ):
        return None
    after = plain[end : end + 40]
    before = plain[max(0, name_start - 12) : name_start]
    name = _POSSESSIVE.sub("", plain[name_start:end].strip(" .,'\u2019"))
    if ". " in name:  # "... close 30 June. St Vincent's is committed": the name starts a sentence
        earlier, _, rest = name.rpartition(". ")
        if earlier.split()[-1] not in _NAME_ABBREVIATIONS:
            name = rest
    if not name or _OF_AFTER.match(after):
        return None  # "Development Bank of [REDACTED]": the name goes on past what we can read
    sentence_start = start == 0 or _SENTENCE_BEFORE.search(plain, max(0, start - 3), start) is not None
    about_heading = _ABOUT_BEFORE.search(before) is not None and _HEADING_AFTER.match(after) is not None
    if not (
        (before.endswith(("At ", "at ")) and _AT_AFTER.match(after))
        or (_JOIN_BEFORE.search(before) and not _JOIN_NOT.match(after))
        or about_heading
        or _AFTER_NAME.match(after)
        or (sentence_start and _AFTER_NAME_AT_START.match(after))
        or _SUFFIX.search(name)
    ):
        return None
    words = name.split()
    if (
        words[0].lower() in _NOT_COMPANY
        or "REDACTED" in name
        or len(name) < 2
        or is_place_name(name)
        or (len(words) == 1 and words[0].lower() in DUTY_VERBS)
        or (is_role_head(words[-1]) and _SUFFIX.search(name) is None and not _is_plural_firm(words[-1]))
    ):
        return None
    return name


# The labels public boards give the employer ("Agency:", "District:"), read only when no company or
# employer field is there.
_PUBLIC_LABELS = r"agency|(?:school\s+)?district|council|trust"
# "Company: Finvista Technologies Pvt. Ltd.", "Employer: ...": the board's own field names it.
_COMPANY_LABEL = re.compile(
    r"^[ \t]*(?:company(?:\s+name)?|employer|organi[sz]ation|hiring\s+(?:company|organi[sz]ation)|hotel|hospital|"
    rf"school|property|firma|unternehmen|syarikat|{_PUBLIC_LABELS})[ \t]*:[ \t]*"
    r"([^\n|\u00b7\u2022]{2,80})",
    re.IGNORECASE | re.MULTILINE,
)
# The same field inside a line flattened from many ("... (HPLC) Company: Sunvera Pharmaceuticals
# Ltd. Location: ..."): the name up to its legal form.
_COMPANY_LABEL_INLINE = re.compile(
    r"(?<![\w-])(?:Company|Employer)[ \t]*:[ \t]*([A-Z][\w&'-]*(?:[ \t]+[A-Z(][\w&.'()-]*){0,6}?[ \t]+"
    r"(?:Ltd|Limited|Inc|LLC|LLP|GmbH|PLC|Plc|Bhd|Corp))\b\.?"
)
_UNNAMED = re.compile(
    r"\b(?:confidential|undisclosed|not\s+disclosed|private|our\s+client|no|please|agencies)\b", re.I
)
_PUBLIC_LABEL = re.compile(rf"[ \t]*(?:{_PUBLIC_LABELS})\b", re.IGNORECASE)
# A short capitalised line right under the title, as boards lay a posting out ("HVAC Service
# Technician / Comfort Air Heating & Cooling / Columbus, OH"), maybe after one blank line.
_SECOND_LINE = re.compile(r"\s*[^\n]+\n(?:[ \t]*\n)?[ \t]*([A-Z][^\n]{1,60})\n")
# A second line's weight: with one more mention in the text it reaches find_company's bar.
_SECOND_LINE_WEIGHT = 1.5


_COMPANY_LABEL_WORDS = (
    "ompany",
    "irma",
    "nternehmen",
    "yarikat",
    "mployer",
    "rganisation",
    "rganization",
    "otel",
    "ospital",
    "chool",
    "roperty",
    "gency",
    "istrict",
    "ouncil",
    "rust",
)
_PROSE_IN_NAME = re.compile(r"\b(?:we|our|is|are|a|an|leading|serving|with)\b", re.IGNORECASE)


def _labelled_company(plain: str) -> str | None:
    if not any(map(plain.__contains__, _COMPANY_LABEL_WORDS)):
        return None
    # A company or employer field first: "District: Northern Region" may stand above it.
    labelled = list(_COMPANY_LABEL.finditer(plain))
    m = next((x for x in labelled if not _PUBLIC_LABEL.match(x.group())), None)
    m = m or (labelled[0] if labelled else None) or _COMPANY_LABEL_INLINE.search(plain)
    if m is None:
        return None
    name = _ACRONYM_AFTER.sub("", m.group(1).strip(" ,;*"))  # "... Commission (HHSC)": the name
    if len(name.split()) > 8 or _PROSE_IN_NAME.search(name):
        return None  # "Company: A leading fintech in Dubai serving 2 million customers"
    if name.endswith(".") and _SUFFIX.search(name) is None:  # "Pvt. Ltd." keeps its point
        name = name[:-1]
    return None if not name or _UNNAMED.search(name) or is_place_name(name) else name


# What a board writes after the employer's name on its line: the group it belongs to ("Hollybrook
# Academy - part of the Riverside Learning Trust") and its acronym ("Hope Bridge Initiative for
# Development (HBID)").
_PART_OF = re.compile(
    r"\s*[-\u2013\u2014,]\s*(?:a\s+)?(?:proud\s+)?(?:part|member)\s+of\s+.*$", re.IGNORECASE
)
_ACRONYM_AFTER = re.compile(r"\s*\(([A-Z][A-Za-z&]{1,7})\)$")
# A legal form that ends an employer's name ("StarLink Manpower Services Inc.", "Maju Jaya Sdn Bhd").
_LEGAL_FORM_END = re.compile(
    r"(?:,?\s+(?:Inc|Ltd|LLC|LLP|PLC|Plc|plc|GmbH|AG|BV|B\.V|N\.V|Corp|Corporation|Limited|Co|Sdn\.?\s+Bhd|Bhd|"
    r"(?:Pte|Pvt|Pty)\.?\s+Ltd))\.?$"
)


def _second_line_name(plain: str) -> tuple[str | None, str]:
    """The line under the title when it reads as a name (capitalised words, no place, no fact, no
    title, no sentence), less the group it is part of and its acronym in brackets; and that
    acronym ("" when none)."""
    m = _SECOND_LINE.match(plain)
    if m is None:
        return None, ""
    line = _PART_OF.sub("", m.group(1).strip())
    bracket = _ACRONYM_AFTER.search(line)
    acronym = bracket.group(1) if bracket is not None else ""
    name = line[: bracket.start()] if bracket is not None else line
    legal_form = _LEGAL_FORM_END.search(name) is not None
    if legal_form:
        name = name.removesuffix(".")  # "Inc." ends no sentence
    words = name.split()
    public = _names_a_public_body(name)
    named = words[:-1] if legal_form else words  # "Harbourside Bank plc": the form may be lower case
    if (
        not 1 <= len(words) <= 6
        or name.endswith((".", ":", "!", "?"))
        or any(c.isdigit() for c in name)
        or not all(w[:1].isupper() or w in ("&", "and", "of", "for", "de") for w in named)
        or (not public and (is_place_name(name) or find_places(name) or words[0].lower() in _NOT_COMPANY))
        or states_a_fact(name)
        or (is_role_head(words[-1]) and not words[-1].endswith("s"))
    ):
        return None, acronym
    return name, acronym


# A public employer is named by its place ("Leeds Teaching Hospitals NHS Trust", "Bristol City
# Council", "University of Hertfordshire", "Greater Manchester Police"): the place in such a line
# does not make it a location line.
_PUBLIC_BODY = re.compile(
    r"\b(?:Trust|Council|University|College|Hospitals?|Schools|Police|Constabulary|Authority|Board|"
    r"Commission|Health|Foundation|Academy|Institute|Agency|Ministry|Government|Municipality)$|"
    r"^(?:University|College|Institute|Ministry|Department|Government|County|City|State)\s+of\s+[A-Z]"
)


def _names_a_public_body(name: str) -> bool:
    """ "Leeds Teaching Hospitals NHS Trust", "Bristol City Council"; not "Mental Health", nor "City
    of London, London" (a place line)."""
    return _PUBLIC_BODY.search(name) is not None and len(name.split()) >= 3 and "," not in name


def find_company(plain: str) -> str | None:
    """The organisation the ad is from: a labelled field, else names in employer patterns (and a
    name on the line under the title), scored by hits and frequency."""
    labelled = _labelled_company(plain)
    if labelled is not None:
        return labelled
    scores: dict[str, float] = {}
    second, acronym = _second_line_name(plain)
    if second is not None:
        # A legal form or a public body's name says the line is the employer's, whether or not
        # the text repeats it.
        sure = _LEGAL_FORM_END.search(second) is not None or _names_a_public_body(second)
        scores[second] = _SECOND_LINE_WEIGHT + (1.0 if sure else 0.0)
    for m in _NAME_RUN.finditer(plain):
        name = _company_candidate(plain, m.start(), m.end())
        if name is not None:
            # a legal-form suffix alone ("... University") is weaker than an employer phrase
            after = plain[m.end() : m.end() + 40]
            # ... unless the name is what a sentence is about ("Rheinchem Polymers GmbH produces")
            # or the employer speaking ("At Meridian Logistics Group, we ...").
            speaks = m.group().startswith(("At ", "at ")) and _AT_AFTER.match(after) is not None
            weight = (
                1.0
                if _SUFFIX.search(name)
                and not (_AFTER_NAME.match(after) or _SUBJECT_VERB.match(after) or speaks)
                else 2.0
            )
            scores[name] = scores.get(name, 0.0) + weight
    if not scores:
        return None
    for name in scores:
        scores[name] += min(plain.count(name), 6) * 0.5
    # The acronym the line under the title spells out stands for that name ("HBID" in the prose).
    # So do the shorter forms of it ("Little Sprouts" of "Little Sprouts Learning Center, Inc").
    if second is not None:
        for name in [n for n in scores if n == acronym or (n != second and second.startswith(n + " "))]:
            scores[second] += scores.pop(name)
    best = max(scores.items(), key=lambda kv: (kv[1], len(kv[0]), kv[0]))
    return best[0] if best[1] >= 2.5 else None


# ---------------------------------------------------------------- assembly


# "Shift: Sunday-Wednesday, 10pm-8:30am", "Pay: $19.50/hour": a fact under its label, no duty.
# Job-board chrome around a posting: ratings, profile matching, requisition and store numbers.
_SITE_CHROME = re.compile(
    r"\bout\s+of\s+5\s+stars\b|\balign\s+with\s+your\s+profile\b|^(?:job\s+(?:number|id|requisition(?:\s+id)?)|"
    r"requisition\s+id|store\s+#|req(?:uisition)?\s*#)",
    re.IGNORECASE,
)
_FACT_LABEL = re.compile(
    r"(?:shifts?|pay|salary|wages?|rate|hours|working\s+hours|schedule|locations?|job\s+type|contract(?:\s+type)?|"
    r"company|employer|hotel|hospital|"
    r"employment(?:\s+type)?|start\s+date|closing\s+date|deadline|reference|ref|department|travel|"
    r"compensation|working\s+pattern|grade|band)\s*:",
    re.IGNORECASE,
)
# What a sentence about the employer says when it speaks of the role after all.
_ROLE_TALK = re.compile(
    r"\b(?:seek|seeking|hiring|looking\s+for|recruit\w*|you|your|this\s+role|the\s+role)\b", re.I
)


_LIST_INTRO = re.compile(r"\b(?:include|includes|including|are|will\s+be)\s*:?\s*$", re.IGNORECASE)
# What a role's prose says besides its duties (a posting written as paragraphs, or the text above
# its first heading): that the employer is hiring, what it asks for, the pay, what it offers, the
# screening and who may apply. A sentence that opens with a duty verb is a duty all the same.
_NOT_DUTY_PROSE = re.compile(
    r"\b(?:is|are|we(?:'|\u2019)re)\s+(?:currently\s+|now\s+)?(?:seeking|looking\s+for|hiring|recruiting)\b|"
    r"\b(?:must\s+(?:have|hold|be|pass|possess)|candidates?\s+(?:must|should|will\s+need)|the\s+ideal\s+candidate|"
    r"you\s+(?:should|must)\s+(?:have|hold|be)|(?:is|are)\s+(?:a\s+plus|an\s+asset|considered\s+an\s+asset|"
    r"preferred|required|desirable|essential)|this\s+(?:role|position|job)\s+requires|familiarity\s+with\s+.{0,80}"
    r"\basset|minimum\s+of\s+\w+\s+years?|no\s+(?:previous\s+|prior\s+)?experience\s+(?:is\s+)?(?:needed|required))\b|"
    r"\b(?:salary|pay|compensation|wage)\b.{0,40}[$£€₹]\s?\d|^(?:pay|salary|compensation)\s+is\b|"
    r"\bwe\s+offer\b|\bbenefits\s+package\b|\b(?:medical|dental|vision)\s+insurance\b|"
    r"\b(?:drug\s+(?:screen|test)|background\s+check|legally\s+entitled|eligible\s+to\s+work|"
    r"accommodations?\s+(?:are\s+|is\s+)?available|equal\s+opportunity)",
    re.IGNORECASE,
)
# Said of the employer and the team whoever the subject: the employer's size ("Our Halifax office of
# 60 engineers ..."), the team ("The Payments Platform team owns ..."), the reporting line.
_NOT_DUTY_ABOUT_TEAM = re.compile(
    r"^(?:our|the)\s+(?:[\w-]+\s+){0,3}(?:office|team|company|firm|business|studio|department|group)\s+of\s+\d|"
    r"^(?:our|the)\s+(?:[\w&-]+\s+){0,3}team\s+(?:is|are|owns|partners|builds|works|sits|runs)\b|"
    r"^you(?:(?:'|\u2019)ll|\s+will)\s+report\s+(?:directly\s+)?to\b",
    re.IGNORECASE,
)
# "You will process payroll ...", "In this role you'll run background checks ...": a duty all the
# same, whatever words of pay or screening it holds.
_YOU_WILL = re.compile(
    r"^(?:in\s+this\s+role,?\s+)?you(?:(?:'|\u2019)ll|\s+will)\s+(?:also\s+)?(\w+)", re.IGNORECASE
)


def _opens_with_duty(text: str, words: list[str]) -> bool:
    """A duty verb opens the sentence, or follows "You will" / "In this role you'll"."""
    if words[0].lower() in DUTY_VERBS:
        return True
    m = _YOU_WILL.match(text)
    return m is not None and m.group(1).lower() in DUTY_VERBS


def _states_no_duty(sentence: SentenceRef, company: str | None, title: str) -> bool:
    """A sentence of the role's text that is no duty: a labelled fact, a question to the reader,
    the pay, the title's own line with its place or employer, a place alone ("Cedar Falls, IA"), or
    the employer describing itself ("Sentinel Guard Services provides ...")."""
    text = _without_banner(sentence.text)
    if _FACT_LABEL.match(text) or _SITE_CHROME.search(text) or sentence.text.rstrip().endswith("?"):
        return True
    words = text.split()
    if not words:
        return True
    about_role = sentence.kind is SectionKind.ABOUT_ROLE  # not under a duties heading
    if about_role and len(words) <= 8 and states_a_fact(text) and words[0].lower() not in DUTY_VERBS:
        # The lines above the first heading: "Full time, 45 hours", "Rotterdam, Netherlands (hybrid)";
        # under a duties heading "Remote support for EMEA clients" is a duty.
        return True
    if (
        about_role
        and len(words) <= 14
        and jd_facts.states_pay_figure(text)
        and not _opens_with_duty(text, words)
    ):
        return True  # "£13.50 - £14.50 per hour + tronc"
    if title and len(words) <= 12 and text.startswith(title):
        return True  # "Chef de Partie - The Anchor Inn, Cotswolds"
    if about_role and _NOT_DUTY_ABOUT_TEAM.search(text) is not None:
        return True
    if about_role and not _opens_with_duty(text, words) and _NOT_DUTY_PROSE.search(text) is not None:
        return True  # the hiring, the asks, the pay, the offer or the screening, in prose
    if company and about_role:
        lead = " ".join(company.split()[:2])
        if (
            text.removeprefix("The ").startswith(lead.removeprefix("The "))
            and _ROLE_TALK.search(text) is None
        ):
            return True
    if len(words) <= 5 and _LIST_INTRO.search(text) is not None:
        return True  # "Key responsibilities include", the lead-in of a list
    if len(words) > 6:
        return False  # a line of places is short
    places = find_places(text)
    if not places:
        return False
    rest = text
    for place in places:
        rest = rest.replace(place.surface, " ")
    # What is left of "Cedar Falls, IA" is at most a region code.
    return len(re.sub(r"[^A-Za-z]", "", rest)) <= 3


_ROLE_KINDS = frozenset(
    {
        SectionKind.ABOUT_ROLE,
        SectionKind.RESPONSIBILITIES,
        SectionKind.REQUIREMENTS,
        SectionKind.NICE_TO_HAVE,
        SectionKind.OTHER,
    }
)


def _role_text_somewhere(sections: list[SectionSpan]) -> list[SectionSpan]:
    """A posting whose every section read as company text or boilerplate still describes a role:
    its longest unheaded company section is that description ("Data Entry Operator required
    urgently at Shaheen Traders. We are a growing distribution company ... The candidate will be
    responsible for ...", one paragraph, read as about the company, gave no skills and no duties)."""
    if any(sec.kind in _ROLE_KINDS for sec in sections):
        return sections
    unheaded = [
        i for i, sec in enumerate(sections) if sec.heading is None and sec.kind is SectionKind.ABOUT_COMPANY
    ]
    if not unheaded:
        return sections
    longest = max(unheaded, key=lambda i: sections[i].end - sections[i].start)
    out = list(sections)
    out[longest] = dataclasses.replace(out[longest], kind=SectionKind.ABOUT_ROLE)
    return out


def _header_fact_line(sentence: SentenceRef, ptext: str, opening_end: int) -> bool:
    """A short line of its own above the posting's first heading, without a sentence's end and
    opened by no duty ("Apex Recruitment on behalf of a national grocery distributor", "Full Time |
    Entry Level | Retail / Sales", "Davao City, Davao del Sur"): the board's header, not a duty."""
    if sentence.start >= opening_end or sentence.kind is not SectionKind.ABOUT_ROLE:
        return False
    a, z = sentence.start, sentence.end
    own_line = (a == 0 or ptext[a - 1] == "\n") and (z >= len(ptext) or ptext[z] == "\n")
    raw = sentence.text.strip()
    words = raw.split()
    return (
        own_line
        and 0 < len(words) <= 10
        # "StarLink Manpower Services Inc.": the point of a legal form ends no sentence.
        and (not raw.endswith((".", "!", "?", ";", ":")) or _LEGAL_FORM_END.search(raw) is not None)
        and not _opens_with_duty(_without_banner(raw), words)
    )


def _overlaps(a: int, z: int, spans: Iterable[BoilerplateSpanPlain | HeaderLine]) -> bool:
    return any(s.start < z and a < s.end for s in spans)


def _plain_block(text: str) -> str:
    lines = (" ".join(line.split()) for line in text.split("\n"))
    return "\n".join(line for line in lines if line)


def _subtract(a: int, z: int, holes: Sequence[BoilerplateSpanPlain | HeaderLine]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    pos = a
    for h in sorted(holes, key=lambda h: h.start):
        if h.end <= pos or h.start >= z:
            continue
        if h.start > pos:
            out.append((pos, h.start))
        pos = max(pos, h.end)
    if pos < z:
        out.append((pos, z))
    return out


_PARAGRAPH = re.compile(r"[^\n]+(?:\n(?!\s*\n)[^\n]+)*")


def _about_company(
    plain: PlainText,
    original: str,
    sections: list[SectionSpan],
    bps: list[BoilerplateSpanPlain],
    company: str | None,
) -> AboutCompany | None:
    paragraphs: list[tuple[int, int]] = []
    for sec in sections:
        if sec.kind is not SectionKind.ABOUT_COMPANY:
            continue
        for m in _PARAGRAPH.finditer(plain.text[sec.start : sec.end]):
            a, z = sec.start + m.start(), sec.start + m.end()
            for ra, rz in _subtract(a, z, bps):
                seg = plain.text[ra:rz]
                lead = len(seg) - len(seg.lstrip())
                trail = len(seg.rstrip())
                if word_count(seg) >= 15:
                    paragraphs.append((ra + lead, ra + trail))
    if not paragraphs:
        return None
    chosen = paragraphs[0]
    if company:
        named = [p for p in paragraphs if company in plain.text[p[0] : p[1]]]
        if named:
            chosen = named[0]
    a, z = plain.to_original(*chosen)
    text = original[a:z]
    clean = _plain_block(plain.text[chosen[0] : chosen[1]])
    first, last = edge_words(clean)
    return AboutCompany(text, clean, word_count(clean), first, last, a, z)


# Boilerplate that still names real places: the company's offices, where to apply in person.
_PLACES_OK_IN = frozenset({BoilerplateKind.COMPANY_HISTORY, BoilerplateKind.APPLICATION_PROCESS})


# "Location: Nairobi, Kenya", "Job Location: Dubai": where the posting says the job is.
def _field_line(labels: str) -> re.Pattern[str]:
    """A line that opens with one of ``labels`` and a colon: the board's field, label and value."""
    return re.compile(rf"^[ \t]*(?:{labels})[ \t]*:[^\n]*", re.IGNORECASE | re.MULTILINE)


_LOCATION_LABEL = _field_line(r"(?:job\s+|work\s+)?location")


def _stated_sites(ptext: str, header: Sequence[HeaderLine]) -> list[tuple[int, int]]:
    """The stretches that state the job's place: the board's header lines and location labels."""
    spans = [(h.start, h.end) for h in header]
    if "ocation" in ptext:
        spans.extend(m.span() for m in _LOCATION_LABEL.finditer(ptext))
    return spans


def _locations(
    plain: PlainText,
    original: str,
    bps: list[BoilerplateSpanPlain],
    mode: WorkMode,
    company: str | None,
    header: Sequence[HeaderLine] = (),
) -> list[Location]:
    """The job's places. Where the posting states them (a header line, a "Location:" label), those
    alone: the markets, offices and field visits its prose names are no sites of this job."""
    by_place: dict[tuple[str | None, str | None, str], tuple[Place, list[str], int, int]] = {}
    sites = _stated_sites(plain.text, header)
    stated: set[tuple[str | None, str | None, str]] = set()
    no_places = [b for b in bps if b.kind not in _PLACES_OK_IN]
    # "Harlow & Finch Group", "Meridian Talent Partners": a town in the employer's name is no site.
    in_company = (
        [(c.start(), c.end()) for c in re.finditer(re.escape(company), plain.text)] if company else []
    )
    for m in find_places(plain.text):
        at_site = any(a < m.end and m.start < z for a, z in sites)
        # A stated site counts even where its line was read as boilerplate ("... + 8% holiday allowance").
        if (_overlaps(m.start, m.end, no_places) and not at_site) or any(
            a < m.end and m.start < z for a, z in in_company
        ):
            continue
        key = (m.place.city, m.place.state, m.place.country_code)
        if at_site:
            stated.add(key)
        surface = " ".join(m.surface.split())
        if key in by_place:
            by_place[key][1].append(surface)
        else:
            a, z = plain.to_original(m.start, m.end)
            by_place[key] = (m.place, [surface], a, z)
    cities_in = {k[2] for k in by_place if k[0] is not None}
    out: list[Location] = []
    for (city, _state, cc), (place, surfaces, a, z) in by_place.items():
        if stated and (city, _state, cc) not in stated:
            continue
        if city is None and cc in cities_in:
            continue  # "Canada" when Canadian cities are listed adds nothing
        if city is None and _state is not None and cities_in:
            # "across Punjab" beside Lahore: a region of a country none of the posting's cities is
            # in is a market or a namesake (India's Punjab), not the job's place.
            continue
        written = surfaces[0].split(",")[0].split("(")[0].strip()
        if city is not None and written.isupper():
            written = written.title()
        aliases: list[str] = []
        for alt in (place.city, *surfaces):
            if alt and alt != written:
                aliases.append(alt)
        if city is not None and place.state_code:
            aliases.append(f"{written}, {place.state_code}")
        out.append(
            Location(
                city=written if city is not None else None,
                state=place.state,
                country=place.country,
                country_code=place.country_code,
                work_mode=mode,
                aliases=tuple(dict.fromkeys(aliases)),
                start=a,
                end=z,
            )
        )
    # "New Delhi" and "Delhi" in one posting are one place, written long and short.
    return [loc for loc in out if not (loc.city and any(_longer_name(o, loc) for o in out))]


def _longer_name(place: Location, other: Location) -> bool:
    """``place`` is a city of ``other``'s country whose name ends with ``other``'s ("New Delhi", "Delhi")."""
    return bool(
        place.city
        and other.city
        and place.country_code == other.country_code
        and place.city.lower().endswith(f" {other.city.lower()}")
    )


def _is_label(ptext: str, heading: Heading) -> bool:
    """An inline "Label:" heading whose words belong to the fact after it ("Work Experience: 2 years")."""
    return not heading.on_own_line or ptext[heading.start : heading.end].rstrip().endswith(":")


def _reject(reason: RejectReason, detail: str, words: int, plain: PlainText) -> ParsedJd:
    return ParsedJd(
        jd_type=JdType.REJECT, reject_reason=reason, reject_detail=detail, word_count=words, plain=plain
    )


def _employment_type(
    ptext: str, first_heading: int, sentences_text: str, headings: str, title: str | None
) -> EmploymentType:
    """The contract the posting states where boards state it, its short opening lines above the
    first heading and its labelled fields ("Permanent | Full Time", "Contract type: Permanent"),
    before any the prose names in passing ("a multidisciplinary consultancy", "seasonal
    preventive maintenance")."""
    # Not the title's line: "Seasonal Demand Planner" or "Permanent Makeup Artist" states no contract.
    title_end = ptext.find("\n", len(ptext) - len(ptext.lstrip()))
    opening = _opening_lines(ptext[title_end + 1 : first_heading]) if 0 <= title_end < first_heading else ""
    stated = f"{opening} \n {' '.join(m.group() for m in _CONTRACT_FIELD.finditer(ptext))}"
    found = jd_facts.find_employment_type(stated, title)
    if found is not EmploymentType.UNSPECIFIED:
        return found
    return jd_facts.find_employment_type(f"{sentences_text} {headings}", title)


_CONTRACT_FIELD = _field_line(
    r"contract(?:\s+type)?|employment(?:\s+type)?|job\s+type|type\s+of\s+(?:contract|employment)|"
    r"position\s+type|work\s+type|terms?\s+of\s+(?:employment|engagement)|anstellung"
)


def _opening_lines(ptext: str, lines: int = 8, max_words: int = 12) -> str:
    """The short lines among a posting's first ones: where boards put title, employer, place, pay
    and contract, whatever section the parser files them under."""
    opening = [
        ln
        for ln in ptext.lstrip().split("\n", lines)[:lines]
        if len(ln.split()) <= max_words and not ln.rstrip().endswith((".", "!", "?"))  # no prose
    ]
    return " \n ".join(opening)


_WORK_MODE_FIELD = _field_line(
    r"(?:job\s+|work\s+)?(?:location|work\s*place|work\s*(?:mode|model|arrangement|setup|type))"
)


# A line of its own above the posting's first heading that opens with the work mode.
_MODE_LINE = re.compile(
    r"^[ \t]*(remote|hybrid|on[-\s]?site)"
    r"(?:[ \t]+(?:in|from|-|\u2013)[ \t]+[^\n]{1,40}|[ \t]*,[ \t]*[^\n]{1,40})?[ \t]*$",
    re.IGNORECASE | re.MULTILINE,
)


# A board's level field: "Seniority level: Entry level", or the value on the line under it.
_LEVEL_FIELD = re.compile(
    r"^[ \t]*(?:seniority|experience|career|job|position)[ \t]+level[ \t]*(?::[ \t]*|\n[ \t]*)([^\n]{2,30})$",
    re.IGNORECASE | re.MULTILINE,
)


# A board's category field ("Job Field: ICT / Computer", "Industry: Banking", "Classification:
# Information & Communication Technology") or breadcrumb ("Information & Communication Technology >
# Help Desk & IT Support").
_BOARD_CATEGORY_FIELD = re.compile(
    r"^[ \t]*(?:job\s+)?(?:field|fields|category|categories|industry|industries|function|functional\s+area|"
    r"specialisation|specialization|sector|classification|sub[-\s]?classification|job\s+family|department)"
    r"[ \t]*:[^\n]*$",
    re.IGNORECASE | re.MULTILINE,
)
_BREADCRUMB = re.compile(r"^[^\n>]{0,40}?[A-Z][^\n>\d]{2,80}[ \t]>[ \t][A-Z][^\n>\d]{2,60}$", re.MULTILINE)


def _board_category_lines(ptext: str) -> list[HeaderLine]:
    """The spans of a board's category fields and breadcrumbs (the breadcrumb's backtracking pattern
    only where a ">" stands: most JDs have none, and it cost ~0.6 ms a JD)."""
    spans = [HeaderLine(m.start(), m.end()) for m in _BOARD_CATEGORY_FIELD.finditer(ptext)]
    if ">" in ptext:
        spans += [HeaderLine(m.start(), m.end()) for m in _BREADCRUMB.finditer(ptext)]
    return spans


_SUPERANNUATION = re.compile(r"\bsuperannuation\b|\+\s*super\b", re.IGNORECASE)


def _seniority(parts: TitleParts | None, ptext: str, sents: Sequence[SentenceRef]) -> Seniority:
    """The title's level, else the one a board's level field states, else the one the JD's
    sentences state ("This is an entry-level role", "newly qualified nurses welcome")."""
    if parts is not None and parts.seniority is not Seniority.UNSPECIFIED:
        return parts.seniority
    field = _LEVEL_FIELD.search(ptext)
    if field is not None:
        return level_field_seniority(field.group(1))
    return jd_facts.stated_level(sents)


def parse_jd(text: str, title_hint: str | None = None) -> ParsedJd:
    """Parse one job description. Rejects (never raises) on too little text, non-English or non-JD text."""
    marked_up = to_plain(text)
    plain = without_page_chrome(marked_up)
    ptext = plain.text
    words = word_count(ptext)
    if words < MIN_WORDS:
        return _reject(
            RejectReason.TOO_LITTLE_TEXT,
            f"{words} words; at least {MIN_WORDS} are needed to judge a job description",
            words,
            plain,
        )
    english, why = is_english(ptext)
    if not english:
        return _reject(RejectReason.NOT_ENGLISH, f"not English: {why}", words, plain)
    score, cues = jd_cue_score(ptext, title_hint)
    if score < JD_CUE_THRESHOLD:
        found = ", ".join(cues) or "none"
        return _reject(
            RejectReason.NOT_A_JD,
            f"too few job-ad cues (score {score:.1f} < {JD_CUE_THRESHOLD:.1f}; found: {found})",
            words,
            plain,
        )
    first_person = first_person_share(ptext, words)
    if first_person >= FIRST_PERSON_LIMIT and "apply" not in cues:
        return _reject(
            RejectReason.NOT_A_JD,
            f"written in the first person ({first_person:.1%} I/me/my) with no application cues: a CV or "
            "personal text, not a job ad",
            words,
            plain,
        )

    sections = _role_text_somewhere(split_sections(plain))
    # Where the posting's first known heading starts: above it, boards put their header lines.
    first_heading = next((sec.heading.start for sec in sections if sec.heading and sec.heading.kind), None)
    bps = boilerplate_spans(ptext, sections)
    # The board's "Acme · Boston, MA (Hybrid) · Full-time" line: facts are read from it, but it
    # holds no duty and no skill.
    header = header_lines(ptext)
    src = Source(text, plain)

    # Whether each sentence touches boilerplate, tested once for the three lists below.
    in_boilerplate = [[_overlaps(a, z, bps) for a, z in sec.sentences] for sec in sections]
    sentence_refs: list[SentenceRef] = []
    matchable: list[SentenceRef] = []
    # Facts read a section's first sentence together with its heading ("Work Experience: 2 years").
    fact_refs: list[SentenceRef] = []
    pay_refs: list[SentenceRef] = []  # sentence_refs, a labelled section's first one with its label
    for sec, blocked in zip(sections, in_boilerplate, strict=True):
        h = sec.heading
        if h is not None and any(c.isdigit() for c in h.text) and sec.kind is not SectionKind.BOILERPLATE:
            # "CTC: 18 - 26 LPA" read as a heading line: its figures are still the pay.
            pay_refs.append(SentenceRef(ptext[h.start : h.end], h.start, h.end, sec.kind))
        for i, ((a, z), hit) in enumerate(zip(sec.sentences, blocked, strict=True)):
            if hit and sec.kind is not SectionKind.BENEFITS:
                continue
            ref = SentenceRef(ptext[a:z], a, z, sec.kind)
            sentence_refs.append(ref)
            # A section's first sentence is read with its heading when the heading labels it
            # ("Salary: £42,000 - £52,000"); for pay also under a heading that names pay without a
            # colon ("Compensation Range"), and never under an add-on's ("Shift differential: $4/hour").
            h = sec.heading if i == 0 else None
            labelled = h is not None and _is_label(ptext, h)
            with_heading = SentenceRef(ptext[h.start : z], h.start, z, sec.kind) if h is not None else ref
            fact_ref = with_heading if labelled else ref
            if h is not None and (labelled or jd_facts.names_pay(h.text)):
                if not jd_facts.is_add_on_label(h.text):
                    pay_refs.append(with_heading)
            else:
                pay_refs.append(ref)
            if hit:
                continue
            if not (header and _overlaps(a, z, header)):  # the header line states facts, no duty
                matchable.append(ref)
            fact_refs.append(fact_ref)

    title, title_source = find_title(plain, sections, title_hint)
    parts = split_title(title) if title else None
    # The name over the board's star rating is the board's word for the employer.
    company = rated_employer(marked_up.text) or find_company(ptext)
    header_name = header_company(ptext, header)
    if header_name and (company is None or (header_name.startswith(company) and header_name != company)):
        company = header_name  # "Kleinfeld" in the prose, "Kleinfeld Mobility GmbH" in the board's header
    body_text = " ".join(s.text for s in matchable)
    domain = find_domain(body_text)
    sentences_text = " ".join(s.text for s in sentence_refs)
    # Headings too: "Location: Dubai, full-time, on-site" is read as a heading line.
    headings = " ".join(sec.heading.text for sec in sections if sec.heading is not None)
    # And the place and work-mode fields whole, wherever the sections put them: "Location: Remote
    # (US only; team based in Austin, TX ...)" is cut at its ";", "Location: Remote, US" and the
    # board's "Remote (US) · Full-time" are heading lines with no body.
    fields = " ".join(
        [
            # not in boilerplate: "Other openings ... Work mode: Remote" is another job's
            *(m.group() for m in _WORK_MODE_FIELD.finditer(ptext) if not _overlaps(m.start(), m.end(), bps)),
            *(ptext[a:z] for a, z in header),
            # A board's place line that is the mode: "Remote", "Remote in Vancouver, BC".
            *(
                f"location: {m.group(1)}"
                for m in _MODE_LINE.finditer(ptext, 0, len(ptext) if first_heading is None else first_heading)
            ),
        ]
    )
    work_mode = jd_facts.find_work_mode(f"{sentences_text} {title or ''} {headings} {fields}")

    out_sections: list[Section] = []
    for sec in sections:
        a, z = plain.to_original(sec.start, sec.end)
        clean = _plain_block(ptext[sec.start : sec.end])
        first, last = edge_words(clean)
        h = sec.heading
        ha, hz = plain.to_original(h.start, h.end) if h is not None else (None, None)
        out_sections.append(
            Section(
                kind=sec.kind,
                heading=h.text if h is not None else None,
                heading_was_present=h is not None,
                heading_start=ha,
                heading_end=hz,
                bullet_count=sec.bullet_count,
                text=text[a:z],
                plain=clean,
                word_count=word_count(clean),
                first_five_words=first,
                last_five_words=last,
                start=a,
                end=z,
            )
        )

    boiler: list[Boilerplate] = []
    for b in bps:
        a, z = plain.to_original(b.start, b.end)
        first, last = edge_words(ptext[b.start : b.end])
        boiler.append(Boilerplate(b.kind, a, z, first, last))

    eligible = {SectionKind.RESPONSIBILITIES, SectionKind.ABOUT_ROLE}
    # The title's own line ("ICU Registered Nurse (RN) - Medical/Surgical ICU, Nights") is no duty.
    title_line = " ".join(title.split()) if title else ""
    resp = [
        s
        for s in matchable
        if s.kind in eligible
        and word_count(s.text) >= 3
        and " ".join(s.text.split()) != title_line
        and not _states_no_duty(s, company, title or "")
        and not (first_heading is not None and _header_fact_line(s, ptext, first_heading))
    ]
    if not resp:
        # no duty/role section recognised: fall back to duty-like sentences anywhere outside company text
        resp = [
            s
            for s in matchable
            if s.kind in (SectionKind.OTHER, SectionKind.REQUIREMENTS)
            and word_count(s.text) >= 3
            and s.text.split()[0].lower() in DUTY_VERBS
        ]
    # a sub-heading folded into a section ("Position Summary The storekeeper will ...") is no duty text
    inner_ends = {h.start: h.end for sec in sections for h in sec.inner_headings}
    resp_sentences: list[Sentence] = []
    for s in resp:
        if s.start in inner_ends and word_count(ptext[inner_ends[s.start] : s.end]) >= 3:
            head_end = inner_ends[s.start]
            head_end += len(ptext[head_end : s.end]) - len(ptext[head_end : s.end].lstrip())
            s = SentenceRef(ptext[head_end : s.end], head_end, s.end, s.kind)
        a, z = plain.to_original(s.start, s.end)
        resp_sentences.append(Sentence(text[a:z], " ".join(s.text.split()), a, z, s.kind, s.start, s.end))

    # A board's category fields name a field of work, not the job's skills ("Job Field: ICT /
    # Computer" had read as circuit-board testing): no skill is read there.
    categories = _board_category_lines(ptext)
    regions: list[SkillRegion] = []
    for sec in sections:
        if sec.kind in (SectionKind.BOILERPLATE, SectionKind.BENEFITS):
            continue
        for pa, pz in _subtract(sec.start, sec.end, [*bps, *header, *categories]):
            seg = ptext[pa:pz]
            pa, pz = pa + (len(seg) - len(seg.lstrip())), pa + len(seg.rstrip())
            if not has_word(ptext, pa, pz):
                continue
            a, z = plain.to_original(pa, pz)
            regions.append(SkillRegion(a, z, pa, pz, sec.kind))

    normalized = parts.normalized if parts else ""
    locations = tuple(_locations(plain, text, bps, work_mode, company, header))
    # Australian pay is quoted "+ super" (superannuation), wherever the text's places are.
    dollar = jd_facts.local_dollar(
        [*(loc.country_code for loc in locations), *(["AU"] if _SUPERANNUATION.search(ptext) else [])]
    )
    return ParsedJd(
        jd_type=JdType.PASS,
        word_count=words,
        role_title=title,
        role_title_source=title_source,
        normalized_title=normalized,
        role_aliases=title_variants(title) if title else (),
        role_archetype=find_archetype(normalized, domain),
        seniority=_seniority(parts, ptext, fact_refs),
        company_name=company,
        about_company=_about_company(plain, text, sections, bps, company),
        domain=domain,
        experience=jd_facts.find_experience(fact_refs, src),
        education=tuple(jd_facts.find_education(fact_refs, src)),
        certifications=tuple(jd_facts.find_certifications(fact_refs, src)),
        compensation=jd_facts.find_compensation(
            pay_refs, src, dollar=dollar, rupee=jd_facts.local_rupee(loc.country_code for loc in locations)
        ),
        locations=locations,
        work_mode=work_mode,
        employment_type=_employment_type(
            ptext, len(ptext) if first_heading is None else first_heading, sentences_text, headings, title
        ),
        sections=tuple(out_sections),
        boilerplate=tuple(boiler),
        urls=tuple(jd_facts.find_urls(text)),
        responsibility_sentences=tuple(resp_sentences),
        skill_text_spans=tuple(regions),
        plain=plain,
    )
