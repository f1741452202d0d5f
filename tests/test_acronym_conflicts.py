"""Role labels whose acronym the curated tech pack reads otherwise (library/acronym_conflicts)."""

from __future__ import annotations

from jdlens_server.library.acronym_conflicts import acronym_expansions, conflicting_role_aliases

INSEMINATION = ["animal artificial insemination technician", "AI engineer", "AI technician"]
DESIGNER = ["ICT intelligent systems designer", "AI system designer", "artificial intelligence designer"]
HR_OFFICER = ["human resources officer", "HR officer"]
CURATED = {"AI": ["principles of artificial intelligence"], "HR": ["human resource management"]}


def test_expansions_are_word_runs_with_the_acronyms_initials() -> None:
    assert acronym_expansions("AI", INSEMINATION) == {"artificial insemination"}
    assert acronym_expansions("AI", ["principles of artificial intelligence"]) == {"artificial intelligence"}
    # Plural and singular spell the acronym the same way.
    assert acronym_expansions("HR", HR_OFFICER) == acronym_expansions("HR", ["human resource management"])
    assert acronym_expansions("HR", ["hair and make-up artist"]) == set()
    # A run that holds the acronym itself spells nothing out.
    assert acronym_expansions("AI", ["AI infrastructure engineer"]) == set()


def test_a_label_is_left_out_only_where_the_roles_own_reading_differs_from_the_curated_one() -> None:
    roles = {1: INSEMINATION, 2: DESIGNER, 3: HR_OFFICER, 4: ["AI tutor"], 5: ["AI infrastructure engineer"]}
    assert conflicting_role_aliases(roles, CURATED) == {(1, "AI engineer"), (1, "AI technician")}


def test_nothing_is_left_out_without_a_curated_reading() -> None:
    assert conflicting_role_aliases({1: INSEMINATION}, {}) == set()
    assert conflicting_role_aliases({1: INSEMINATION}, {"AI": ["machine learning"]}) == set()
