"""Section structure of a job description: headings, section kinds, bullets and boilerplate.

Works on `PlainText.text` and returns plain-text offsets; the parser maps them to the original.
Headings are found two ways: whole lines that look like headings (multi-line ads, markdown,
HTML) and known heading phrases inside running text (ads flattened to one line, where
"Job Requirement" or "RESPONSIBILITIES" sit between two sentences).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from jdlens_server.nlp.text import (
    BULLET_GLYPHS,
    DUTY_VERBS,
    PlainText,
    has_word,
    is_line_bullet,
    sentence_spans,
    word_count,
    wordlist,
)
from jdlens_server.nlp.title import is_role_head


class SectionKind(StrEnum):
    RESPONSIBILITIES = "RESPONSIBILITIES"
    REQUIREMENTS = "REQUIREMENTS"
    NICE_TO_HAVE = "NICE_TO_HAVE"
    ABOUT_ROLE = "ABOUT_ROLE"
    ABOUT_COMPANY = "ABOUT_COMPANY"
    BENEFITS = "BENEFITS"
    BOILERPLATE = "BOILERPLATE"
    OTHER = "OTHER"


class BoilerplateKind(StrEnum):
    EQUAL_OPPORTUNITY = "EQUAL_OPPORTUNITY"
    BENEFITS = "BENEFITS"
    SCAM_WARNING = "SCAM_WARNING"
    ACCESSIBILITY = "ACCESSIBILITY"
    COMPANY_HISTORY = "COMPANY_HISTORY"
    APPLICATION_PROCESS = "APPLICATION_PROCESS"


K = SectionKind
B = BoilerplateKind

# ---------------------------------------------------------------- heading lexicon
# (regex, section kind, boilerplate kind for BOILERPLATE headings, usable inside running text)
_Q = r"['\u2019]?"  # optional apostrophe (to_plain folds curly quotes to ')
_DUTY_NOUN = r"(?:duties|responsibilit(?:y|ies)|accountabilit(?:y|ies)|tasks|deliverables|functions)"
_LEXICON: list[tuple[str, SectionKind, BoilerplateKind | None, bool]] = [
    # responsibilities
    (
        rf"(?:(?:key|main|major|primary|principal|core|essential|specific|general|generic|detailed|job|"
        rf"position|your|the)\s+)*(?:(?:job|position|role)\s+)?{_DUTY_NOUN}"
        rf"(?:\s*(?:and|&|/|,)?\s*{_DUTY_NOUN})*(?:\s+of\s+the\s+(?:job|role|post|position))?",
        K.RESPONSIBILITIES,
        None,
        True,
    ),
    (r"roles?\s*(?:and|&|/)\s*responsibilit(?:y|ies)", K.RESPONSIBILITIES, None, True),
    (
        rf"(?:here{_Q}s\s+)?what\s+you(?:{_Q}ll|\s+will)\s+(?:be\s+)?(?:do|doing|work\s+on)",
        K.RESPONSIBILITIES,
        None,
        True,
    ),
    (r"(?:your|the)\s+(?:mission|impact|day[-\s]to[-\s]day)", K.RESPONSIBILITIES, None, False),
    (r"(?:in\s+this\s+role|day[-\s]to[-\s]day)", K.RESPONSIBILITIES, None, False),
    (
        r"scope\s+of\s+(?:work|the\s+role)|key\s+result\s+areas|major\s+functions|job\s+functions",
        K.RESPONSIBILITIES,
        None,
        True,
    ),
    (r"summary\s+of\s+(?:duties|responsibilities)", K.RESPONSIBILITIES, None, True),
    # The recruitment agencies' template (Hays and others): "Your new role"; "What you'll need to
    # succeed" and "What you'll get in return" are read with requirements and benefits below.
    (r"your\s+new\s+role", K.RESPONSIBILITIES, None, False),
    # nice to have (before requirements: "preferred qualifications" must not read as requirements)
    (
        r"nice[-\s]to[-\s]haves?|good[-\s]to[-\s]haves?|bonus\s+points|pluses|desirables?|"
        r"(?:preferred|desired|desirable|bonus)\s+(?:qualifications?|skills|experience|requirements|"
        r"competenc(?:y|ies))|preferred|extra\s+credit",
        K.NICE_TO_HAVE,
        None,
        True,
    ),
    # Sentence-like headings: on their own line or before a colon only ("It would be great if you
    # have Kafka experience." inside a requirement is no heading).
    (
        r"(?:it\s+would\s+be\s+|it(?:'|\u2019)?s\s+)?(?:great|nice|a\s+plus|an\s+advantage|a\s+bonus|bonus|"
        r"even\s+better|ideal(?:ly)?|helpful|beneficial)\s+if\s+you(?:\s+also)?\s+(?:have|had|bring|know|are)"
        r"(?:\s+(?:any\s+of\s+)?(?:these|the\s+following|some\s+of\s+these))?|"
        r"(?:what\s+(?:would|will|could)\s+)?(?:make|makes)\s+you\s+stand\s+out",
        K.NICE_TO_HAVE,
        None,
        False,
    ),
    # requirements
    (
        r"(?:(?:job|minimum|basic|required|key|essential|educational|academic|professional|technical|"
        r"additional|functional|mandatory|general|specific|candidate)\s+)*"
        r"(?:requirements?|qualifications?|competenc(?:y|ies)|eligibility(?:\s+criteria)?)"
        r"(?:\s*(?:and|&|/|,)\s*(?:experience|requirements?|qualifications?|skills|competenc(?:y|ies)))*",
        K.REQUIREMENTS,
        None,
        True,
    ),
    (
        r"(?:required|key|technical|core|essential|language)\s+skills?(?:\s*(?:and|&)\s*"
        r"(?:experience|qualifications?|abilities|competenc(?:y|ies)|knowledge))?",
        K.REQUIREMENTS,
        None,
        True,
    ),
    (
        r"skills?(?:\s*(?:and|&|,)\s*(?:experience|qualifications?|abilities|competenc(?:y|ies)|knowledge))*",
        K.REQUIREMENTS,
        None,
        True,
    ),
    (r"knowledge,?\s+skills,?\s+(?:and|&)\s+abilities|ksas?", K.REQUIREMENTS, None, True),
    (
        r"(?:work(?:ing)?\s+|relevant\s+|professional\s+|required\s+|total\s+)?experience"
        r"(?:\s*(?:and|&)\s*(?:qualifications?|skills|education))?",
        K.REQUIREMENTS,
        None,
        True,
    ),
    (
        r"educational?(?:\s+(?:background|qualifications?|requirements?|level))?|education\s+and\s+experience",
        K.REQUIREMENTS,
        None,
        True,
    ),
    (
        rf"(?:here{_Q}s\s+)?what\s+(?:you(?:{_Q}ll|\s+will)?\s+need(?:\s+to\s+succeed)?|we{_Q}re\s+looking\s+for|"
        rf"we\s+are\s+looking\s+for|you\s+(?:bring|have)|you(?:{_Q}ll|\s+will)\s+bring)|"
        # "Who we're looking for", "Essential criteria" (Australian and UK public sector), "Your background"
        rf"who\s+(?:we{_Q}re|we\s+are)\s+looking\s+for|(?:essential|selection|key\s+selection)\s+criteria|"
        r"your\s+background",
        K.REQUIREMENTS,
        None,
        True,
    ),
    (
        r"who\s+you\s+are|about\s+you|must[-\s]haves?|person\s+specification|(?:candidate|talent|your)\s+profile|"
        r"(?:the\s+)?ideal\s+candidate|you\s+should\s+have|minimum\s+requirements",
        K.REQUIREMENTS,
        None,
        False,
    ),
    # about the role
    (
        r"about\s+(?:the|this)\s+(?:role|position|job|opportunity)|"
        r"(?:job|position|role)\s+(?:summary|summery|overview|purpose|profile|objectives?|description)"
        r"(?:\s*/\s*(?:summary|overview|purpose))?|"
        r"purpose\s+of\s+the\s+(?:job|position|role)|overview\s+of\s+the\s+(?:role|position)",
        K.ABOUT_ROLE,
        None,
        True,
    ),
    (
        r"the\s+(?:role|position|opportunity)|overview|summary|description|function|objectives?|"
        r"job\s+details",
        K.ABOUT_ROLE,
        None,
        False,
    ),
    # about the company
    (
        r"about\s+(?:us|the\s+(?:company|organi[sz]ation|employer|team)|our\s+(?:company|organi[sz]ation|team))|"
        r"who\s+we\s+are|(?:company|organi[sz]ation(?:al)?)\s+(?:overview|background|profile|description)|"
        r"about\s+\[REDACTED\]",
        K.ABOUT_COMPANY,
        None,
        True,
    ),
    (
        r"background|(?:project|program(?:me)?|activity)\s+(?:summary|background|description)|"
        r"our\s+(?:story|mission|company|culture|values|team)|the\s+(?:company|organi[sz]ation|team)|"
        r"about\s+[A-Z][\w&.-]*(?:\s+[A-Z][\w&.-]*){0,3}",
        K.ABOUT_COMPANY,
        None,
        False,
    ),
    # benefits
    (
        rf"(?:benefits?|perks)(?:\s*(?:and|&)\s*(?:perks|benefits))?|what\s+we\s+offer|"
        rf"why\s+(?:you{_Q}ll\s+love\s+working\s+(?:here|with\s+us|at\s+\w+)|join\s+us|work\s+(?:with|for)\s+us)|"
        rf"(?:compensation|salary|pay|remuneration)\s*(?:and|&)\s*benefits|what{_Q}s\s+in\s+it\s+for\s+you|"
        rf"what\s+you(?:{_Q}ll|\s+will)\s+get\s+in\s+return",
        K.BENEFITS,
        None,
        True,
    ),
    (r"we\s+offer|our\s+offer|(?:the\s+)?perks", K.BENEFITS, None, False),
    # boilerplate
    (
        r"equal\s+(?:employment\s+)?opportunit(?:y|ies)(?:\s+(?:employer|statement))?|eeo(?:\s+statement)?|"
        r"diversity(?:,?\s+equity)?(?:,?\s*(?:and|&)\s*inclusion)?(?:\s+statement)?|non[-\s]?discrimination",
        K.BOILERPLATE,
        B.EQUAL_OPPORTUNITY,
        True,
    ),
    (
        r"accessibility(?:\s+for\s+(?:applicants|candidates)\s+with\s+disabilities)?|"
        r"(?:reasonable\s+)?accommodations?",
        K.BOILERPLATE,
        B.ACCESSIBILITY,
        True,
    ),
    (
        r"(?:recruitment\s+)?(?:fraud|scam)s?(?:\s+(?:warning|notice|alert|awareness))?|"
        r"beware\s+of\s+(?:fraud|scams?)",
        K.BOILERPLATE,
        B.SCAM_WARNING,
        True,
    ),
    (
        r"how\s+to\s+apply|application\s+(?:procedure|process|instructions?|deadline|submission)|"
        r"to\s+apply|apply\s+now|deadline(?:\s+for\s+(?:all\s+)?applications?)?|closing\s+date|"
        r"submission(?:\s+of\s+applications?)?",
        K.BOILERPLATE,
        B.APPLICATION_PROCESS,
        True,
    ),
]
# Field labels ("Location:", "Salary:") only count with a colon.
_FIELD_LABELS = (
    r"location|job\s+location|work\s+location|duty\s+stations?|place\s+of\s+work|work(?:ing)?\s+place|"
    r"salary|required\s+(?:number|no\.?)|(?:no\.?|number)\s+of\s+(?:positions?|vacancies|posts)|"
    r"employment\s+type|type\s+of\s+employment|terms?\s+(?:and\s+type\s+)?of\s+employment|contract\s+"
    r"(?:type|duration)|duration|job\s+category|category|reporting\s+(?:to|relationship)|reports\s+to|"
    r"grade|vacancy\s+(?:code|no\.?)|job\s+title|position\s+title|position|qty|quantity|start\s+date|"
    r"organi[sz]ation|countries|country|sex|gender|age|language|reference(?:\s+(?:number|no\.?))?"
)

_FLAGS = re.IGNORECASE


def _compile(pattern: str) -> re.Pattern[str]:
    return re.compile(rf"(?<![\w/&-])(?:{pattern})(?![\w/&-])", _FLAGS)


_HEADING_RES = [(_compile(p), kind, bp, inline) for p, kind, bp, inline in _LEXICON]
# Whether any entry occurs at all (one search; the heading lines searched mostly hold none). The
# look-ahead on a letter lets the engine skip to candidate positions before the look-behind.
_ANY_IN = re.compile(
    "(?=[a-z])(?<![\\w/&-])(?:" + "|".join(f"(?:{p})" for p, *_rest in _LEXICON) + ")(?![\\w/&-])", _FLAGS
)
# Every lexicon entry (and the field labels) as an optional look-ahead group, so one match call at a
# position reports all the headings starting there. Only capitalised word starts are tried.
_ALL_AT = re.compile(
    "".join(f"(?=(?P<g{i}>(?:{p})(?![\\w/&-])))?" for i, (p, *_rest) in enumerate(_LEXICON))
    + f"(?=(?P<field>(?:{_FIELD_LABELS})(?![\\w/&-])))?",
    _FLAGS,
)
# (group of the entry in _ALL_AT, kind, boilerplate kind, usable inline) per lexicon entry
_ALL_AT_ENTRIES = [
    (_ALL_AT.groupindex[f"g{i}"], kind, bp, inline) for i, (_p, kind, bp, inline) in enumerate(_LEXICON)
]
_ALL_AT_FIELD = _ALL_AT.groupindex["field"]
# The lexicon as one alternation: a full match takes the first entry that matches all of a phrase.
_ANY_WHOLE = re.compile("|".join(f"(?P<g{i}>{p})" for i, (p, *_rest) in enumerate(_LEXICON)), _FLAGS)
_CAP_START = re.compile(r"[A-Z][A-Za-z']*")
# Every heading starts with a word that begins like one of the literal words in the lexicon; capitalised
# words that do not are skipped without trying the patterns.
_LEXICON_WORDS = {w for p, *_r in _LEXICON for w in re.findall(r"[a-z]+", p)} | set(
    re.findall(r"[a-z]+", _FIELD_LABELS)
)
_FIRST_PREFIXES = frozenset(w[:4] for w in _LEXICON_WORDS)


# Single generic words need a colon, capitals or a line of their own to count inline.
_WEAK_SINGLE = frozenset(
    wordlist(
        """
        experience skills skill education educational competencies competency qualification function
        functions tasks deliverables background summary overview description objective objectives
        preferred desirable pluses accommodation accommodations submission deadline diversity
        """
    )
)
_GLUE_BEFORE = frozenset(
    wordlist(
        """
        of the and or for with in on to our your their its his her my a an any other all these this
        those such as by at from per about including include includes some more key
        """
    )
)


@dataclass(frozen=True, slots=True)
class Heading:
    start: int  # plain offset of the heading text
    end: int  # end of the heading incl. a trailing colon
    text: str
    kind: SectionKind | None  # None: decide from the body
    boilerplate: BoilerplateKind | None
    on_own_line: bool


def _lexicon_kind(phrase: str) -> tuple[SectionKind, BoilerplateKind | None] | None:
    """Kind of a heading phrase that is entirely a lexicon entry (first entry wins)."""
    m = _ANY_WHOLE.fullmatch(phrase)
    if m is None or m.lastgroup is None:
        return None
    _p, kind, bp, _inline = _LEXICON[int(m.lastgroup[1:])]
    return kind, bp


def _lexicon_search(phrase: str) -> tuple[SectionKind, BoilerplateKind | None] | None:
    """Kind of a heading line that contains a lexicon phrase ("Here's What You'll Be Doing")."""
    if _ANY_IN.search(phrase) is None:
        return None
    best: tuple[int, SectionKind, BoilerplateKind | None] | None = None
    for rx, kind, bp, _inline in _HEADING_RES:
        m = rx.search(phrase)
        if m is not None and (best is None or m.end() - m.start() > best[0]):
            best = (m.end() - m.start(), kind, bp)
    return None if best is None else (best[1], best[2])


_TITLE_WORD = re.compile(r"[A-Za-z][\w'\u2019-]*")


def _is_titleish(s: str) -> bool:
    words = _TITLE_WORD.findall(s)
    if not words:
        return False
    if s.upper() == s:
        return True
    small = {"and", "or", "of", "the", "to", "for", "a", "an", "in", "on", "at", "with", "you", "we", "be"}
    caps = sum(1 for w in words if w[0].isupper())
    return words[0][0].isupper() and all(w[0].isupper() or w.lower() in small for w in words) and caps >= 1


# ---------------------------------------------------------------- line headings


def _sentence_case_heading(body: str, following: str) -> bool:
    """ "Our stack today" above a paragraph or a list: a heading in sentence case. Only short lines
    without digits qualify, and only above a bullet or a line of real prose, so a short line of a
    list written without bullets is not taken for one."""
    words = body.split()
    if not 1 <= len(words) <= 4 or not body[0].isupper() or any(c.isdigit() for c in body):
        return False
    return is_line_bullet(following) or len(following.split()) >= 8


_SENTENCE_END = re.compile(r"[.!;,]\s*$")


_LINE = re.compile(r"[^\n]+")


def _line_headings(plain: PlainText) -> list[Heading]:
    text = plain.text
    out: list[Heading] = []
    lines = [m.span() for m in _LINE.finditer(text)]
    prev_heading_line = -2
    for idx, (ls, le) in enumerate(lines):
        raw = text[ls:le]
        stripped = raw.strip()
        if not stripped or idx == len(lines) - 1:
            continue
        s = ls + (len(raw) - len(raw.lstrip()))
        e = s + len(stripped)
        marked = s in plain.heading_marks or (
            bool(plain.bold_ranges) and any(a <= s and e <= z for a, z in plain.bold_ranges)
        )
        if is_line_bullet(raw) and not marked:
            continue
        body = stripped.rstrip(":").strip()
        n_words = len(body.split())
        if n_words == 0 or n_words > 10 or len(body) > 90:
            continue
        known = _lexicon_kind(body)
        if known is None and not marked:
            if _SENTENCE_END.search(stripped) or n_words > 7 or prev_heading_line == idx - 1:
                continue  # a sentence, or the first line under a heading ("Requirements" / "Diploma in X")
            ends_colon = stripped.endswith(":")
            question = stripped.endswith("?")
            following = text[lines[idx + 1][0] : lines[idx + 1][1]]
            if not (ends_colon or question or _is_titleish(body) or _sentence_case_heading(body, following)):
                continue
            # a short title-case line followed by more text reads as a heading
        # "User Experience Designer", "Customer Experience Manager": a job title that holds a
        # heading word ends with an occupation; it names no section.
        guess = known or (None if is_role_head(body.split()[-1]) else _lexicon_search(body))
        prev_heading_line = idx
        out.append(
            Heading(
                start=s,
                end=e,
                text=body,
                kind=guess[0] if guess else None,
                boilerplate=guess[1] if guess else None,
                on_own_line=True,
            )
        )
    return out


# ---------------------------------------------------------------- inline headings

_NEXT_OK = re.compile(rf"\s*(?:$|[A-Z0-9\[(\"'{BULLET_GLYPHS}•\-\u2013])")


def _inline_headings(text: str) -> list[Heading]:
    found: list[Heading] = []
    candidates: list[tuple[int, int, SectionKind, BoilerplateKind | None, bool]] = []
    for cap in _CAP_START.finditer(text):
        pos = cap.start()
        if pos > 0 and (text[pos - 1].isalnum() or text[pos - 1] in "_/&-"):
            continue
        if cap.group().lower().replace("'", "")[:4] not in _FIRST_PREFIXES:
            continue
        m = _ALL_AT.match(text, pos)
        if m is None or m.lastindex is None:
            continue
        spans = m.regs  # every group's span at once (-1 for the entries that do not match here)
        for group, kind, bp, inline in _ALL_AT_ENTRIES:
            end = spans[group][1]
            if end > pos:
                candidates.append((pos, end, kind, bp, inline))
        end = spans[_ALL_AT_FIELD][1]
        if end > pos:
            candidates.append((pos, end, K.OTHER, None, True))
    # earliest first, longest first: "Job Requirement Qualification" before "Qualification"
    candidates.sort(key=lambda c: (c[0], -(c[1] - c[0])))
    last_end = -1
    for start, end, kind, bp, inline in candidates:
        if start < last_end:
            continue
        phrase = text[start:end]
        colon = _COLON_AFTER.match(text, end, end + 4)
        after = colon.end() if colon else end
        if not _accept_inline(text, start, end, phrase, colon is not None, inline, kind):
            continue
        if kind is K.OTHER and colon is None:
            continue
        found.append(Heading(start, after, phrase, kind, bp, on_own_line=False))
        last_end = after
    return found


_COLON_AFTER = re.compile(r"[ \t]*:")
_PREV_WORD = re.compile(r"([\w'\u2019&/-]+)\W*$")
_AT_BREAK = re.compile(r"(?:[.!?;:)\]\"'" + BULLET_GLYPHS + r"]|\n)\s*$")
_JOINER_BEFORE = re.compile(r"[-/&]\s*$")
_WEAK_SINGLE_STEMS = frozenset(w.rstrip("s") for w in _WEAK_SINGLE)


_CAPS_PREPOSITION_NEXT = re.compile(r"\s+(?:IN|WITH|OF|ON|AT|FOR|AS)\b")


def _shouting(word: str) -> bool:
    """Written in capitals (a figure counts: "4 YEARS")."""
    return word.isupper() or word.isdigit()


def _accept_inline(
    text: str, start: int, end: int, phrase: str, colon: bool, inline: bool, kind: SectionKind
) -> bool:
    if not phrase[0].isupper():
        return False
    before = text[max(0, start - 40) : start]
    prev_word = _PREV_WORD.search(before)
    at_break = not before.strip() or _AT_BREAK.search(before)
    if prev_word is not None and not at_break and prev_word.group(1).lower() in _GLUE_BEFORE:
        return False
    if _JOINER_BEFORE.search(before):
        return False
    caps = phrase.upper() == phrase and any(c.isalpha() for c in phrase)
    single = len(phrase.split()) == 1
    if not inline and not colon:
        return False
    if not colon and not _NEXT_OK.match(text, end):
        return False
    if single and phrase.lower().rstrip("s") in _WEAK_SINGLE_STEMS and not (colon or caps):
        return False
    if (
        caps
        and not colon
        and not at_break
        and prev_word is not None
        and _shouting(prev_word.group(1))
        and _CAPS_PREPOSITION_NEXT.match(text, end)
    ):
        # "MINIMUM 4 YEARS EXPERIENCE IN HVAC": a noun of a sentence in capitals, its object after
        # it; "... PAYABLES REQUIREMENTS BACHELOR DEGREE" in an ad flattened in capitals is a heading.
        return False
    if colon or caps:
        return True
    return _is_titleish(phrase) or bool(at_break)


# ---------------------------------------------------------------- content classification
# Cue phrases are matched as lower-case substrings (fast); precision comes from needing several.

_COMPANY_CUES = (
    "we are a ",
    "we are an ",
    "we are the ",
    "our company",
    "our organization",
    "our organisation",
    "our mission",
    "our vision",
    "our values",
    "our culture",
    "our customers",
    "our clients",
    "our people",
    "our business",
    "our platform",
    "our product",
    "our team",
    "our programs",
    "our programmes",
    "founded",
    "established",
    "headquarter",
    "is a leading",
    "is a global",
    "is a growing",
    "non-profit",
    "nonprofit",
    "not-for-profit",
    "since 19",
    "since 20",
    "offices in",
    "employees",
    "worldwide",
    "around the globe",
    "we believe",
    "our story",
    "company",
    "organization",
    "organisation",
    " ngo",
    "corporation",
    " plc",
    "industry",
)
_ROLE_CUES = (
    "we are seeking",
    "we are looking",
    "we're looking",
    "we are hiring",
    "we are recruiting",
    "is seeking",
    "is looking",
    "is hiring",
    "is recruiting",
    "successful candidate",
    "ideal candidate",
    "you will",
    "you'll",
    "this role",
    "this position",
    "the role",
    "the position",
    "the incumbent",
    "jobholder",
    "job holder",
    "responsible for",
    "reports to",
    "report to",
    "in charge of",
    "duties",
    "tasks",
    "he/she",
    "s/he",
)
_REQ_CUES = (
    "degree",
    "diploma",
    "bachelor",
    "master",
    "bsc",
    "b.sc",
    "msc",
    "phd",
    "certificat",
    "years of",
    "experience",
    "knowledge of",
    "ability to",
    "proficien",
    "familiar",
    "skill",
    "qualification",
    "understanding of",
    "must have",
    "required",
    "graduate",
    "fluen",
)
_BENEFIT_CUES = (
    "insurance",
    "paid time off",
    " pto",
    "vacation",
    "holiday",
    "pension",
    "401(k)",
    "401k",
    "stock option",
    "equity",
    "parental leave",
    "maternity",
    "paternity",
    "stipend",
    "allowance",
    "wellness",
    " gym",
    "bonus",
    "retirement",
    "provident fund",
    "flexible work",
    "flexible hours",
    "flexible schedule",
    "tuition",
    "reimbursement",
    "perk",
)


def _has_any(low: str, cues: tuple[str, ...]) -> bool:
    return any(map(low.__contains__, cues))


def _count_cues(low: str, cues: tuple[str, ...]) -> int:
    return sum(map(low.count, cues))


# Sentence-level boilerplate cues: (kind, trigger substrings, pattern). The pattern only runs when a
# trigger occurs in the lower-cased sentence.
# A posting's reference line ("Posting reference: ...", "Job ID: 4711", "Ref. no. 12"): application
# boilerplate wherever it stands.
_REFERENCE_LINE = (
    r"^(?:(?:posting|job|vacancy|position)\s+)?(?:reference|ref\.?|id|requisition)"
    r"(?:\s+(?:number|no\.?|id))?\s*[:#]"
)
_BP_CUES: list[tuple[BoilerplateKind, tuple[str, ...], re.Pattern[str]]] = [
    (
        B.EQUAL_OPPORTUNITY,
        (
            "equal",
            "regard",
            "veteran",
            "diversity",
            "discriminat",
            "encouraged",
            "orientation",
            "identity",
            "consideration",
        ),
        re.compile(
            r"equal\s+(?:employment\s+)?opportunit|without\s+regard\s+to|regardless\s+of\s+(?:their\s+)?"
            r"(?:race|gender|sex|age|religion|colou?r|disability|background)|protected\s+veteran|"
            r"(?:celebrate|value|embrace|committed\s+to)\s+diversity|diversity\s+of\s+race|"
            r"qualified\s+applicants\s+will\s+receive\s+consideration|discriminat|"
            r"(?:women|female)\s+(?:applicants|candidates)\s+are\s+(?:strongly\s+)?encouraged|"
            r"sexual\s+orientation|gender\s+identity",
        ),
    ),
    (
        B.SCAM_WARNING,
        ("scam", "fraud", "phishing", "vigilant", "money", "payment", "fee"),
        re.compile(
            # Fraud words count with the hiring they are about: "Investigate phishing cases" or
            # "fraudulent transactions" is a security or fraud analyst's duty.
            r"(?:\bscams?\b|fraudulent|phishing|impersonat\w*).{0,120}\b(?:candidates?|applicants?|recruit\w*|job\s+offers?|"
            r"job\s+postings?|interviews?|hiring|bank\s+details|personal\s+information)\b|"
            r"\b(?:candidates?|applicants?|recruit\w*|job\s+offers?|job\s+postings?|interviews?|hiring)\b.{0,120}"
            r"(?:\bscams?\b|fraudulent|phishing|impersonat\w*)|recruitment\s+fraud|be\s+vigilant|"
            r"(?:beware|be\s+aware)\s+of\s+(?:\w+\s+){0,2}(?:scams?|fraud\w*|phishing)|claiming\s+to\s+be\s+from|"
            r"(?:never|not|will\s+not)\s+(?:asks?|requests?|charges?)\s+(?:you\s+)?(?:for\s+)?(?:any\s+)?"
            r"(?:money|payment|fees?)|request\s+money|does\s+not\s+charge\s+(?:any\s+)?fee|"
            r"no\s+(?:fee|payment)s?\s+(?:is|are)\s+(?:required|charged)",
        ),
    ),
    (
        B.ACCESSIBILITY,
        ("accommodat", "adjustment", "disabilit", "accessib"),
        re.compile(
            r"reasonable\s+(?:adjustments?|accommodations?)|require\s+an?\s+accommodation|"
            r"accommodation\s+requests?|individuals\s+with\s+disabilities|applicants\s+with\s+disabilities|"
            r"accessibility\s+needs",
        ),
    ),
    (
        B.APPLICATION_PROCESS,
        (
            "submit",
            "send",
            "interested",
            "qualified",
            "apply",
            "shortlist",
            "returnable",
            "closing",
            "application",
            "deadline",
            "days",
            "information",
            "contact",
            "tel.",
            "mail",
            "click",
            "reference",
            "ref",
            "job id",
            "requisition",
        ),
        re.compile(
            r"\b(?:submit|send)\s+(?:your\s+|their\s+|the\s+|an?\s+)?(?:updated\s+)?(?:cvs?|applications?|"
            r"resumes?|credentials|documents)|interested\s+(?:and\s+qualified\s+)?(?:candidates|applicants)|"
            r"qualified\s+(?:and\s+interested\s+)?(?:candidates|applicants)\s+(?:can|should|are)|"
            r"apply\s+(?:via|through|online|using|by|here|in\s+person)|only\s+short-?listed|"
            r"non-?returnable|closing\s+date|application\s+(?:letter|deadline)|deadline\s+for|"
            r"within\s+\w+\s+(?:\(\d+\)\s+)?(?:consecutive\s+)?(?:working\s+|calendar\s+)?days|"
            r"for\s+(?:further|more)\s+information|contact\s+(?:us\s+)?(?:at|on|via)|tel\.|"
            r"e-?mail\s*:|click\s+(?:here|the\s+link)|" + _REFERENCE_LINE,
        ),
    ),
    (
        B.COMPANY_HISTORY,
        (
            "founded",
            "established",
            "incorporated",
            "formed",
            "since",
            "operating",
            "history",
            "goes back",
            "ago",
            "headquartered",
        ),
        re.compile(
            r"\b(?:founded|established|incorporated|was\s+formed)\s+(?:in|on|by)\b|"
            r"since\s+(?:its\s+(?:establishment|inception|founding)|(?:18|19|20)\d\d)|has\s+been\s+operating|"
            r"history\s+of|goes\s+back\s+to|(?:over|more\s+than)\s+\d+\s+years\s+(?:of\s+(?:history|"
            r"operation)|ago)|headquartered\s+in|years\s+ago",
        ),
    ),
    (
        B.BENEFITS,
        (
            "insurance",
            "paid time off",
            "parental",
            "stock option",
            "401",
            "pension",
            "provident",
            "wellness",
            "competitive",
        ),
        re.compile(
            r"(?:health|medical|dental|life)\s+insurance|paid\s+time\s+off|parental\s+leave|stock\s+options?|"
            r"401\(?k\)?|pension\s+(?:plan|scheme|contribution)|provident\s+fund|wellness\s+allowance|"
            r"we\s+offer\s+(?:a\s+)?competitive|competitive\s+(?:salary|compensation|pay)\s+(?:and|&)\s+benefits",
        ),
    ),
]
# Kinds whose cues make a sentence boilerplate in any section; the others count only outside duties
# and requirements, except the unmistakable application phrases of _APPLY_ANYWHERE.
_BP_ANYWHERE = frozenset({B.EQUAL_OPPORTUNITY, B.SCAM_WARNING, B.ACCESSIBILITY})
_APPLY_ANYWHERE = re.compile(
    _REFERENCE_LINE
    + r"|\bapply\s+(?:via|through|online|using|here|now|at|by\s+(?:email|sending))|\b(?:send|submit|email)\s+"
    r"(?:us\s+)?your\s+(?:cv|resume|application)|interested\s+(?:and\s+qualified\s+)?(?:candidates|applicants)"
    r"|only\s+short-?listed|closing\s+date|deadline\s+for\s+(?:all\s+)?applications?"
)
# Marker in a sentence's cue set: its application cue is one of _APPLY_ANYWHERE.
STRONG_APPLY = "STRONG_APPLY"
_BP_ORDER = {kind: i for i, (kind, _t, _r) in enumerate(_BP_CUES)}


Cues = frozenset[str]  # BoilerplateKind values, plus STRONG_APPLY


def _cue_set(low: str, live: list[tuple[BoilerplateKind, tuple[str, ...], re.Pattern[str]]]) -> Cues:
    found = {kind.value for kind, triggers, rx in live if _has_any(low, triggers) and rx.search(low)}
    if B.APPLICATION_PROCESS.value in found and _APPLY_ANYWHERE.search(low):
        found.add(STRONG_APPLY)
    return frozenset(found)


def sentence_cues(sentence: str) -> Cues:
    """Boilerplate cues of one sentence (see _BP_CUES)."""
    return _cue_set(sentence.lower(), _BP_CUES)


def _cues_of(text: str, sentences: Sequence[tuple[int, int]]) -> list[Cues]:
    """sentence_cues for each sentence, testing only the kinds whose triggers occur in the block."""
    if not sentences:
        return []
    block = text[sentences[0][0] : sentences[-1][1]].lower()
    live = [(kind, triggers, rx) for kind, triggers, rx in _BP_CUES if _has_any(block, triggers)]
    if not live:
        return [frozenset()] * len(sentences)
    return [_cue_set(text[a:z].lower(), live) for a, z in sentences]


def boilerplate_kind_of(cues: Cues, section: SectionKind) -> BoilerplateKind | None:
    """Boilerplate kind of a sentence with these cues, given the section it sits in."""
    for kind in sorted((B(c) for c in cues if c != STRONG_APPLY), key=_BP_ORDER.__getitem__):
        if kind in _BP_ANYWHERE or (kind is B.APPLICATION_PROCESS and STRONG_APPLY in cues):
            return kind
        if section not in (K.ABOUT_COMPANY, K.OTHER, K.ABOUT_ROLE, K.BENEFITS):
            continue
        if kind is B.COMPANY_HISTORY and section not in (K.ABOUT_COMPANY, K.OTHER):
            continue
        if kind is B.BENEFITS and section is K.ABOUT_ROLE:
            continue
        return kind
    return None


_FIRST_LETTERS = re.compile(r"[A-Za-z]+")


def _starts_with_verb(sentence: str) -> bool:
    m = _FIRST_LETTERS.match(sentence)
    return m is not None and m.group().lower() in DUTY_VERBS


# A role heading's body of at least this many items, most opening with a duty verb, is its duties.
_DUTY_LIST_ITEMS = 3
_DUTY_LIST_SHARE = 0.6


def _duty_list(text: str, sentences: list[tuple[int, int]]) -> bool:
    duties = sum(_starts_with_verb(text[a:z]) for a, z in sentences)
    return len(sentences) >= _DUTY_LIST_ITEMS and duties >= _DUTY_LIST_SHARE * len(sentences)


def classify_body(text: str, sentences: list[tuple[int, int]], first: bool) -> SectionKind:
    """Kind of a section whose heading is missing or unknown, from its content."""
    if not sentences:
        return K.OTHER
    sents = [text[a:z] for a, z in sentences]
    lows = [s.lower() for s in sents]
    n = len(sents)
    duty = [_starts_with_verb(s) for s in sents]
    verbs = sum(duty)
    reqs = sum(1 for s in lows if _has_any(s, _REQ_CUES))
    bens = sum(1 for s in lows if _has_any(s, _BENEFIT_CUES))
    body = " ".join(lows)
    # A duty's "organization" ("Directs an organization's marketing policies") describes the work.
    company = _count_cues(" ".join(low for low, d in zip(lows, duty, strict=True) if not d), _COMPANY_CUES)
    role = _count_cues(body, _ROLE_CUES)
    if n >= 2 and bens / n >= 0.5:
        return K.BENEFITS
    if n >= 2 and verbs / n >= 0.5:
        return K.RESPONSIBILITIES
    if role >= 2 and role >= company:
        return K.ABOUT_ROLE
    if n >= 2 and reqs / n >= 0.6:
        return K.REQUIREMENTS
    if company > role:
        return K.ABOUT_COMPANY
    if role > 0 or first:
        return K.ABOUT_ROLE
    return K.OTHER


# ---------------------------------------------------------------- sections


@dataclass(frozen=True, slots=True)
class SectionSpan:
    """A section in plain-text offsets. The body excludes the heading."""

    kind: SectionKind
    heading: Heading | None
    start: int
    end: int
    bullet_count: int
    boilerplate: BoilerplateKind | None  # set for BOILERPLATE and BENEFITS sections
    sentences: tuple[tuple[int, int], ...]
    cues: tuple[Cues, ...]  # boilerplate cues of each sentence
    inner_headings: tuple[Heading, ...] = ()  # sub-headings folded into this section


@dataclass(frozen=True, slots=True)
class BoilerplateSpanPlain:
    kind: BoilerplateKind
    start: int
    end: int


_GLYPH = re.compile(rf"[{BULLET_GLYPHS}]")
_LINE_MARK = re.compile(r"[ \t]*(?:([-*+\u2013\u2014])|\(?(\d{1,2})[.)])\s")
_INLINE_NUM = re.compile(r"(\d{1,2})[.)]\s+(?=[A-Z])")


def count_bullets(text: str) -> int:
    """List items in a body: bullet glyphs, dash/star/number line starts, or an inline 1. 2. 3. run."""
    glyphs = len(_GLYPH.findall(text))
    dashes = numbered = 0
    for line in text.split("\n"):
        m = _LINE_MARK.match(line)
        if m is not None:
            if m.group(1):
                dashes += 1
            else:
                numbered += 1
    run = expect = 0
    for m in _INLINE_NUM.finditer(text):
        i = m.start()
        if i > 0 and not text[i - 1].isspace() and text[i - 1] != "(":
            continue
        if int(m.group(1)) == expect + 1:
            run += 1
            expect += 1
    return glyphs + dashes + max(run, numbered)


def _merge_headings(text: str, heads: list[Heading]) -> list[Heading]:
    """Drop overlaps (line headings win) and fuse headings with nothing between them."""
    heads = sorted(heads, key=lambda h: (h.start, not h.on_own_line, -(h.end - h.start)))
    kept: list[Heading] = []
    for h in heads:
        if kept and h.start < kept[-1].end:
            continue
        if (
            kept
            and not has_word(text, kept[-1].end, h.start)
            and not (kept[-1].on_own_line and h.on_own_line)  # two heading lines: the first heads nothing
            # the title's line over a flattened body's first heading ("F&B Supervisor\nJob Description
            # Supervise ..."): no heading of a kind, so it stays the title's
            and not ("\n" in text[kept[-1].end : h.start] and kept[-1].kind in (None, K.OTHER))
        ):
            prev = kept.pop()
            # "Job Requirements Key Responsibilities": the heading nearest the body names it
            kind = h.kind if h.kind not in (None, K.OTHER) else prev.kind
            bp = h.boilerplate if h.kind not in (None, K.OTHER) else prev.boilerplate
            fused = " ".join(text[prev.start : h.end].split()).rstrip(": ")
            h = Heading(prev.start, h.end, fused, kind, bp, prev.on_own_line or h.on_own_line)
        kept.append(h)
    return kept


def _dominant_boilerplate(
    text: str, sentences: list[tuple[int, int]], cues: list[Cues], kind: SectionKind
) -> BoilerplateKind | None:
    """The boilerplate kind covering at least half the words of a body, if any."""
    weights: dict[BoilerplateKind, int] = {}
    for (a, z), c in zip(sentences, cues, strict=True):
        if not c:
            continue  # no cues, no boilerplate kind
        bk = boilerplate_kind_of(c, K.OTHER if kind is K.ABOUT_ROLE else kind)
        if bk is not None:
            weights[bk] = weights.get(bk, 0) + word_count(text[a:z])
    if not weights:
        return None  # the common case: the body's words need not be counted
    total = sum(word_count(text[a:z]) for a, z in sentences)
    if total == 0:
        return None
    best = max(weights, key=lambda k: (weights[k], -_BP_ORDER[k]))
    return best if sum(weights.values()) * 2 >= total else None


def split_sections(plain: PlainText) -> list[SectionSpan]:
    """Split the plain text into sections, classify them, and fold same-kind neighbours together."""
    text = plain.text
    heads = _merge_headings(text, _line_headings(plain) + _inline_headings(text))
    bodies: list[tuple[Heading | None, int, int]] = []
    if not heads or heads[0].start > 0:
        bodies.append((None, 0, heads[0].start if heads else len(text)))
    for i, head in enumerate(heads):
        bodies.append((head, head.end, heads[i + 1].start if i + 1 < len(heads) else len(text)))
    out: list[SectionSpan] = []
    for idx, (h, s, e) in enumerate(bodies):
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if not has_word(text, s, e):
            continue
        sents = sentence_spans(text, s, e)
        cues = _cues_of(text, sents)
        kind = h.kind if h is not None else None
        bp = h.boilerplate if h is not None else None
        if kind is None:
            kind = classify_body(text, sents, first=idx == 0)
        elif kind is K.ABOUT_ROLE and _duty_list(text, sents):
            kind = K.RESPONSIBILITIES  # "Job Description" over a list of duties
        if kind not in (K.BOILERPLATE, K.BENEFITS, K.RESPONSIBILITIES, K.REQUIREMENTS, K.NICE_TO_HAVE):
            dominant = _dominant_boilerplate(text, sents, cues, kind)
            if dominant is B.COMPANY_HISTORY:
                kind = K.ABOUT_COMPANY  # history is company text; its sentences become boilerplate spans
            elif dominant is not None:
                kind, bp = (K.BENEFITS if dominant is B.BENEFITS else K.BOILERPLATE), dominant
        if kind is K.BENEFITS:
            bp = B.BENEFITS
        elif kind is K.BOILERPLATE and bp is None:
            bp = _dominant_boilerplate(text, sents, cues, K.OTHER) or B.APPLICATION_PROCESS
        out.append(SectionSpan(kind, h, s, e, count_bullets(text[s:e]), bp, tuple(sents), tuple(cues)))
    return _fold(text, out)


def _fold(text: str, sections: list[SectionSpan]) -> list[SectionSpan]:
    """Merge a section into the previous one when both have the same kind (sub-headings of one block)."""
    out: list[SectionSpan] = []
    for sec in sections:
        prev = out[-1] if out else None
        mergeable = (
            prev is not None
            and prev.kind is sec.kind
            and prev.boilerplate is sec.boilerplate
            and not (sec.heading is not None and sec.heading.on_own_line and prev.heading is None)
            and not (
                prev.heading is not None
                and sec.heading is not None
                and prev.heading.on_own_line
                and sec.heading.on_own_line
            )
        )
        if prev is not None and mergeable:
            # the sub-heading ("Experience:") becomes part of the body it introduces
            inner = prev.inner_headings + ((sec.heading,) if sec.heading else ()) + sec.inner_headings
            sents, cues = list(sec.sentences), list(sec.cues)
            if sec.heading is not None and sents:
                sents[0] = (sec.heading.start, sents[0][1])
                cues[0] = sentence_cues(text[sents[0][0] : sents[0][1]])
            out[-1] = SectionSpan(
                prev.kind,
                prev.heading,
                prev.start,
                sec.end,
                prev.bullet_count + sec.bullet_count,
                prev.boilerplate,
                prev.sentences + tuple(sents),
                prev.cues + tuple(cues),
                inner,
            )
        else:
            out.append(sec)
    return out


def _split_boilerplate_section(sec: SectionSpan) -> list[BoilerplateSpanPlain]:
    """A boilerplate section as spans covering all of it: its own kind, except sentences that are
    another kind of boilerplate everywhere (an EEO line at the end of the benefits)."""
    assert sec.boilerplate is not None
    runs: list[tuple[BoilerplateKind, int]] = []
    for (a, _z), cues in zip(sec.sentences, sec.cues, strict=True):
        kinds = sorted((B(c) for c in cues if c != STRONG_APPLY), key=_BP_ORDER.__getitem__)
        own = next((k for k in kinds if k in _BP_ANYWHERE), None)
        kind = own if own is not None and own is not sec.boilerplate else sec.boilerplate
        if not runs or runs[-1][0] is not kind:
            runs.append((kind, a))
    if not runs:
        return [BoilerplateSpanPlain(sec.boilerplate, sec.start, sec.end)]
    bounds = [sec.start] + [a for _k, a in runs[1:]] + [sec.end]
    return [BoilerplateSpanPlain(k, bounds[i], bounds[i + 1]) for i, (k, _a) in enumerate(runs)]


def boilerplate_spans(text: str, sections: list[SectionSpan]) -> list[BoilerplateSpanPlain]:
    """Whole boilerplate/benefit sections, plus boilerplate sentences inside other sections (merged)."""
    spans: list[BoilerplateSpanPlain] = []
    for sec in sections:
        if sec.boilerplate is not None:
            spans.extend(_split_boilerplate_section(sec))
            continue
        for (a, z), cues in zip(sec.sentences, sec.cues, strict=True):
            bk = boilerplate_kind_of(cues, sec.kind) if cues else None
            if bk is None:
                continue
            last = spans[-1] if spans else None
            if last is not None and last.kind is bk and not text[last.end : a].strip():
                spans[-1] = BoilerplateSpanPlain(bk, last.start, z)
            else:
                spans.append(BoilerplateSpanPlain(bk, a, z))
    return spans
