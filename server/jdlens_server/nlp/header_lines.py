"""The job board's header under the title: "Acme · Boston, MA (Hybrid) · Full-time".

Boards print the employer, the place, the work mode and the contract on one line of short
segments joined by "·", "|" or "•", or one to a line right under the title ("Comfort Air Heating &
Cooling / Columbus, OH 43228 / $28 - $40 an hour"). The header states facts, which the parser still
reads from it, but no duty and no skill: its segments are no responsibility sentences (embedded as
duties they pull the role toward nothing in particular), and "Hybrid" or "Canada" are no skills to
propose. A list of tools or skills under the title ("Java / Spring Boot / Kafka") is content, not
header: the lines under the title count only with at most one name among places and facts.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from jdlens_server.nlp.locations import find_places, is_place_name, is_region_code
from jdlens_server.nlp.text import DUTY_VERBS
from jdlens_server.nlp.title import is_role_head


class HeaderLine(NamedTuple):
    """A header line's span in the text it was found in (start inclusive, end exclusive)."""

    start: int
    end: int


_SEPARATOR = re.compile(r"[ \t]+[·|•][ \t]+")
# A segment that states the contract, the hours, the work mode, the pay or what the job asks for.
_FACT_SEGMENT = re.compile(
    r"(?i)\b(?:full[-\s]?time|part[-\s]?time|contract|temporary|permanent|seasonal|internship|freelance|"
    r"per\s+diem|remote|hybrid|on[-\s]?site|in[-\s]office|\d+(?:\.\d+)?\s*(?:hours?|hrs|days?)\b|"
    r"(?:day|night|evening|weekend|rotating)\s+shifts?|experience|diploma|degree|per\s+(?:hour|year|annum)|"
    r"salary|immediate\s+(?:joiners?|joining|start)|walk[-\s]?in\s+interviews?)\b|[$£€]\s?\d"
)
# Longer segments are prose, not a board's fact.
_MAX_SEGMENT_WORDS = 8
# Boards print the line under the title: among the text's first lines. Further down, a "·" or "|"
# line is a list of duties or tools.
_SCAN_LINES = 4


def header_lines(text: str) -> list[HeaderLine]:
    """The header lines among the first non-empty lines of ``text``, trimmed of surrounding space:
    lines of facts joined by separators, and the short lines right under the title when one of them
    is a place or a fact ("HVAC Technician / Comfort Air Heating & Cooling / Columbus, OH 43228 /
    $28 - $40 an hour - Full-time": the employer's line is no duty either)."""
    out: list[HeaderLine] = []
    pos = seen = 0
    opening: list[HeaderLine] = []  # the short lines under the first, while they last
    in_opening = True
    while pos < len(text) and seen < _SCAN_LINES + 2:
        newline = text.find("\n", pos)
        end = len(text) if newline < 0 else newline
        line = text[pos:end]
        if line.strip():
            seen += 1
            span = HeaderLine(pos + len(line) - len(line.lstrip()), pos + len(line.rstrip()))
            if seen <= _SCAN_LINES and _is_header_line(line):
                out.append(span)
            elif seen > 1 and in_opening and _is_short_plain_line(line):
                opening.append(span)
            elif seen > 1:
                in_opening = False
        elif seen > 1:
            in_opening = False  # a blank line ends the opening block
        pos = end + 1
    lines = [text[a:z] for a, z in opening]
    facts = [_is_fact_line(line) for line in lines]
    # Places and facts with at most one name among them (the employer's), or one or two names of
    # several words ("Department of Veterans Affairs"); "Java / Spring Boot / Kafka" is a list.
    names = len(lines) - sum(facts)
    if (any(facts) and names <= 1) or (1 <= len(lines) <= 2 and all(map(_is_title_case_name, lines))):
        out = sorted({*out, *opening})
    return out


# A line of the opening block: a name, a place or a fact, not a sentence, a bullet or a heading.
_MAX_OPENING_WORDS = 10


# Labels of what a posting asks for or does: content to read, never header ("Key Skills: Java, AWS").
_CONTENT_LABEL = re.compile(
    r"^[^:]{0,25}\b(?:skills?|requirements?|qualifications?|education|tools?|tech|stack|responsibilit\w*|duties|"
    r"role|summary|description)\b[^:]{0,10}:",
    re.IGNORECASE,
)


def _is_short_plain_line(line: str) -> bool:
    words = line.split()
    return (
        1 <= len(words) <= _MAX_OPENING_WORDS
        and _CONTENT_LABEL.match(line.strip()) is None
        and (line.strip()[:1].isalnum() or line.strip()[:1] in "$£€₹")
        and not line.rstrip().endswith((".", ":", "!", "?"))
        and words[0].lower() not in DUTY_VERBS
        and not _PROSE_WORDS.intersection(w.lower() for w in words)
    )


# Words of a sentence, not of a name, place or fact ("Remote work is welcome").
_PROSE_WORDS = frozenset({"is", "are", "will", "we", "you", "our", "your", "be", "can", "join"})


_LABEL = re.compile(r"^[A-Za-z][\w ]{0,20}:\s*")
_NAME_GLUE = frozenset({"of", "and", "&", "for", "the", "de", "-", "\u2013", "\u2014"})


def _is_fact_line(line: str) -> bool:
    """A place that opens the line, its label aside ("Leeds, West Yorkshire", "Location: Brisbane
    QLD"), or a fact of the job."""
    if states_a_fact(line):
        return True
    return _starts_with_place(_LABEL.sub("", line, count=1))


def _is_title_case_name(line: str) -> bool:
    """ "Department of Veterans Affairs": three words or more, every one capitalised but the glue."""
    words = line.split()
    return len(words) >= 3 and all(w[:1].isupper() or w.lower() in _NAME_GLUE for w in words)


def states_a_fact(segment: str) -> bool:
    """A segment of a board's facts: contract, hours, work mode, pay, experience or degree."""
    return _FACT_SEGMENT.search(segment) is not None


_DASH = re.compile(r"\s+[-\u2013\u2014]\s+")


def _starts_with_place(text: str) -> bool:
    places = find_places(text)
    return bool(places) and places[0].start <= 2


# Words of a site, not of an employer's name.
_SITE_WORDS = frozenset({"office", "branch", "site", "campus", "location", "area", "region", "district"})


def header_company(text: str, lines: list[HeaderLine]) -> str | None:
    """The employer as the first header line names it ("Acme Health Partners · Boston, MA ·
    Full-time" -> "Acme Health Partners"): its first segment that states no fact or place and is no
    job title ("Registered Nurse | Mercy Hospital | Full-time" -> "Mercy Hospital")."""
    if not lines:
        return None
    for segment in _SEPARATOR.split(text[lines[0].start : lines[0].end]):
        name = segment.strip()
        parts = _DASH.split(name)
        if len(parts) > 1:
            if not all(_starts_with_place(p) for p in parts[1:]):
                continue  # "Business Analyst - Payments Transformation": a title and its team
            name = parts[0]  # "BuildRight Contractors Ltd. — Calgary, Alberta"
        head, _, last = name.rpartition(",")
        if head and is_place_name(last.strip()) and not _starts_with_place(head):
            name = head.strip()  # "St Vincent's Hospital, Melbourne"; not "Calamba, Laguna, Philippines"
        words = name.split()
        if (
            ":" in name  # a labelled field ("Company: Confidential") is read by its label
            or states_a_fact(name)
            or _starts_with_place(name)  # "Boston, MA"; not "St Vincent's Hospital Melbourne"
            or is_place_name(name)
            or is_region_code(name.split(",")[-1].strip())  # "Fitzroy, VIC"
            or ("," in name and is_place_name(name.split(",")[-1].strip()))  # "Calamba, Laguna, Philippines"
            or _SITE_WORDS.intersection(w.lower() for w in words)  # "Westlands office"
            or not 1 <= len(words) <= 6
        ):
            continue
        # A singular occupation ends a title; a plural one names a firm ("Health Partners").
        if name[:1].isupper() and not (is_role_head(words[-1]) and not words[-1].endswith("s")):
            return name
    return None


def _too_long(segment: str) -> bool:
    """Prose, not a board's field; a pay field runs longer ("€4,200 - €5,800 gross per month + 8%
    holiday allowance")."""
    words = len(segment.split())
    return words > _MAX_SEGMENT_WORDS and not (words <= 2 * _MAX_SEGMENT_WORDS and states_a_fact(segment))


def _is_header_line(line: str) -> bool:
    if "·" not in line and "|" not in line and "•" not in line:
        return False  # most lines: no separator at all
    parts = [p.strip() for p in _SEPARATOR.split(line.strip())]
    if len(parts) < 2 or not all(parts):
        return False
    if any(_too_long(p) or ":" in p or p.endswith(("!", "?")) for p in parts):
        return False
    if any(p.split()[0].lower() in DUTY_VERBS for p in parts):
        return False  # "Pick and pack orders • Load trucks": duties in a row
    # Facts of the job (contract, hours, work mode) and places make the line, besides a name or two
    # (the employer's, the title); a place counts only where the gazetteer reads one in context
    # ("Boston, MA"), so "Python · Spring · Kafka" (Spring is also a town) stays a list.
    facts = sum(1 for p in parts if states_a_fact(p) or find_places(p))
    return facts >= 1 and facts >= len(parts) - 2 and facts * 2 >= len(parts) - 1
