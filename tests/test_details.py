"""Stage 2 (ExtractDetails) on a real ESCO subset, on SQLite and PostgreSQL: alias resolution modes,
compound splits, merge vs keep, alias learning, the shared review item with stage 1, dry runs."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pytest
from sqlalchemy import select

from jdlens.v1 import common_pb2, library_pb2, run_pb2
from jdlens_server.app import Runtime
from jdlens_server.library.aliases import COMMON_WORDS
from jdlens_server.library.sync import slugify
from jdlens_server.nlp.normalize import fold
from jdlens_server.pipeline import skill_placement as place
from jdlens_server.pipeline.details import compute_details
from jdlens_server.pipeline.skill_resolution import alias_index
from jdlens_server.store.models import ChangeLogRow, ReviewItemRow, ReviewItemRunRow, SkillAliasRow
from pipeline_runtime import REFERENCE_JD, add_skill, library_runtime, stage1, stage2, table_counts


@pytest.fixture
def rt(db_url: str) -> Iterator[Runtime]:
    runtime = library_runtime(db_url)
    yield runtime
    runtime.close()


@pytest.fixture
def sqlite_rt(sqlite_url: str) -> Iterator[Runtime]:
    runtime = library_runtime(sqlite_url)
    yield runtime
    runtime.close()


def _detail(result: run_pb2.DetailsResult, name: str) -> run_pb2.SkillDetail:
    return next(d for d in result.skills_detail if d.input_skill == name)


def _match(result: run_pb2.DetailsResult, term: str) -> run_pb2.AliasMatch:
    return next(m for m in result.alias_matches if m.input_term == term)


def test_each_resolution_mode_is_reported(sqlite_rt: Runtime) -> None:
    run = stage1(sqlite_rt, REFERENCE_JD)
    for name in ("JavaScript", "javascript", "Data-Models", "data model"):
        add_skill(run, name)
    result = stage2(sqlite_rt, run)

    expected = {
        "JavaScript": (run_pb2.MATCH_VIA_EXACT, "JavaScript"),
        "javascript": (run_pb2.MATCH_VIA_CASE_INSENSITIVE, "JavaScript"),
        "Data-Models": (run_pb2.MATCH_VIA_NORMALIZED, "data models"),
        "data model": (run_pb2.MATCH_VIA_INFLECTION, "data models"),
    }
    for term, (via, canonical) in expected.items():
        match = _match(result, term)
        assert match.matched_via == via, term
        assert match.matched_canonical.display_name == canonical
        assert not match.alias_persisted
        reason = match.alias_persist_skipped_reason
        assert "already exists" in reason or "inflected" in reason
        detail = _detail(result, term)
        assert detail.canonical.name == match.matched_canonical.name
        assert detail.aliases_in_db, "the canonical skill's aliases are listed"
        assert term not in result.unmatched_skills

    # Stage 1's dictionary matches keep their library skill; the JD's surface form says how it matched.
    for skill in run.extraction.skills:
        if skill.library_skill.name and skill.source == run_pb2.SKILL_SOURCE_DICTIONARY:
            detail = _detail(result, skill.skill_name)
            assert detail.canonical.name == skill.library_skill.name
            assert detail.matched_via in (
                run_pb2.MATCH_VIA_EXACT,
                run_pb2.MATCH_VIA_CASE_INSENSITIVE,
                run_pb2.MATCH_VIA_NORMALIZED,
                run_pb2.MATCH_VIA_INFLECTION,
            )


def test_homonyms_need_their_own_case(sqlite_rt: Runtime) -> None:
    """An alias the library marks context-required resolves only as written."""
    snapshot = sqlite_rt.library.current().snapshot
    index = alias_index(snapshot)
    strict = [a for a in snapshot.skill_aliases if a.match_strategy.upper() == "CONTEXT_REQUIRED"]
    assert strict, "the ESCO subset has context-required aliases"
    for alias in strict[:20]:
        assert index.resolve(alias.text) is not None
        hit = index.resolve(alias.text.swapcase())
        assert hit is None or hit.alias_text != alias.text


def test_compounds_split_into_parts_resolved_on_their_own(db_url: str, rt: Runtime) -> None:
    run = stage1(rt, REFERENCE_JD)
    for name in ("Spark/Flink", "Hadoop/Ceph", "CI/CD"):
        add_skill(run, name)
    result = stage2(rt, run)

    spark_flink = _detail(result, "Spark/Flink")
    meta = spark_flink.new_skill_meta
    assert meta.placement == run_pb2.PLACEMENT_SPLIT
    assert list(meta.split_parts) == ["Spark", "Flink"]
    assert meta.split_log and "'Spark/Flink'" in meta.split_log[0]
    assert not spark_flink.canonical.name
    names = [d.input_skill for d in result.skills_detail]
    at = names.index("Spark/Flink")
    assert names[at + 1 : at + 3] == ["Spark", "Flink"], "the parts follow their compound"

    hadoop_ceph = _detail(result, "Hadoop/Ceph")
    assert hadoop_ceph.new_skill_meta.placement == run_pb2.PLACEMENT_SPLIT
    parts = result.skills_detail[names.index("Hadoop/Ceph") + 1 : names.index("Hadoop/Ceph") + 3]
    assert parts[0].input_skill == "Hadoop" and parts[0].canonical.display_name == "Hadoop"
    assert parts[1].input_skill == "Ceph" and not parts[1].canonical.name
    assert parts[1].new_skill_meta.placement == run_pb2.PLACEMENT_KEEP_NEW

    # Two short abbreviations name one practice.
    assert _detail(result, "CI/CD").new_skill_meta.placement != run_pb2.PLACEMENT_SPLIT
    assert "Spark/Flink" not in result.unmatched_skills


def test_merge_only_above_the_measured_threshold(sqlite_rt: Runtime) -> None:
    run = stage1(sqlite_rt, REFERENCE_JD)
    for name in ("Kubernetes", "machine-learning models", "Agile environment"):
        add_skill(run, name)
    loaded = sqlite_rt.library.current()
    plan = compute_details(loaded, sqlite_rt.embedder, run)
    result = plan.result
    placed = [
        d
        for d in result.skills_detail
        if d.new_skill_meta.placement == run_pb2.PLACEMENT_KEEP_NEW
        or d.matched_via == run_pb2.MATCH_VIA_EMBEDDING
    ]
    assert placed
    names = [d.input_skill for d in placed]
    vectors = dict(zip(names, sqlite_rt.embedder.embed(names), strict=True))
    for detail in placed:
        top = place.nearest_skills(loaded.snapshot, vectors[detail.input_skill], k=1)
        sim = top[0].similarity if top else 0.0
        if detail.new_skill_meta.placement == run_pb2.PLACEMENT_MERGE:
            assert sim >= place.MERGE_SIM - 1e-4
            assert detail.matched_via == run_pb2.MATCH_VIA_EMBEDDING
            assert detail.new_skill_meta.merge_into.name == detail.canonical.name
            assert detail.new_skill_meta.merge_log
        else:
            assert sim < place.MERGE_SIM
            assert detail.new_skill_meta.keep_log
            assert detail.input_skill in result.unmatched_skills

    kube = _detail(result, "Kubernetes").new_skill_meta
    assert kube.placement == run_pb2.PLACEMENT_KEEP_NEW
    assert kube.skill_id == slugify("Kubernetes")
    # An unknown capitalised name reads as a product.
    assert kube.derived.nature in (common_pb2.SKILL_NATURE_TOOL, common_pb2.SKILL_NATURE_PLATFORM)
    assert kube.derived.reasoning and 0 < kube.derived.confidence <= 1


def test_new_skills_get_explained_metadata_dimension_and_relationships(sqlite_rt: Runtime) -> None:
    run = stage1(sqlite_rt, REFERENCE_JD)
    add_skill(run, "advanced data mining")
    result = stage2(sqlite_rt, run, dry_run=True)
    detail = _detail(result, "advanced data mining")
    meta = detail.new_skill_meta
    assert meta.placement == run_pb2.PLACEMENT_KEEP_NEW
    snapshot = sqlite_rt.library.current().snapshot
    categories = {s.category for s in snapshot.skills.values()}
    assert meta.derived.category in categories, "the category is one the library uses"
    assert meta.derived.nature != common_pb2.SKILL_NATURE_UNSPECIFIED
    assert meta.derived.volatility and meta.derived.typical_lifespan and meta.derived.version_strategy
    assert "category" in meta.derived.reasoning and "nature" in meta.derived.reasoning
    assert 0 < meta.derived.confidence <= 1
    assert meta.proposed_dimension.name.startswith("dimensions/")
    assert any(line.startswith("dimension:") for line in meta.keep_log)
    # "data mining" is a library skill whose words are all in the new one: the new one is narrower.
    relations = {r.skill.display_name: r.relation for r in meta.relationships}
    assert relations.get("data mining") == run_pb2.SKILL_RELATION_NARROWER
    for rel in meta.relationships:
        assert rel.similarity >= 0.6
    # Its detail lists the proposed dimension with the roles linked to it.
    assert [d.dimension.name for d in detail.dimensions] == [meta.proposed_dimension.name]


def _typo_of_a_library_label(runtime: Runtime) -> tuple[str, int]:
    """A one-letter misspelling of a library label that the embedder still puts on its skill at or
    above the learning threshold (found by measurement, not assumed)."""
    loaded = runtime.library.current()
    snapshot = loaded.snapshot
    index = alias_index(snapshot)
    candidates: list[tuple[str, int]] = []
    for skill in snapshot.skills.values():
        label = skill.display_name
        if " " in label or len(label) < 8 or not label.isalpha():
            continue
        typo = label[:4] + label[5:]
        if (
            index.resolve(typo) is None
            and not index.skills_with_folded(typo)
            and fold(typo) not in COMMON_WORDS
        ):
            candidates.append((typo, skill.id))
    vectors = runtime.embedder.embed([c for c, _ in candidates])
    for (typo, skill_id), vec in zip(candidates, vectors, strict=True):
        top = place.nearest_skills(snapshot, vec, k=1)
        if top and top[0].skill_id == skill_id and top[0].similarity >= place.LEARN_SIM:
            return typo, skill_id
    pytest.fail("no one-letter misspelling of a library label embeds above the learning threshold")


def test_a_safe_alias_is_learned_with_a_version_and_a_change_log(db_url: str, rt: Runtime) -> None:
    typo, skill_id = _typo_of_a_library_label(rt)
    run = stage1(rt, REFERENCE_JD)
    add_skill(run, typo)
    before = table_counts(rt)
    result = stage2(rt, run)

    detail = _detail(result, typo)
    assert detail.new_skill_meta.placement == run_pb2.PLACEMENT_MERGE
    assert detail.canonical.name == f"skills/{skill_id}"
    match = _match(result, typo)
    assert match.matched_via == run_pb2.MATCH_VIA_EMBEDDING and match.similarity >= place.LEARN_SIM
    assert match.alias_persisted and detail.new_alias_persisted and detail.new_alias_text == typo
    assert result.new_aliases_persisted == 1

    after = table_counts(rt)
    assert after["skill_aliases"] == before["skill_aliases"] + 1
    assert after["library_versions"] == before["library_versions"] + 1
    with rt.factory() as session:
        row = session.execute(select(SkillAliasRow).where(SkillAliasRow.text == typo)).scalar_one()
        assert (row.skill_id, row.source, row.normalized) == (skill_id, "learned", fold(typo))
        log = session.scalars(select(ChangeLogRow).where(ChangeLogRow.action == "alias_learned")).all()
        assert [entry.resource for entry in log] == [f"skills/{skill_id}"]

    # The next library version knows it: the same term now resolves by name.
    rt.library.reload()
    again = stage1(rt, REFERENCE_JD + "\n")
    add_skill(again, typo)
    second = stage2(rt, again)
    assert _match(second, typo).matched_via == run_pb2.MATCH_VIA_EXACT
    assert second.new_aliases_persisted == 0


def test_an_abbreviation_the_jd_defines_merges_through_its_long_form(sqlite_rt: Runtime) -> None:
    snapshot = sqlite_rt.library.current().snapshot
    index = alias_index(snapshot)
    for skill in sorted(snapshot.skills.values(), key=lambda s: s.id):
        words = skill.display_name.split()
        if len(words) != 3 or not all(w.isalpha() and w.islower() for w in words):
            continue
        abbr = "".join(w[0] for w in words).upper()
        if (
            index.resolve(abbr) is None
            and not index.skills_with_folded(abbr)
            and abbr.lower() not in COMMON_WORDS
        ):
            break
    else:
        pytest.fail("no three-word label to abbreviate in the subset")
    text = REFERENCE_JD + f"\nWhat helps\n\n• Knowledge of {skill.display_name} ({abbr}) is a plus\n"
    run = stage1(sqlite_rt, text)
    add_skill(run, abbr)
    result = stage2(sqlite_rt, run)
    detail = _detail(result, abbr)
    assert detail.canonical.name == f"skills/{skill.id}"
    assert detail.new_skill_meta.placement == run_pb2.PLACEMENT_MERGE
    assert any(skill.display_name in line for line in detail.new_skill_meta.merge_log)
    assert _match(result, abbr).alias_persisted
    with sqlite_rt.factory() as session:
        row = session.execute(select(SkillAliasRow).where(SkillAliasRow.text == abbr)).scalar_one()
        assert row.alias_type == "ABBREVIATION" and row.skill_id == skill.id


def test_new_skill_proposals_are_stage_1s_review_items(db_url: str, rt: Runtime) -> None:
    run = stage1(rt, REFERENCE_JD)
    queued = {q.skill_name: q.review_item for q in run.extraction.updates.new_skills_attached}
    assert queued, "stage 1 queued the JD's new skills"
    before = table_counts(rt)
    result = stage2(rt, run)
    after = table_counts(rt)
    assert after["review_items"] == before["review_items"], "no second item for the same skill and role"
    assert after["review_item_runs"] == before["review_item_runs"], "the run is counted once"

    with rt.factory() as session:
        for name, item in queued.items():
            detail = _detail(result, name)
            assert detail.new_skill_meta.review_item == item
            row = session.get(ReviewItemRow, int(item.split("/")[1]))
            assert row is not None and row.occurrence_count == 1
            payload = library_pb2.NewSkillProposal.FromString(row.payload)
            assert payload.skill_name == name
            assert payload.evidence, "stage 1's evidence is kept"
            assert payload.meta.placement == detail.new_skill_meta.placement != run_pb2.PLACEMENT_UNSPECIFIED
            assert payload.meta.review_item == item
            links = session.scalars(
                select(ReviewItemRunRow).where(ReviewItemRunRow.review_item_id == row.id)
            ).all()
            assert [link.run_id for link in links] == [run.run_id]

    # A second JD proposing the same skills for the same role counts once more on the same items.
    other = stage1(rt, REFERENCE_JD.replace("Index Exchange", "Example Corp"))
    stage2(rt, other)
    with rt.factory() as session:
        for name, item in queued.items():
            if name in {s.skill_name for s in other.extraction.skills if s.is_new}:
                row = session.get(ReviewItemRow, int(item.split("/")[1]))
                assert row is not None and row.occurrence_count == 2


def test_a_dry_run_writes_nothing(db_url: str, rt: Runtime) -> None:
    typo, _ = _typo_of_a_library_label(rt)
    run = stage1(rt, REFERENCE_JD)
    add_skill(run, typo)
    add_skill(run, "Spark/Flink")
    before = table_counts(rt)
    result = stage2(rt, run, dry_run=True)
    assert table_counts(rt) == before
    assert result.new_aliases_persisted == 0
    assert _match(result, typo).alias_persist_skipped_reason.startswith("dry run: would be learned")
    assert all(not d.new_skill_meta.review_item for d in result.skills_detail)


def test_dimensions_roles_and_candidate_roles(sqlite_rt: Runtime) -> None:
    run = stage1(sqlite_rt, REFERENCE_JD)
    result = stage2(sqlite_rt, run, dry_run=True)
    snapshot = sqlite_rt.library.current().snapshot
    assert result.chosen_role.name == run.extraction.decision.chosen_role.name
    assert list(result.input_skills) == [s.skill_name for s in run.extraction.skills]
    for detail in result.skills_detail:
        if not detail.canonical.name:
            continue
        skill_id = int(detail.canonical.name.split("/")[1])
        listed = sorted(int(d.dimension.name.split("/")[1]) for d in detail.dimensions)
        if snapshot.skill_dimensions.get(skill_id):
            assert listed == sorted(snapshot.skill_dimensions[skill_id])
        for sd in detail.dimensions:
            dim_id = int(sd.dimension.name.split("/")[1])
            linked = set(snapshot.dimension_roles.get(dim_id, []))
            assert {int(r.name.split("/")[1]) for r in sd.roles} <= linked
    assert result.candidate_roles
    jd_dims = {
        d
        for detail in result.skills_detail
        if detail.canonical.name
        for d in snapshot.skill_dimensions.get(int(detail.canonical.name.split("/")[1]), [])
    }
    for role in result.candidate_roles:
        role_id = int(role.name.split("/")[1])
        assert jd_dims & set(snapshot.role_dimensions.get(role_id, {})), role.display_name
    assert np.isfinite([m.similarity for m in result.alias_matches]).all()
