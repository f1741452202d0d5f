"""The job board's line of facts under the title: "Acme · Boston, MA (Hybrid) · Full-time".

Boards print the employer, the place, the work mode and the contract on one line of short
segments joined by "·", "|" or "•". The line states facts, which the parser still reads from it,
but no duty and no skill: its segments are no responsibility sentences (embedded as duties they
pull the role toward nothing in particular), and "Hybrid" or "Canada" are no skills to propose.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from jdlens_server.nlp.locations import find_places


class HeaderLine(NamedTuple):
    """A header line's span in the text it was found in (start inclusive, end exclusive)."""

    start: int
    end: int


_SEPARATOR = re.compile(r"[ \t]+[·|•][ \t]+")
# A segment that states the contract, the hours or the work mode.
_FACT_SEGMENT = re.compile(
    r"(?i)\b(?:full[-\s]?time|part[-\s]?time|contract|temporary|permanent|seasonal|internship|freelance|"
    r"per\s+diem|remote|hybrid|on[-\s]?site|in[-\s]office|\d+\s*(?:hours?|hrs|days?)\s*(?:/|per\s+|a\s+)week|"
    r"(?:day|night|evening|weekend|rotating)\s+shifts?)\b"
)
# Longer segments are prose, not a board's fact.
_MAX_SEGMENT_WORDS = 8
# Boards print the line at the top; further down, a "·" list is more likely a list of skills.
_SCAN_CHARS = 1500


def header_lines(text: str) -> list[HeaderLine]:
    """The header lines in the first characters of ``text``, trimmed of surrounding space."""
    out: list[HeaderLine] = []
    pos = 0
    limit = min(len(text), _SCAN_CHARS)
    while pos < limit:
        newline = text.find("\n", pos)
        end = len(text) if newline < 0 else newline
        line = text[pos:end]
        if _is_header_line(line):
            lead = len(line) - len(line.lstrip())
            out.append(HeaderLine(pos + lead, pos + len(line.rstrip())))
        pos = end + 1
    return out


def header_company(text: str, lines: list[HeaderLine]) -> str | None:
    """The employer as the first header line names it ("Acme Health Partners · Boston, MA ·
    Full-time" -> "Acme Health Partners"): its first segment, when that states no fact or place."""
    if not lines:
        return None
    first = _SEPARATOR.split(text[lines[0].start : lines[0].end])[0].strip()
    words = first.split()
    if (
        not 1 <= len(words) <= 6
        or not first[:1].isupper()
        or _FACT_SEGMENT.search(first)
        or find_places(first)
    ):
        return None
    return first


def _is_header_line(line: str) -> bool:
    if "·" not in line and "|" not in line and "•" not in line:
        return False  # most lines: no separator at all
    parts = [p.strip() for p in _SEPARATOR.split(line.strip())]
    if len(parts) < 2 or not all(parts):
        return False
    if any(len(p.split()) > _MAX_SEGMENT_WORDS or p.endswith(("!", "?", ":")) for p in parts):
        return False
    # One segment must be a fact of the job; a place counts only where the gazetteer reads one in
    # context ("Boston, MA"), so "Python · Spring · Kafka" (Spring is also a town) stays a list.
    return any(_FACT_SEGMENT.search(p) or find_places(p) for p in parts)
