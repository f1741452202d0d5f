"""Resolving review items: a reviewer approves, rejects or merges a proposal; approvals and merges
change the library, and this process sees the change at once, without a restart.

One resolution is ONE transaction: the item is claimed with ``UPDATE ... WHERE status = 'pending'``
(two reviewers, or two processes, cannot both resolve it: the loser finds it resolved), the library
rows are written, and a new library version with its change-log entries is recorded. A rejection
changes no library row, so it records no version: bumping the version would change every JD's
derived idempotency key and invalidate the on-disk KRA index for nothing.

What each decision does, per kind (library rows written are sourced/packed "review", which no pack
import owns):
- new skill: APPROVE creates the canonical skill (slug, derived metadata, canonical alias, label
  embedding), links it to the proposed dimension when the library has it, and to the item's role
  (essential when the JD named it primary, with the role↔dimension link); MERGE into ``skills/{id}``
  makes the proposed name an alias of that skill (and links the item's role to it).
- new role: APPROVE creates the role from its drafted profile: display name, unique slug, aliases
  from its title variants (title-normalised, embedded), KRAs from its responsibility sentences,
  links to the proposal's skills that resolve to library skills by folded alias (optional: one JD's
  list mixes requirements and extras) and to those skills' dimensions; MERGE into ``roles/{id}``
  adds its title variants as aliases of that role and attaches its KRAs to it.
- new KRA: APPROVE attaches the sentence to the item's role; MERGE into ``roles/{id}`` attaches it
  to that role instead.
- alias collision: APPROVE or MERGE settles who owns the alias: ``merge_into`` (a role), or by
  default the role the pipeline chose. The alias is removed from every other role and added to the
  owner if it lacked it.

After the commit, in this process: new KRAs of roles the loaded snapshot already knows are added to
the live HNSW index (requests in flight see them); the index is then saved under the new version and
the snapshot reloaded, so the reload loads the index from disk instead of rebuilding every KRA. KRAs
of a role the loaded snapshot does not know (a new role) are never added to the live index: a
request still holding the old snapshot would get a hit on a role it cannot place. They go into a
copy loaded from the saved file, which the reload then picks up.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import numpy.typing as npt
from sqlalchemy import ColumnElement, delete, or_, select, update
from sqlalchemy.orm import InstrumentedAttribute, Session, sessionmaker

from jdlens.v1 import common_pb2, library_pb2, run_pb2
from jdlens.v1 import library_service_pb2 as pb
from jdlens_server import resource_names, validation
from jdlens_server.errors import (
    FailedPrecondition,
    FieldViolation,
    InvalidArgument,
    NotFound,
    PreconditionViolation,
)
from jdlens_server.library.aliases import CANONICAL, alias_type, match_strategy
from jdlens_server.library.queries import REVIEW_ITEM_TYPE, ROLE_TYPE, SKILL_TYPE, LibraryQueries
from jdlens_server.library.state import LibraryState
from jdlens_server.library.sync import slugify
from jdlens_server.library.vectors import TextVectors
from jdlens_server.library.versions import Change, create_version, current_version
from jdlens_server.nlp.embedder import Embedder
from jdlens_server.nlp.kra_index import KraIndex
from jdlens_server.nlp.normalize import fold
from jdlens_server.nlp.text import squash
from jdlens_server.nlp.title import normalize_title
from jdlens_server.proto_enums import enum_key
from jdlens_server.store.db import lock_alias_text, serialize_review_resolutions, transaction
from jdlens_server.store.models import (
    DimensionRow,
    KraRow,
    ReviewItemRow,
    RoleAliasRow,
    RoleDimensionRow,
    RoleRow,
    RoleSkillRow,
    SkillAliasRow,
    SkillDimensionRow,
    SkillRow,
)

__all__ = ["REVIEW_SOURCE", "ReviewService"]

log = logging.getLogger(__name__)

# Pack of reviewed skills and roles, source of reviewed aliases, links and KRAs.
REVIEW_SOURCE = "review"

_APPROVE = pb.REVIEW_DECISION_APPROVE
_REJECT = pb.REVIEW_DECISION_REJECT
_MERGE = pb.REVIEW_DECISION_MERGE
_STATUS = {_APPROVE: "approved", _REJECT: "rejected", _MERGE: "merged"}
_ACTION = {_APPROVE: "approve", _MERGE: "merge"}
# Collections merge_into may name, per kind.
_MERGE_TARGET = {
    "new_skill": resource_names.SKILLS,
    "new_role": resource_names.ROLES,
    "new_kra": resource_names.ROLES,
    "alias_collision": resource_names.ROLES,
}

FloatMatrix = npt.NDArray[np.float32]


@dataclass(frozen=True, slots=True)
class _IndexedKra:
    kra_id: int
    role_id: int
    vector: npt.NDArray[np.float32]


@dataclass
class _Outcome:
    """What a resolution wrote: for the version, the change log, the item and the live index."""

    summary: str
    changes: list[Change] = field(default_factory=list)
    resources: list[str] = field(default_factory=list)
    kras: list[_IndexedKra] = field(default_factory=list)

    def touch(self, resource: str, action: str, detail: str, *, first: bool = False) -> None:
        if resource not in self.resources:
            self.resources.insert(0 if first else len(self.resources), resource)
        self.changes.append(Change(action, resource, detail))


def _quote(text: str, limit: int = 80) -> str:
    return repr(text if len(text) <= limit else text[: limit - 1] + "…")


def _unique_slug(session: Session, column: InstrumentedAttribute[str], label: str) -> str:
    """``label``'s slug, or the slug with the first free "-2", "-3", ... when another row holds it."""
    base = slugify(label)
    taken = set(session.scalars(select(column).where(or_(column == base, column.like(f"{base}-%")))))
    if base not in taken:
        return base
    n = 2
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"


def _row_id(session: Session, model: type[SkillRow | RoleRow], name: str, collection: str) -> int:
    """The id of an existing skills/{id} or roles/{id} merge target (NotFound otherwise)."""
    row_id = resource_names.parse_id_name(name, collection)
    if row_id is None or session.get(model, row_id) is None:
        resource_type = SKILL_TYPE if collection == resource_names.SKILLS else ROLE_TYPE
        raise NotFound(resource_type, name, "no such resource to merge into")
    return row_id


def _exists(session: Session, *conditions: ColumnElement[bool]) -> bool:
    return session.execute(select(1).where(*conditions).limit(1)).first() is not None


class ReviewService:
    """Implements grpc_api.library_servicer.ReviewApi. Synchronous; resolutions run one at a time.

    ``index_path`` is where the process's LibraryState keeps its KRA index (``index_path_for(db_url)``
    unless it was given another): the index is saved there under each new version so the reload
    after a resolution loads it instead of rebuilding it. Without it the reload rebuilds the index
    from the store (correct, but seconds to minutes on a full library).
    """

    def __init__(
        self,
        sessions: sessionmaker[Session],
        library: LibraryState,
        embedder: Embedder,
        *,
        index_path: Path | None = None,
        queries: LibraryQueries | None = None,
    ) -> None:
        self._sessions = sessions
        self._library = library
        self._embedder = embedder
        self._index_path = index_path
        self._queries = queries or LibraryQueries(sessions)
        # One resolution at a time in this process: the index save and the reload follow the commit
        # in version order.
        self._lock = threading.Lock()

    # ---- the API ---------------------------------------------------------------------------

    def resolve_review_item(self, req: pb.ResolveReviewItemRequest) -> pb.ResolveReviewItemResponse:
        """Resolve a pending item. A resend of the decision an item already has (a retry after a
        lost answer, or a second reviewer with the same mind) answers as the first did and
        changes nothing; another decision on a resolved item is FAILED_PRECONDITION."""
        item_id = validation.check_resolve_review_item(req)
        with self._lock:
            with transaction(self._sessions) as session:
                serialize_review_resolutions(session)  # other replicas' resolutions (PostgreSQL)
                self._lock_skill_text(session, item_id)
                row = self._claim(session, item_id, req)
                if isinstance(row, int):  # resolved so already: answer as the first resolution did
                    version = row or current_version(session)
                    return pb.ResolveReviewItemResponse(
                        review_item=self._queries.get_review_item(req.name), library_version=version
                    )
                base_version = current_version(session)
                version = base_version
                outcome: _Outcome | None = None
                if req.decision != _REJECT:
                    outcome = self._apply(session, row, req)
                    if outcome.changes:
                        note = f"; note: {req.note}" if req.note else ""
                        item = Change(_ACTION[req.decision], req.name, outcome.summary + note)
                        version = create_version(session, outcome.summary, [*outcome.changes, item])
                    row.resolved_library_version = version
                    row.resolved_resources = json.dumps(outcome.resources)
                row.status = _STATUS[req.decision]
                row.resolution_note = req.note
                row.updated_at = datetime.now(UTC)
            if version != base_version:
                self._publish(base_version, version, outcome.kras if outcome else [])
        return pb.ResolveReviewItemResponse(
            review_item=self._queries.get_review_item(req.name), library_version=version
        )

    # ---- claiming --------------------------------------------------------------------------

    @staticmethod
    def _lock_skill_text(session: Session, item_id: int) -> None:
        """A new-skill item's alias-text lock, held until the resolution commits, so a run learning
        the same text for another skill waits (approve and merge check, then add, the alias). Taken
        before the item's row: runs take that lock first and then touch the item (the review
        queue), so taking them the other way round could deadlock."""
        row = session.execute(
            select(ReviewItemRow.kind, ReviewItemRow.payload).where(ReviewItemRow.id == item_id)
        ).first()
        if row is not None and row.kind == "new_skill":
            name = squash(library_pb2.NewSkillProposal.FromString(row.payload).skill_name)
            if name:
                lock_alias_text(session, fold(name))

    @staticmethod
    def _claim(session: Session, item_id: int, req: pb.ResolveReviewItemRequest) -> ReviewItemRow | int:
        """The item, claimed for this transaction if it is pending (a write first: on SQLite that
        takes the write lock, on PostgreSQL it waits for a concurrent resolver and re-checks); for
        an item already resolved as ``req`` asks (same decision, same merge target), the library
        version its approval or merge stored (0 for a reject, which creates none: the caller
        answers with the current one)."""
        name = req.name
        claimed = session.execute(
            update(ReviewItemRow)
            .where(ReviewItemRow.id == item_id, ReviewItemRow.status == "pending")
            .values(updated_at=datetime.now(UTC))
            .returning(ReviewItemRow.id)
            .execution_options(synchronize_session=False)
        ).first()
        row = session.get(ReviewItemRow, item_id, populate_existing=True)
        if row is None:
            raise NotFound(REVIEW_ITEM_TYPE, name)
        same = row.status == _STATUS.get(req.decision) and (
            req.decision != _MERGE or (row.merged_into or "") == req.merge_into
        )
        if claimed is None and same:
            return row.resolved_library_version or 0
        if claimed is None:
            at = f" at library version {row.resolved_library_version}" if row.resolved_library_version else ""
            raise FailedPrecondition(
                f"review item {name} is already {row.status}; only pending items can be resolved",
                [
                    PreconditionViolation(
                        "REVIEW_STATUS",
                        name,
                        f"the item was {row.status}{at}; resolve another pending item",
                    )
                ],
            )
        return row

    # ---- decisions -------------------------------------------------------------------------

    def _apply(self, session: Session, row: ReviewItemRow, req: pb.ResolveReviewItemRequest) -> _Outcome:
        target_id: int | None = None
        if req.merge_into:
            collection = _MERGE_TARGET.get(row.kind, "")
            if resource_names.parse_id_name(req.merge_into, collection) is None:
                raise InvalidArgument(
                    "ResolveReviewItemRequest has 1 invalid field",
                    [
                        FieldViolation(
                            "merge_into",
                            f"a {row.kind} item merges into a {collection}/{{id}}; got {req.merge_into!r}",
                        )
                    ],
                )
            model = SkillRow if collection == resource_names.SKILLS else RoleRow
            target_id = _row_id(session, model, req.merge_into, collection)
            row.merged_into = req.merge_into
        action = _ACTION[req.decision]
        if row.kind == "new_skill":
            skill = library_pb2.NewSkillProposal.FromString(row.payload)
            if target_id is None:
                return self._approve_skill(session, row, skill)
            return self._merge_skill(session, row, skill, target_id)
        if row.kind == "new_role":
            role = run_pb2.NewRoleProposal.FromString(row.payload)
            if target_id is None:
                return self._approve_role(session, row, role)
            return self._merge_role(session, row, role, target_id)
        if row.kind == "new_kra":
            kra = library_pb2.NewKraProposal.FromString(row.payload)
            return self._attach_kra(session, row, kra, target_id, action)
        if row.kind == "alias_collision":
            collision = library_pb2.AliasCollision.FromString(row.payload)
            return self._settle_collision(session, row, collision, target_id, action)
        raise FailedPrecondition(
            f"review item {resource_names.review_item_name(row.id)} has unknown kind {row.kind!r}",
            [PreconditionViolation("REVIEW_KIND", row.kind, "only reject items of unknown kinds")],
        )

    @staticmethod
    def _proposal_text(text: str, what: str, row: ReviewItemRow) -> str:
        clean = squash(text)
        if not clean:
            name = resource_names.review_item_name(row.id)
            raise FailedPrecondition(
                f"review item {name} proposes an empty {what}",
                [PreconditionViolation("REVIEW_PAYLOAD", name, "reject the item")],
            )
        return clean

    # new skill ----------------------------------------------------------------------------

    def _approve_skill(
        self, session: Session, row: ReviewItemRow, proposal: library_pb2.NewSkillProposal
    ) -> _Outcome:
        name = self._proposal_text(proposal.skill_name, "skill name", row)
        key = fold(name)
        holder = session.scalar(
            select(SkillAliasRow.skill_id).where(SkillAliasRow.normalized == key).limit(1)
        )
        if holder is not None:
            existing = resource_names.skill_name(holder)
            raise FailedPrecondition(
                f"{name!r} is already an alias of {existing}; merge the item into it instead",
                [PreconditionViolation("ALIAS_EXISTS", existing, f"MERGE with merge_into={existing}")],
            )
        meta = proposal.meta.derived
        skill = SkillRow(
            slug=_unique_slug(session, SkillRow.slug, proposal.meta.skill_id or name),
            display_name=name,
            description="",
            pack=REVIEW_SOURCE,
            source_uri=None,
            skill_type=meta.skill_type,
            reuse_level=meta.reuse_level,
            category=meta.category,
            sub_category=meta.sub_category,
            nature=enum_key(common_pb2.SkillNature, meta.nature),
            volatility=enum_key(common_pb2.Volatility, meta.volatility),
            typical_lifespan=enum_key(common_pb2.TypicalLifespan, meta.typical_lifespan),
            version_strategy=enum_key(common_pb2.VersionStrategy, meta.version_strategy),
            meta_confidence=meta.confidence,
            meta_reasoning=meta.reasoning,
            is_extractable=True,
            context_tags="[]",
            embedding=TextVectors(self._embedder).blob(name),
        )
        session.add(skill)
        session.flush()
        session.add(
            SkillAliasRow(
                skill_id=skill.id,
                text=name,
                normalized=key,
                alias_type=CANONICAL,
                match_strategy=match_strategy(name),
                is_primary=True,
                source=REVIEW_SOURCE,
            )
        )
        outcome = _Outcome(f"approve new skill {name!r} as {resource_names.skill_name(skill.id)}")
        details = [f"new skill {name!r} (slug {skill.slug})"]
        dim_id = resource_names.parse_id_name(
            proposal.meta.proposed_dimension.name, resource_names.DIMENSIONS
        )
        if dim_id is not None and session.get(DimensionRow, dim_id) is not None:
            session.add(SkillDimensionRow(skill_id=skill.id, dimension_id=dim_id, source=REVIEW_SOURCE))
            details.append(f"in {resource_names.dimension_name(dim_id)}")
        else:
            dim_id = None
            if proposal.meta.proposed_dimension.display_name:
                label = proposal.meta.proposed_dimension.display_name
                details.append(f"proposed dimension {label!r} is not in the library: not linked")
        outcome.touch(resource_names.skill_name(skill.id), "approve", "; ".join(details))
        self._link_role(session, outcome, row.role_id, skill.id, proposal.is_primary, dim_id)
        return outcome

    def _merge_skill(
        self, session: Session, row: ReviewItemRow, proposal: library_pb2.NewSkillProposal, skill_id: int
    ) -> _Outcome:
        name = self._proposal_text(proposal.skill_name, "skill name", row)
        target = resource_names.skill_name(skill_id)
        outcome = _Outcome(f"merge skill {name!r} into {target}")
        key = fold(name)
        if not _exists(session, SkillAliasRow.skill_id == skill_id, SkillAliasRow.normalized == key):
            session.add(
                SkillAliasRow(
                    skill_id=skill_id,
                    text=name,
                    normalized=key,
                    alias_type=alias_type(name),
                    match_strategy=match_strategy(name),
                    is_primary=False,
                    source=REVIEW_SOURCE,
                )
            )
            outcome.touch(target, "merge", f"alias {name!r} added")
        dimension = session.scalars(
            select(SkillDimensionRow.dimension_id)
            .where(SkillDimensionRow.skill_id == skill_id)
            .order_by(SkillDimensionRow.dimension_id)
        ).first()
        self._link_role(session, outcome, row.role_id, skill_id, proposal.is_primary, dimension)
        return outcome

    @staticmethod
    def _link_role(
        session: Session,
        outcome: _Outcome,
        role_id: int | None,
        skill_id: int,
        essential: bool,
        dimension_id: int | None,
    ) -> None:
        """Link the item's role to the skill (and to the skill's dimension) when not linked yet."""
        if role_id is None or session.get(RoleRow, role_id) is None:
            return
        role = resource_names.role_name(role_id)
        skill = resource_names.skill_name(skill_id)
        if not _exists(session, RoleSkillRow.role_id == role_id, RoleSkillRow.skill_id == skill_id):
            relation = "essential" if essential else "optional"
            session.add(RoleSkillRow(role_id=role_id, skill_id=skill_id, relation=relation))
            outcome.touch(role, "link", f"{relation} skill {skill}")
        if dimension_id is not None and not _exists(
            session, RoleDimensionRow.role_id == role_id, RoleDimensionRow.dimension_id == dimension_id
        ):
            session.add(
                RoleDimensionRow(role_id=role_id, dimension_id=dimension_id, weight=1, source=REVIEW_SOURCE)
            )
            outcome.touch(role, "link", f"dimension {resource_names.dimension_name(dimension_id)}")

    # new role -----------------------------------------------------------------------------

    @staticmethod
    def _titles(display: str, aliases: Sequence[str]) -> dict[str, str]:
        """Normalised title -> the variant as written, display name first, one per normalised form."""
        out: dict[str, str] = {}
        for text in (display, *aliases):
            clean = squash(text)
            key = normalize_title(clean) if clean else ""
            if key and key not in out:
                out[key] = clean
        return out

    def _add_aliases(
        self, session: Session, role_id: int, titles: dict[str, str], primary: str | None
    ) -> list[str]:
        """Alias rows for the titles the role lacks, embedded as the importer embeds them (the
        normalised form); returns the texts added."""
        have = set(session.scalars(select(RoleAliasRow.normalized).where(RoleAliasRow.role_id == role_id)))
        new = {k: t for k, t in titles.items() if k not in have}
        vectors = TextVectors(self._embedder)
        vectors.ensure(new)
        for key, text in new.items():
            session.add(
                RoleAliasRow(
                    role_id=role_id,
                    text=text,
                    normalized=key,
                    is_primary=key == primary,
                    source=REVIEW_SOURCE,
                    embedding=vectors.blob(key),
                )
            )
        return list(new.values())

    def _add_kras(self, session: Session, role_id: int, texts: Sequence[str], outcome: _Outcome) -> int:
        """KRA rows for the sentences the role lacks; each is queued for the live index."""
        clean = list(dict.fromkeys(t for t in (squash(x) for x in texts) if t))
        have = set(
            session.scalars(select(KraRow.text).where(KraRow.role_id == role_id, KraRow.text.in_(clean)))
        )
        new = [t for t in clean if t not in have]
        vectors = TextVectors(self._embedder)
        vectors.ensure(new)
        rows = [KraRow(role_id=role_id, text=t, source=REVIEW_SOURCE, embedding=vectors.blob(t)) for t in new]
        session.add_all(rows)
        session.flush()
        for kra in rows:
            outcome.resources.append(resource_names.kra_name(role_id, kra.id))
            outcome.kras.append(_IndexedKra(kra.id, role_id, vectors.vector(kra.text)))
        return len(rows)

    def _approve_role(
        self, session: Session, row: ReviewItemRow, proposal: run_pb2.NewRoleProposal
    ) -> _Outcome:
        display = self._proposal_text(proposal.display_name, "role name", row)
        titles = self._titles(display, proposal.aliases)
        primary = next(iter(titles), None)
        kra_texts = [t for t in (squash(k) for k in proposal.kras) if t]
        # The profile (the centroid's prior): title plus the first duty, as ESCO roles are profiled
        # by title plus the first description sentence.
        profile = [primary or display, *kra_texts[:1]]
        embedding = TextVectors(self._embedder).mean(profile)
        role = RoleRow(
            slug=_unique_slug(session, RoleRow.slug, proposal.slug or primary or display),
            display_name=display,
            description="",
            archetype=proposal.archetype,
            pack=REVIEW_SOURCE,
            source_uri=None,
            code="",
            isco_group="",
            embedding=embedding.tobytes(),
        )
        session.add(role)
        session.flush()
        name = resource_names.role_name(role.id)
        outcome = _Outcome(f"approve new role {display!r} as {name}")
        aliases = self._add_aliases(session, role.id, titles, primary)
        kras = self._add_kras(session, role.id, kra_texts, outcome)
        skills = self._library_skills(session, proposal.skills)
        session.add_all(RoleSkillRow(role_id=role.id, skill_id=s, relation="optional") for s in skills)
        dims = Counter(
            session.scalars(
                select(SkillDimensionRow.dimension_id).where(SkillDimensionRow.skill_id.in_(skills))
            )
        )
        session.add_all(
            RoleDimensionRow(role_id=role.id, dimension_id=d, weight=n, source=REVIEW_SOURCE)
            for d, n in dims.items()
        )
        unresolved = len(dict.fromkeys(fold(s) for s in proposal.skills if fold(s))) - len(skills)
        outcome.touch(
            name,
            "approve",
            f"new role {display!r} (slug {role.slug}): {len(aliases)} aliases, {kras} KRAs, "
            f"{len(skills)} skills ({unresolved} not in the library), {len(dims)} dimensions",
            first=True,
        )
        return outcome

    @staticmethod
    def _library_skills(session: Session, names: Sequence[str]) -> list[int]:
        """Library skills the names resolve to by folded alias (a primary alias wins, then the
        lowest id), once each, in the names' order."""
        keys = list(dict.fromkeys(k for k in (fold(n) for n in names) if k))
        rows = session.execute(
            select(SkillAliasRow.normalized, SkillAliasRow.skill_id, SkillAliasRow.is_primary).where(
                SkillAliasRow.normalized.in_(keys)
            )
        ).tuples()
        best: dict[str, int] = {}
        for key, skill_id, _ in sorted(rows, key=lambda r: (not r[2], r[1])):
            best.setdefault(key, skill_id)
        return list(dict.fromkeys(best[k] for k in keys if k in best))

    def _merge_role(
        self, session: Session, row: ReviewItemRow, proposal: run_pb2.NewRoleProposal, role_id: int
    ) -> _Outcome:
        display = self._proposal_text(proposal.display_name, "role name", row)
        target = resource_names.role_name(role_id)
        outcome = _Outcome(f"merge role {display!r} into {target}")
        aliases = self._add_aliases(session, role_id, self._titles(display, proposal.aliases), None)
        kras = self._add_kras(session, role_id, proposal.kras, outcome)
        if aliases or kras:
            added = ", ".join(repr(a) for a in aliases) or "none"
            detail = f"{display!r} merged: aliases {added}; {kras} KRAs attached"
            outcome.touch(target, "merge", detail, first=True)
        return outcome

    # new KRA ------------------------------------------------------------------------------

    def _attach_kra(
        self,
        session: Session,
        row: ReviewItemRow,
        proposal: library_pb2.NewKraProposal,
        target_id: int | None,
        action: str,
    ) -> _Outcome:
        text = self._proposal_text(proposal.text, "KRA", row)
        role_id = target_id if target_id is not None else row.role_id
        if role_id is None:
            name = resource_names.review_item_name(row.id)
            raise FailedPrecondition(
                f"review item {name} has no role to attach its KRA to (the role was deleted)",
                [PreconditionViolation("REVIEW_ROLE", name, "MERGE it into a role (merge_into=roles/...)")],
            )
        role = resource_names.role_name(role_id)
        outcome = _Outcome(f"{action} KRA {_quote(text)} for {role}")
        if self._add_kras(session, role_id, [text], outcome):
            # Logged on the role; the resource the item created is the KRA itself.
            outcome.changes.append(Change(action, role, f"KRA {_quote(text)} attached"))
        else:
            outcome.summary += " (the role already has it)"
        return outcome

    # alias collision ------------------------------------------------------------------------

    def _settle_collision(
        self,
        session: Session,
        row: ReviewItemRow,
        collision: library_pb2.AliasCollision,
        target_id: int | None,
        action: str,
    ) -> _Outcome:
        alias = self._proposal_text(collision.alias, "alias", row)
        owner = target_id
        if owner is None:
            # Approving without a choice confirms the role the pipeline chose.
            chosen = collision.chosen_role.name
            if not chosen:
                raise InvalidArgument(
                    "ResolveReviewItemRequest has 1 invalid field",
                    [FieldViolation("merge_into", "required: the run chose no role; name the alias's owner")],
                )
            owner = _row_id(session, RoleRow, chosen, resource_names.ROLES)
        key = normalize_title(alias) or fold(alias)
        owner_name = resource_names.role_name(owner)
        outcome = _Outcome(f"{action} alias collision {alias!r}: it names {owner_name}")
        others = list(
            session.scalars(
                select(RoleAliasRow.role_id)
                .where(RoleAliasRow.normalized == key, RoleAliasRow.role_id != owner)
                .order_by(RoleAliasRow.role_id)
            )
        )
        if others:
            session.execute(
                delete(RoleAliasRow).where(RoleAliasRow.normalized == key, RoleAliasRow.role_id != owner)
            )
        for other in others:
            outcome.touch(
                resource_names.role_name(other),
                action,
                f"alias {alias!r} removed: it belongs to {owner_name}",
            )
        if self._add_aliases(session, owner, {key: alias}, None):
            outcome.touch(owner_name, action, f"alias {alias!r} added")
        elif others:
            outcome.touch(owner_name, action, f"alias {alias!r} now names this role only")
        return outcome

    # ---- making the change live ------------------------------------------------------------

    def _publish(self, base_version: int, version: int, kras: Sequence[_IndexedKra]) -> None:
        """Show the new library version to this process: live index first, then the snapshot."""
        started = time.perf_counter()
        try:
            live = self._library.current()
            known = [k for k in kras if k.role_id in live.snapshot.roles]
            unknown = [k for k in kras if k.role_id not in live.snapshot.roles]
            indexed = len(live.kra_index)
            if known:
                _add(live.kra_index, known)
            # The index matches the store only if nothing else moved the library since it loaded.
            current = live.snapshot.version == base_version == live.kra_index.library_version
            if current and self._index_path is not None:
                if not unknown:
                    live.kra_index.save(self._index_path, version)
                else:
                    self._save_copy_with(base_version, indexed, kras, version)
            self._library.reload()
        except Exception:
            # The resolution is committed; the process serves the previous library until a reload.
            log.exception("library v%d committed but not loaded in this process", version)
            return
        log.info(
            "library v%d live: %d KRAs indexed, snapshot reloaded in %.2fs",
            version,
            len(kras),
            time.perf_counter() - started,
        )

    def _save_copy_with(
        self, base_version: int, indexed: int, kras: Sequence[_IndexedKra], version: int
    ) -> None:
        """Save, under ``version``, the saved index of ``base_version`` plus ``kras``; if the saved
        file is not that index the reload rebuilds from the store instead."""
        assert self._index_path is not None
        try:
            copy, saved_version = KraIndex.load(self._index_path)
        except (ValueError, OSError, RuntimeError) as exc:
            log.warning("KRA index at %s unreadable (%s); the reload rebuilds it", self._index_path, exc)
            return
        if saved_version != base_version or len(copy) != indexed:
            return
        _add(copy, kras)
        copy.save(self._index_path, version)


def _add(index: KraIndex, kras: Sequence[_IndexedKra]) -> None:
    index.add(
        [k.kra_id for k in kras],
        [k.role_id for k in kras],
        np.stack([k.vector for k in kras]).astype(np.float32, copy=False),
    )
