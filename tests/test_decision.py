"""The offline decision rule (pipeline/decision.decide) on hand-made signals."""

from __future__ import annotations

from types import SimpleNamespace
from typing import cast

import numpy as np
import pytest

from jdlens_server.library.snapshot import LibrarySnapshot
from jdlens_server.pipeline.decision import (
    CLEAR_MARGIN,
    MIN_FIT,
    TITLE_EDGE,
    Decision,
    alias_confidence,
    combined_confidence,
    decide,
)
from jdlens_server.pipeline.extract import CENTROID_MIN_CONFIDENCE, _teaches_centroid
from jdlens_server.pipeline.signals import RoleScoreEntry, Signals

ROLE_IDS = [10, 20, 30, 40]


def _snapshot(ids: list[int] = ROLE_IDS, managers: tuple[int, ...] = ()) -> LibrarySnapshot:
    return cast(
        LibrarySnapshot,
        SimpleNamespace(
            role_ids=np.array(ids, dtype=np.int64),
            roles={
                r: SimpleNamespace(slug=f"role-{r}", isco_group="1324" if r in managers else "4321")
                for r in ids
            },
            role_row={r: i for i, r in enumerate(ids)},
        ),
    )


def test_a_close_call_reads_every_roles_evidence_not_the_shown_top_lists() -> None:
    # Roles 10 and 20 lead the fused ranking within the clear margin; the lists a client sees
    # (top 1 here) show neither in the title or KRA signal. The rule must still compare their own
    # title similarities (20's is higher) and say the real figures.
    fused = np.array([MIN_FIT + 0.10, MIN_FIT + 0.10 - CLEAR_MARGIN / 2, 0.2, 0.1], dtype=np.float32)
    title_scores = np.array([0.55, 0.61, 0.2, 0.9], dtype=np.float32)
    kra_scores = {10: 0.7, 20: 0.3, 40: 0.8}
    signals = Signals(
        normalized_title="x",
        title=[RoleScoreEntry(40, 0.9)],
        kra=[RoleScoreEntry(40, 0.8)],
    )
    decision = decide(
        _snapshot(), signals, fused, fused, "X", title_scores=title_scores, kra_scores=kra_scores
    )
    assert decision.case == "D" and decision.role_id == 20
    assert decision.tie_break is not None and decision.tie_break.is_rule
    assert "by title (title similarity 0.61 vs 0.55, KRA 0.30 vs 0.70)" in decision.tie_break.reasoning


_CLOSE_CALL = np.array([MIN_FIT + 0.10, MIN_FIT + 0.10 - CLEAR_MARGIN / 2, 0.2, 0.1], dtype=np.float32)


def _close_call(title_scores: list[float], kra_scores: dict[int, float]) -> tuple[int | None, str]:
    """Roles 10 and 20 lead the fusion within the clear margin: the role the rule picks, and why."""
    decision = decide(
        _snapshot(),
        Signals(normalized_title="x"),
        _CLOSE_CALL,
        _CLOSE_CALL,
        "X",
        title_scores=np.array(title_scores, dtype=np.float32),
        kra_scores=kra_scores,
    )
    return decision.role_id, decision.tie_break.reasoning if decision.tie_break else ""


def test_with_equal_titles_the_kra_score_settles_it() -> None:
    role, reasoning = _close_call([0.5, 0.5, 0.2, 0.9], {20: 0.4})
    assert role == 20 and "by KRA (KRA 0.40 vs 0.00" in reasoning


def test_titles_closer_than_the_edge_leave_it_to_the_kra_score() -> None:
    # Role 10 leads the fusion and its title is a hair more similar; role 20's duties match better.
    kra_scores = {10: 0.52, 20: 0.55}
    role, reasoning = _close_call([0.62, 0.62 - TITLE_EDGE / 2, 0.2, 0.1], kra_scores)
    assert role == 20 and "by KRA (KRA 0.55 vs 0.52" in reasoning
    # Past the edge the title decides, whatever the KRA scores.
    role, reasoning = _close_call([0.62, 0.62 - 2 * TITLE_EDGE, 0.2, 0.1], kra_scores)
    assert role == 10 and "by title" in reasoning


def test_a_collision_far_down_the_other_signals_keeps_the_alias_but_not_the_confidence() -> None:
    snapshot = _snapshot(list(range(1, 41)))
    # The other signals rank roles 1..40 in order; the colliding roles 31 and 32 sit far down.
    non_alias = np.linspace(0.8, 0.2, 40).astype(np.float32)
    collided = Signals(normalized_title="x", alias=[RoleScoreEntry(31, 1.0), RoleScoreEntry(32, 1.0)])
    decision = decide(snapshot, collided, non_alias, non_alias, "X", title_scores=non_alias, kra_scores={})
    assert decision.case == "B" and decision.role_id == 31
    assert decision.confidence <= 0.5 and decision.contradicted_by == 1
    assert "role-1 leads the other signals" in decision.reasoning and "alias kept" in decision.reasoning
    # Colliding roles the other signals rank high: no contradiction.
    near = Signals(normalized_title="x", alias=[RoleScoreEntry(2, 1.0), RoleScoreEntry(3, 1.0)])
    decision = decide(snapshot, near, non_alias, non_alias, "X", title_scores=non_alias, kra_scores={})
    assert decision.role_id == 2 and decision.contradicted_by is None and decision.confidence > 0.5


def test_without_a_title_no_nameless_role_is_proposed() -> None:
    # Below the fit line a titled JD proposes its new role; an untitled one cannot name it, so the
    # duties' best library role is chosen, and the confidence says how little that rests on.
    low = np.array([MIN_FIT - 0.10, MIN_FIT - 0.15, 0.1, 0.05], dtype=np.float32)
    no_title_scores = np.zeros(4, dtype=np.float32)

    def decision_for(title: str) -> tuple[str, int | None, float, str]:
        d = decide(
            _snapshot(),
            Signals(normalized_title=""),
            low,
            low,
            title,
            title_scores=no_title_scores,
            kra_scores={},
        )
        return d.case, d.role_id, d.confidence, d.reasoning

    case, role, _confidence, _why = decision_for("Fleet Dispatcher")
    assert (case, role) == ("E", None)
    case, role, confidence, why = decision_for("")
    assert (case, role) == ("C", 10)
    assert confidence <= 0.5 and why.startswith("No title found")


def test_only_a_sure_filing_teaches_the_roles_centroid() -> None:
    assert _teaches_centroid(Decision("A", 10, 1.0, "unique alias"))
    assert _teaches_centroid(Decision("C", 10, 0.82, "clear lead"))
    assert not _teaches_centroid(Decision("A", 10, 0.7, "alias contradicted by the other signals"))
    assert not _teaches_centroid(Decision("C", 10, 0.5, "no title found"))
    assert not _teaches_centroid(Decision("D", 10, 0.8, "tie-break"))


@pytest.mark.parametrize(("title", "role"), [("Warehouse Assistant", 20), ("Warehouse Manager", 10)])
def test_a_close_pair_of_a_manager_and_a_worker_follows_the_titles_level(title: str, role: int) -> None:
    # Role 10 is a manager's (ISCO major group 1) and leads on the title; a title that manages
    # nothing takes the other of the close pair.
    decision = decide(
        _snapshot(managers=(10,)),
        Signals(normalized_title="x"),
        _CLOSE_CALL,
        _CLOSE_CALL,
        title,
        title_scores=np.array([0.85, 0.81, 0.2, 0.1], dtype=np.float32),
        kra_scores={10: 0.5, 20: 0.6},
    )
    assert decision.case == "D" and decision.role_id == role
    assert decision.tie_break is not None and ("by level" in decision.tie_break.reasoning) == (role == 20)


def test_a_combined_filings_confidence_follows_its_margin() -> None:
    # A bare lead is as sure as a tie-break (0.6), whatever the score.
    assert combined_confidence(0.6, CLEAR_MARGIN) < 0.65
    assert combined_confidence(0.45, CLEAR_MARGIN) == 0.6
    # It rises with the margin, to 0.9 at a lead of 0.1.
    margins = [0.02, 0.04, 0.06, 0.08, 0.1, 0.2]
    confidences = [combined_confidence(0.55, m) for m in margins]
    assert confidences == sorted(confidences)
    assert confidences[-1] == confidences[-2] == 0.9
    # A lead of 0.03 is no sure filing that teaches the role; one of 0.08 is.
    assert combined_confidence(0.55, 0.03) < CENTROID_MIN_CONFIDENCE <= combined_confidence(0.55, 0.08)


def test_an_alias_hit_is_as_sure_as_the_other_signals_agree() -> None:
    confidences = [alias_confidence(rank) for rank in (0, 1, 2, 3, 9, 10, 500)]
    assert confidences[0] == 1.0
    assert confidences == sorted(confidences, reverse=True)
    assert confidences[1] < 1.0 and confidences[-1] < CENTROID_MIN_CONFIDENCE
