"""Text normalisation for job descriptions: markup stripping with an offset map, words, sentences.

Every later step works on the *plain* text produced here; `PlainText.origin` maps each plain
character back to the index of the character it came from in the original input, so every span
the parser reports can index the original string.
"""

from __future__ import annotations

import bisect
import functools
import html.entities
import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass

# One-for-one character replacements (the length does not change, so no offset bookkeeping).
_TRANSLATE = {
    "\u2018": "'",
    "\u2019": "'",
    "\u201a": "'",
    "\u201b": "'",
    "\u2032": "'",
    "\u201c": '"',
    "\u201d": '"',
    "\u201e": '"',
    "\u00a0": " ",
    "\u2002": " ",
    "\u2003": " ",
    "\u2007": " ",
    "\u2009": " ",
    "\u202f": " ",
    "\u3000": " ",
    "\t": " ",
    "\r": "\n",
    "\u2028": "\n",
    "\u2029": "\n",
}
_TRANSLATE_RE = re.compile("[" + "".join(_TRANSLATE) + "]")


def _translate(text: str) -> str:
    return _TRANSLATE_RE.sub(lambda m: _TRANSLATE[m.group()], text)


_BLOCK_TAGS = (
    "p|br|li|ul|ol|div|h[1-6]|tr|table|thead|tbody|section|article|header|footer|blockquote|pre"
    "|dl|dt|dd|hr|nav|main|html|head|body|meta"
)
_INLINE_TAGS = "span|strong|b|i|em|u|a|font|small|sup|sub|code|img|td|th|center|mark|abbr|label"
_BOLD_TAGS = frozenset({"strong", "b"})
_BLOCK_TAG_RE = re.compile(_BLOCK_TAGS)

# All markup the cleaner understands, tried left to right at each position.
_MARKUP = re.compile(
    rf"""
    (?P<comment><!--.*?-->)
  | (?P<tag></?(?P<tagname>{_BLOCK_TAGS}|{_INLINE_TAGS})\b[^<>]*>)
  | (?P<entity>&(?:[A-Za-z][A-Za-z0-9]{{1,31}}|\#[0-9]{{1,7}}|\#[xX][0-9A-Fa-f]{{1,6}});)
  | (?P<zw>[\u200b\u200c\u200d\u2060\ufeff\u00ad]|\r(?=\n))
  | (?P<mdhead>^[ \t]{{0,3}}\#{{1,6}}[ \t]+)
  | (?P<mdquote>^[ \t]{{0,3}}>[ \t]?)
  | (?P<mdrule>^[ \t]*(?:[-*_][ \t]*){{3,}}$)
  | (?P<image>!\[(?P<alt>[^\]\n]*)\]\([^)\n]*\))
  | (?P<link>\[(?P<ltext>[^\]\n]+)\]\((?:https?://|mailto:|/|\#)[^)\n]*\))
  | (?P<bold>\*\*(?=\S)(?P<btext>[^\n]+?)(?<=\S)\*\*|__(?=\S)(?P<utext>[^\n]+?)(?<=\S)__)
  | (?P<code>`(?P<ctext>[^`\n]+)`)
  | (?P<italic>(?<![\w*])\*(?=[^\s*])(?P<itext>[^*\n]+?)(?<=[^\s*])\*(?![\w*]))
    """,
    re.VERBOSE | re.MULTILINE | re.IGNORECASE | re.DOTALL,
)


# Characters markup can start with; line-anchored markdown is tried at line starts separately.
_MARKUP_CHAR = re.compile(r"[<&*_`!\[\u200b\u200c\u200d\u2060\ufeff\u00ad\r]")
_LINE_START = re.compile(r"\n[ \t]{0,3}[#>*_-]")


@dataclass(frozen=True, slots=True)
class PlainText:
    """Markup-free text plus a piecewise map from its characters to the original's.

    The map is a list of segments: plain text from `seg_plain[k]` on was either copied from the
    original at `seg_orig[k]` (`seg_copy[k]`), or inserted by the cleaner (a newline for a <p>, an
    entity's character) and then maps entirely to `seg_orig[k]`.
    """

    text: str
    original_length: int
    seg_plain: tuple[int, ...]
    seg_orig: tuple[int, ...]
    seg_copy: tuple[bool, ...]
    seg_orig_end: tuple[int, ...]  # for inserted segments: where the markup they replace ends
    # Plain offsets where a line that markup declared a heading (# or <h1>..<h6>) starts.
    heading_marks: frozenset[int]
    # Plain (start, end) ranges that were bold in the markup (**x**, <strong>, <b>).
    bold_ranges: tuple[tuple[int, int], ...]

    def origin(self, i: int) -> int:
        """Index in the original of plain character i (len(text) maps to len(original))."""
        if i >= len(self.text):
            return self.original_length
        k = bisect.bisect_right(self.seg_plain, i) - 1
        return self.seg_orig[k] + (i - self.seg_plain[k] if self.seg_copy[k] else 0)

    def origin_end(self, i: int) -> int:
        """Index in the original just past plain character i (past all of "&gt;" for its ">")."""
        k = bisect.bisect_right(self.seg_plain, i) - 1
        if self.seg_copy[k]:
            return self.seg_orig[k] + (i - self.seg_plain[k]) + 1
        return self.seg_orig_end[k]

    def to_original(self, start: int, end: int) -> tuple[int, int]:
        """Map a plain [start, end) span to the original string."""
        if end <= start:
            o = self.origin(start)
            return o, o
        return self.origin(start), self.origin_end(end - 1)


class _Builder:
    """Accumulates plain text and its segment map piece by piece."""

    __slots__ = (
        "bold",
        "copy_flags",
        "heads",
        "orig_ends",
        "orig_starts",
        "parts",
        "plain_starts",
        "size",
        "src",
    )

    def __init__(self, src: str) -> None:
        self.src = src
        self.parts: list[str] = []
        self.plain_starts: list[int] = []
        self.orig_starts: list[int] = []
        self.copy_flags: list[bool] = []
        self.orig_ends: list[int] = []
        self.size = 0
        self.heads: set[int] = set()
        self.bold: list[tuple[int, int]] = []

    def _segment(self, s: str, orig: int, orig_end: int, copied: bool) -> None:
        self.parts.append(s)
        self.plain_starts.append(self.size)
        self.orig_starts.append(orig)
        self.orig_ends.append(orig_end)
        self.copy_flags.append(copied)
        self.size += len(s)

    def copy(self, start: int, end: int) -> None:
        if end > start:
            self._segment(self.src[start:end], start, end, True)

    def emit(self, s: str, at: int, until: int) -> None:
        """Insert s in place of the markup original[at:until]."""
        if s:
            self._segment(s, at, until, False)


def _entity_text(entity: str) -> str:
    body = entity[1:]
    if body.startswith("#"):
        try:
            code = int(body[2:-1], 16) if body[1] in "xX" else int(body[1:-1])
            return chr(code) if 0 < code < 0x110000 else ""
        except ValueError:
            return entity
    return html.entities.html5.get(body, entity)


def _markup_candidates(original: str) -> list[int]:
    starts = [m.start() for m in _MARKUP_CHAR.finditer(original)]
    starts.extend(m.start() + 1 for m in _LINE_START.finditer(original))
    if original[:1] in ("#", ">", "*", "_", "-", " ", "\t"):
        starts.append(0)
    return sorted(set(starts))


def to_plain(original: str) -> PlainText:
    """Strip HTML and markdown, decode entities and normalise quotes/spaces, keeping an offset map."""
    b = _Builder(original)
    pos = 0
    bold_open: int | None = None
    for start in _markup_candidates(original):
        if start < pos:
            continue
        m = _MARKUP.match(original, start)
        if m is None or m.end() == m.start():
            continue
        b.copy(pos, m.start())
        pos = m.end()
        kind = m.lastgroup
        if kind == "tag":
            name = (m.group("tagname") or "").lower()
            closing = m.group("tag").startswith("</")
            if name in _BOLD_TAGS:
                if closing and bold_open is not None:
                    b.bold.append((bold_open, b.size))
                    bold_open = None
                elif not closing:
                    bold_open = b.size
            elif name == "li" and not closing:
                b.emit("\n• ", m.start(), m.end())
            elif _BLOCK_TAG_RE.fullmatch(name):
                b.emit("\n", m.start(), m.end())
                if not closing and name[0] == "h" and name[1:].isdigit():
                    b.heads.add(b.size)
            elif name in ("td", "th"):
                b.emit(" ", m.start(), m.end())
        elif kind == "entity":
            b.emit(_entity_text(m.group()), m.start(), m.end())
        elif kind == "mdhead":
            b.heads.add(b.size)
        elif kind in ("image", "link", "code", "italic"):
            group = {"image": "alt", "link": "ltext", "code": "ctext", "italic": "itext"}[kind]
            b.copy(m.start(group), m.end(group))
        elif kind == "bold":
            group = "btext" if m.group("btext") is not None else "utext"
            start_plain = b.size
            b.copy(m.start(group), m.end(group))
            b.bold.append((start_plain, b.size))
        # comment, zero-width, mdquote, mdrule: dropped
    b.copy(pos, len(original))
    if not b.parts:
        b.emit("", 0, 0)
    text = _translate("".join(b.parts))
    return PlainText(
        text,
        len(original),
        tuple(b.plain_starts) or (0,),
        tuple(b.orig_starts) or (0,),
        tuple(b.copy_flags) or (True,),
        tuple(b.orig_ends) or (0,),
        frozenset(b.heads),
        tuple(b.bold),
    )


# ---------------------------------------------------------------- words


def wordlist(words: str) -> list[str]:
    """The whitespace-separated words of a (triple-quoted) word list."""
    return words.split()


# From the first letter/digit of a whitespace token to its end: one match per token that has one.
_WORD = re.compile(r"[^\W_]\S*")
_TOKEN = re.compile(r"\S*[^\W_]\S*")


def word_count(text: str) -> int:
    """Words as a reader counts them: whitespace tokens with at least one letter or digit."""
    return len(_WORD.findall(text))


def has_word(text: str, start: int = 0, end: int | None = None) -> bool:
    """Whether text[start:end] has a word (``word_count`` > 0), without counting them all."""
    return _WORD.search(text, start, len(text) if end is None else end) is not None


def edge_words(text: str, n: int = 5) -> tuple[str, str]:
    """The first and last n whitespace tokens that contain a letter or digit (a human source marker)."""
    head = [m.group() for _, m in zip(range(n), _TOKEN.finditer(text), strict=False)]
    tail: list[str] = []
    for tok in reversed(text[-(n * 40) :].split()):
        if len(tail) == n:
            break
        if _WORD.search(tok):
            tail.append(tok)
    if len(tail) < n and len(text) > n * 40:
        tail = [m.group() for m in _TOKEN.finditer(text)][-n:][::-1]
    return " ".join(head), " ".join(reversed(tail))


def squash(text: str) -> str:
    """Collapse runs of whitespace to one space."""
    return " ".join(text.split())


# ---------------------------------------------------------------- sentences

BULLET_GLYPHS = "•·▪◦●○■□►▶➢➤✓✔❖◆◇→\u2043\u2219"
_LINE_BULLET = re.compile(
    rf"^[ \t]*(?:[{BULLET_GLYPHS}]|(?:-+>|=>|[-*+\u2013\u2014])(?=\s)|\(?(?:\d{{1,2}}|[a-zA-Z])[.)](?=\s))",
    re.MULTILINE,  # matched from each line's start (match(text, pos) anchors ^ only after a newline)
)

# Verbs that open a duty line; in ads flattened to one line they mark where the next duty starts.
_DUTY_VERBS = wordlist(
    """
    accept achieve act adapt address adhere administer advise advocate align allocate analyse
    analyze answer anticipate apply appraise approve arrange assemble assess assign assist attend
    audit authorize automate balance brief build calculate calibrate champion check clean close
    coach collaborate collect communicate compile complete comply compute conduct configure
    consolidate construct consult contribute control convert coordinate create cultivate customize
    debug define delegate deliver demonstrate deploy design detect determine develop diagnose direct
    disburse dispatch dispense distribute document draft drive edit educate enforce engage ensure
    enter establish estimate evaluate examine execute expand facilitate file fill follow forecast
    formulate foster gather generate greet guide handle help hire identify implement improve inform
    initiate inspect install instruct integrate interpret interview investigate issue keep launch
    lead liaise maintain manage market measure mentor migrate mobilise mobilize model monitor
    motivate negotiate notify obtain operate optimise optimize orchestrate organise organize oversee
    participate partner perform plan prepare present prioritize process procure produce program
    promote propose protect provide publish purchase pursue receive recommend reconcile record
    recruit reduce refine register repair report represent research resolve respond review run
    schedule screen secure select sell serve service set share source staff standardize store
    streamline submit summarize supervise support survey teach test track train translate transport
    troubleshoot undertake update upgrade use validate verify visit work write
    """
)


def _verb_forms(base: str) -> set[str]:
    forms = {base}
    if base.endswith("e"):
        forms.add(base + "s")
        forms.add(base[:-1] + "ing")
    elif base.endswith(("s", "sh", "ch", "x", "z")):
        forms.add(base + "es")
        forms.add(base + "ing")
    elif base.endswith("y") and base[-2] not in "aeiou":
        forms.add(base[:-1] + "ies")
        forms.add(base + "ing")
    else:
        forms.add(base + "s")
        forms.add(base + "ing")
    return forms


DUTY_VERBS: frozenset[str] = frozenset(f for v in _DUTY_VERBS for f in _verb_forms(v))

# Duty verbs that are also common nouns; their plural-looking forms do not start a new duty.
_NOUN_LIKE_VERBS = frozenset(
    wordlist(
        """
        program market model file record report service staff store source set share work partner
        process test survey research document plan issue interview control design schedule update
        support use screen visit review audit brief check draft estimate forecast model record
        """
    )
)
# Words after which a capitalised verb is still inside the same clause.
_CLAUSE_GLUE = frozenset(
    wordlist(
        """
        and or to the of a an for with in on by as at from our your their its his her & / - will
        shall must can may should would could who which that
        """
    )
)
# Words that open a requirement ("Knowledge", "Must") or a duty outside DUTY_VERBS ("Carry out",
# "Stay"): in ads flattened to one line, after a lower-case word they start the next item
# ("...with clients Knowledge of the local market", "...data sets Have good communication skills").
_ITEM_OPENERS = frozenset(
    wordlist(
        """
        ability able bachelor bachelors demonstrated diploma excellent experience experienced
        familiarity fluency fluent good have has knowledge master masters minimum must proficiency
        proficient proven solid stay strong understanding willing willingness carry makes
        """
    )
)
# Other words than _ITEM_OPENERS a requirement item opens with ("- Degree in Accounting",
# "- Candidate must possess").
_REQUIREMENT_WORDS = frozenset(
    wordlist(
        """
        at atleast degree certificate candidate candidates applicant applicants possess preferably
        preferred fresh graduate holder own can familiar
        """
    )
)
# Words after which an opener is inside the clause: "someone who is Proficient in Excel".
_OPENER_GLUE = frozenset(wordlist("is are be been being very also highly not"))
# Words before "Experience" that make it the noun of their clause, not the next item's opener.
_EXPERIENCE_MODIFIERS = frozenset(
    wordlist(
        """
        year years yr yrs working work relevant professional related practical proven industry field
        similar previous prior sales teaching management clinical technical hands-on above plus
        """
    )
)
_ABBREV = frozenset(
    wordlist(
        """
        e.g i.e etc mr mrs ms dr no nos inc ltd co st vs approx incl min max dept govt jr sr esp fig
        b.sc m.sc b.a m.a ph.d bsc msc ba ma tel p.o u.s u.k rs pvt pte tk
        """
    )
)
_SENT_END = re.compile(r"[.!?;](?=[\s\"')\]]*\s+[\"'(\[]?[A-Z0-9" + BULLET_GLYPHS + r"])")
_INLINE_BULLET = re.compile(rf"[{BULLET_GLYPHS}]")
_INLINE_NUMBER = re.compile(r"\d{1,2}[.)](?= +[A-Z])")
# A dash or star between spaces before a capitalised word: in ads flattened to one line, the
# list's bullets (" - Prepare monthly reports - Liaise with suppliers"). One or two are prose
# ("Communications Lead - Africa") and a scraped header joins its fields with them ("Pharmacy
# Technician - Community Pharmacy ... $26 - $32 an hour - Full-time"), so they cut only where the
# line has _MIN_INLINE_DASHES of them, _MIN_ITEM_DASHES opening a duty or a requirement; never
# after a digit ("RM 3,500 - RM 4,500") or before a day or month ("Monday - Friday").
_INLINE_DASH = re.compile(
    r"(?<=[^\W\d_]|[.,;:)!?]) +[-*\u2013\u2014](?= +([A-Z][a-z]+|[A-Z]{2,}\b|A\b|\d+\+?\s*(?:years?|yrs)\b))"
)
_MIN_INLINE_DASHES = 3
_DASH_MARKS = (" - ", " * ", " \u2013 ", " \u2014 ")
_MIN_ITEM_DASHES = 2
_NOT_AN_ITEM_AFTER_DASH = frozenset(
    wordlist(
        """
        monday tuesday wednesday thursday friday saturday sunday mon tue tues wed thu thur thurs fri
        sat sun january february march april june july august september october november
        december jan feb mar apr jun jul aug sep sept oct nov dec
        """
    )
)
# A capitalised word after a space (the only ones _cut_points looks at); the look-behind sits after
# the first letter so the engine can skip straight to capitals.
_CAP_WORD_AFTER_SPACE = re.compile(r"[A-Z](?<=. [A-Z])[a-z]+\b", re.DOTALL)


_WORD_BEFORE_DOT = re.compile(r"([\w.]+)$")
_ACRONYM_BEFORE = re.compile(r"(?<![\w-])[A-Z]{2,6}\s$")
_WORD_BEFORE_SPACE = re.compile(r"(\S+)\s+$")
_CAP_WORD_NEXT = re.compile(r"[ \t]+[A-Z]")
# After a verb that opens a clause comes its object, not a list comma, a bracket, "or" or a dash
# ("The Communications Lead - Africa").
_NO_OBJECT_NEXT = re.compile(r"\s*(?:[,;)/]|(?:or|and)\b|[-\u2013\u2014]\s)")
_PREPOSITION_NEXT = re.compile(r"[ \t]+(?:for|with|in|on|at|to|of|from)\b")


def _cut_points(text: str, start: int, end: int) -> list[int]:
    """Positions inside [start, end) where a new sentence begins (or a boundary char sits)."""
    cuts: list[int] = []
    for m in _SENT_END.finditer(text, start, end):
        i = m.start()
        if text[i] == ".":
            word = _WORD_BEFORE_DOT.search(text, max(start, i - 12), i)
            if word is not None:
                w = word.group(1).lower()
                if w in _ABBREV or (len(w) == 1 and w.isalpha()) or w.replace(".", "").isdigit():
                    continue
        cuts.append(i + 1)
    cuts.extend(m.start() for m in _INLINE_BULLET.finditer(text, start, end))
    cuts.extend(_inline_dashes(text, start, end))
    for m in _INLINE_NUMBER.finditer(text, start, end):
        i = m.start()
        if i > start and text[i - 1] == "(":
            i -= 1
        # a list number follows a word, not another number or a comma ("2 years, 3. Manage" is rare)
        if i >= 2 and text[i - 1] == " " and not (text[i - 2].isdigit() or text[i - 2] in " ,/"):
            cuts.append(i)
    for m in _CAP_WORD_AFTER_SPACE.finditer(text, start, end):
        i = m.start()
        # after a lower-case word, a bracket or an acronym ("... using ODK Excellent report writing")
        if not (
            text[i - 2].islower() or text[i - 2] == ")" or _ACRONYM_BEFORE.search(text, max(start, i - 12), i)
        ):
            continue
        verb = m.group().lower()
        if verb in _ITEM_OPENERS:
            if _opens_an_item(text, m, start, end):
                cuts.append(m.start())
            continue
        if verb not in DUTY_VERBS or (verb.endswith("s") and verb[:-1] in _NOUN_LIKE_VERBS):
            continue  # "Programs", "Reports": after a lower-case word these are nouns, not a new duty
        prev = _WORD_BEFORE_SPACE.search(text, max(start, m.start() - 40), m.start())
        if prev is None or prev.group(1).lower() in _CLAUSE_GLUE:
            continue
        if prev.group(1).lstrip("([\"'")[:1].isupper() and (
            verb == "act"  # a law's name: "the Companies Act", "Drugs and Cosmetics Act"
            or _NO_OBJECT_NEXT.match(text, m.end(), end)  # "Graphic Design, Visual Communication"
            or _CAP_WORD_NEXT.match(text, m.end(), end)
            # "refer customers to Customer Service for account opening": a name after the clause's
            # glue word, and a preposition after it where a verb would take its object
            or (_glue_before(text, prev.start(1), start) and _PREPOSITION_NEXT.match(text, m.end(), end))
            or (verb in _NOUN_LIKE_VERBS and _capitalised_before(text, prev.start(1), start))
        ):
            continue  # inside a capitalised name: "a Growth Marketing Manager to own", "Road Safety Audit"
        cuts.append(m.start())
    return cuts


def _is_place(word: str) -> bool:
    # Imported here: the gazetteer module reads this one's word lists.
    from jdlens_server.nlp.locations import is_place_name

    return word in _REGION_WORDS or is_place_name(word)


_REGION_WORDS = frozenset(
    {"East", "West", "North", "South", "Central", "Northern", "Southern", "Eastern", "Western"}
)


def _inline_dashes(text: str, start: int, end: int) -> list[int]:
    """The inline dash bullets inside [start, end): counted over the whole line, so a section cut
    out of a flattened ad sees its list as the ad does."""
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    stretch = text[start:end]
    if not any(mark in stretch for mark in _DASH_MARKS):
        return []  # most stretches have no dash between spaces at all
    line = text[line_start : len(text) if line_end < 0 else line_end]
    return [line_start + d for d in _line_dashes(line) if start <= line_start + d < end]


@functools.lru_cache(maxsize=256)
def _line_dashes(line: str) -> tuple[int, ...]:
    """The inline dash bullets of one line (offsets in it); a flattened ad's one line is asked
    about once per region the readers cut from it."""
    dashes: list[int] = []
    items = 0
    for m in _INLINE_DASH.finditer(line):
        word = m.group(1).lower()
        opens_item = word in DUTY_VERBS or word in _ITEM_OPENERS or word in _REQUIREMENT_WORDS
        # "Regional Director - East Africa": a place after a dash is the title's, not an item
        # ("Manage" is a Belgian town, but a duty first).
        if word not in _NOT_AN_ITEM_AFTER_DASH and (opens_item or not _is_place(m.group(1))):
            dashes.append(m.end() - 1)
            items += opens_item
    if len(dashes) < _MIN_INLINE_DASHES or items < _MIN_ITEM_DASHES:
        return ()
    return tuple(dashes)


def _opens_an_item(text: str, m: re.Match[str], start: int, end: int) -> bool:
    """Whether the requirement opener ``m`` (a capitalised _ITEM_OPENERS word) starts the next item
    of a run-on line, rather than sitting inside the clause before it."""
    prev = _WORD_BEFORE_SPACE.search(text, max(start, m.start() - 40), m.start())
    if prev is None or prev.group(1).lower() in _CLAUSE_GLUE or prev.group(1).lower() in _OPENER_GLUE:
        return False
    if prev.group(1).istitle() or _CAP_WORD_NEXT.match(text, m.end(), end):
        # a capitalised run is a name or a title-case line: "Good Knowledge of", "Must Be Able";
        # after an acronym the item ends ("... Python and SQL Knowledge of Hadoop")
        return False
    # "2 years working Experience, preferably ...": the noun of the clause before
    return not (
        m.group().lower().startswith("experience")
        and (
            prev.group(1).lower().strip(",.") in _EXPERIENCE_MODIFIERS
            or not _PREPOSITION_NEXT.match(text, m.end(), end)
        )
    )


def clause_starts(text: str, start: int, end: int) -> set[int]:
    """The cuts ``sentence_spans`` makes inside text[start:end]: after sentence punctuation, at
    inline bullets (glyphs, and dashes where the line has a list of them) and list numbers, and,
    in run-on text, before a capitalised duty verb or requirement opener after a lower-case word.
    A caller that splits at punctuation and line breaks itself uses them for the run-on cuts."""
    return set(_cut_points(text, start, end))


def _glue_before(text: str, word_start: int, floor: int) -> bool:
    """The word before ``word_start`` is a clause's glue ("to", "the", "with"): the capitalised
    word and the next open a name inside the clause, not a new one."""
    before = _WORD_BEFORE_SPACE.search(text, max(floor, word_start - 40), word_start)
    return before is not None and before.group(1).lower() in _CLAUSE_GLUE


def _capitalised_before(text: str, word_start: int, floor: int) -> bool:
    """The word before ``word_start`` is capitalised too: a run of two or more ("Road Safety")."""
    before = _WORD_BEFORE_SPACE.search(text, max(floor, word_start - 40), word_start)
    return before is not None and before.group(1)[:1].isupper()


def sentence_spans(
    text: str, start: int = 0, end: int | None = None, cuts: Sequence[int] = ()
) -> list[tuple[int, int]]:
    """Sentence (or bullet item) spans within text[start:end], trimmed of space and bullet marks.

    Splits at line breaks, bullet glyphs, inline dash bullets, inline list numbers, sentence
    punctuation followed by a capital, and, for ads flattened to one line, before a capitalised
    duty verb that follows a lower-case word ("...travel arrangements Prepare and edit..."); also
    at the given extra cuts.
    """
    stop = len(text) if end is None else end
    spans: list[tuple[int, int]] = []
    line_start = start
    while line_start < stop:
        nl = text.find("\n", line_start, stop)
        line_end = stop if nl < 0 else nl
        bullet = _LINE_BULLET.match(text, line_start, line_end)
        body_start = bullet.end() if bullet else line_start
        inner = [c for c in cuts if body_start < c < line_end] if cuts else []
        points = _cut_points(text, body_start, line_end) + inner
        if not points:  # one sentence on the line (the common case)
            span = _trim(text, body_start, line_end)
            if span is not None:
                spans.append(span)
        else:
            for a, z in itertools.pairwise([body_start, *sorted(set(points)), line_end]):
                span = _trim(text, a, z)
                if span is not None:
                    spans.append(span)
        line_start = line_end + 1
    return spans


_TRIM_CHARS = " \t\n" + BULLET_GLYPHS + "-\u2013\u2014*+:,"


_ITEM_NUMBER = re.compile(r"\(?(?:\d{1,2}|[a-z])[.)]\s+")


_ALNUM = re.compile(r"[^\W_]")  # what str.isalnum accepts


def _trim(text: str, a: int, z: int) -> tuple[int, int] | None:
    while a < z and text[a] in _TRIM_CHARS:
        a += 1
    m = _ITEM_NUMBER.match(text, a, z)
    if m is not None:
        a = m.end()
    while z > a and text[z - 1] in " \t\n,;:" + BULLET_GLYPHS:
        z -= 1
    if z <= a or _ALNUM.search(text, a, z) is None:
        return None
    return a, z


def is_line_bullet(line: str) -> bool:
    return _LINE_BULLET.match(line) is not None
