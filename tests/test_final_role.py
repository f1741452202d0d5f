"""Stage 3 (FinalizeRole) on a real ESCO subset, on SQLite and PostgreSQL: tags, persistence items,
counters that agree with the rows and with the store, flagged links, role↔dimension rule, dry runs."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import select

from jdlens.v1 import common_pb2, run_pb2
from jdlens_server.app import Runtime
from jdlens_server.pipeline.final_role import MIN_PRIMARY_BACKERS
from jdlens_server.pipeline.skill_placement import dimension_geometry
from jdlens_server.pipeline.skill_resolution import skill_vector
from jdlens_server.store.models import ChangeLogRow, RoleDimensionRow, SkillDimensionRow
from pipeline_runtime import REFERENCE_JD, add_skill, library_runtime, stage1, stage2, stage3, table_counts

SAVED = run_pb2.LINK_OUTCOME_SAVED
ALREADY = run_pb2.LINK_OUTCOME_ALREADY_LINKED
SKIPPED = run_pb2.LINK_OUTCOME_SKIPPED
FLAGGED = run_pb2.LINK_OUTCOME_FLAGGED
DRY_RUN = run_pb2.LINK_OUTCOME_DRY_RUN


@pytest.fixture
def rt(db_url: str) -> Iterator[Runtime]:
    runtime = library_runtime(db_url)
    yield runtime
    runtime.close()


def _id(name: str) -> int:
    return int(name.rsplit("/", 1)[1])


def _role_skill_outside_role_dimensions(runtime: Runtime, role_id: int) -> str:
    """A skill the library lists for the role that sits in a dimension the role is not linked to."""
    snapshot = runtime.library.current().snapshot
    role_dims = set(snapshot.role_dimensions.get(role_id, {}))
    for skill_id in sorted(snapshot.role_skills[role_id]):
        dims = snapshot.skill_dimensions.get(skill_id, [])
        if dims and not set(dims) & role_dims:
            return snapshot.skills[skill_id].display_name
    pytest.fail("every skill of the role is in one of its dimensions")


def _assert_counters_agree(persistence: run_pb2.Persistence) -> None:
    items = persistence.items
    assert persistence.skill_dimension_saved == sum(i.skill_dimension == SAVED for i in items)
    assert persistence.skill_dimension_already_linked == sum(i.skill_dimension == ALREADY for i in items)
    assert persistence.role_dimension_saved == sum(i.role_dimension == SAVED for i in items)
    assert persistence.role_dimension_already_linked == sum(i.role_dimension == ALREADY for i in items)
    assert persistence.skipped == sum(SKIPPED in (i.skill_dimension, i.role_dimension) for i in items)
    assert persistence.flagged == sum(FLAGGED in (i.skill_dimension, i.role_dimension) for i in items)
    assert persistence.new_skills_created == 0


def test_counters_agree_with_the_rows_and_the_store(db_url: str, rt: Runtime) -> None:
    run = stage1(rt, REFERENCE_JD)
    role_id = _id(run.extraction.decision.chosen_role.name)
    listed = _role_skill_outside_role_dimensions(rt, role_id)
    add_skill(run, listed)
    stage2(rt, run)
    before = table_counts(rt)
    result = stage3(rt, run)
    after = table_counts(rt)

    assert result.resolution == run_pb2.ROLE_RESOLUTION_IN_DB
    assert result.resolution_note.startswith("in_db — role exists in library")
    assert result.chosen_role.name == run.extraction.decision.chosen_role.name
    persistence = result.persistence
    assert persistence.items
    _assert_counters_agree(persistence)
    assert persistence.role_dimension_saved >= 1, "the role's own skill brings its dimension under the role"
    assert after["role_dimensions"] - before["role_dimensions"] == persistence.role_dimension_saved
    assert after["skill_dimensions"] - before["skill_dimensions"] == persistence.skill_dimension_saved
    assert after["library_versions"] == before["library_versions"] + 1
    with rt.factory() as session:
        for item in persistence.items:
            if item.role_dimension == SAVED:
                row = session.get(RoleDimensionRow, (role_id, _id(item.dimension.name)))
                assert row is not None and row.source == "run"
        entries = session.scalars(select(ChangeLogRow.action)).all()
        assert entries.count("role_dimension_linked") == persistence.role_dimension_saved

    tags = {t.skill: t.tag for t in result.final_input_skills}
    for detail in run.details.skills_detail:
        if detail.new_skill_meta.placement == run_pb2.PLACEMENT_SPLIT:
            assert detail.input_skill not in tags, "a compound is tagged through its parts"
            continue
        assert tags[detail.input_skill] == (
            run_pb2.SKILL_TAG_IN_DB if detail.canonical.name else run_pb2.SKILL_TAG_NEW
        )

    for item in persistence.items:
        assert item.outcome_line and " · " in item.outcome_line
        if item.skill_tag == run_pb2.SKILL_TAG_NEW:
            assert item.skill_dimension == item.role_dimension == SKIPPED
            assert item.skipped_reason.startswith("new skill")
        elif item.role_dimension == SKIPPED:
            assert item.skipped_reason, item.outcome_line
        if item.role_dimension == SAVED:
            assert "lists" in item.outcome_line or "primary JD skills" in item.outcome_line
        assert item.matched_chosen_role == (
            _id(item.dimension.name) in rt.library.current().snapshot.role_dimensions[role_id]
        )
    saved_for_listed = [i for i in persistence.items if i.input_skill == listed and i.role_dimension == SAVED]
    assert saved_for_listed and "lists" in saved_for_listed[0].outcome_line

    # Finalizing again against the new library version saves nothing and says so.
    rt.library.reload()
    again = stage3(rt, run)
    _assert_counters_agree(again.persistence)
    assert again.persistence.role_dimension_saved == 0 == again.persistence.skill_dimension_saved
    assert again.persistence.role_dimension_already_linked >= persistence.role_dimension_already_linked + 1
    assert table_counts(rt)["library_versions"] == after["library_versions"]


def test_only_dimensions_backed_by_the_role_or_two_primary_skills_go_under_the_role(
    db_url: str, rt: Runtime
) -> None:
    run = stage1(rt, REFERENCE_JD)
    stage2(rt, run, dry_run=True)
    result = stage3(rt, run, dry_run=True)
    snapshot = rt.library.current().snapshot
    role_id = _id(run.extraction.decision.chosen_role.name)
    primary = {s.skill_name for s in run.extraction.skills if s.is_primary}
    backers: dict[int, set[int]] = {}
    for detail in run.details.skills_detail:
        if detail.canonical.name and detail.input_skill in primary:
            for sd in detail.dimensions:
                backers.setdefault(_id(sd.dimension.name), set()).add(_id(detail.canonical.name))
    for item in result.persistence.items:
        if item.skill_tag != run_pb2.SKILL_TAG_IN_DB or item.skill_dimension == FLAGGED:
            continue
        dim_id = _id(item.dimension.name)
        listed = _id(item.skill.name) in snapshot.role_skills.get(role_id, {})
        backed = len(backers.get(dim_id, ())) >= MIN_PRIMARY_BACKERS
        if dim_id in snapshot.role_dimensions[role_id]:
            assert item.role_dimension == ALREADY
        elif listed or backed:
            assert item.role_dimension in (DRY_RUN, ALREADY), item.outcome_line
        else:
            assert item.role_dimension == SKIPPED
            assert item.skipped_reason.startswith("dimension not under chosen role")


def test_a_link_that_contradicts_the_library_is_flagged_not_saved(db_url: str, rt: Runtime) -> None:
    run = stage1(rt, REFERENCE_JD)
    stage2(rt, run)
    snapshot = rt.library.current().snapshot
    geometry = dimension_geometry(snapshot)
    # A library skill, and the dimensions it is not in: the one it fits worst and the one it fits best.
    detail = next(
        d
        for d in run.details.skills_detail
        if d.canonical.name and skill_vector(snapshot, _id(d.canonical.name)) is not None
    )
    skill_id = _id(detail.canonical.name)
    vector = skill_vector(snapshot, skill_id)
    assert vector is not None
    others = [int(d) for d in geometry.dim_ids if int(d) not in snapshot.skill_dimensions.get(skill_id, [])]
    fits = sorted(others, key=lambda d: geometry.coherence(vector, d).cosine)
    worst, best = fits[0], fits[-1]
    assert not geometry.coherence(vector, worst).ok
    assert geometry.coherence(vector, best).ok
    # A model backend's stage 2 could propose such links; stage 3 judges them.
    for dim_id in (worst, best):
        ref = common_pb2.DimensionRef(
            name=f"dimensions/{dim_id}", display_name=snapshot.dimensions[dim_id].display_name
        )
        detail.dimensions.add(input_skill=detail.input_skill, dimension=ref)

    result = stage3(rt, run)
    _assert_counters_agree(result.persistence)
    by_dim = {
        _id(i.dimension.name): i for i in result.persistence.items if i.input_skill == detail.input_skill
    }
    flagged = by_dim[worst]
    assert flagged.skill_dimension == FLAGGED
    assert "contradicts the library's structure" in flagged.flag_reason
    assert (
        flagged.role_dimension == SKIPPED and flagged.skipped_reason == "the skill↔dimension link was flagged"
    )
    assert by_dim[best].skill_dimension == SAVED
    assert result.persistence.flagged >= 1
    with rt.factory() as session:
        assert session.get(SkillDimensionRow, (skill_id, worst)) is None
        saved = session.get(SkillDimensionRow, (skill_id, best))
        assert saved is not None and saved.source == "run"


def test_a_dry_run_writes_nothing_and_says_what_it_would_save(db_url: str, rt: Runtime) -> None:
    run = stage1(rt, REFERENCE_JD)
    add_skill(run, _role_skill_outside_role_dimensions(rt, _id(run.extraction.decision.chosen_role.name)))
    before = table_counts(rt)
    stage2(rt, run, dry_run=True)
    result = stage3(rt, run, dry_run=True)
    assert table_counts(rt) == before
    _assert_counters_agree(result.persistence)
    outcomes = [i.role_dimension for i in result.persistence.items] + [
        i.skill_dimension for i in result.persistence.items
    ]
    assert DRY_RUN in outcomes and SAVED not in outcomes
    assert result.persistence.role_dimension_saved == 0 == result.persistence.skill_dimension_saved
    assert any("would be saved (dry run)" in i.outcome_line for i in result.persistence.items)


def test_a_new_role_links_skills_but_not_the_role(sqlite_url: str) -> None:
    runtime = library_runtime(sqlite_url)
    try:
        run = stage1(runtime, REFERENCE_JD)
        stage2(runtime, run, dry_run=True)
        decision = run.extraction.decision
        decision.is_new_role = True
        decision.chosen_role.CopyFrom(
            common_pb2.RoleRef(
                slug="ad-tech-data-engineer", display_name="Ad Tech Data Engineer", source="proposed"
            )
        )
        result = stage3(runtime, run, dry_run=True)
        assert result.resolution == run_pb2.ROLE_RESOLUTION_NEW
        assert result.resolution_note.startswith("new — role proposed")
        for item in result.persistence.items:
            assert item.role_dimension == SKIPPED
            assert not item.matched_chosen_role
        assert all(
            i.skipped_reason == "the chosen role is new: its links wait for its approval"
            or i.skill_tag == run_pb2.SKILL_TAG_NEW
            for i in result.persistence.items
        )
        _assert_counters_agree(result.persistence)
    finally:
        runtime.close()
