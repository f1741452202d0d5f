"""SearchSkills / SearchRoles over a real ESCO subset: alias hits first and marked so, embedding
neighbours after them, nothing for junk; full Skill and Role messages; page sizes; through gRPC."""

from __future__ import annotations

import itertools
from collections.abc import Iterator

import grpc
import pytest
from grpc import aio
from sqlalchemy.orm import Session, sessionmaker

from grpc_harness import running_server
from jdlens.v1 import library_service_pb2 as pb
from jdlens_server.errors import InvalidArgument
from jdlens_server.library.importer import import_pack
from jdlens_server.library.packs.esco import EscoPack, esco_subset
from jdlens_server.library.search import clear_cache
from jdlens_server.library.search_service import LibrarySearch
from jdlens_server.nlp.embedder import Embedder
from jdlens_server.store.db import make_engine, session_factory

DATA_SCIENTIST = "http://data.europa.eu/esco/occupation/258e46f9-0075-4a2e-adae-1ff0477e0f30"
DATABASE_ADMIN = "http://data.europa.eu/esco/occupation/8c57af09-719c-42b3-be40-6ed4946236cc"


@pytest.fixture
def sessions(db_url: str, esco: EscoPack, embedder: Embedder) -> Iterator[sessionmaker[Session]]:
    clear_cache()
    pack = esco_subset(esco, occupation_uris=[DATA_SCIENTIST, DATABASE_ADMIN])
    import_pack(db_url, "esco", contents=pack, embedder=embedder, progress=False)
    engine = make_engine(db_url)
    yield session_factory(engine)
    engine.dispose()


@pytest.fixture
def search(sessions: sessionmaker[Session], embedder: Embedder) -> LibrarySearch:
    return LibrarySearch(sessions, embedder)


def test_role_alias_hit_comes_first_as_a_full_role(search: LibrarySearch) -> None:
    results = search.search_roles(pb.SearchRolesRequest(query="data engineer")).results
    first = results[0]
    assert first.match == pb.SEARCH_MATCH_ALIAS and first.score == 1.0
    assert first.matched_alias == "data engineer"
    assert first.role.source_uri == DATA_SCIENTIST and first.role.name.startswith("roles/")
    # The whole Role message: aliases, KRAs and skills come along.
    assert "data engineer" in {a.normalized_text for a in first.role.aliases}
    assert first.role.kras and first.role.skills
    rest = results[1:]
    assert all(r.match == pb.SEARCH_MATCH_EMBEDDING for r in rest)
    assert first.role.name not in {r.role.name for r in rest}


def test_role_normalized_then_embedding(search: LibrarySearch) -> None:
    normalized = search.search_roles(pb.SearchRolesRequest(query="Senior Data Engineer (m/f/d) - Berlin"))
    assert normalized.results[0].match == pb.SEARCH_MATCH_NORMALIZED_ALIAS
    assert normalized.results[0].role.source_uri == DATA_SCIENTIST

    near = search.search_roles(pb.SearchRolesRequest(query="machine learning data analyst")).results
    assert near and all(r.match == pb.SEARCH_MATCH_EMBEDDING for r in near)
    assert near[0].role.source_uri == DATA_SCIENTIST
    assert all(a.score >= b.score for a, b in itertools.pairwise(near))


def test_skill_alias_then_embedding(search: LibrarySearch) -> None:
    exact = search.search_skills(pb.SearchSkillsRequest(query="SQL")).results
    assert exact[0].match == pb.SEARCH_MATCH_ALIAS and exact[0].score == 1.0
    assert "sql" in {a.text.lower() for a in exact[0].skill.aliases}
    assert exact[0].skill.pack == "esco" and exact[0].skill.name.startswith("skills/")

    label = exact[0].skill.display_name
    near = search.search_skills(pb.SearchSkillsRequest(query=f"{label} queries", page_size=5)).results
    assert 0 < len(near) <= 5
    assert near[0].match == pb.SEARCH_MATCH_EMBEDDING and near[0].score >= 0.6
    assert len({r.skill.name for r in near}) == len(near)


def test_junk_finds_nothing(search: LibrarySearch) -> None:
    assert not search.search_skills(pb.SearchSkillsRequest(query="kafka")).results
    assert not search.search_skills(pb.SearchSkillsRequest(query="qwxzv plorpt")).results
    assert not search.search_roles(pb.SearchRolesRequest(query="zebra enclosure cleaning")).results


def test_page_size(search: LibrarySearch) -> None:
    default = search.search_skills(pb.SearchSkillsRequest(query="data analysis")).results
    assert 1 < len(default) <= 10
    one = search.search_skills(pb.SearchSkillsRequest(query="data analysis", page_size=1)).results
    assert [r.skill.name for r in one] == [default[0].skill.name]
    many = search.search_skills(pb.SearchSkillsRequest(query="data analysis", page_size=100)).results
    assert len(many) >= len(default)
    with pytest.raises(InvalidArgument) as caught:
        search.search_skills(pb.SearchSkillsRequest(query="data analysis", page_size=101))
    assert [v.field for v in caught.value.violations] == ["page_size"]
    with pytest.raises(InvalidArgument):
        search.search_roles(pb.SearchRolesRequest(query="   "))


async def test_search_through_the_server(sqlite_url: str, esco: EscoPack, embedder: Embedder) -> None:
    clear_cache()
    pack = esco_subset(esco, occupation_uris=[DATA_SCIENTIST])
    import_pack(sqlite_url, "esco", contents=pack, embedder=embedder, progress=False)
    engine = make_engine(sqlite_url)
    search = LibrarySearch(session_factory(engine), embedder)
    try:
        async with running_server(sqlite_url, search=search) as h:
            roles = await h.library.SearchRoles(pb.SearchRolesRequest(query="data engineer", page_size=3))
            assert roles.results[0].match == pb.SEARCH_MATCH_ALIAS
            assert roles.results[0].role.source_uri == DATA_SCIENTIST
            skills = await h.library.SearchSkills(pb.SearchSkillsRequest(query="kafka"))
            assert list(skills.results) == []
            with pytest.raises(aio.AioRpcError) as caught:
                await h.library.SearchSkills(pb.SearchSkillsRequest(query="x", page_size=500))
            assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    finally:
        engine.dispose()
