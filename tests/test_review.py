"""ResolveReviewItem over a real ESCO subset, on SQLite and PostgreSQL: approve (new skill, new role,
new KRA, alias collision), reject, merge; not-pending and bad requests; version bump and change log;
and the issue's done-when: an approved new role is hit by alias and by KRA in the same process,
without a restart, through the pipeline itself."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import grpc
import pytest
from google.protobuf.message import Message
from google.rpc import error_details_pb2
from grpc import aio
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from grpc_harness import detail_of, running_server
from jdlens.v1 import common_pb2, library_pb2, pipeline_service_pb2, run_pb2
from jdlens.v1 import library_service_pb2 as pb
from jdlens_server.errors import FailedPrecondition, InvalidArgument, NotFound
from jdlens_server.library import review_queue
from jdlens_server.library.importer import import_pack
from jdlens_server.library.packs.esco import EscoPack, esco_subset
from jdlens_server.library.queries import LibraryQueries
from jdlens_server.library.review import ReviewService
from jdlens_server.library.search_service import LibrarySearch
from jdlens_server.library.state import LibraryState
from jdlens_server.nlp.embedder import Embedder
from jdlens_server.nlp.kra_index import KraIndex
from jdlens_server.nlp.title import normalize_title
from jdlens_server.pipeline.core import PipelineCore
from jdlens_server.store.db import make_engine, session_factory, transaction
from jdlens_server.store.models import (
    ChangeLogRow,
    DimensionRow,
    KraRow,
    RoleAliasRow,
    RoleRow,
    SkillAliasRow,
    SkillRow,
)

DATA_SCIENTIST = "http://data.europa.eu/esco/occupation/258e46f9-0075-4a2e-adae-1ff0477e0f30"
DATABASE_ADMIN = "http://data.europa.eu/esco/occupation/8c57af09-719c-42b3-be40-6ed4946236cc"

APPROVE, REJECT, MERGE = pb.REVIEW_DECISION_APPROVE, pb.REVIEW_DECISION_REJECT, pb.REVIEW_DECISION_MERGE

PROMPT_ENGINEER_JD = """Prompt Engineer

About the role
We are hiring a Prompt Engineer to design and evaluate prompts for our large language model products.

Responsibilities
- Design, test and refine prompts for customer-facing chat assistants.
- Build evaluation suites that measure answer quality and hallucination rates.
- Work with product managers to turn user needs into prompt templates.
- Maintain a library of reusable prompt patterns and document best practices.

Requirements
- Experience with Python and SQL.
- Familiarity with LangChain and OpenAI APIs.
"""

# The same job, written by another company: same title, responsibilities in other words.
NEXT_PROMPT_ENGINEER_JD = """Senior Prompt Engineer (m/f/d)

What you will do
- Write, test and improve the prompts behind our customer chat assistant.
- Create evaluation suites to measure the quality of answers and how often the model hallucinates.
- Partner with product managers to translate user needs into reusable prompt templates.

What you bring
- Python, SQL and hands-on work with large language models.
"""


@dataclass
class Env:
    sessions: sessionmaker[Session]
    state: LibraryState
    review: ReviewService
    queries: LibraryQueries
    embedder: Embedder
    index_path: Path
    db_url: str
    data_scientist: int
    database_admin: int

    def resolve(
        self, item: str, decision: pb.ReviewDecision.ValueType, merge_into: str = "", note: str = ""
    ) -> pb.ResolveReviewItemResponse:
        return self.review.resolve_review_item(
            pb.ResolveReviewItemRequest(name=item, decision=decision, merge_into=merge_into, note=note)
        )

    def queue(self, kind: str, subject: str, payload: Message, role_id: int | None = None) -> str:
        with transaction(self.sessions) as session:
            item_id, _, _ = review_queue.propose(
                session, kind=kind, subject=subject, role_id=role_id, payload=payload, run_id=None
            )
        return f"reviewItems/{item_id}"

    def version(self) -> int:
        return self.queries.get_library_version().version

    def role_id(self, uri: str) -> int:
        with self.sessions() as session:
            return int(session.scalars(select(RoleRow.id).where(RoleRow.source_uri == uri)).one())


@pytest.fixture
def env(db_url: str, tmp_path: Path, esco: EscoPack, embedder: Embedder) -> Iterator[Env]:
    pack = esco_subset(esco, occupation_uris=[DATA_SCIENTIST, DATABASE_ADMIN])
    import_pack(db_url, "esco", contents=pack, embedder=embedder, progress=False)
    engine = make_engine(db_url)
    sessions = session_factory(engine)
    index_path = tmp_path / "kra.hnsw"
    state = LibraryState(sessions, embedder, db_url, index_path=index_path)
    state.current()
    review = ReviewService(sessions, state, embedder, index_path=index_path)
    env = Env(sessions, state, review, LibraryQueries(sessions), embedder, index_path, db_url, 0, 0)
    env.data_scientist = env.role_id(DATA_SCIENTIST)
    env.database_admin = env.role_id(DATABASE_ADMIN)
    yield env
    engine.dispose()


def new_role_proposal() -> run_pb2.NewRoleProposal:
    return run_pb2.NewRoleProposal(
        slug="prompt-engineer",
        display_name="Prompt Engineer",
        aliases=["Prompt Engineer", "prompt engineer", "Prompt Designer"],
        archetype="AI",
        kras=[
            "Design, test and refine prompts for customer-facing chat assistants.",
            "Build evaluation suites that measure answer quality and hallucination rates.",
        ],
        skills=["SQL", "LangChain", "sql"],
    )


def changes_since(env: Env, version: int) -> list[tuple[str, str]]:
    return [(c.action, c.resource) for c in env.queries.list_changes(100, since_version=version).items]


# ---- the done-when: approve a queued new role, then the next JD with its title hits it ---------


def test_approved_new_role_is_hit_by_alias_and_kra_without_restart(env: Env) -> None:
    core = PipelineCore(env.sessions, env.state, env.embedder)
    first, _ = core.extract_from_jd(
        pipeline_service_pb2.ExtractFromJdRequest(jd=pipeline_service_pb2.JdInput(text=PROMPT_ENGINEER_JD))
    )
    decision = first.extraction.decision
    assert decision.is_new_role and first.extraction.signals.normalized_title == "prompt engineer"
    assert not first.extraction.signals.alias_match_roles
    item = first.extraction.updates.new_role_review_item
    assert item

    before = env.state.current()
    response = env.resolve(item, APPROVE, note="a real, recurring role")
    assert response.review_item.status == run_pb2.REVIEW_STATUS_APPROVED
    role_name = next(r for r in response.review_item.resolved_resources if r.count("/") == 1)
    role_id = int(role_name.split("/")[1])

    # Same LibraryState object, new snapshot and index: no restart.
    after = env.state.current()
    assert after is not before and after.snapshot.version == response.library_version
    assert [r for r, _ in after.snapshot.role_alias_map["prompt engineer"]] == [role_id]
    new_kras = {k.id for k in after.snapshot.kras.values() if k.role_id == role_id}
    assert len(new_kras) == len(decision.new_role.kras) >= 3
    assert all(k in after.kra_index for k in new_kras)

    second, replayed = core.extract_from_jd(
        pipeline_service_pb2.ExtractFromJdRequest(
            jd=pipeline_service_pb2.JdInput(text=NEXT_PROMPT_ENGINEER_JD)
        )
    )
    assert not replayed
    signals = second.extraction.signals
    assert signals.normalized_title == "prompt engineer"
    assert [s.role.name for s in signals.alias_match_roles] == [role_name]
    kra_hit = next(s for s in signals.kra_match_roles if s.role.name == role_name)
    assert {m.kra for m in kra_hit.kra_matches} <= {f"{role_name}/kras/{k}" for k in new_kras}
    assert signals.kra_match_roles[0].role.name == role_name
    assert second.extraction.decision.chosen_role.name == role_name
    assert not second.extraction.decision.is_new_role

    # The index on disk is the new version's: a fresh process loads it with the new KRAs.
    saved, saved_version = KraIndex.load(env.index_path)
    assert saved_version == response.library_version and all(k in saved for k in new_kras)


def test_approve_new_role_builds_the_role(env: Env) -> None:
    item = env.queue("new_role", "Prompt Engineer", new_role_proposal())
    version = env.version()
    before = env.state.current()
    response = env.resolve(item, APPROVE)
    assert response.library_version == version + 1

    role_name = response.review_item.resolved_resources[0]
    role = env.queries.get_role(role_name)
    assert (role.slug, role.display_name, role.pack, role.archetype) == (
        "prompt-engineer",
        "Prompt Engineer",
        "review",
        "AI",
    )
    assert [(a.normalized_text, a.is_primary, a.source) for a in role.aliases] == [
        ("prompt engineer", True, "review"),
        ("prompt designer", False, "review"),
    ]
    assert [k.text for k in role.kras] == list(new_role_proposal().kras)
    assert {k.source for k in role.kras} == {"review"}
    assert [k.name for k in role.kras] == list(response.review_item.resolved_resources[1:])
    # "SQL" and "sql" resolve to the library skill that has that alias, once; LangChain is not in ESCO.
    with env.sessions() as session:
        holders = set(
            session.scalars(select(SkillAliasRow.skill_id).where(SkillAliasRow.normalized == "sql"))
        )
    assert len(role.skills) == 1 and int(role.skills[0].skill.name.split("/")[1]) in holders
    assert role.skills[0].relation == library_pb2.ROLE_SKILL_RELATION_OPTIONAL
    sql = env.queries.get_skill(role.skills[0].skill.name)
    assert {d.name for d in role.dimensions} == {d.name for d in sql.dimensions}

    # The new role's KRAs never entered the index of the snapshot that does not know the role.
    assert not any(k.name.rsplit("/", 1)[1] in before.kra_index for k in role.kras)
    vectors = env.embedder.embed(list(new_role_proposal().kras))
    hits = env.state.current().kra_index.search(vectors, 3)
    assert all(row[0].role_id == int(role_name.split("/")[1]) for row in hits)

    # A second role with the same slug gets a suffix.
    other = new_role_proposal()
    other.display_name = "Prompt Engineer II"
    second = env.resolve(env.queue("new_role", other.display_name, other), APPROVE)
    assert env.queries.get_role(second.review_item.resolved_resources[0]).slug == "prompt-engineer-2"


# ---- new skill ---------------------------------------------------------------------------------


def test_approve_new_skill(env: Env) -> None:
    with env.sessions() as session:
        dim_id = session.scalars(select(DimensionRow.id).order_by(DimensionRow.id)).first()
    meta = run_pb2.NewSkillMeta(
        skill_id="langchain",
        derived=common_pb2.SkillMetadata(
            category="AI",
            sub_category="LLM frameworks",
            nature=common_pb2.SKILL_NATURE_TOOL,
            volatility=common_pb2.VOLATILITY_HIGH,
            typical_lifespan=common_pb2.TYPICAL_LIFESPAN_MULTI_YEAR,
            version_strategy=common_pb2.VERSION_STRATEGY_MAJOR_VERSIONS,
            confidence=0.7,
            reasoning="nearest skills are programming tools",
        ),
        proposed_dimension=common_pb2.DimensionRef(name=f"dimensions/{dim_id}"),
    )
    proposal = library_pb2.NewSkillProposal(skill_name="LangChain", is_primary=True, meta=meta)
    item = env.queue("new_skill", "LangChain", proposal, role_id=env.data_scientist)
    version = env.version()
    response = env.resolve(item, APPROVE)
    assert response.library_version == version + 1
    skill_name = response.review_item.resolved_resources[0]
    skill = env.queries.get_skill(skill_name)
    assert (skill.slug, skill.display_name, skill.pack) == ("langchain", "LangChain", "review")
    assert [(a.text, a.alias_type, a.is_primary) for a in skill.aliases] == [
        ("LangChain", run_pb2.ALIAS_TYPE_CANONICAL, True)
    ]
    assert skill.metadata.nature == common_pb2.SKILL_NATURE_TOOL
    assert skill.metadata.volatility == common_pb2.VOLATILITY_HIGH
    assert skill.metadata.category == "AI" and skill.metadata.confidence == pytest.approx(0.7)
    assert [d.name for d in skill.dimensions] == [f"dimensions/{dim_id}"]
    role = env.queries.get_role(f"roles/{env.data_scientist}")
    link = next(s for s in role.skills if s.skill.name == skill_name)
    assert link.relation == library_pb2.ROLE_SKILL_RELATION_ESSENTIAL
    assert f"dimensions/{dim_id}" in {d.name for d in role.dimensions}
    with env.sessions() as session:
        assert session.scalar(select(SkillRow.embedding).where(SkillRow.slug == "langchain")) is not None

    # Live: the reloaded snapshot knows the skill, so the next JD's matcher can find it.
    snapshot = env.state.current().snapshot
    assert snapshot.version == response.library_version
    assert snapshot.skill_by_slug["langchain"] == int(skill_name.split("/")[1])

    # The same name proposed for another role is now an alias of that skill: approval is refused.
    again = env.queue("new_skill", "Langchain", proposal, role_id=env.database_admin)
    with pytest.raises(FailedPrecondition) as caught:
        env.resolve(again, APPROVE)
    assert skill_name in caught.value.message
    assert env.queries.get_review_item(again).status == run_pb2.REVIEW_STATUS_PENDING


# ---- new KRA -----------------------------------------------------------------------------------


def test_approve_new_kra_is_added_to_the_live_index(env: Env) -> None:
    text = "Tune slow queries and plan index maintenance windows for production databases."
    proposal = library_pb2.NewKraProposal(text=text, best_similarity=0.41)
    item = env.queue("new_kra", text, proposal, role_id=env.database_admin)
    before = env.state.current()
    response = env.resolve(item, APPROVE)
    kra_name = response.review_item.resolved_resources[0]
    assert kra_name.startswith(f"roles/{env.database_admin}/kras/")
    kra_id = int(kra_name.rsplit("/", 1)[1])
    # Added to the index requests in flight were already using, and in the reloaded one.
    assert kra_id in before.kra_index and kra_id in env.state.current().kra_index
    hit = env.state.current().kra_index.search(env.embedder.embed([text]), 1)[0][0]
    assert (hit.kra_id, hit.role_id) == (kra_id, env.database_admin)
    assert env.state.current().snapshot.kras[kra_id].source == "review"


# ---- alias collision ---------------------------------------------------------------------------


def _collide(env: Env, alias: str) -> str:
    """Give the database administrator role an alias the data scientist role has; queue the item."""
    key = normalize_title(alias)
    with transaction(env.sessions) as session:
        session.add(
            RoleAliasRow(role_id=env.database_admin, text=alias, normalized=key, source="alternative")
        )
    collision = library_pb2.AliasCollision(
        alias=alias,
        roles=[common_pb2.RoleRef(name=f"roles/{r}") for r in (env.data_scientist, env.database_admin)],
        chosen_role=common_pb2.RoleRef(name=f"roles/{env.data_scientist}"),
    )
    return env.queue("alias_collision", alias, collision)


def test_approve_collision_keeps_the_chosen_role(env: Env) -> None:
    item = _collide(env, "data engineer")
    env.state.reload()
    assert {r for r, _ in env.state.current().snapshot.role_alias_map["data engineer"]} == {
        env.data_scientist,
        env.database_admin,
    }
    response = env.resolve(item, APPROVE)
    assert set(response.review_item.resolved_resources) == {
        f"roles/{env.database_admin}",
        f"roles/{env.data_scientist}",
    }
    assert [r for r, _ in env.state.current().snapshot.role_alias_map["data engineer"]] == [
        env.data_scientist
    ]


def test_merge_collision_gives_the_alias_to_the_named_role(env: Env) -> None:
    item = _collide(env, "data engineer")
    response = env.resolve(item, MERGE, merge_into=f"roles/{env.database_admin}")
    assert response.review_item.status == run_pb2.REVIEW_STATUS_MERGED
    assert response.review_item.merged_into == f"roles/{env.database_admin}"
    with env.sessions() as session:
        owners = session.scalars(
            select(RoleAliasRow.role_id).where(RoleAliasRow.normalized == "data engineer")
        )
        assert list(owners) == [env.database_admin]
    assert [r for r, _ in env.state.current().snapshot.role_alias_map["data engineer"]] == [
        env.database_admin
    ]


# ---- reject, merge, errors ---------------------------------------------------------------------


def test_reject_changes_nothing_but_the_item(env: Env) -> None:
    item = env.queue("new_role", "Prompt Engineer", new_role_proposal())
    version = env.version()
    with env.sessions() as session:
        roles = session.scalar(select(func.count()).select_from(RoleRow))
        changes = session.scalar(select(func.count()).select_from(ChangeLogRow))
    loaded = env.state.current()
    response = env.resolve(item, REJECT, note="one-off job title")
    assert response.library_version == version == env.version()
    got = response.review_item
    assert got.status == run_pb2.REVIEW_STATUS_REJECTED and got.resolution_note == "one-off job title"
    assert got.resolved_library_version == 0 and not got.resolved_resources
    with env.sessions() as session:
        assert session.scalar(select(func.count()).select_from(RoleRow)) == roles
        assert session.scalar(select(func.count()).select_from(ChangeLogRow)) == changes
    assert env.state.current() is loaded

    with pytest.raises(FailedPrecondition) as caught:
        env.resolve(item, APPROVE)
    assert "rejected" in caught.value.message
    assert caught.value.violations[0].type == "REVIEW_STATUS"


def test_merge_new_skill_and_new_role(env: Env) -> None:
    with env.sessions() as session:
        sql_id = session.scalars(
            select(SkillAliasRow.skill_id).where(SkillAliasRow.normalized == "sql")
        ).first()
    skill_item = env.queue(
        "new_skill", "Structured Query Lang", library_pb2.NewSkillProposal(skill_name="Structured Query Lang")
    )
    merged = env.resolve(skill_item, MERGE, merge_into=f"skills/{sql_id}")
    assert merged.review_item.status == run_pb2.REVIEW_STATUS_MERGED
    assert merged.review_item.merged_into == f"skills/{sql_id}"
    aliases = {a.text: a.alias_type for a in env.queries.get_skill(f"skills/{sql_id}").aliases}
    assert aliases["Structured Query Lang"] == run_pb2.ALIAS_TYPE_ALTERNATIVE

    proposal = new_role_proposal()
    proposal.display_name = "ML Data Wrangler"
    proposal.aliases[:] = ["ML Data Wrangler", "Data Wrangler"]
    role_item = env.queue("new_role", proposal.display_name, proposal)
    before = env.state.current()
    response = env.resolve(role_item, MERGE, merge_into=f"roles/{env.data_scientist}")
    role = env.queries.get_role(f"roles/{env.data_scientist}")
    review_aliases = {a.normalized_text for a in role.aliases if a.source == "review"}
    assert review_aliases == {"ml data wrangler", "data wrangler"}
    attached = [k for k in role.kras if k.source == "review"]
    assert [k.text for k in attached] == list(proposal.kras)
    # The role is known to every snapshot: its new KRAs went into the live index at once.
    assert all(int(k.name.rsplit("/", 1)[1]) in before.kra_index for k in attached)
    assert env.state.current().snapshot.role_alias_map["data wrangler"] == [
        (env.data_scientist, "Data Wrangler")
    ]
    assert list(response.review_item.resolved_resources) == [role.name, *(k.name for k in attached)]


def test_bad_requests(env: Env) -> None:
    skill_item = env.queue("new_skill", "Foo", library_pb2.NewSkillProposal(skill_name="Foo"))
    with pytest.raises(InvalidArgument) as caught:
        env.resolve(skill_item, MERGE)
    assert [v.field for v in caught.value.violations] == ["merge_into"]
    with pytest.raises(InvalidArgument) as caught:
        env.resolve(skill_item, MERGE, merge_into=f"roles/{env.data_scientist}")
    assert [v.field for v in caught.value.violations] == ["merge_into"]
    assert "skills/{id}" in caught.value.violations[0].description
    with pytest.raises(NotFound):
        env.resolve(skill_item, MERGE, merge_into="skills/987654")
    with pytest.raises(NotFound):
        env.resolve("reviewItems/987654", APPROVE)
    # Nothing above changed the item.
    assert env.queries.get_review_item(skill_item).status == run_pb2.REVIEW_STATUS_PENDING


def test_version_bump_and_change_log(env: Env) -> None:
    version = env.version()
    text = "Document database backup and recovery procedures for the operations team."
    item = env.queue("new_kra", text, library_pb2.NewKraProposal(text=text), role_id=env.database_admin)
    response = env.resolve(item, APPROVE, note="good duty")
    assert response.library_version == version + 1 == env.version()
    assert response.review_item.resolved_library_version == version + 1
    changes = env.queries.list_changes(100, since_version=version).items
    assert {c.library_version for c in changes} == {version + 1}
    assert sorted((c.action, c.resource) for c in changes) == sorted(
        [("approve", f"roles/{env.database_admin}"), ("approve", item)]
    )
    assert any("note: good duty" in c.detail for c in changes)
    assert "approve KRA" in env.queries.get_library_version().description

    # A KRA the role already has (from ESCO) approves without a new version or a second row.
    with env.sessions() as session:
        known = session.scalars(select(KraRow.text).where(KraRow.role_id == env.database_admin)).first()
    assert known is not None
    again = env.queue("new_kra", known, library_pb2.NewKraProposal(text=known), role_id=env.database_admin)
    same = env.resolve(again, APPROVE)
    assert same.library_version == version + 1 and same.review_item.status == run_pb2.REVIEW_STATUS_APPROVED
    assert not same.review_item.resolved_resources
    with env.sessions() as session:
        assert session.scalar(select(func.count()).select_from(KraRow).where(KraRow.text == known)) == 1


def test_concurrent_resolutions_resolve_once(env: Env, embedder: Embedder) -> None:
    item = env.queue("new_role", "Prompt Engineer", new_role_proposal())
    # Two services as in two processes: each has its own lock, the database arbitrates.
    other = ReviewService(env.sessions, env.state, embedder, index_path=env.index_path)
    outcomes: list[tuple[str, int]] = []
    rejected: list[str] = []

    def run(service: ReviewService) -> None:
        try:
            done = service.resolve_review_item(pb.ResolveReviewItemRequest(name=item, decision=APPROVE))
            outcomes.append((done.review_item.resolved_resources[0], done.library_version))
        except FailedPrecondition as exc:
            rejected.append(exc.message)

    threads = [threading.Thread(target=run, args=(s,)) for s in (env.review, other)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    # Both approvals of one mind succeed with the same answer; the role is made once.
    assert rejected == [] and len(outcomes) == 2 and outcomes[0] == outcomes[1]
    with env.sessions() as session:
        assert session.scalar(select(func.count()).select_from(RoleRow).where(RoleRow.pack == "review")) == 1


def test_a_resent_resolution_answers_as_the_first_and_changes_nothing(env: Env) -> None:
    """A client whose answer was lost (the library reload can outlast a short deadline) resends:
    it gets the item and version the first resolution made, not an error; nothing changes twice."""
    item = env.queue("new_role", "Prompt Engineer", new_role_proposal())
    first = env.resolve(item, APPROVE)
    with env.sessions() as session:
        counts = (
            session.scalar(select(func.count()).select_from(RoleRow)),
            session.scalar(select(func.count()).select_from(ChangeLogRow)),
        )
    again = env.resolve(item, APPROVE)
    assert again == first and env.version() == first.library_version
    with env.sessions() as session:
        assert counts == (
            session.scalar(select(func.count()).select_from(RoleRow)),
            session.scalar(select(func.count()).select_from(ChangeLogRow)),
        )
    # Another decision on it is still refused.
    with pytest.raises(FailedPrecondition) as caught:
        env.resolve(item, REJECT)
    assert "already approved" in caught.value.message
    rejected = env.queue("new_role", "Vibe Coder", new_role_proposal())
    assert env.resolve(rejected, REJECT) == env.resolve(rejected, REJECT)


async def test_resolve_through_the_server(env: Env) -> None:
    item = env.queue("new_role", "Prompt Engineer", new_role_proposal())
    search = LibrarySearch(env.sessions, env.embedder)
    async with running_server(env.db_url, review=env.review, search=search) as h:
        response = await h.library.ResolveReviewItem(pb.ResolveReviewItemRequest(name=item, decision=APPROVE))
        assert response.review_item.status == run_pb2.REVIEW_STATUS_APPROVED
        with pytest.raises(aio.AioRpcError) as caught:
            await h.library.ResolveReviewItem(pb.ResolveReviewItemRequest(name=item, decision=REJECT))
        assert caught.value.code() == grpc.StatusCode.FAILED_PRECONDITION
        violation = detail_of(caught.value, error_details_pb2.PreconditionFailure).violations[0]
        assert violation.type == "REVIEW_STATUS" and violation.subject == item
        # Search follows the new library version.
        found = await h.library.SearchRoles(pb.SearchRolesRequest(query="Prompt Engineer"))
        assert found.results[0].match == pb.SEARCH_MATCH_ALIAS
        assert found.results[0].role.name == response.review_item.resolved_resources[0]
