"""Where a skill the library lacks belongs: keep it as new, merge it into a canonical skill as an
alias, or split a compound; its derived metadata, dimension and relationships; whether an alias may
be learned; and whether a skill↔dimension link fits the library's structure.

Every threshold below was measured on ESCO v1.1.1 with the default embedder (all-MiniLM-L6-v2,
int8), embedding each skill's preferred label as the library does:

- MERGE_SIM 0.88. 5,985 alternative labels that are not themselves a preferred label were embedded
  and searched among the 13,896 preferred labels: at similarity >= 0.85 the nearest skill is the
  label's own skill in 94% of cases, >= 0.88 in ~96%, >= 0.90 in 97%, >= 0.92 in 98%. Among 2,500
  O*NET technology names the library does not contain, 1.2% reach 0.85 and 0.6% reach 0.90, and
  those are mostly true equivalents ("Oracle WebLogic Server" -> "Oracle WebLogic"); below 0.88
  the neighbours are often the practice around a tool ("Excavator" -> "operate excavator").
- LEARN_SIM 0.92 (98% precision, above) is required, together with a lexical reason, before an
  alias is written to the library without review.
- DIMENSION_ABS 0.25 / DIMENSION_MARGIN 0.30. For 4,000 of ESCO's own skill↔group links the
  cosine of the skill to its group's centroid (the group's other skills) is below 0.25 for 10%;
  for random skill↔group pairs it is at or above 0.25 for 18%. Adding the relative test (more than
  0.30 below the skill's best group) flags 15% of true links and lets 9% of random ones through;
  a flagged link is not lost, it waits for review.
"""

from __future__ import annotations

import difflib
import functools
import operator
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from jdlens.v1 import common_pb2, run_pb2
from jdlens_server.library.aliases import ABBREVIATION, ALTERNATIVE, COMMON_WORDS, SHORT_ALIAS_CHARS
from jdlens_server.library.snapshot import LibrarySnapshot, SkillInfo
from jdlens_server.nlp.int8_scan import Int8Scan
from jdlens_server.nlp.normalize import fold
from jdlens_server.nlp.skill_matcher import is_tool_like, label_key
from jdlens_server.pipeline.refs import shared_skill_ref, skill_metadata
from jdlens_server.pipeline.skill_resolution import AliasIndex, per_snapshot, per_snapshot_item, skill_rows

__all__ = [
    "CONTEXT_WEIGHT",
    "DIMENSION_ABS",
    "DIMENSION_MARGIN",
    "LEARN_SIM",
    "MERGE_SIM",
    "NEAR_DUPLICATE_SIM",
    "NEIGHBOUR_FLOOR",
    "AliasVerdict",
    "Coherence",
    "CompoundSplit",
    "DimensionGeometry",
    "DimensionProposal",
    "Neighbour",
    "alias_verdict",
    "defined_abbreviation",
    "derive_metadata",
    "dimension_geometry",
    "nearest_skills",
    "nearest_skills_many",
    "product_name",
    "propose_dimension",
    "relationships",
    "select_voters",
    "split_compound",
]

FloatArray = npt.NDArray[np.float32]

MERGE_SIM = 0.88
LEARN_SIM = 0.92
# Just under the merge threshold: kept new, with a warning to check for a duplicate.
NEAR_DUPLICATE_SIM = 0.80
# Nearest skills below this say little about a term: they do not vote on its metadata.
NEIGHBOUR_FLOOR = 0.50
# Relationships are reported from this similarity on.
RELATED_SIM = 0.60
# A library skill listed next to the term in the JD votes like a neighbour of this similarity.
CONTEXT_WEIGHT = 0.55
DIMENSION_ABS = 0.25
DIMENSION_MARGIN = 0.30
N_NEIGHBOURS = 10
MAX_RELATIONSHIPS = 5
# A single capitalised word the library has nothing this close to reads as a product name.
_UNKNOWN_NAME_SIM = 0.60
_SPELLING_RATIO = 0.85
_MIN_SPELLING_CHARS = 5


@dataclass(frozen=True, slots=True)
class Neighbour:
    skill_id: int
    similarity: float
    # A library skill listed next to the term in the JD rather than an embedding neighbour.
    context: bool = False


def nearest_skills(
    snapshot: LibrarySnapshot, vector: FloatArray, k: int = N_NEIGHBOURS, exclude: Iterable[int] = ()
) -> list[Neighbour]:
    """The ``k`` library skills whose label embeddings are closest to ``vector``, best first."""
    return nearest_skills_many(snapshot, vector[None, :], k, [set(exclude)])[0]


def nearest_skills_many(
    snapshot: LibrarySnapshot, vectors: FloatArray, k: int = N_NEIGHBOURS, exclude: Sequence[set[int]] = ()
) -> list[list[Neighbour]]:
    """``nearest_skills`` for each row of ``vectors``: one int8 pass over the skill labels finds the
    rows that can be among the nearest (nlp/int8_scan), and only those are compared in float32."""
    if not len(snapshot.skill_ids) or not len(vectors):
        return [[] for _ in range(len(vectors))]
    scan = skill_scan(snapshot)
    approx, bound = scan.approximate(vectors)
    out: list[list[Neighbour]] = []
    for i, vector in enumerate(vectors):
        skip = exclude[i] if i < len(exclude) else set()
        rows, sims = scan.top(vector, k + len(skip), approx[i], bound[i])
        # Most similar first; on a tie the earlier library row.
        order = np.argsort(-sims, kind="stable")[: k + len(skip)]
        found = [
            Neighbour(int(snapshot.skill_ids[j]), round(float(s), 4))
            for j, s in zip(rows[order], sims[order], strict=True)
        ]
        out.append([n for n in found if n.skill_id not in skip][:k])
    return out


def skill_scan(snapshot: LibrarySnapshot) -> Int8Scan:
    """The int8 copy of the snapshot's skill matrix, built once per snapshot (core warms it)."""
    return per_snapshot(snapshot, "skill_scan", _build_skill_scan)


def _build_skill_scan(snapshot: LibrarySnapshot) -> Int8Scan:
    return Int8Scan(snapshot.skill_matrix)


# ---- compounds ---------------------------------------------------------------------------------

_SLASH = re.compile(r"\s*[/|]\s*")
_MIN_PART_CHARS = 3


@dataclass(frozen=True, slots=True)
class CompoundSplit:
    parts: tuple[str, ...]
    log: tuple[str, ...]


def split_compound(term: str, resolves: Callable[[str], bool]) -> CompoundSplit | None:
    """Split "Hadoop/Ceph", "Spark/Flink", "Presto/Trino" into their parts.

    Only a name joined by '/' or '|' is a candidate (the caller has already failed to resolve it
    whole: "TCP/IP" and "PL/SQL" are library aliases and never get here). It is split when every
    part resolves to a library skill or is a name of three characters or more; pairs of short
    abbreviations ("CI/CD", "I/O", "A/B", "UI/UX") name one practice and stay whole."""
    parts = [p.strip() for p in _SLASH.split(term.strip())]
    if len(parts) < 2 or any(not p for p in parts):
        return None
    if len(set(map(fold, parts))) < len(parts):
        return None
    verdicts: list[str] = []
    for part in parts:
        if resolves(part):
            verdicts.append(f"{part!r} is a library skill")
        elif len(fold(part).replace(" ", "")) >= _MIN_PART_CHARS:
            verdicts.append(f"{part!r} is a name of its own")
        else:
            return None
    log = (
        f"{term!r} joins {len(parts)} names with '/': each is placed on its own",
        *verdicts,
    )
    return CompoundSplit(tuple(parts), log)


# ---- abbreviations the JD defines --------------------------------------------------------------


def defined_abbreviation(term: str, jd_text: str) -> str | None:
    """The long form the JD gives for an upper-case abbreviation, as in "machine learning (ML)" or
    "ML (machine learning)": the words right before (or inside) the parentheses whose initials
    spell it. None when the JD does not define it."""
    if not re.fullmatch(r"[A-Z][A-Za-z0-9&]{1,7}", term) or sum(c.isupper() for c in term) < 2:
        return None
    # A linear pre-scan: most terms never stand next to a parenthesis, and the searches below
    # backtrack over the word windows before every "(" of the JD.
    if not re.search(rf"\(\s*{re.escape(term)}s?\s*\)|\b{re.escape(term)}s?\s*\(", jd_text):
        return None
    letters = [c.lower() for c in term if c.isalpha() and c.isupper()]
    n = len(letters)
    before = re.finditer(rf"((?:[\w'-]+[ ,]+){{{n},{n + 2}}})\(\s*{re.escape(term)}s?\s*\)", jd_text)
    for m in before:
        words = re.findall(r"[A-Za-z][\w'-]*", m.group(1))
        for size in range(n, min(len(words), n + 2) + 1):
            window = words[-size:]
            if _initials(window, letters):
                return " ".join(window)
    inside = re.finditer(rf"\b{re.escape(term)}s?\s*\(\s*([A-Za-z][\w' ,-]{{2,80}}?)\s*\)", jd_text)
    for m in inside:
        words = re.findall(r"[A-Za-z][\w'-]*", m.group(1))
        if _initials(words, letters):
            return " ".join(words)
    return None


_GLUE = frozenset({"and", "of", "for", "the", "to", "in", "on", "&"})


def _initials(words: Sequence[str], letters: Sequence[str]) -> bool:
    content = [w for w in words if w.lower() not in _GLUE]
    # Hyphenated words give a letter per part ("Test-Driven Development" -> TDD).
    heads = [p[0].lower() for w in content for p in w.split("-") if p]
    return heads == list(letters) or [w[0].lower() for w in content] == list(letters)


# ---- alias learning ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AliasVerdict:
    learn: bool
    alias_type: str
    reason: str


def _compact(text: str) -> str:
    return fold(text).replace(" ", "")


def _spelling_variant(term: str, labels: Iterable[str]) -> str | None:
    """Why ``term`` is a spelling variant of one of ``labels``, or None."""
    mine = _compact(term)
    for label in labels:
        other = _compact(label)
        if mine == other:
            return f"same letters as {label!r} without spaces or punctuation"
        if len(mine) >= _MIN_SPELLING_CHARS and mine[:1] == other[:1]:
            ratio = difflib.SequenceMatcher(None, mine, other).ratio()
            if ratio >= _SPELLING_RATIO:
                return f"spelled like {label!r} (character similarity {ratio:.2f})"
    return None


def alias_verdict(
    term: str,
    target_id: int,
    similarity: float,
    index: AliasIndex,
    snapshot: LibrarySnapshot,
    *,
    long_form: str = "",
) -> AliasVerdict:
    """May ``term`` be written to the library as an alias of skill ``target_id`` without review?

    The rule (all must hold):
    1. the term is not generic: longer than two characters and not an everyday English word
       (library.aliases.COMMON_WORDS), which would fire on ordinary text;
    2. no other library skill has an alias with the same folded form (it would become ambiguous);
    3. either the JD itself defines it as an abbreviation of a label of the target ("machine
       learning (ML)"), or it is a spelling variant of one of the target's labels (same letters
       without spaces/punctuation, or character similarity >= 0.85) AND its embedding matches the
       target at >= LEARN_SIM (0.92).
    Anything else is a merge proposal for the review queue."""
    folded = fold(term)
    alias_type = ABBREVIATION if long_form else ALTERNATIVE
    if len(folded.replace(" ", "")) <= SHORT_ALIAS_CHARS or folded in COMMON_WORDS:
        return AliasVerdict(False, alias_type, f"{term!r} is too short or generic to match text on its own")
    others = index.skills_with_folded(term) - {target_id}
    if others:
        other = snapshot.skills.get(min(others))
        name = other.display_name if other else f"skills/{min(others)}"
        return AliasVerdict(False, alias_type, f"{term!r} is already an alias of another skill ({name})")
    if long_form:
        return AliasVerdict(True, ABBREVIATION, f"the JD defines {term!r} as {long_form!r}")
    target = snapshot.skills.get(target_id)
    labels = [target.display_name] if target else []
    labels += [a.text for a in index.aliases_of(target_id) if a.alias_type.upper() != "HIDDEN"]
    variant = _spelling_variant(term, labels)
    if variant is None:
        return AliasVerdict(
            False,
            alias_type,
            "not a spelling variant or a JD-defined abbreviation of the target: merge proposed for review",
        )
    if similarity < LEARN_SIM:
        return AliasVerdict(
            False,
            alias_type,
            f"{variant}, but similarity {similarity:.2f} is below the learning threshold {LEARN_SIM}: "
            "merge proposed for review",
        )
    return AliasVerdict(True, alias_type, f"{variant}; similarity {similarity:.2f} >= {LEARN_SIM}")


# ---- dimension geometry ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Coherence:
    ok: bool
    cosine: float
    best_cosine: float
    best_dimension: int | None
    reason: str


class DimensionGeometry:
    """Each dimension's skill centroid (the mean label embedding of its skills), for coherence tests."""

    def __init__(self, snapshot: LibrarySnapshot) -> None:
        rows = per_snapshot(snapshot, "skill_rows", skill_rows)
        members: dict[int, list[int]] = defaultdict(list)
        for skill_id, dims in snapshot.skill_dimensions.items():
            row = rows.get(skill_id)
            if row is None or not float(np.abs(snapshot.skill_matrix[row]).sum()):
                continue
            for d in dims:
                members[d].append(row)
        # Its dimensions, not the snapshot: a per-snapshot cache value holding its snapshot kept
        # every replaced library alive (the cache entry goes only when the snapshot does).
        self._dimensions = snapshot.dimensions
        self.dim_ids = np.array(sorted(members), dtype=np.int64)
        self.sizes = {d: len(members[d]) for d in members}
        self._col = {int(d): i for i, d in enumerate(self.dim_ids)}
        dim = snapshot.skill_matrix.shape[1] if snapshot.skill_matrix.ndim == 2 else snapshot.dim
        self.centroids = np.zeros((len(self.dim_ids), dim), dtype=np.float32)
        for i, d in enumerate(self.dim_ids):
            mean = snapshot.skill_matrix[members[int(d)]].mean(axis=0)
            norm = float(np.linalg.norm(mean))
            self.centroids[i] = mean / norm if norm > 0 else mean

    def coherence(self, vector: FloatArray, dimension_id: int) -> Coherence:
        """Does a skill with this embedding fit the dimension? (See the module docstring.)"""
        col = self._col.get(dimension_id)
        if col is None:
            return Coherence(False, 0.0, 0.0, None, "the dimension has no skills to compare with")
        sims = self.centroids @ vector
        cos = float(sims[col])
        best_col = int(sims.argmax())
        best = float(sims[best_col])
        best_id = int(self.dim_ids[best_col])
        size = self.sizes[dimension_id]
        if cos < DIMENSION_ABS:
            reason = f"cosine {cos:.2f} to the centroid of its {size} skills is below {DIMENSION_ABS}"
            return Coherence(False, cos, best, best_id, reason)
        if cos < best - DIMENSION_MARGIN:
            best_dim = self._dimensions.get(best_id)
            name = best_dim.display_name if best_dim else f"dimensions/{best_id}"
            reason = (
                f"cosine {cos:.2f} is more than {DIMENSION_MARGIN} below its best dimension "
                f"{name!r} ({best:.2f})"
            )
            return Coherence(False, cos, best, best_id, reason)
        reason = f"cosine {cos:.2f} to the centroid of its {size} skills (best dimension {best:.2f})"
        return Coherence(True, cos, best, best_id, reason)


def dimension_geometry(snapshot: LibrarySnapshot) -> DimensionGeometry:
    return per_snapshot(snapshot, "dimension_geometry", DimensionGeometry)


# ---- metadata ----------------------------------------------------------------------------------


# The heaviest value; on a tie the greatest value.
_WEIGHT_THEN_VALUE = operator.itemgetter(1, 0)


def _weighted_vote(pairs: Iterable[tuple[str, float]]) -> tuple[str, float, float]:
    """(winner, its share of the weight, total weight) of non-empty values."""
    weights: dict[str, float] = {}
    for value, weight in pairs:
        if value:
            weights[value] = weights.get(value, 0.0) + weight
    total = sum(weights.values())
    if not total:
        return "", 0.0, 0.0
    winner, weight = max(weights.items(), key=_WEIGHT_THEN_VALUE)
    return winner, weight / total, total


def _dynamics_by_nature(snapshot: LibrarySnapshot) -> dict[str, tuple[tuple[str, str, str], int, int]]:
    """Per nature, the most common (volatility, lifespan, version strategy) in the library, with its
    count and the number of skills of that nature."""
    counts: dict[str, Counter[tuple[str, str, str]]] = defaultdict(Counter)
    for s in snapshot.skills.values():
        if s.nature:
            counts[s.nature][(s.volatility, s.typical_lifespan, s.version_strategy)] += 1
    return {n: (*c.most_common(1)[0], sum(c.values())) for n, c in counts.items()}


# A new skill's label key, asked for its nature and its relationships; the same names recur.
_term_key = functools.lru_cache(maxsize=4096)(label_key)


def _is_acronym(term: str) -> bool:
    letters = [c for c in term if c.isalpha()]
    return bool(letters) and all(c.isupper() for c in letters)


# Abstract-noun endings: "Mentoring", "Leadership", "Governance" are not product names.
_ABSTRACT_SUFFIX = re.compile(r"(?:ing|tion|sion|ment|ship|ness|ity|ism|ics|ance|ence|ogy)$", re.IGNORECASE)
_PRODUCT_NATURES = frozenset({"TOOL", "PLATFORM", "LANGUAGE"})


# Cached: a new skill's placement asks it four times with the same arguments (voters, nature,
# relationships, the keep log), and the same names come back run after run.
@functools.lru_cache(maxsize=4096)
def product_name(term: str, best_sim: float) -> str:
    """Why ``term`` reads as the name of a product (a tool, platform or language), or "".

    Product-shaped ("StarRocks", "Node.js", "S3"), or one capitalised word that is not an acronym
    nor an abstract noun and either is no everyday word ("Kafka", "Docker") or has no library skill
    close to it ("Spark", "Hive": everyday words, but capitalised in a list of tools)."""
    if is_tool_like(term) and not _is_acronym(term):
        return "a product-shaped name"
    words = term.split()
    if len(words) != 1 or not term[:1].isupper() or _is_acronym(term) or _ABSTRACT_SUFFIX.search(term):
        return ""
    if fold(term) not in COMMON_WORDS:
        return "a capitalised name that is no everyday word"
    if best_sim < _UNKNOWN_NAME_SIM:
        return f"a capitalised name the library does not know (best match {best_sim:.2f})"
    return ""


def select_voters(
    term: str, neighbours: Sequence[Neighbour], context: Sequence[Neighbour], snapshot: LibrarySnapshot
) -> list[Neighbour]:
    """The library skills that vote on a new skill's metadata and dimension: its neighbours at
    NEIGHBOUR_FLOOR or above, then the library skills listed next to it in the JD. For a product
    name only products vote: its embedding neighbours are mostly look-alike words ("Docker" and
    "dock operations"), while the tools listed beside it say what it is."""
    best = neighbours[0].similarity if neighbours else 0.0
    voters = [n for n in neighbours if n.similarity >= NEIGHBOUR_FLOOR]
    seen = {v.skill_id for v in voters}
    voters += [c for c in context if c.skill_id not in seen]
    if product_name(term, best):
        voters = [
            v
            for v in voters
            if v.skill_id in snapshot.skills and snapshot.skills[v.skill_id].nature in _PRODUCT_NATURES
        ]
    return voters


def _nature(
    term: str, voters: Sequence[tuple[SkillInfo, float]], best_sim: float, lead_verbs: frozenset[str]
) -> tuple[str, float, str]:
    """(nature, confidence, why) of a new skill's name."""
    why = product_name(term, best_sim)
    if why:
        product, share, _ = _weighted_vote(
            (s.nature, w) for s, w in voters if s.nature in ("TOOL", "PLATFORM")
        )
        nature = "PLATFORM" if product == "PLATFORM" and share > 0.5 else "TOOL"
        return nature, 0.6, why
    words = term.split()
    keys = _term_key(term).split()
    if keys and (keys[0] in lead_verbs or (len(words) > 1 and words[-1].lower().endswith("ing"))):
        return "PRACTICE", 0.6, "named for an activity (a verb or an -ing head noun)"
    winner, share, _ = _weighted_vote((s.nature, w) for s, w in voters)
    if winner:
        top = max(w for _, w in voters)
        return winner, round(share * min(1.0, top), 2), f"similarity vote of {len(voters)} library skills"
    return "CONCEPT", 0.3, "a noun phrase no library skill is close to"


@functools.lru_cache(maxsize=1024)
def _voted_metadata(
    category: str, sub_category: str, nature: str, volatility: str, lifespan: str, versions: str
) -> common_pb2.SkillMetadata:
    """The metadata message of a vote's outcome, built once per outcome (few recur): copy it."""
    return skill_metadata(
        SkillInfo(0, "", "", category, sub_category, nature, volatility, lifespan, versions, "", "", True, "")
    )


def derive_metadata(
    term: str,
    voters: Sequence[Neighbour],
    snapshot: LibrarySnapshot,
    *,
    best_sim: float,
    lead_verbs: frozenset[str] = frozenset(),
) -> common_pb2.SkillMetadata:
    """Canonical metadata of a new skill from explainable offline rules.

    - category and sub-category: similarity-weighted vote of its nearest library skills (those at
      >= NEIGHBOUR_FLOOR) and of the library skills listed next to it in the JD;
    - nature: a product-shaped or unknown capitalised name is a TOOL (a PLATFORM when the voters
      say so), a name led by a verb or headed by an -ing noun a PRACTICE, else the voters' nature,
      else CONCEPT;
    - volatility, lifespan, version strategy: the voters of the same nature, else what the library
      usually gives skills of that nature;
    - confidence: the mean of the category's and the nature's support."""
    infos = [(snapshot.skills[v.skill_id], v.similarity) for v in voters if v.skill_id in snapshot.skills]
    notes: list[str] = []

    category, cat_share, _ = _weighted_vote((s.category, w) for s, w in infos)
    sub_category, _, _ = _weighted_vote((s.sub_category, w) for s, w in infos if s.category == category)
    if category:
        cat_voters = [(s, w) for s, w in infos if s.category == category]
        mean_sim = sum(w for _, w in cat_voters) / len(cat_voters)
        cat_conf = cat_share * min(1.0, mean_sim)
        named = ", ".join(f"{s.display_name} {w:.2f}" for s, w in cat_voters[:4])
        notes.append(f"category {category!r} by similarity vote (share {cat_share:.2f}: {named})")
    else:
        cat_conf = 0.0
        notes.append("no library skill votes: category left to the reviewer")

    nature, nature_conf, why = _nature(term, infos, best_sim, lead_verbs)
    notes.append(f"nature {nature}: {why}")

    same = [(s, w) for s, w in infos if s.nature == nature]
    triple, _, _ = _weighted_vote(
        ("|".join((s.volatility, s.typical_lifespan, s.version_strategy)), w) for s, w in same
    )
    if triple:
        volatility, lifespan, versions = triple.split("|")
        notes.append(f"volatility/lifespan/versions as the {len(same)} {nature} voters")
    else:
        usual = per_snapshot(snapshot, "dynamics_by_nature", _dynamics_by_nature).get(nature)
        if usual is not None:
            (volatility, lifespan, versions), count, total = usual
            notes.append(
                f"volatility/lifespan/versions as most {nature} skills in the library ({count} of {total})"
            )
        else:
            volatility = lifespan = versions = ""
            notes.append(f"the library has no {nature} skill to take volatility/lifespan from")

    meta = common_pb2.SkillMetadata()
    meta.CopyFrom(_voted_metadata(category, sub_category, nature, volatility, lifespan, versions))
    meta.confidence = round((cat_conf + nature_conf) / 2, 2)
    meta.reasoning = "; ".join(notes)
    return meta


# ---- dimension and relationships ---------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DimensionProposal:
    dimension_id: int | None
    reason: str


def propose_dimension(
    voters: Sequence[Neighbour],
    snapshot: LibrarySnapshot,
    vector: FloatArray | None,
) -> DimensionProposal:
    """The dimension most of the voters (nearest skills, skills listed next to it) belong to,
    weighted by similarity; none when the term's embedding does not fit it (the coherence test
    stage 3 applies to every new link)."""
    weights: dict[int, float] = defaultdict(float)
    backers: dict[int, list[str]] = defaultdict(list)
    for v in voters:
        dims = snapshot.skill_dimensions.get(v.skill_id, ())
        if not dims:
            continue
        skill = snapshot.skills.get(v.skill_id)
        name = skill.display_name if skill else str(v.skill_id)
        for d in dims:
            weights[d] += v.similarity
            backers[d].append(name)
    if not weights:
        return DimensionProposal(None, "no voter belongs to a dimension: none proposed")
    best = max(weights, key=lambda d: (weights[d], -d))
    share = weights[best] / sum(weights.values())
    dim = snapshot.dimensions.get(best)
    name = dim.display_name if dim else f"dimensions/{best}"
    reason = (
        f"{name!r} holds {len(backers[best])} of the voting skills "
        f"({', '.join(backers[best][:4])}; weight share {share:.2f})"
    )
    if vector is not None:
        fit = dimension_geometry(snapshot).coherence(vector, best)
        if not fit.ok:
            return DimensionProposal(None, f"{reason}, but it does not fit: {fit.reason}; none proposed")
    return DimensionProposal(best, reason)


def _label_words(snapshot: LibrarySnapshot, skill_id: int) -> list[str]:
    """The words of a library skill's label key, once per snapshot and skill."""
    return per_snapshot_item(snapshot, "label_words", _build_label_words, skill_id)


def _build_label_words(snapshot: LibrarySnapshot, skill_id: int) -> list[str]:
    return label_key(snapshot.skills[skill_id].display_name).split()


def relationships(
    term: str,
    neighbours: Sequence[Neighbour],
    snapshot: LibrarySnapshot,
    lead_verbs: frozenset[str] = frozenset(),
) -> list[run_pb2.SkillRelationship]:
    """How the term relates to its close library skills (similarity >= RELATED_SIM): NARROWER when
    a library label's words are a part of the term's ("streaming" for "real-time streaming"),
    BROADER when the term's words are a part of the label's (beyond a leading verb), else RELATED.
    A product name relates to products only (see ``select_voters``)."""
    mine = set(_term_key(term).split())
    products_only = bool(product_name(term, neighbours[0].similarity if neighbours else 0.0))
    out: list[run_pb2.SkillRelationship] = []
    for n in neighbours:
        if n.context or n.similarity < RELATED_SIM or n.skill_id not in snapshot.skills:
            continue
        if products_only and snapshot.skills[n.skill_id].nature not in _PRODUCT_NATURES:
            continue
        keys = _label_words(snapshot, n.skill_id)
        core = set(keys[1:] if keys and keys[0] in lead_verbs else keys)
        if core and core < mine:
            relation = run_pb2.SKILL_RELATION_NARROWER
        elif mine and mine < core:
            relation = run_pb2.SKILL_RELATION_BROADER
        else:
            relation = run_pb2.SKILL_RELATION_RELATED
        out.append(
            run_pb2.SkillRelationship(
                skill=shared_skill_ref(snapshot, n.skill_id), relation=relation, similarity=n.similarity
            )
        )
        if len(out) >= MAX_RELATIONSHIPS:
            break
    return out
