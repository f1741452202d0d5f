"""SearchSkills / SearchRoles for LibraryService: library.search finds the hits, LibraryQueries builds
the full Skill and Role messages, in hit order (alias hits first, then neighbours by embedding)."""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker

from jdlens.v1 import library_service_pb2 as pb
from jdlens_server import validation
from jdlens_server.library import search
from jdlens_server.library.queries import LibraryQueries
from jdlens_server.nlp.embedder import Embedder

__all__ = ["LibrarySearch"]

_MATCH: dict[search.Match, pb.SearchMatch.ValueType] = {
    "alias": pb.SEARCH_MATCH_ALIAS,
    "normalized_alias": pb.SEARCH_MATCH_NORMALIZED_ALIAS,
    "embedding": pb.SEARCH_MATCH_EMBEDDING,
}


def _limit(page_size: int) -> int:
    """Results asked for: 10 by default, at most 100 (validation rejects more)."""
    return page_size or validation.DEFAULT_SEARCH_SIZE


class LibrarySearch:
    """Implements grpc_api.library_servicer.LibrarySearchApi. Synchronous and thread-safe."""

    def __init__(
        self, sessions: sessionmaker[Session], embedder: Embedder, queries: LibraryQueries | None = None
    ) -> None:
        self._sessions = sessions
        self._embedder = embedder
        self._queries = queries or LibraryQueries(sessions)

    def search_skills(self, req: pb.SearchSkillsRequest) -> pb.SearchSkillsResponse:
        validation.check_search(req)
        with self._sessions() as session:
            hits = search.search_skills(session, self._embedder, req.query, _limit(req.page_size))
        skills = self._queries.skills_by_ids([h.skill_id for h in hits])
        return pb.SearchSkillsResponse(
            results=[
                pb.SkillSearchResult(
                    skill=skills[h.skill_id],
                    match=_MATCH[h.match],
                    score=round(h.score, 4),
                    matched_alias=h.matched_alias,
                )
                # A row deleted between the search and the read (a concurrent import) is left out.
                for h in hits
                if h.skill_id in skills
            ]
        )

    def search_roles(self, req: pb.SearchRolesRequest) -> pb.SearchRolesResponse:
        validation.check_search(req)
        with self._sessions() as session:
            hits = search.search_roles(session, self._embedder, req.query, _limit(req.page_size))
        roles = self._queries.roles_by_ids([h.role_id for h in hits])
        return pb.SearchRolesResponse(
            results=[
                pb.RoleSearchResult(
                    role=roles[h.role_id],
                    match=_MATCH[h.match],
                    score=round(h.score, 4),
                    matched_alias=h.matched_alias,
                )
                for h in hits
                if h.role_id in roles
            ]
        )
