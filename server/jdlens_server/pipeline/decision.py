"""The role decision: which case applies, which role, how sure, and one line saying why.

Cases (reference: stage4_decision):
- A: exactly one role has the title as an alias and the other signals do not contradict it;
- B: several roles share the alias (a collision); the fused signals pick among them;
- C: no alias; the fused ranking has a clear leader;
- D: no alias and a close call; a tie-break settles it (offline: a deterministic rule, said so);
- E: nothing fits well enough; a new role is proposed for review.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from jdlens_server.library.snapshot import LibrarySnapshot
from jdlens_server.pipeline.signals import RoleScoreEntry, Signals

# Fused-score thresholds, calibrated on the dev sets (README, "Quality").
MIN_FIT = 0.36  # below this no library role fits: propose a new role
CLEAR_MARGIN = 0.02  # leader ahead of the runner-up by at least this: no tie-break


# ISCO-08 major group 1 (managers), and the title words that name such a role.
_MANAGERS_GROUP = "1"
_MANAGING_TITLE = re.compile(
    r"\b(?:manager|management|head|director|chief|ceo|cfo|coo|cto|cio|president|vp|principal|dean|"
    r"superintendent|administrator|gm|owner)\b",
    re.IGNORECASE,
)
# A JD without a title is matched by its duties alone: never more sure than this.
UNTITLED_CONFIDENCE = 0.5
# In a tie-break, title similarities closer than this say nothing: the KRA match decides.
TITLE_EDGE = 0.02
# An alias hit is contradicted when its role ranks this low on the non-alias signals and the
# leader there beats it by this much.
CONTRADICTION_RANK = 25
CONTRADICTION_GAP = 0.15


def alias_confidence(rank: int) -> float:
    """Case A's confidence: an exact alias hit, as sure as the other signals agree with it.

    On the dev sets the alias role was right in 25 of 31 job ads (224 of 321 titles) where the
    other signals also ranked it first, 3 of 5 (31 of 67) at second or third, 1 of 3 (14 of 41)
    down to tenth, and 0 of 2 (8 of 28) below: an ESCO label of one narrow role ("security
    officer" of the security manager, "network engineer" of the ICT network technician) names the
    title and nothing else agrees. 1.0 said the same for all. Below third, no sure filing that
    teaches the role (CENTROID_MIN_CONFIDENCE); a role the other signals put far down by a clear
    gap is 0.5 (_contradiction)."""
    if rank == 0:
        return 1.0
    if rank < 3:
        return 0.85
    return 0.65 if rank < 10 else 0.6


def combined_confidence(top_score: float, margin: float) -> float:
    """Case C's confidence: mostly the margin, which is what tells a right filing from a wrong one.

    On the dev job ads (50 case-C filings), the leader was right in 2 of 6 at a margin under 0.03,
    13 of 22 at 0.03-0.06, 9 of 14 at 0.06-0.10 and 6 of 8 above; the score itself hardly
    separates them. The earlier 0.4 + 0.6 x score + 2 x margin said 0.76-0.90 for all of them, and
    more than a tie-break's 0.6 for a lead of 0.02. Now a tie-break's 0.6 at the smallest clear
    margin, 0.9 from a lead of ~0.1; a sure filing (CENTROID_MIN_CONFIDENCE, pipeline/extract)
    needs ~0.06."""
    return min(0.9, max(0.6, 0.5 + 4 * margin + 0.3 * (top_score - 0.5)))


@dataclass(frozen=True, slots=True)
class TieBreak:
    fired: bool
    reasoning: str
    is_rule: bool


@dataclass(frozen=True, slots=True)
class TieBreakVerdict:
    """A model's answer to a close call: one of the candidates, or None for "none fits"."""

    role_id: int | None
    reasoning: str
    confidence: float


# Called with the close call's candidates, best first, as (role_id, fused score); None: use the rule.
TieBreaker = Callable[[Sequence[tuple[int, float]]], TieBreakVerdict | None]
# How many of the fused ranking's leaders a model tie-break chooses among.
TIE_BREAK_CANDIDATES = 3


@dataclass
class Decision:
    case: str  # "A".."E"
    role_id: int | None
    confidence: float
    reasoning: str
    collision_role_ids: list[int] = field(default_factory=list)
    collision_alias: str = ""
    tie_break: TieBreak | None = None
    is_new_role: bool = False
    new_role_title: str = ""
    margin: float = 0.0
    contradicted_by: int | None = None


def slugify(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:120] or "role"


def _contradiction(
    snapshot: LibrarySnapshot, non_alias: np.ndarray, non_alias_order: np.ndarray, row: int
) -> tuple[int, str] | None:
    """The leader of the other signals and a note, when the alias's role (at ``row``) ranks far
    down them and the leader beats it by a clear gap; else None."""
    rank = _rank_of(non_alias_order, row)
    leader_row = int(non_alias_order[0])
    gap = float(non_alias[leader_row] - non_alias[row])
    if rank < CONTRADICTION_RANK or gap < CONTRADICTION_GAP:
        return None
    leader = int(snapshot.role_ids[leader_row])
    return leader, (
        f"{snapshot.roles[leader].slug} leads the other signals by {gap:.2f} (alias ranks {rank + 1}); "
        "alias kept, confidence lowered"
    )


def _rank_of(order: np.ndarray, row: int) -> int:
    hits = np.nonzero(order == row)[0]
    return int(hits[0]) if len(hits) else len(order)


def decide(
    snapshot: LibrarySnapshot,
    signals: Signals,
    fused: np.ndarray,
    non_alias: np.ndarray,
    title: str,
    tie_break: TieBreaker | None = None,
    *,
    title_scores: np.ndarray,
    kra_scores: Mapping[int, float],
) -> Decision:
    """Choose the case and role from the signals. ``fused`` includes the alias signal, ``non_alias`` not.
    ``tie_break`` (a model) settles a close call; when absent or it gives no answer, the rule does,
    reading every role's title similarity (``title_scores``, by role row, exact for the fused
    ranking's leaders) and KRA score (``kra_scores``, by role id; absent: no KRA hit), not the
    top-k lists ``signals`` shows, where a contender outside them would read as 0."""
    if len(snapshot.role_ids) == 0:
        return Decision(
            "E",
            None,
            0.0,
            "Library has no roles — import a pack first",
            is_new_role=True,
            new_role_title=title,
        )
    order = np.argsort(-fused)
    non_alias_order = np.argsort(-non_alias)
    skill_top = signals.skill[0] if signals.skill else None
    skill_note = (
        f"skill_top {snapshot.roles[skill_top.role_id].slug} {skill_top.score:.2f}"
        if skill_top
        else "no skill signal"
    )

    if len(signals.alias) == 1:
        role_id = signals.alias[0].role_id
        slug = snapshot.roles[role_id].slug
        contradiction = _contradiction(snapshot, non_alias, non_alias_order, _row(snapshot, role_id))
        if contradiction is not None:
            leader, note = contradiction
            return Decision(
                "A", role_id, 0.5, f"Exact alias hit on {slug} (1.0) — but {note}", contradicted_by=leader
            )
        rank = _rank_of(non_alias_order, _row(snapshot, role_id))
        agreement = (
            "the other signals rank it first" if rank == 0 else f"the other signals rank it {rank + 1}"
        )
        return Decision(
            "A",
            role_id,
            alias_confidence(rank),
            f"Exact alias hit on {slug} (1.0) — no other alias at this confidence; {agreement}; "
            f"{skill_note} does not contradict",
        )

    if len(signals.alias) > 1:
        candidates = [e.role_id for e in signals.alias]
        rows = [_row(snapshot, r) for r in candidates]
        ranked = sorted(
            zip(candidates, rows, strict=True), key=lambda cr: float(non_alias[cr[1]]), reverse=True
        )
        best_id, best_row = ranked[0]
        second = float(non_alias[ranked[1][1]])
        margin = float(non_alias[best_row]) - second
        names = ", ".join(snapshot.roles[c].slug for c in candidates[:5])
        reasoning = (
            f"Alias '{signals.alias[0].matched_alias}' collides across {len(candidates)} roles ({names}); "
            f"{snapshot.roles[best_id].slug} leads the other signals by {margin:.2f}"
        )
        confidence = round(min(0.95, 0.6 + margin * 4), 4)
        # As in case A: every colliding role far down the other signals ("maintenance technician",
        # a label of two welder roles, over a maintenance job) keeps the alias, not the confidence.
        contradicted_by = None
        contradiction = _contradiction(snapshot, non_alias, non_alias_order, best_row)
        if contradiction is not None:
            contradicted_by, note = contradiction
            confidence = min(confidence, 0.5)
            reasoning += f" — but {note}"
        return Decision(
            "B",
            best_id,
            confidence,
            reasoning,
            collision_role_ids=candidates,
            collision_alias=signals.alias[0].matched_alias,
            margin=round(margin, 4),
            contradicted_by=contradicted_by,
        )

    top_row, second_row = int(order[0]), int(order[1]) if len(order) > 1 else int(order[0])
    top_score = float(fused[top_row])
    margin = top_score - float(fused[second_row])
    top_id = int(snapshot.role_ids[top_row])
    slug = snapshot.roles[top_id].slug
    if not title.strip():
        # No title to name a new role by, nor to match: the duties and profile choose among the
        # library's roles, and the confidence says how little that is.
        return Decision(
            "C",
            top_id,
            round(min(UNTITLED_CONFIDENCE, top_score), 4),
            f"No title found; the duties and profile favour {slug} ({top_score:.2f}) by {margin:.2f} over "
            f"{snapshot.roles[int(snapshot.role_ids[second_row])].slug}",
            margin=round(margin, 4),
        )
    if top_score < MIN_FIT:
        return Decision(
            "E",
            None,
            round(max(0.0, min(1.0, 1.0 - top_score / MIN_FIT + 0.5)), 4),
            f"No alias hit and no role fits: best {slug} scores {top_score:.2f} < {MIN_FIT} — "
            "new role proposed for review",
            is_new_role=True,
            new_role_title=title,
            margin=round(margin, 4),
        )
    if margin >= CLEAR_MARGIN:
        return Decision(
            "C",
            top_id,
            round(combined_confidence(top_score, margin), 4),
            f"No alias hit; combined signals favour {slug} ({top_score:.2f}) by {margin:.2f} over "
            f"{snapshot.roles[int(snapshot.role_ids[second_row])].slug}",
            margin=round(margin, 4),
        )
    if tie_break is not None:
        leaders = [(int(snapshot.role_ids[r]), float(fused[r])) for r in order[:TIE_BREAK_CANDIDATES]]
        verdict = tie_break(leaders)
        if verdict is not None:
            return _model_verdict(snapshot, verdict, leaders, top_score, margin, title)
    # Close call: offline, the deterministic rule prefers the role whose level the title names (of
    # a manager's role and another), else the one whose title evidence is stronger by TITLE_EDGE or
    # more, else the one whose KRAs match better; it says it is a rule and which.
    contenders = [int(snapshot.role_ids[r]) for r in order[:2]]

    def title_sim(role_id: int) -> float:
        return round(float(title_scores[_row(snapshot, role_id)]), 4)

    def kra(role_id: int) -> float:
        return round(float(kra_scores.get(role_id, 0.0)), 4)

    first, second = contenders
    managers = [r for r in contenders if snapshot.roles[r].isco_group.startswith(_MANAGERS_GROUP)]
    by_level = len(managers) == 1 and not _MANAGING_TITLE.search(title)  # (untitled JDs returned above)
    by_title = abs(title_sim(first) - title_sim(second)) >= TITLE_EDGE
    if by_level:
        # "Account Executive", "Warehouse Assistant": a title that manages nothing is not the manager's
        # role of a close pair (accounting manager vs accountant, warehouse manager vs worker).
        winner = second if managers[0] == first else first
    elif by_title:
        winner = max(contenders, key=title_sim)
    else:  # titles alike ("warehouse worker" / "warehouse order picker"): the duties decide
        winner = max(contenders, key=lambda r: (kra(r), r == first))
    loser = second if winner == first else first
    pair = f"{snapshot.roles[winner].slug} over {snapshot.roles[loser].slug}"
    titles = f"title similarity {title_sim(winner):.2f} vs {title_sim(loser):.2f}"
    kras = f"KRA {kra(winner):.2f} vs {kra(loser):.2f}"
    if by_level:
        reasoning = (
            f"Offline tie-break rule: {pair} by level (the title names no managing role; {titles}, {kras})"
        )
    elif by_title:
        reasoning = f"Offline tie-break rule: {pair} by title ({titles}, {kras})"
    else:
        reasoning = f"Offline tie-break rule: {pair} by KRA ({kras}; {titles}, closer than {TITLE_EDGE})"
    return Decision(
        "D",
        winner,
        round(min(0.7, 0.4 + top_score * 0.4), 4),
        f"No alias hit; {snapshot.roles[contenders[0]].slug} and {snapshot.roles[contenders[1]].slug} within "
        f"{margin:.2f} — settled by tie-break",
        tie_break=TieBreak(True, reasoning, True),
        margin=round(margin, 4),
    )


def _model_verdict(
    snapshot: LibrarySnapshot,
    verdict: TieBreakVerdict,
    leaders: list[tuple[int, float]],
    top_score: float,
    margin: float,
    title: str,
) -> Decision:
    names = " and ".join(snapshot.roles[r].slug for r, _ in leaders[:2])
    tie = TieBreak(True, verdict.reasoning, False)
    if verdict.role_id is None:
        return Decision(
            "E",
            None,
            round(min(0.9, verdict.confidence), 4),
            f"No alias hit; {names} within {margin:.2f} — the model tie-break found that none fits: "
            "new role proposed for review",
            tie_break=tie,
            is_new_role=True,
            new_role_title=title,
            margin=round(margin, 4),
        )
    return Decision(
        "D",
        verdict.role_id,
        round(min(0.9, 0.4 + top_score * 0.2 + verdict.confidence * 0.3), 4),
        f"No alias hit; {names} within {margin:.2f} — settled by the model tie-break: "
        f"{snapshot.roles[verdict.role_id].slug}",
        tie_break=tie,
        margin=round(margin, 4),
    )


def _row(snapshot: LibrarySnapshot, role_id: int) -> int:
    return snapshot.role_row[role_id]


def ranked_roles(
    snapshot: LibrarySnapshot, fused: np.ndarray, decision: Decision, top_k: int
) -> list[RoleScoreEntry]:
    """The fused ranking with the decided role first (what evaluation and candidate lists read)."""
    k = min(top_k, len(fused))
    if k == 0:
        return []
    order = np.argsort(-fused)[: k + 1]
    ids = [int(snapshot.role_ids[i]) for i in order]
    scores = {int(snapshot.role_ids[i]): float(fused[i]) for i in order}
    if decision.role_id is not None:
        if decision.role_id in ids:
            ids.remove(decision.role_id)
        ids.insert(0, decision.role_id)
        scores.setdefault(decision.role_id, float(fused[_row(snapshot, decision.role_id)]))
    return [RoleScoreEntry(r, round(scores[r], 4)) for r in ids[:k]]
