"""Skill phrase proposals without a POS tagger: the spans of a text that read as skills.

A dictionary only finds what the library already names. Job ads also state skills in open
phrases, and those phrases follow a few very regular English patterns, which this module reads:

- OBJECT: a noun phrase after a knowledge cue ("experience with X", "knowledge of X",
  "proficiency in X", "background in X"), split into its list items ("X, Y and Z");
- ACTION: a verb phrase after an ability cue ("ability to X", "you will X", "responsible for
  Xing", "capable of Xing") or opening a duty line ("Develop and apply X"), split where a new
  verb starts ("to X to Y", "X and Ying");
- SKILL_NOUN: a noun phrase headed by a skill noun ("communication skills", "strategic mindset",
  "commercial understanding");
- TRAIT: a personal quality ("motivated", "structured", "team player");
- TOOL: a tool-shaped name (CamelCase, ALLCAPS, dotted, with digits or + / #), with its version.

``chunks`` also gives uncued noun chunks and verb windows, for semantic matching (skill linking)
rather than as spans.

Verbs are recognised with the library's own lexicon (words that open skill labels, see
``SkillMatcher.lead_verbs``) plus the -ing form test; everything else is a small closed list of
English function words and cue phrases. Offsets index the original text.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from jdlens_server.nlp.locations import is_place_name, is_region_code
from jdlens_server.nlp.skill_matcher import Token, is_numberish, is_tool_like, sentence_ids, tokenize
from jdlens_server.nlp.stemming import fold_token

__all__ = ["PhraseCandidate", "PhraseKind", "PhraseProposer", "speaks_of_employer"]


class PhraseKind(StrEnum):
    OBJECT = "object"
    ACTION = "action"
    SKILL_NOUN = "skill_noun"
    TRAIT = "trait"
    TOOL = "tool"


@dataclass(frozen=True, slots=True)
class PhraseCandidate:
    start: int
    end: int
    text: str
    kind: PhraseKind
    cue: str  # the cue that introduced the phrase ("experience with"); "" when none


def _words(words: str) -> frozenset[str]:
    return frozenset(words.split())


def _keys(words: str) -> frozenset[str]:
    return frozenset(fold_token(w) for w in words.split())


def _cues(phrases: Iterable[str]) -> dict[str, list[tuple[str, ...]]]:
    """Cue phrases indexed by their first folded word, longest first."""
    out: dict[str, list[tuple[str, ...]]] = {}
    for phrase in phrases:
        keys = tuple(t.key for t in tokenize(phrase))
        out.setdefault(keys[0], []).append(keys)
    for seqs in out.values():
        seqs.sort(key=len, reverse=True)
    return out


_OBJECT_CUES = _cues(
    """experience with|experience in|experience of|experience using|experience within|experience from
    experienced in|experienced with|knowledge of|knowledge in|knowledge about|knowledge within
    understanding of|understanding in|familiarity with|familiar with|proficiency in|proficiency with
    proficient in|proficient with|expertise in|expertise with|expertise within|expert in|skills in
    skilled in|background in|background within|competence in|competences in|competencies in
    degree in|fluent in|fluency in|command of|exposure to|grasp of|mastery of|insight into
    insights into|sense for|sense of|focus on|emphasis on|interest in|passion for|such as|including
    knowledge and experience of|knowledge and experience in|knowledge and experience with
    experience and knowledge of|worked with|work with|working with|working knowledge of
    hands-on experience with|hands-on experience in|specialisation in
    specialization in|specialist in|qualification in|qualifications in|training in|certified in
    certification in|proven track record in|track record in|excel in|excel at|good at|strong in
    have a|have an|hold a|hold an|possess a|possess an""".replace("\n", "|").split("|")
)
_ACTION_CUES = _cues(
    """ability to|abilities to|able to|capable of|capability to|how to|want to|wants to|desire to
    drive to|willingness to|willing to|eager to|expected to|opportunity to|chance to|responsible for
    responsibility for|in charge of|you will|you'll|you will be|we expect you to|enable you to
    in order to|aim to|strive to|passionate about|will help|help us|helps us|you help|you can
    committed to|dedicated to|keen to|ready to|love to|like to|motivated to|required to|needs to
    need to|must be able to|should be able to|tasks include|duties include|you are able to
    capacity to|skills to|experience to|knowledge to""".replace("\n", "|").split("|")
)

# The words that open a cue of either kind.
_CUE_FIRST_WORDS = frozenset(_OBJECT_CUES) | frozenset(_ACTION_CUES)

# Object cues that also list what the employer offers or does ("such as", "we work with").
_WEAK_OBJECT_CUES = frozenset(
    seq
    for phrase in """such as|including|have a|have an|hold a|hold an|possess a|possess an|work with
    working with|worked with|focus on|emphasis on|interest in|sense for|sense of""".replace("\n", "|").split(
        "|"
    )
    for seq in [tuple(t.key for t in tokenize(phrase))]
)

# Words a phrase does not begin with (determiners, evaluations, quantities): stripped.
_LEAD_STRIP = _keys(
    """a an the your our their his her its this that these those some any all various several many
    multiple other strong solid good great excellent outstanding exceptional proven extensive deep
    thorough demonstrated demonstrable relevant practical professional basic sound broad in depth
    previous prior first hand very highly expert fundamental general significant considerable
    substantial minimum least at years year of plus more than over + ~ necessary desired preferred
    proper appropriate sufficient full comprehensive specific particular certain own real actual
    also both either further additional genuine well keen clear superior profound deeper wide
    wider"""
)
# Evaluations that open a new requirement ("and excellent ...", "or strong ...").
_EVALUATIVE = _keys(
    """strong solid good great excellent outstanding exceptional proven extensive deep thorough
    demonstrated demonstrable relevant practical professional sound fluent"""
)
# Words that end a noun phrase (not part of it).
_OBJECT_STOP = _keys(
    """to for is are was were be been being as that which who whom whose where when while would
    will should must can could may might shall preferred preferably required desired desirable
    plus advantage asset bonus merit including include includes such like e.g i.e eg ie etc within
    across at from through by on in into with without using via you we our your their its it this
    these those both either also years year experience knowledge background expertise
    understanding skills skill is an a the not if than then so but because about around during
    per toward towards under over between before after since until whether nice have has had do
    does did get gets make makes ideally especially particularly strongly highly beneficial
    considered welcome appreciated added benefit"""
)
# Words that end a verb phrase.
_ACTION_STOP = _keys(
    """that which who whom whose while whilst whereas because but when where if so thus thereby
    e.g i.e eg ie etc including such whether although though unless until since you we they
    your our their is are was were would will should must can could may might shall"""
)
_LIST_SPLIT = _keys("and or and/or &")
_SKILL_HEADS = _keys(
    """skills skill mindset attitude understanding thinking abilities capabilities competencies
    competences flair acumen awareness orientation sense instinct approach insight insights
    spirit"""
)
# A head word alone ("skills") is no skill; these modifiers alone do not make one either.
_SKILL_HEAD_EMPTY = _keys(
    """good great strong excellent solid outstanding proven the your our their his her its these
    those some all other any relevant necessary required following own basic technical soft hard
    personal key core professional interpersonal similar new additional many various"""
)
_TRAITS = _words(
    """
    motivated driven result-driven results-driven result-oriented results-oriented goal-oriented
    detail-oriented solution-oriented customer-oriented service-minded structured organized
    organised independent proactive curious enthusiastic creative innovative analytical flexible
    adaptable reliable dependable committed dedicated ambitious open-minded outgoing extrovert
    extroverted hands-on pragmatic thorough accurate diligent persistent resilient positive
    energetic autonomous sharp smart qualified collaborative communicative empathetic humble honest
    trustworthy confident responsible meticulous systematic versatile resourceful determined
    passionate inquisitive entrepreneurial visionary decisive persuasive articulate approachable
    sociable punctual conscientious disciplined focused engaged eager perseverant tenacious"""
)
_TRAIT_PAIRS = frozenset(
    {
        ("team", "player"),
        ("self", "starter"),
        ("team", "worker"),
        ("fast", "learner"),
        ("quick", "learner"),
        ("problem", "solver"),
        ("team", "players"),
        ("hands", "on"),
    }
)
_TRAIT_PAIR_FIRSTS = frozenset(first for first, _ in _TRAIT_PAIRS)
# Words after a trait that make it a cue or a complement ("passionate about", "responsible for").
_TRAIT_COMPLEMENTS = _words(
    """
    about for to of in on with by at"""
)
# Nouns a trait adjective may describe and still be a trait ("a motivated person").
_PERSON_NOUNS = _words(
    """
    person people individual individuals candidate candidates colleague colleagues professional
    professionals player personality manner way approach attitude mindset worker learner"""
)
_GROUP_NOUNS = _words(
    """
    team teams company companies culture workplace environment organisation organization group
    groups department startup start-up business firm employer atmosphere place community"""
)
# Second halves of hyphenated traits that are no trait alone ("oriented", "minded").
_HYPHEN_ONLY = _words("oriented minded")
_FIRST_PERSON = _words(
    """
    we we're we've our us"""
)
_SECOND_PERSON = _words(
    """
    you you're you'll your yourself"""
)
# Organisations an NGO posting names beside its skills ("NGOs, UNICEF and USAID funded projects").
ORGANISATION_ACRONYMS = _keys("ngo ngos ingo ingos un unicef unhcr undp wfp usaid fcdo dfid giz echo")
# Documents and credentials postings list among requirements, no skills: India's reservation
# categories, the Philippines' government ID documents, medical, teaching and vocational degrees.
DOCUMENTS_AND_CREDENTIALS = _keys(
    "sc st obc pwd ews sss philhealth pag ibig nbi tin mbbs mbchb pgce pgcert nitec iti nvq"
)
# Statutory schemes a posting's benefits or payroll duties name (Malaysia's EPF, SOCSO, EIS and
# HRDF, Singapore's CPF, Kenya's NSSF and NHIF, South Africa's UIF): entitlements, not skills.
STATUTORY_SCHEMES = _keys("epf cpf socso eis hrdf fomema kwsp nssf nhif uif")
# Acronyms and capitalised words that are not skills.
_NOT_TOOLS = (
    _keys(
        """cv cvs phd msc bsc ba ma mba hq ceo cto cfo coo cio vp svp evp usa us uk eu nyc la sf nl
    de dk se no fi fr etc faq am pm ok id tbd asap fte n/a na eg ie hr pr ps nb aka vs i ii iii
    iv jr sr ltd inc llc gmbh plc co corp dr mr mrs ms prof ph.d m.sc b.sc covid covid-19 ad
    ads q1 q2 q3 q4 h1 h2 kpi kpis okr okrs roi b2b b2c saas ai ml it
    ctc lpa rrsp tfsa pto ote eap hsa fsa esop espp rsu rsus llp pty pvt cbd gta midc ncr
    uae ksa apac emea latam anz mena spm stpm ssce wassce waec kcse gcse gcses ond hnd nysc
    redacted job description requirements responsibilities qualifications benefits summary duties
    overview"""
    )
    | DOCUMENTS_AND_CREDENTIALS
    | ORGANISATION_ACRONYMS
    | STATUTORY_SCHEMES
)
_BULLETS = frozenset(
    "*\u2022\u25cf\u25aa\u2023\u2043\u27a2\u2794\u2192\u00b7-\u2013\u2014>\u25e6\u2219\u25ba\u2713\u2714\u261e\u2332"
)
_BARRIERS = frozenset('.;:!?()[]{}"|') | _BULLETS
_LIST_PUNCT = frozenset({",", "/"})
_MAX_OBJECT = 8
_MAX_ACTION = 12
_MAX_SKILL_NOUN_MODIFIERS = 4
_MAX_CHUNK = 5
# A duty line has a few words; "Brief Description" is a heading.
_MIN_DUTY_WORDS = 3


def _is_content(tok: Token) -> bool:
    return tok.is_word


def _placeholder(toks: Sequence[Token], i: int) -> bool:
    """A redaction placeholder such as <ORGANIZATION> (the tokens <, ORGANIZATION, >)."""
    return 0 < i < len(toks) - 1 and toks[i - 1].text == "<" and toks[i + 1].text == ">"


class PhraseProposer:
    """Proposes skill phrases in text; build once per library (it keeps the verb lexicon)."""

    def __init__(self, lead_verbs: frozenset[str]) -> None:
        self._verbs = lead_verbs

    def is_verb(self, tok: Token) -> bool:
        """Verb-like: in the library's lead-verb lexicon (folded), or an -ing form of a word."""
        if not tok.is_word or not tok.text.isalpha():
            return False
        if tok.key in self._verbs:
            return True
        low = tok.text.lower()
        return low.endswith("ing") and len(low) > 5 and low not in _NOT_VERBS_ING

    def is_modifier(self, tok: Token) -> bool:
        """A word that can stand before a noun in a compound ("cancer" in "cancer biology"):
        a content word that is not a verb, an evaluation, a determiner or a function word."""
        if not tok.is_word or not tok.text.replace("-", "").isalnum() or len(tok.text) < 2:
            return False
        key = tok.key
        if key in _OBJECT_STOP or key in _LEAD_STRIP or key in _ACTION_STOP or key in _TRAILING_OBJECT:
            return False
        if key in _NOT_SKILL_VERBS or key in _LIST_SPLIT or key in _PRONOUN_KEYS:
            return False
        return not self.is_verb(tok) and not tok.text.lower().endswith(("ing", "ed", "ly"))

    def chunks(self, text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
        """Uncued chunks, for semantic matching: noun chunks (runs of modifier/noun words) and
        verb windows (a verb and the words after it, up to a clause boundary)."""
        tokens = tokenize(text, start, end)
        out: list[tuple[int, int]] = []
        run: list[Token] = []
        for tok in [*tokens, None]:
            if tok is not None and (self.is_modifier(tok) or (tok.is_word and is_tool_like(tok.text))):
                run.append(tok)
                continue
            for a in range(0, len(run), _MAX_CHUNK):
                part = run[a : a + _MAX_CHUNK]
                out.append((part[0].start, part[-1].end))
            run = []
        n = len(tokens)
        for i, tok in enumerate(tokens):
            if not self.is_verb(tok) or tok.key in _NOT_SKILL_VERBS:
                continue
            j = i + 1
            while j < n and j - i <= _MAX_CHUNK and tokens[j].is_word and tokens[j].key not in _ACTION_STOP:
                if tokens[j].key in _LIST_SPLIT and j + 1 < n and self.is_verb(tokens[j + 1]):
                    break
                j += 1
            a, b = self._strip_action(tokens, i, j)
            if b - a >= 2:
                out.append((tokens[a].start, tokens[b - 1].end))
        return sorted(set(out))

    def propose(
        self, text: str, start: int = 0, end: int | None = None, *, tokens: Sequence[Token] | None = None
    ) -> list[PhraseCandidate]:
        """Phrases in ``text[start:end]``; ``tokens``: its ``tokenize(text, start, end)``, when the
        caller has them already."""
        if tokens is None:
            tokens = tokenize(text, start, end)
        if not tokens:
            return []
        sentences = sentence_ids(text, tokens)
        out: list[PhraseCandidate] = []
        bounds: list[tuple[int, int]] = []
        first = 0
        n = len(tokens)
        for i in range(1, n + 1):
            if i == n or sentences[i] != sentences[first]:
                bounds.append((first, i))
                first = i
        for a, b in bounds:
            out.extend(self._sentence(text, tokens[a:b]))
        # One candidate per span: the first kind found wins (cue-based kinds come first).
        seen: set[tuple[int, int]] = set()
        unique: list[PhraseCandidate] = []
        for c in out:
            if (c.start, c.end) not in seen and not _a_count(c):
                seen.add((c.start, c.end))
                unique.append(c)
        unique.sort(key=lambda c: (c.start, c.end))
        return unique

    # ---- one sentence ---------------------------------------------------------------------

    def _sentence(self, text: str, toks: Sequence[Token]) -> list[PhraseCandidate]:
        out: list[PhraseCandidate] = []
        if is_equal_opportunity(toks):
            return out
        keys = [t.key for t in toks]
        n = len(toks)
        # A duty line opens with a capitalised verb, at the start or after a colon
        # ("Main tasks: Coordinate changes in external prices").
        openers = [0] + [k + 1 for k, t in enumerate(toks) if t.text == ":"]
        for first in openers:
            i = first
            while i < n and not toks[i].is_word:
                i += 1
            if (
                i < n
                and toks[i].text[:1].isupper()
                and self.is_verb(toks[i])
                and toks[i].key not in _NOT_SKILL_VERBS
                and sum(1 for t in toks[i:] if t.is_word) >= _MIN_DUTY_WORDS
            ):
                out.extend(self._actions(text, toks, i, ""))
        about_us = speaks_of_employer(toks)
        i = 0
        while i < n:
            if keys[i] not in _CUE_FIRST_WORDS:  # most words open no cue
                i += 1
                continue
            cue = self._match_cue(keys, i, _ACTION_CUES)
            if cue:
                j = i + len(cue)
                if not about_us:
                    out.extend(self._actions(text, toks, j, " ".join(t.text for t in toks[i:j])))
                i = j
                continue
            cue = self._match_cue(keys, i, _OBJECT_CUES)
            if cue:
                j = i + len(cue)
                # "We offer ... such as X", "we have an inclusive culture": lists about the employer.
                if not (about_us and cue in _WEAK_OBJECT_CUES):
                    out.extend(self._objects(text, toks, j, " ".join(t.text for t in toks[i:j])))
                i = j
                continue
            i += 1
        out.extend(self._skill_nouns(text, toks))
        if not about_us:  # "We are a passionate team": the qualities of the employer
            out.extend(self._traits(text, toks))
        out.extend(self._tools(text, toks))
        return out

    @staticmethod
    def _match_cue(keys: Sequence[str], i: int, cues: dict[str, list[tuple[str, ...]]]) -> tuple[str, ...]:
        for seq in cues.get(keys[i], ()):
            if tuple(keys[i : i + len(seq)]) == seq:
                return seq
        return ()

    @staticmethod
    def _span(
        text: str, toks: Sequence[Token], a: int, b: int, kind: PhraseKind, cue: str
    ) -> PhraseCandidate:
        start, end = toks[a].start, toks[b - 1].end
        return PhraseCandidate(start, end, text[start:end], kind, cue)

    @staticmethod
    def _strip(toks: Sequence[Token], a: int, b: int) -> tuple[int, int]:
        while a < b:
            if not toks[a].is_word or toks[a].key in _LEAD_STRIP or toks[a].text.isdigit():
                a += 1
            elif a + 1 < b and toks[a].key in _QUANTIFIER_NOUNS and toks[a + 1].key == "of":
                a += 2  # "area of X", "a variety of X"
            else:
                break
        while b > a and (not toks[b - 1].is_word or toks[b - 1].key in _TRAILING_OBJECT):
            b -= 1
        return a, b

    def _objects(self, text: str, toks: Sequence[Token], j: int, cue: str) -> list[PhraseCandidate]:
        """Noun phrases from j up to a boundary, one per list item."""
        n = len(toks)
        a, _ = self._strip(toks, j, n)
        if a < n and self.is_verb(toks[a]) and toks[a].text.lower().endswith("ing"):
            return self._actions(text, toks, a, cue)  # "experience in developing X"
        out: list[PhraseCandidate] = []
        item_start = j
        k = j
        while k <= n:
            tok = toks[k] if k < n else None
            joiner = _as_well_as(toks, k)
            split = tok is None or tok.text in _LIST_PUNCT or tok.key in _LIST_SPLIT or joiner > 0
            stop = (
                joiner == 0
                and tok is not None
                and (
                    tok.text in _BARRIERS
                    or (tok.key in _OBJECT_STOP and k > item_start)
                    or (k - item_start >= _MAX_OBJECT)
                )
            )
            if split or stop:
                a, b = self._strip(toks, item_start, k)
                if b > a and any(
                    _is_content(t) and t.key not in _OBJECT_STOP and t.key not in _EMPTY_OBJECT
                    for t in toks[a:b]
                ):
                    out.append(self._span(text, toks, a, b, PhraseKind.OBJECT, cue))
                if stop or tok is None:
                    break
                item_start = k + max(1, joiner)
                k = item_start
                continue
            k += 1
        return out

    def _actions(self, text: str, toks: Sequence[Token], j: int, cue: str) -> list[PhraseCandidate]:
        """Verb phrases from j up to a boundary, split where a new verb starts after "to"/"and"."""
        n = len(toks)
        keys = [t.key for t in toks]
        # Skip auxiliaries and adverbs between the cue and the verb ("you will also be able to").
        passive = False
        while j < n and toks[j].key in _AUX:
            passive = passive or toks[j].key == "be"
            j += 1
        if passive and j < n and toks[j].text.lower().endswith("ed"):
            return []  # "you will be located in ...", "will be appointed ...": said of the job
        if j < n and toks[j].key in _POSSESSION_VERBS:
            # "have experience with X", "bring knowledge of Y": the object cue follows.
            j += 1
            while j < n and toks[j].key in _LEAD_STRIP:
                j += 1
            chained = self._match_cue(keys, j, _OBJECT_CUES) if j < n else ()
            return self._objects(text, toks, j + len(chained), cue) if chained else []
        if j < n and toks[j].key in _NOT_SKILL_VERBS:
            return []
        if j < n:
            chained = self._match_cue(keys, j, _ACTION_CUES)
            if chained:
                return self._actions(text, toks, j + len(chained), cue)
            chained = self._match_cue(keys, j, _OBJECT_CUES)
            if chained:
                return self._objects(text, toks, j + len(chained), cue)
        if j >= n or not toks[j].is_word or toks[j].key in _LEAD_STRIP or toks[j].key in _ACTION_STOP:
            return []
        out: list[PhraseCandidate] = []
        start = j
        k = j + 1
        preps = 0
        while k <= n:
            tok = toks[k] if k < n else None
            nxt = toks[k + 1] if k + 1 < n else None
            if tok is not None and tok.key in _ACTION_PREPS and k > start + 1:
                preps += 1
            new_verb = (
                tok is not None
                and nxt is not None
                and tok.key in ("to", "and", "or")
                and self.is_verb(nxt)
                and k - start >= 2
            )
            stop = (
                tok is None
                # "... and excellent communication skills": the next item of a requirement list.
                or (tok.key in _LIST_SPLIT and nxt is not None and nxt.key in _EVALUATIVE)
                or tok.text in _BARRIERS
                or tok.text == ","
                or tok.key in _ACTION_STOP
                or (tok.key in _ACTION_ADJUNCTS and k > start + 1)
                # A verb phrase takes one prepositional phrase ("work closely with other teams");
                # a second one is an adjunct ("... in the SPA programme").
                or (preps > _MAX_ACTION_PREPS and not new_verb_after(toks, k, self))
                or self._match_cue(keys, k, _ACTION_CUES) != ()
                or k - start >= _MAX_ACTION
            )
            if new_verb or stop:
                a, b = self._strip_action(toks, start, k)
                # One word ("lead", "handle") is a verb, not yet a skill.
                if b - a >= 2 and any(_is_content(t) for t in toks[a:b]):
                    out.append(self._span(text, toks, a, b, PhraseKind.ACTION, cue))
                if new_verb:
                    start = k + 1
                    k += 2
                    continue
                break
            k += 1
        return out

    @staticmethod
    def _strip_action(toks: Sequence[Token], a: int, b: int) -> tuple[int, int]:
        while b > a and (not toks[b - 1].is_word or toks[b - 1].key in _TRAILING_ACTION):
            b -= 1
        return a, b

    def _skill_nouns(self, text: str, toks: Sequence[Token]) -> list[PhraseCandidate]:
        out: list[PhraseCandidate] = []
        # Most words can be no head: pass over them in one comprehension.
        heads = [h for h, t in enumerate(toks) if t.key in _SKILL_HEADS or t.key == "set"]
        for h in heads:
            tok = toks[h]
            # "mind-set" comes apart in tokens: its head is "set" after a hyphen-joined "mind".
            mind_set = (
                tok.key == "set" and h > 0 and toks[h - 1].key == "mind" and toks[h - 1].end + 1 == tok.start
            )
            if tok.key not in _SKILL_HEADS and not mind_set:
                continue
            # "skills in X" / "understanding of X" are cues, not heads.
            if h + 1 < len(toks) and toks[h + 1].key in ("in", "of", "to", "with", "for", "within"):
                continue
            a = h
            modifiers = 0
            while a > 0 and modifiers < _MAX_SKILL_NOUN_MODIFIERS:
                prev = toks[a - 1]
                if prev.key in _LIST_SPLIT or prev.text in _LIST_PUNCT:
                    # Coordinated modifiers ("written, oral and presentation skills").
                    if (
                        a - 2 >= 0
                        and _is_content(toks[a - 2])
                        and toks[a - 2].key not in _SKILL_HEAD_EMPTY | _OBJECT_STOP
                    ):
                        a -= 1
                        continue
                    break
                if not _is_content(prev) or prev.key in _SKILL_HEAD_EMPTY or prev.key in _OBJECT_STOP:
                    break
                if prev.key in _LEAD_STRIP:
                    break
                a -= 1
                modifiers += 1
            while (a < h and not _is_content(toks[a])) or (a < h and toks[a].key in _LIST_SPLIT):
                a += 1
            if modifiers and a < h:
                out.append(self._span(text, toks, a, h + 1, PhraseKind.SKILL_NOUN, ""))
        return out

    def _traits(self, text: str, toks: Sequence[Token]) -> list[PhraseCandidate]:
        """Personal qualities said of the candidate (the caller skips sentences about the employer)."""
        out: list[PhraseCandidate] = []
        n = len(toks)
        lows = [t.text.lower() for t in toks]
        # Only a trait word or the first word of a trait pair can open a trait.
        openers = [i for i, w in enumerate(lows) if w in _TRAITS or w in _TRAIT_PAIR_FIRSTS]
        for i in openers:
            tok = toks[i]
            if i + 1 < n and (lows[i], lows[i + 1]) in _TRAIT_PAIRS:
                out.append(self._span(text, toks, i, i + 2, PhraseKind.TRAIT, ""))
                continue
            # Surface forms, not folded keys: "focused" is a trait, "focus" is not.
            if lows[i] not in _TRAITS or (not tok.text[:1].islower() and i > 0 and toks[i - 1].is_word):
                continue
            a = i
            # Hyphenated traits come apart in tokens ("self-motivated", "detail-oriented").
            if i > 0 and toks[i - 1].is_word and text[toks[i - 1].end : tok.start] == "-":
                a = i - 1
            elif lows[i] in _HYPHEN_ONLY:
                continue
            nxt = lows[i + 1] if i + 1 < n else ""
            if nxt in _TRAIT_COMPLEMENTS:
                continue  # "passionate about X", "committed to Y": a cue, not the quality itself
            # "a passionate and international team" (but "motivated and a team player").
            if any(
                lows[j] in _GROUP_NOUNS and (j + 1 >= n or lows[j + 1] not in _PERSON_NOUNS)
                for j in range(i + 1, min(n, i + 4))
            ):
                continue
            # A trait stands alone or before a person noun; before other nouns it is a modifier
            # ("structured data").
            alone = not nxt or not _is_content(toks[i + 1]) or nxt in _LIST_SPLIT
            if alone or nxt in _PERSON_NOUNS or toks[i + 1].key in _OBJECT_STOP:
                out.append(self._span(text, toks, a, i + 1, PhraseKind.TRAIT, ""))
        return out

    def _tools(self, text: str, toks: Sequence[Token]) -> list[PhraseCandidate]:
        # Most sentences hold no tool-shaped word: look for one before anything else.
        shaped = [i for i, t in enumerate(toks) if t.is_word and is_tool_like(t.text)]
        if not shaped:
            return []
        words = [t for t in toks if t.is_word]
        # A line in capitals is a heading, not a list of acronyms.
        shouting = sum(1 for t in words if t.text.isupper()) >= max(2, 0.6 * len(words))
        out: list[PhraseCandidate] = []
        n = len(toks)
        for i in shaped:
            tok = toks[i]
            if _placeholder(toks, i) or tok.key in _NOT_TOOLS or (shouting and tok.text.isupper()):
                continue
            if tok.text.isdigit() or (tok.text.replace(".", "").isdigit()):
                continue
            if _short_caps(tok) and is_region_code(tok.text) and _in_place_list(toks, i):
                continue  # "Kansas City, MO", "MO, KS, NE, IA": states, not skills
            if i > 1 and toks[i - 1].text == "/" and _short_caps(toks[i - 2]) and _short_caps(tok):
                continue  # the second half of "CI/CD", already taken with the first
            b = i + 1
            # Pairs of short acronyms are one name ("CI/CD", "UI/UX").
            if (
                b + 1 < n
                and toks[b].text == "/"
                and _short_caps(tok)
                and _short_caps(toks[b + 1])
                and toks[b].start == tok.end
                and toks[b + 1].start == toks[b].end
            ):
                b += 2
            if b < n and _is_version(toks[b].text):
                b += 1
            out.append(self._span(text, toks, i, b, PhraseKind.TOOL, ""))
            # "HubSpot/Marketo", "Marketo/HubSpot": a capitalised word slashed to a tool is one too.
            for k in _slash_partners(toks, i, b):
                out.append(self._span(text, toks, k, k + 1, PhraseKind.TOOL, ""))
        return out


def _a_count(c: PhraseCandidate) -> bool:
    """A phrase that is a number or ends in one ("including 2+ years", "in the last 3 years"): a
    count or a time, no skill. A tool keeps its version ("Llama 3")."""
    words = c.text.split()
    if c.kind is PhraseKind.TOOL:
        return False
    return not words or is_numberish(words[-1]) or not any(ch.isalpha() for ch in c.text)


_AS_WELL_AS = (fold_token("as"), fold_token("well"), fold_token("as"))


def _as_well_as(toks: Sequence[Token], k: int) -> int:
    """3 when "as well as" starts at k (a list joiner, like "and"), else 0."""
    return 3 if tuple(t.key for t in toks[k : k + 3]) == _AS_WELL_AS else 0


# An equal-opportunity statement's list of protected attributes ("race religion color national
# origin gender sexual orientation") asks for nothing.
_EEO_PROTECTED = _words("race religion color colour gender sex age disability ethnicity veteran")
# The phrases that introduce a statement's attributes ("on a monthly basis, by age and gender" is
# a duty's breakdown, not one).
_EEO_PHRASES = ("regardless of", "without regard to", "irrespective of", "on the basis of", "protected")


def is_equal_opportunity(sentence: Sequence[Token]) -> bool:
    """A sentence of an equal-opportunity statement: "regardless of" / "without regard to" /
    "on the basis of" / "protected" with two protected attributes, or with one and discrimination
    ("Investigate discrimination complaints", an HR duty, is none)."""
    words = {t.text.lower() for t in sentence if t.is_word}
    protected = len(words & _EEO_PROTECTED)
    if not protected:
        return False
    text = " ".join(t.text.lower() for t in sentence if t.is_word)
    if not any(phrase in text for phrase in _EEO_PHRASES):
        return False
    return protected >= 2 or any(w.startswith("discriminat") for w in words)


def speaks_of_employer(sentence: Sequence[Token]) -> bool:
    """A sentence in the first person plural that never addresses the reader ("We offer ...",
    "Our team uses ..."): it describes the employer, not what the candidate must bring."""
    # Symbols are in neither word set: no need to leave them out.
    words = {t.text.lower() for t in sentence}
    return not words.isdisjoint(_FIRST_PERSON) and words.isdisjoint(_SECOND_PERSON)


def _slash_partners(toks: Sequence[Token], first: int, end: int) -> list[int]:
    """Indexes of capitalised words joined by a bare slash to the tool at toks[first:end] that
    are not tool-shaped themselves (those are proposed on their own)."""
    partners = []
    for slash, word in ((end, end + 1), (first - 1, first - 2)):
        if not (0 <= word < len(toks) and 0 <= slash < len(toks)) or toks[slash].text != "/":
            continue
        left, right = (toks[end - 1], toks[word]) if word > first else (toks[word], toks[first])
        joined = toks[slash].start == left.end and right.start == toks[slash].end
        tok = toks[word]
        if (
            joined
            and tok.is_word
            and tok.text[:1].isupper()
            and tok.text[1:].islower()
            and len(tok.text) > 2
            and tok.key not in _NOT_TOOLS
            and not is_tool_like(tok.text)
        ):
            partners.append(word)
    return partners


def _in_place_list(toks: Sequence[Token], i: int) -> bool:
    """The token follows "<place>," ("Kansas City, MO") or sits in a comma list beside another
    region code ("MO, KS, NE")."""
    before = toks[i - 1].text if i >= 1 else ""
    if before == "," and i >= 2 and (is_place_name(toks[i - 2].text) or is_region_code(toks[i - 2].text)):
        return True
    after = toks[i + 2] if i + 2 < len(toks) and toks[i + 1].text in (",", "/") else None
    return after is not None and _short_caps(after) and is_region_code(after.text)


def _short_caps(tok: Token) -> bool:
    return tok.is_word and len(tok.text) <= 3 and tok.text.isupper()


def _is_version(s: str) -> bool:
    core = s.rstrip("+x")
    return bool(core) and core.replace(".", "").isdigit() and len(core) <= 5


# Words that never make an object on their own: "at least one or more of: Docker ...", "a sense
# for trends and how to apply them".
_EMPTY_OBJECT = _keys(
    """one ones how what why whom them it this that these those something anything everything
    someone anyone more most other others each many much few several working"""
)
_POSSESSION_VERBS = _keys("have has had possess possesses bring brings hold holds gain gained")
# Verbs of applying, reading and joining: the application-process boilerplate, not skills.
_NOT_SKILL_VERBS = _keys(
    """apply read find attach join see come send submit visit click contact upload call email
    check follow please know be is are get do does use make let go look expect offer enjoy
    welcome become part"""
)
_QUANTIFIER_NOUNS = _keys(
    """area areas field fields element elements type types kind kinds variety range number set lot
    lots level levels domain domains aspects aspect part parts form forms use"""
)
_TRAILING_OBJECT = _keys("of and or to the a an for in with on at by from as")
_ACTION_PREPS = _keys(
    "in on at for from to within across with into onto towards toward under between among around about against upon"
)
_ACTION_ADJUNCTS = _keys(
    "as using through by during via especially particularly specifically along including resulting whereby"
)
_MAX_ACTION_PREPS = 2


def new_verb_after(toks: Sequence[Token], k: int, proposer: PhraseProposer) -> bool:
    """ "to" + verb starts a new verb phrase rather than ending this one."""
    return toks[k].key == "to" and k + 1 < len(toks) and proposer.is_verb(toks[k + 1])


_PRONOUN_KEYS = _keys("i you we they he she it me us them my mine what who whom whose which")
_AUX = _keys("be also further actively primarily mainly directly closely then both additionally")
_TRAILING_ACTION = _keys("and or to of in for with the a an your our their as at on by from")
# -ing words that are not verbs in a phrase.
_NOT_VERBS_ING = frozenset(
    {
        "including",
        "following",
        "during",
        "something",
        "anything",
        "everything",
        "nothing",
        "thing",
        "things",
        "morning",
        "evening",
        "engineering",
        "marketing",
        "accounting",
        "building",
        "meeting",
        "meetings",
        "funding",
        "pricing",
        "setting",
        "settings",
        "offering",
        "opening",
        "outstanding",
        "interesting",
        "exciting",
        "challenging",
        "demanding",
        "leading",
        "amazing",
        "existing",
        "upcoming",
        "ongoing",
        "remaining",
        "according",
        "regarding",
        "concerning",
        "being",
        "onboarding",
        "learning",
        "training",
        "understanding",
        "background",
    }
)
