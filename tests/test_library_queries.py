"""Library reads on SQLite and PostgreSQL: rows from the store built into jdlens.v1 messages, filters,
keyset pages, review items, the version and the change log; and the same through the server."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import grpc
import pytest
from grpc import aio
from sqlalchemy.orm import Session, sessionmaker

from grpc_harness import running_server
from jdlens.v1 import common_pb2, library_pb2, library_service_pb2, run_pb2
from jdlens_server.errors import InvalidArgument, NotFound
from jdlens_server.library.queries import DIMENSION_ROLES_SHOWN, RUNS_PER_REVIEW_ITEM, LibraryQueries
from jdlens_server.store.db import make_engine, session_factory, transaction
from jdlens_server.store.models import (
    ChangeLogRow,
    DimensionRow,
    KraRow,
    LibraryVersionRow,
    PackImportRow,
    ReviewItemRow,
    ReviewItemRunRow,
    RoleAliasRow,
    RoleDimensionRow,
    RoleRow,
    RoleSkillRow,
    RunRow,
    SkillAliasRow,
    SkillDimensionRow,
    SkillRow,
)

CREATED = datetime(2026, 2, 1, 12, 0, tzinfo=UTC)


@dataclass
class Ids:
    python: int
    spark: int
    data_engineer: int
    data_scientist: int
    ict: int
    data_processing: int
    collision_item: int
    skill_item: int


@pytest.fixture
def sessions(db_url: str) -> sessionmaker[Session]:
    return session_factory(make_engine(db_url))


def seed(sessions: sessionmaker[Session]) -> Ids:
    """A small library: 2 skills in one dimension (under a parent), 2 roles, review items, 2 versions."""
    with transaction(sessions) as s:
        v1 = LibraryVersionRow(description="import esco v1.1.1", created_at=CREATED)
        s.add(v1)
        s.flush()
        s.add(
            PackImportRow(pack="esco", source_version="v1.1.1", checksum="c" * 64, library_version=v1.version)
        )
        parent = DimensionRow(slug="ict", display_name="ICT", pack="esco")
        s.add(parent)
        s.flush()
        dim = DimensionRow(
            slug="data-processing",
            display_name="Data processing",
            rationale="skills to move and shape data",
            difficulty_hint="specialist",
            pack="esco",
            parent_id=parent.id,
        )
        s.add(dim)
        python = SkillRow(
            slug="python",
            display_name="Python",
            pack="esco",
            source_uri="http://data.europa.eu/esco/skill/python",
            skill_type="knowledge",
            category="Programming",
            nature="language",
            volatility="MEDIUM",
            typical_lifespan="decade",
            version_strategy="major_versions",
            meta_confidence=0.9,
            context_tags=json.dumps(["programming", "pip"]),
            created_at=CREATED,
        )
        python.aliases = [
            SkillAliasRow(
                text="Python",
                normalized="python",
                alias_type="canonical",
                match_strategy="case_insensitive",
                is_primary=True,
            ),
            SkillAliasRow(
                text="py", normalized="py", alias_type="abbreviation", match_strategy="context_required"
            ),
        ]
        spark = SkillRow(slug="apache-spark", display_name="Apache Spark", pack="onet", created_at=CREATED)
        s.add_all([python, spark])
        role = RoleRow(
            slug="data-engineer",
            display_name="Data Engineer",
            archetype="builder",
            pack="esco",
            code="2511.4",
            isco_group="2511",
            centroid_n=7,
            created_at=CREATED,
        )
        role.aliases = [
            RoleAliasRow(
                text="Data Engineer", normalized="data engineer", is_primary=True, source="preferred"
            )
        ]
        other = RoleRow(slug="data-scientist", display_name="Data Scientist", pack="esco", created_at=CREATED)
        s.add_all([role, other])
        s.flush()
        s.add_all(
            [
                SkillDimensionRow(skill_id=python.id, dimension_id=dim.id),
                SkillDimensionRow(skill_id=spark.id, dimension_id=dim.id),
                RoleDimensionRow(role_id=role.id, dimension_id=dim.id, weight=5),
                RoleDimensionRow(role_id=other.id, dimension_id=dim.id, weight=2),
                RoleSkillRow(role_id=role.id, skill_id=python.id, relation="essential"),
                RoleSkillRow(role_id=role.id, skill_id=spark.id, relation="optional"),
                KraRow(role_id=role.id, text="Build data pipelines", source="esco_description"),
            ]
        )
        v2 = LibraryVersionRow(description="approved review items", created_at=CREATED)
        s.add(v2)
        s.flush()
        s.add_all(
            [
                ChangeLogRow(library_version=v1.version, action="import", resource="packs/esco"),
                ChangeLogRow(
                    library_version=v2.version, action="approve", resource="skills/python", detail="alias"
                ),
            ]
        )
        # Payloads are stored as the kind's proposal message, as the review queue writes them.
        collision = library_pb2.AliasCollision(alias="data engineer", roles=[common_pb2.RoleRef(slug="a")])
        collision_row = ReviewItemRow(
            kind="alias_collision",
            status="pending",
            subject="data engineer",
            dedupe_key="collision:data engineer",
            role_id=role.id,
            occurrence_count=3,
            payload=collision.SerializeToString(),
        )
        skill_item = library_pb2.NewSkillProposal(skill_name="dbt", is_primary=True)
        skill_row = ReviewItemRow(
            kind="new_skill",
            status="approved",
            subject="dbt",
            dedupe_key="skill:dbt",
            payload=skill_item.SerializeToString(),
            resolved_library_version=v2.version,
            resolved_resources=json.dumps(["skills/dbt"]),
        )
        s.add_all([collision_row, skill_row])
        s.flush()
        run = RunRow(
            id="123e4567-e89b-12d3-a456-426614174000",
            idempotency_key="k",
            status="completed",
            stage="final_role",
            library_version=v2.version,
            backend="offline",
            run_proto=b"",
        )
        s.add(run)
        s.flush()
        s.add(ReviewItemRunRow(review_item_id=collision_row.id, run_id=run.id))
        return Ids(python.id, spark.id, role.id, other.id, parent.id, dim.id, collision_row.id, skill_row.id)


def test_skill_is_built_from_its_rows(sessions: sessionmaker[Session]) -> None:
    ids = seed(sessions)
    skill = LibraryQueries(sessions).get_skill(f"skills/{ids.python}")
    assert (
        skill.name == f"skills/{ids.python}"
        and skill.slug == "python"
        and skill.display_name == "Python"
        and skill.pack == "esco"
    )
    assert [(a.text, a.alias_type, a.match_strategy, a.is_primary) for a in skill.aliases] == [
        ("Python", run_pb2.ALIAS_TYPE_CANONICAL, run_pb2.MATCH_STRATEGY_CASE_INSENSITIVE, True),
        ("py", run_pb2.ALIAS_TYPE_ABBREVIATION, run_pb2.MATCH_STRATEGY_CONTEXT_REQUIRED, False),
    ]
    assert list(skill.context_tags) == ["programming", "pip"]
    meta = skill.metadata
    assert (meta.nature, meta.volatility, meta.typical_lifespan, meta.version_strategy) == (
        common_pb2.SKILL_NATURE_LANGUAGE,
        common_pb2.VOLATILITY_MEDIUM,
        common_pb2.TYPICAL_LIFESPAN_DECADE,
        common_pb2.VERSION_STRATEGY_MAJOR_VERSIONS,
    )
    assert meta.category == "Programming" and meta.skill_type == "knowledge" and meta.confidence == 0.9
    assert [d.name for d in skill.dimensions] == [f"dimensions/{ids.data_processing}"]
    assert skill.create_time.ToDatetime(tzinfo=UTC) == CREATED


def test_role_is_built_with_aliases_kras_skills_and_dimensions(sessions: sessionmaker[Session]) -> None:
    ids = seed(sessions)
    role = LibraryQueries(sessions).get_role(f"roles/{ids.data_engineer}")
    assert (role.code, role.isco_group, role.centroid_n, role.archetype) == ("2511.4", "2511", 7, "builder")
    assert [(a.text, a.normalized_text, a.is_primary) for a in role.aliases] == [
        ("Data Engineer", "data engineer", True)
    ]
    (kra,) = role.kras
    assert kra.name.startswith(f"roles/{ids.data_engineer}/kras/") and kra.text == "Build data pipelines"
    assert {(s.skill.name, s.relation) for s in role.skills} == {
        (f"skills/{ids.python}", library_pb2.ROLE_SKILL_RELATION_ESSENTIAL),
        (f"skills/{ids.spark}", library_pb2.ROLE_SKILL_RELATION_OPTIONAL),
    }
    assert [d.slug for d in role.dimensions] == ["data-processing"]
    assert ids.data_engineer > 0


def test_dimension_has_parent_counts_and_ranked_roles(sessions: sessionmaker[Session]) -> None:
    ids = seed(sessions)
    dim = LibraryQueries(sessions).get_dimension(f"dimensions/{ids.data_processing}")
    assert (
        dim.parent == f"dimensions/{ids.ict}" and dim.skill_count == 2 and dim.difficulty_hint == "specialist"
    )
    # Roles ranked by link weight.
    assert [r.name for r in dim.roles] == [f"roles/{ids.data_engineer}", f"roles/{ids.data_scientist}"]
    top = LibraryQueries(sessions).get_dimension(f"dimensions/{ids.ict}")
    assert top.parent == "" and top.skill_count == 0 and len(top.roles) == 0


def test_dimension_shows_at_most_the_top_linked_roles(sessions: sessionmaker[Session]) -> None:
    with transaction(sessions) as s:
        dim = DimensionRow(slug="big", display_name="Big", pack="esco")
        roles = [
            RoleRow(slug=f"role-{i}", display_name=f"Role {i}", pack="esco")
            for i in range(DIMENSION_ROLES_SHOWN + 5)
        ]
        s.add_all([dim, *roles])
        s.flush()
        s.add_all(RoleDimensionRow(role_id=r.id, dimension_id=dim.id, weight=i) for i, r in enumerate(roles))
        big = dim.id
    shown = LibraryQueries(sessions).get_dimension(f"dimensions/{big}").roles
    assert len(shown) == DIMENSION_ROLES_SHOWN
    assert shown[0].slug == f"role-{DIMENSION_ROLES_SHOWN + 4}"


def test_lists_filter_and_page(sessions: sessionmaker[Session]) -> None:
    ids = seed(sessions)
    q = LibraryQueries(sessions)
    first = q.list_skills(1)
    second = q.list_skills(1, first.next_page_token)
    assert [s.slug for s in first.items + second.items] == ["python", "apache-spark"]
    assert second.next_page_token == ""
    assert [s.slug for s in q.list_skills(10, pack="onet").items] == ["apache-spark"]
    assert [s.slug for s in q.list_skills(10, dimension=f"dimensions/{ids.data_processing}").items] == [
        "python",
        "apache-spark",
    ]
    assert [r.slug for r in q.list_roles(10, dimension=f"dimensions/{ids.data_processing}").items] == [
        "data-engineer",
        "data-scientist",
    ]
    assert [d.slug for d in q.list_dimensions(10).items] == ["ict", "data-processing"]
    with pytest.raises(InvalidArgument):
        q.list_skills(1, first.next_page_token, pack="esco")
    with pytest.raises(InvalidArgument):  # a skills token is no roles token
        q.list_roles(1, first.next_page_token)
    with pytest.raises(NotFound):
        q.list_roles(10, dimension=f"dimensions/{ids.data_processing + 100}")


def test_review_items_carry_payload_role_and_runs(sessions: sessionmaker[Session]) -> None:
    ids = seed(sessions)
    q = LibraryQueries(sessions)
    items = q.list_review_items(10).items
    assert [i.name for i in items] == [f"reviewItems/{ids.skill_item}", f"reviewItems/{ids.collision_item}"]
    collision = q.get_review_item(f"reviewItems/{ids.collision_item}")
    assert collision.kind == library_pb2.REVIEW_ITEM_KIND_ALIAS_COLLISION
    assert collision.status == run_pb2.REVIEW_STATUS_PENDING and collision.occurrence_count == 3
    assert (
        collision.WhichOneof("payload") == "alias_collision"
        and collision.alias_collision.alias == "data engineer"
    )
    assert collision.role.name == f"roles/{ids.data_engineer}" and collision.role.slug == "data-engineer"
    assert list(collision.runs) == ["runs/123e4567-e89b-12d3-a456-426614174000"]
    approved = q.list_review_items(10, status=run_pb2.REVIEW_STATUS_APPROVED).items
    assert [i.new_skill.skill_name for i in approved] == ["dbt"]
    assert (
        list(approved[0].resolved_resources) == ["skills/dbt"] and approved[0].resolved_library_version == 2
    )
    by_kind = q.list_review_items(
        10, kind=library_pb2.REVIEW_ITEM_KIND_ALIAS_COLLISION, role=f"roles/{ids.data_engineer}"
    )
    assert [i.subject for i in by_kind.items] == ["data engineer"]
    with pytest.raises(NotFound):
        q.get_review_item("reviewItems/999")


def test_a_review_item_lists_its_newest_runs_only(sessions: sessionmaker[Session]) -> None:
    """A skill proposed by many runs: the item names the newest RUNS_PER_REVIEW_ITEM, newest first;
    occurrence_count still counts them all."""
    ids = seed(sessions)
    extra = RUNS_PER_REVIEW_ITEM + 5
    with transaction(sessions) as s:
        for i in range(extra):
            run_id = str(uuid.UUID(int=(i * 7919) % extra + 1))  # ids in no time order
            s.add(
                RunRow(
                    id=run_id,
                    idempotency_key=f"key-{i}",
                    status="completed",
                    stage="final_role",
                    created_at=datetime.now(UTC) + timedelta(minutes=i + 1),  # after the seed run
                    library_version=2,
                    backend="offline",
                    run_proto=b"",
                )
            )
            s.flush()
            s.add(ReviewItemRunRow(review_item_id=ids.collision_item, run_id=run_id))
        s.get(ReviewItemRow, ids.collision_item).occurrence_count += extra  # type: ignore[union-attr]
    item = LibraryQueries(sessions).get_review_item(f"reviewItems/{ids.collision_item}")
    assert item.occurrence_count == 3 + extra
    newest = [f"runs/{uuid.UUID(int=(i * 7919) % extra + 1)}" for i in reversed(range(extra))]
    assert list(item.runs) == newest[:RUNS_PER_REVIEW_ITEM]


def test_version_and_changes(sessions: sessionmaker[Session]) -> None:
    seed(sessions)
    q = LibraryQueries(sessions)
    version = q.get_library_version()
    assert version.version == 2 and version.description == "approved review items"
    assert (version.skill_count, version.role_count, version.dimension_count, version.kra_count) == (
        2,
        2,
        2,
        1,
    )
    assert list(version.packs) == ["esco v1.1.1"]
    changes = q.list_changes(10).items
    assert [(c.library_version, c.action) for c in changes] == [(2, "approve"), (1, "import")]
    assert [c.resource for c in q.list_changes(10, since_version=1).items] == ["skills/python"]
    page = q.list_changes(1)
    assert [c.action for c in q.list_changes(1, page.next_page_token).items] == ["import"]


async def test_library_through_the_server(sqlite_url: str) -> None:
    async with running_server(sqlite_url) as h:
        ids = seed(h.sessions)
        lib = h.library
        skill = await lib.GetSkill(library_service_pb2.GetSkillRequest(name=f"skills/{ids.python}"))
        assert skill.display_name == "Python"
        listed = await lib.ListRoles(library_service_pb2.ListRolesRequest(page_size=1))
        assert len(listed.roles) == 1 and listed.next_page_token
        items = await lib.ListReviewItems(
            library_service_pb2.ListReviewItemsRequest(status=run_pb2.REVIEW_STATUS_PENDING)
        )
        assert [i.name for i in items.review_items] == [f"reviewItems/{ids.collision_item}"]
        with pytest.raises(aio.AioRpcError) as caught:
            await lib.ResolveReviewItem(
                library_service_pb2.ResolveReviewItemRequest(
                    name=f"reviewItems/{ids.collision_item}",
                    decision=library_service_pb2.REVIEW_DECISION_APPROVE,
                )
            )
        assert caught.value.code() == grpc.StatusCode.UNIMPLEMENTED
        changes = await lib.ListChanges(library_service_pb2.ListChangesRequest())
        assert len(changes.changes) == 2


def test_lookup_by_ids_for_search_results(sessions: sessionmaker[Session]) -> None:
    ids = seed(sessions)
    q = LibraryQueries(sessions)
    skills = q.skills_by_ids([ids.spark, ids.python, 10_000])
    assert {k: v.slug for k, v in skills.items()} == {ids.python: "python", ids.spark: "apache-spark"}
    assert skills[ids.python] == q.get_skill(f"skills/{ids.python}")
    roles = q.roles_by_ids([ids.data_scientist])
    assert [r.slug for r in roles.values()] == ["data-scientist"]
