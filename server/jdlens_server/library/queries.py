"""Reading the library: skills, roles, dimensions, review items, the version and the change log,
built into their jdlens.v1 messages. Lists are keyset-paged on row id, so rows added while a client
pages through never shift a page; each page loads its related rows (aliases, KRAs, links) in one
query per relation, not one per row.

Store conventions read here: enum columns hold proto_enums keys; ``ReviewItemRow.payload`` holds the
serialized proposal message of the item's kind (NewSkillProposal, NewRoleProposal, NewKraProposal,
AliasCollision), as library.review_queue writes it.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Generic, Protocol, TypeVar

from google.protobuf import timestamp_pb2
from google.protobuf.message import Message
from sqlalchemy import Select, func, select
from sqlalchemy.orm import InstrumentedAttribute, Session, aliased, selectinload, sessionmaker

from jdlens.v1 import common_pb2, library_pb2, run_pb2
from jdlens_server import resource_names
from jdlens_server.errors import NotFound
from jdlens_server.paging import FilterValue, as_utc, decode_page_token, encode_page_token
from jdlens_server.proto_enums import enum_from_key, enum_key
from jdlens_server.store.models import (
    ChangeLogRow,
    DimensionRow,
    KraRow,
    LibraryVersionRow,
    PackImportRow,
    ReviewItemRow,
    ReviewItemRunRow,
    RoleDimensionRow,
    RoleRow,
    RoleSkillRow,
    RunRow,
    SkillDimensionRow,
    SkillRow,
)

SKILL_TYPE = library_pb2.Skill.DESCRIPTOR.full_name
ROLE_TYPE = library_pb2.Role.DESCRIPTOR.full_name
DIMENSION_TYPE = library_pb2.Dimension.DESCRIPTOR.full_name
REVIEW_ITEM_TYPE = library_pb2.ReviewItem.DESCRIPTOR.full_name
# How many linked roles a Dimension message carries; ListRoles(dimension=...) pages through all.
DIMENSION_ROLES_SHOWN = 50
# How many of the runs that proposed a review item it lists, newest first (occurrence_count: all).
RUNS_PER_REVIEW_ITEM = 50

M = TypeVar("M", bound=Message)


@dataclass(frozen=True, slots=True)
class Page(Generic[M]):
    items: list[M]
    next_page_token: str


# Review item kind -> the ReviewItem oneof field its stored payload fills.
_PAYLOAD_FIELD = {
    library_pb2.REVIEW_ITEM_KIND_NEW_SKILL: "new_skill",
    library_pb2.REVIEW_ITEM_KIND_NEW_ROLE: "new_role",
    library_pb2.REVIEW_ITEM_KIND_NEW_KRA: "new_kra",
    library_pb2.REVIEW_ITEM_KIND_ALIAS_COLLISION: "alias_collision",
}


def _timestamp(moment: datetime) -> timestamp_pb2.Timestamp:
    stamp = timestamp_pb2.Timestamp()
    stamp.FromDatetime(as_utc(moment))
    return stamp


def _json_strings(text: str, what: str) -> list[str]:
    value = json.loads(text or "[]")
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValueError(f"{what} is not a JSON list of strings: {text[:80]!r}")
    return value


def _skill_metadata(row: SkillRow) -> common_pb2.SkillMetadata:
    return common_pb2.SkillMetadata(
        category=row.category,
        sub_category=row.sub_category,
        nature=enum_from_key(common_pb2.SkillNature, row.nature),
        volatility=enum_from_key(common_pb2.Volatility, row.volatility),
        typical_lifespan=enum_from_key(common_pb2.TypicalLifespan, row.typical_lifespan),
        version_strategy=enum_from_key(common_pb2.VersionStrategy, row.version_strategy),
        confidence=row.meta_confidence,
        reasoning=row.meta_reasoning,
        skill_type=row.skill_type,
        reuse_level=row.reuse_level,
    )


def _skill_ref(row: SkillRow) -> common_pb2.SkillRef:
    return common_pb2.SkillRef(
        name=resource_names.skill_name(row.id), display_name=row.display_name, slug=row.slug
    )


def _role_ref(row: RoleRow) -> common_pb2.RoleRef:
    return common_pb2.RoleRef(
        name=resource_names.role_name(row.id),
        slug=row.slug,
        display_name=row.display_name,
        archetype=row.archetype,
        source="db",
        code=row.code,
    )


def _dimension_ref(row: DimensionRow) -> common_pb2.DimensionRef:
    return common_pb2.DimensionRef(
        name=resource_names.dimension_name(row.id),
        slug=row.slug,
        display_name=row.display_name,
        rationale=row.rationale,
        difficulty_hint=row.difficulty_hint,
        source=row.pack,
    )


class _RowWithId(Protocol):
    @property
    def id(self) -> int: ...


R = TypeVar("R", bound=_RowWithId)


@dataclass(frozen=True, slots=True)
class _Listing:
    """One list's keyset paging on row id: its token kind, the filters its tokens are bound to,
    and the order (ascending id: oldest first; descending: newest first)."""

    kind: str
    filters: dict[str, FilterValue]
    newest_first: bool = False

    def page(
        self,
        session: Session,
        query: Select[tuple[R]],
        id_column: InstrumentedAttribute[int],
        page_size: int,
        page_token: str,
    ) -> tuple[list[R], str]:
        """At most ``page_size`` rows after the token's, and the token for the page after them."""
        key = decode_page_token(page_token, self.kind, self.filters, (int,))
        if key is not None:
            last_id = key[0]
            query = query.where(id_column < last_id if self.newest_first else id_column > last_id)
        order = id_column.desc() if self.newest_first else id_column.asc()
        # One row more than asked says whether there is a next page.
        rows = list(session.scalars(query.order_by(order).limit(page_size + 1)))
        if len(rows) <= page_size:
            return rows, ""
        return rows[:page_size], encode_page_token(self.kind, self.filters, [rows[page_size - 1].id])


class LibraryQueries:
    """Read-only access to the library. Calls block on the database; run them off the event loop.

    Names are resource names ("skills/{id}", ...); callers validate their form first, and a
    name that does not parse is reported as not found.
    """

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions

    def _one(
        self,
        name: str,
        collection: str,
        resource_type: str,
        query: Select[tuple[R]],
        id_column: InstrumentedAttribute[int],
        build: Callable[[Session, Sequence[R]], list[M]],
    ) -> M:
        row_id = resource_names.parse_id_name(name, collection)
        with self._sessions() as session:
            row = session.scalar(query.where(id_column == row_id)) if row_id is not None else None
            if row is None:
                raise NotFound(resource_type, name)
            return build(session, [row])[0]

    def _in_dimension(
        self,
        session: Session,
        dimension: str,
        link_owner: InstrumentedAttribute[int],
        link_dimension: InstrumentedAttribute[int],
    ) -> Select[tuple[int]]:
        """Ids of what a link table ties to ``dimension`` (NotFound for an unknown dimension)."""
        dim_id = resource_names.parse_id_name(dimension, resource_names.DIMENSIONS)
        if dim_id is None or session.get(DimensionRow, dim_id) is None:
            raise NotFound(DIMENSION_TYPE, dimension, "no such dimension to filter by")
        return select(link_owner).where(link_dimension == dim_id)

    # ---- skills ----------------------------------------------------------------------------

    def get_skill(self, name: str) -> library_pb2.Skill:
        return self._one(
            name, resource_names.SKILLS, SKILL_TYPE, self._skills(), SkillRow.id, self._build_skills
        )

    def list_skills(
        self, page_size: int, page_token: str = "", pack: str = "", dimension: str = ""
    ) -> Page[library_pb2.Skill]:
        listing = _Listing("skills", {"pack": pack, "dimension": dimension})
        with self._sessions() as session:
            query = self._skills()
            if pack:
                query = query.where(SkillRow.pack == pack)
            if dimension:
                linked = self._in_dimension(
                    session, dimension, SkillDimensionRow.skill_id, SkillDimensionRow.dimension_id
                )
                query = query.where(SkillRow.id.in_(linked))
            rows, token = listing.page(session, query, SkillRow.id, page_size, page_token)
            return Page(self._build_skills(session, rows), token)

    def skills_by_ids(self, ids: Sequence[int]) -> dict[int, library_pb2.Skill]:
        """Skills by row id (for search results); ids the library lacks are left out."""
        with self._sessions() as session:
            rows = list(session.scalars(self._skills().where(SkillRow.id.in_(ids))))
            return {row.id: skill for row, skill in zip(rows, self._build_skills(session, rows), strict=True)}

    @staticmethod
    def _skills() -> Select[tuple[SkillRow]]:
        return select(SkillRow).options(selectinload(SkillRow.aliases))

    def _build_skills(self, session: Session, rows: Sequence[SkillRow]) -> list[library_pb2.Skill]:
        dims: dict[int, list[common_pb2.DimensionRef]] = defaultdict(list)
        links = session.execute(
            select(SkillDimensionRow.skill_id, DimensionRow)
            .join(DimensionRow, DimensionRow.id == SkillDimensionRow.dimension_id)
            .where(SkillDimensionRow.skill_id.in_([r.id for r in rows]))
            .order_by(SkillDimensionRow.skill_id, DimensionRow.id)
        )
        for skill_id, dim in links.tuples():
            dims[skill_id].append(_dimension_ref(dim))
        return [
            library_pb2.Skill(
                name=resource_names.skill_name(row.id),
                slug=row.slug,
                display_name=row.display_name,
                description=row.description,
                aliases=[
                    run_pb2.SkillAlias(
                        text=a.text,
                        alias_type=enum_from_key(run_pb2.AliasType, a.alias_type),
                        match_strategy=enum_from_key(run_pb2.MatchStrategy, a.match_strategy),
                        is_primary=a.is_primary,
                    )
                    for a in row.aliases
                ],
                context_tags=_json_strings(row.context_tags, f"context_tags of skill {row.slug}"),
                metadata=_skill_metadata(row),
                pack=row.pack,
                source_uri=row.source_uri or "",
                dimensions=dims[row.id],
                is_extractable=row.is_extractable,
                create_time=_timestamp(row.created_at),
            )
            for row in rows
        ]

    # ---- roles -----------------------------------------------------------------------------

    def get_role(self, name: str) -> library_pb2.Role:
        return self._one(name, resource_names.ROLES, ROLE_TYPE, self._roles(), RoleRow.id, self._build_roles)

    def list_roles(
        self, page_size: int, page_token: str = "", pack: str = "", dimension: str = ""
    ) -> Page[library_pb2.Role]:
        listing = _Listing("roles", {"pack": pack, "dimension": dimension})
        with self._sessions() as session:
            query = self._roles()
            if pack:
                query = query.where(RoleRow.pack == pack)
            if dimension:
                linked = self._in_dimension(
                    session, dimension, RoleDimensionRow.role_id, RoleDimensionRow.dimension_id
                )
                query = query.where(RoleRow.id.in_(linked))
            rows, token = listing.page(session, query, RoleRow.id, page_size, page_token)
            return Page(self._build_roles(session, rows), token)

    def roles_by_ids(self, ids: Sequence[int]) -> dict[int, library_pb2.Role]:
        """Roles by row id (for search results); ids the library lacks are left out."""
        with self._sessions() as session:
            rows = list(session.scalars(self._roles().where(RoleRow.id.in_(ids))))
            return {row.id: role for row, role in zip(rows, self._build_roles(session, rows), strict=True)}

    @staticmethod
    def _roles() -> Select[tuple[RoleRow]]:
        return select(RoleRow).options(selectinload(RoleRow.aliases))

    def _build_roles(self, session: Session, rows: Sequence[RoleRow]) -> list[library_pb2.Role]:
        ids = [r.id for r in rows]
        kras: dict[int, list[library_pb2.Kra]] = defaultdict(list)
        for kra in session.scalars(select(KraRow).where(KraRow.role_id.in_(ids)).order_by(KraRow.id)):
            kras[kra.role_id].append(
                library_pb2.Kra(
                    name=resource_names.kra_name(kra.role_id, kra.id), text=kra.text, source=kra.source
                )
            )
        skills: dict[int, list[library_pb2.RoleSkill]] = defaultdict(list)
        skill_links = session.execute(
            select(RoleSkillRow.role_id, RoleSkillRow.relation, SkillRow)
            .join(SkillRow, SkillRow.id == RoleSkillRow.skill_id)
            .where(RoleSkillRow.role_id.in_(ids))
            .order_by(RoleSkillRow.role_id, SkillRow.id)
        )
        for role_id, relation, skill in skill_links.tuples():
            skills[role_id].append(
                library_pb2.RoleSkill(
                    skill=_skill_ref(skill),
                    relation=enum_from_key(library_pb2.RoleSkillRelation, relation),
                )
            )
        dims: dict[int, list[common_pb2.DimensionRef]] = defaultdict(list)
        dim_links = session.execute(
            select(RoleDimensionRow.role_id, DimensionRow)
            .join(DimensionRow, DimensionRow.id == RoleDimensionRow.dimension_id)
            .where(RoleDimensionRow.role_id.in_(ids))
            .order_by(RoleDimensionRow.role_id, RoleDimensionRow.weight.desc(), DimensionRow.id)
        )
        for role_id, dim in dim_links.tuples():
            dims[role_id].append(_dimension_ref(dim))
        return [
            library_pb2.Role(
                name=resource_names.role_name(row.id),
                slug=row.slug,
                display_name=row.display_name,
                description=row.description,
                archetype=row.archetype,
                aliases=[
                    library_pb2.RoleAlias(
                        text=a.text, normalized_text=a.normalized, is_primary=a.is_primary, source=a.source
                    )
                    for a in row.aliases
                ],
                kras=kras[row.id],
                skills=skills[row.id],
                dimensions=dims[row.id],
                centroid_n=row.centroid_n,
                pack=row.pack,
                source_uri=row.source_uri or "",
                code=row.code,
                isco_group=row.isco_group,
                create_time=_timestamp(row.created_at),
            )
            for row in rows
        ]

    # ---- dimensions ------------------------------------------------------------------------

    def get_dimension(self, name: str) -> library_pb2.Dimension:
        return self._one(
            name,
            resource_names.DIMENSIONS,
            DIMENSION_TYPE,
            select(DimensionRow),
            DimensionRow.id,
            self._build_dimensions,
        )

    def list_dimensions(
        self, page_size: int, page_token: str = "", pack: str = ""
    ) -> Page[library_pb2.Dimension]:
        listing = _Listing("dimensions", {"pack": pack})
        with self._sessions() as session:
            query = select(DimensionRow)
            if pack:
                query = query.where(DimensionRow.pack == pack)
            rows, token = listing.page(session, query, DimensionRow.id, page_size, page_token)
            return Page(self._build_dimensions(session, rows), token)

    def _build_dimensions(
        self, session: Session, rows: Sequence[DimensionRow]
    ) -> list[library_pb2.Dimension]:
        ids = [r.id for r in rows]
        counts = dict(
            session.execute(
                select(SkillDimensionRow.dimension_id, func.count())
                .where(SkillDimensionRow.dimension_id.in_(ids))
                .group_by(SkillDimensionRow.dimension_id)
            )
            .tuples()
            .all()
        )
        # The most strongly linked roles of each dimension, ranked inside the database.
        rank = (
            func.row_number()
            .over(
                partition_by=RoleDimensionRow.dimension_id,
                order_by=(RoleDimensionRow.weight.desc(), RoleDimensionRow.role_id),
            )
            .label("rank")
        )
        ranked = (
            select(RoleDimensionRow.dimension_id, RoleDimensionRow.role_id, RoleDimensionRow.weight, rank)
            .where(RoleDimensionRow.dimension_id.in_(ids))
            .subquery()
        )
        role = aliased(RoleRow)
        role_links = session.execute(
            select(ranked.c.dimension_id, role)
            .join(role, role.id == ranked.c.role_id)
            .where(ranked.c.rank <= DIMENSION_ROLES_SHOWN)
            .order_by(ranked.c.dimension_id, ranked.c.rank)
        )
        roles: dict[int, list[common_pb2.RoleRef]] = defaultdict(list)
        for dim_id, role_row in role_links.tuples():
            roles[dim_id].append(_role_ref(role_row))
        return [
            library_pb2.Dimension(
                name=resource_names.dimension_name(row.id),
                slug=row.slug,
                display_name=row.display_name,
                rationale=row.rationale,
                difficulty_hint=row.difficulty_hint,
                pack=row.pack,
                source_uri=row.source_uri or "",
                parent=resource_names.dimension_name(row.parent_id) if row.parent_id is not None else "",
                skill_count=counts.get(row.id, 0),
                roles=roles[row.id],
            )
            for row in rows
        ]

    # ---- review items ----------------------------------------------------------------------

    def get_review_item(self, name: str) -> library_pb2.ReviewItem:
        return self._one(
            name,
            resource_names.REVIEW_ITEMS,
            REVIEW_ITEM_TYPE,
            select(ReviewItemRow),
            ReviewItemRow.id,
            self._build_review_items,
        )

    def list_review_items(
        self,
        page_size: int,
        page_token: str = "",
        kind: int = library_pb2.REVIEW_ITEM_KIND_UNSPECIFIED,
        status: int = run_pb2.REVIEW_STATUS_UNSPECIFIED,
        role: str = "",
    ) -> Page[library_pb2.ReviewItem]:
        """Review items, newest first."""
        listing = _Listing("reviewItems", {"kind": kind, "status": status, "role": role}, newest_first=True)
        with self._sessions() as session:
            query = select(ReviewItemRow)
            if kind:
                query = query.where(ReviewItemRow.kind == enum_key(library_pb2.ReviewItemKind, kind))
            if status:
                query = query.where(ReviewItemRow.status == enum_key(run_pb2.ReviewStatus, status))
            if role:
                query = query.where(ReviewItemRow.role_id == self._role_id(session, role))
            rows, token = listing.page(session, query, ReviewItemRow.id, page_size, page_token)
            return Page(self._build_review_items(session, rows), token)

    def _role_id(self, session: Session, name: str) -> int:
        role_id = resource_names.parse_id_name(name, resource_names.ROLES)
        if role_id is None or session.get(RoleRow, role_id) is None:
            raise NotFound(ROLE_TYPE, name, "no such role to filter by")
        return role_id

    def _build_review_items(
        self, session: Session, rows: Sequence[ReviewItemRow]
    ) -> list[library_pb2.ReviewItem]:
        ids = [r.id for r in rows]
        role_ids = {r.role_id for r in rows if r.role_id is not None}
        roles = {r.id: _role_ref(r) for r in session.scalars(select(RoleRow).where(RoleRow.id.in_(role_ids)))}
        runs: dict[int, list[str]] = defaultdict(list)
        # Each item's newest RUNS_PER_REVIEW_ITEM runs: a skill proposed by thousands of runs would
        # otherwise make one page of items too large to send (occurrence_count counts them all).
        newest = func.row_number().over(
            partition_by=ReviewItemRunRow.review_item_id,
            order_by=(RunRow.created_at.desc(), RunRow.id.desc()),
        )
        ranked = (
            select(ReviewItemRunRow.review_item_id, ReviewItemRunRow.run_id, newest.label("place"))
            .join(RunRow, RunRow.id == ReviewItemRunRow.run_id)
            .where(ReviewItemRunRow.review_item_id.in_(ids))
            .subquery()
        )
        run_links = session.execute(
            select(ranked.c.review_item_id, ranked.c.run_id)
            .where(ranked.c.place <= RUNS_PER_REVIEW_ITEM)
            .order_by(ranked.c.review_item_id, ranked.c.place)
        )
        for item_id, run_id in run_links.tuples():
            runs[item_id].append(resource_names.run_name(run_id))
        items = []
        for row in rows:
            kind = enum_from_key(library_pb2.ReviewItemKind, row.kind)
            item = library_pb2.ReviewItem(
                name=resource_names.review_item_name(row.id),
                kind=kind,
                status=enum_from_key(run_pb2.ReviewStatus, row.status),
                subject=row.subject,
                occurrence_count=row.occurrence_count,
                runs=runs[row.id],
                create_time=_timestamp(row.created_at),
                update_time=_timestamp(row.updated_at),
                resolution_note=row.resolution_note,
                merged_into=row.merged_into,
                resolved_library_version=row.resolved_library_version or 0,
                resolved_resources=_json_strings(
                    row.resolved_resources, f"resolved_resources of review item {row.id}"
                ),
            )
            if row.role_id in roles:
                item.role.CopyFrom(roles[row.role_id])
            if kind in _PAYLOAD_FIELD:
                getattr(item, _PAYLOAD_FIELD[kind]).ParseFromString(row.payload)
            items.append(item)
        return items

    # ---- versions and changes --------------------------------------------------------------

    def get_library_version(self) -> library_pb2.LibraryVersion:
        """The current version with the library's counts; version 0 before anything was imported."""
        with self._sessions() as session:
            latest = session.scalar(
                select(LibraryVersionRow).order_by(LibraryVersionRow.version.desc()).limit(1)
            )

            def count(model: type[SkillRow | RoleRow | DimensionRow | KraRow]) -> int:
                return session.scalar(select(func.count()).select_from(model)) or 0

            packs = session.execute(
                select(PackImportRow.pack, PackImportRow.source_version).order_by(PackImportRow.pack)
            ).tuples()
            version = library_pb2.LibraryVersion(
                skill_count=count(SkillRow),
                role_count=count(RoleRow),
                dimension_count=count(DimensionRow),
                kra_count=count(KraRow),
                packs=[f"{pack} {source_version}" for pack, source_version in packs],
            )
        if latest is not None:
            version.version = latest.version
            version.description = latest.description
            version.create_time.CopyFrom(_timestamp(latest.created_at))
        return version

    def list_changes(
        self, page_size: int, page_token: str = "", since_version: int = 0
    ) -> Page[library_pb2.ChangeLogEntry]:
        """Changes made after ``since_version``, newest first."""
        listing = _Listing("changes", {"since": since_version}, newest_first=True)
        with self._sessions() as session:
            query = select(ChangeLogRow).where(ChangeLogRow.library_version > since_version)
            rows, token = listing.page(session, query, ChangeLogRow.id, page_size, page_token)
        changes = [
            library_pb2.ChangeLogEntry(
                library_version=row.library_version,
                create_time=_timestamp(row.created_at),
                action=row.action,
                resource=row.resource,
                detail=row.detail,
            )
            for row in rows
        ]
        return Page(changes, token)
