"""SQLAlchemy 2.0 models: the library (skills, roles, KRAs, dimensions, links, review queue,
versions and change log) and the run history.

Embeddings are stored as raw float32 bytes (``numpy.ndarray.tobytes()``) so SQLite and PostgreSQL
hold them alike; the HNSW index is rebuilt from them, never the other way round.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

# Explicit constraint names keep Alembic migrations identical on SQLite and PostgreSQL.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


# Auto-increment keys: BigInteger on PostgreSQL, INTEGER on SQLite (whose rowid alias must be INTEGER).
IdType = BigInteger().with_variant(Integer(), "sqlite")


class LibraryVersionRow(Base):
    """One version of the library; every change (import, approval, learned alias) makes a new one."""

    __tablename__ = "library_versions"

    version: Mapped[int] = mapped_column(IdType, primary_key=True, autoincrement=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    description: Mapped[str] = mapped_column(Text, default="")


class ChangeLogRow(Base):
    __tablename__ = "change_log"

    id: Mapped[int] = mapped_column(IdType, primary_key=True, autoincrement=True)
    library_version: Mapped[int] = mapped_column(
        ForeignKey("library_versions.version", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    action: Mapped[str] = mapped_column(String(40))
    resource: Mapped[str] = mapped_column(String(200))
    detail: Mapped[str] = mapped_column(Text, default="")


class PackImportRow(Base):
    """Which pack content is in the library: a re-import of the same checksum changes nothing."""

    __tablename__ = "pack_imports"

    pack: Mapped[str] = mapped_column(String(20), primary_key=True)
    source_version: Mapped[str] = mapped_column(String(40))
    checksum: Mapped[str] = mapped_column(String(64))
    embedder: Mapped[str] = mapped_column(String(80), default="")
    library_version: Mapped[int] = mapped_column(ForeignKey("library_versions.version"))
    imported_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class SkillRow(Base):
    __tablename__ = "skills"

    id: Mapped[int] = mapped_column(IdType, primary_key=True, autoincrement=True)
    slug: Mapped[str] = mapped_column(String(200), unique=True)
    display_name: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    pack: Mapped[str] = mapped_column(String(20), index=True)
    source_uri: Mapped[str | None] = mapped_column(String(200), unique=True)
    skill_type: Mapped[str] = mapped_column(String(40), default="")
    reuse_level: Mapped[str] = mapped_column(String(40), default="")
    category: Mapped[str] = mapped_column(String(200), default="")
    sub_category: Mapped[str] = mapped_column(String(200), default="")
    nature: Mapped[str] = mapped_column(String(20), default="")
    volatility: Mapped[str] = mapped_column(String(20), default="")
    typical_lifespan: Mapped[str] = mapped_column(String(20), default="")
    version_strategy: Mapped[str] = mapped_column(String(20), default="")
    meta_confidence: Mapped[float] = mapped_column(Float, default=0.0)
    meta_reasoning: Mapped[str] = mapped_column(Text, default="")
    is_extractable: Mapped[bool] = mapped_column(Boolean, default=True)
    # JSON list of words that make an ambiguous alias count.
    context_tags: Mapped[str] = mapped_column(Text, default="[]")
    embedding: Mapped[bytes | None] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    aliases: Mapped[list[SkillAliasRow]] = relationship(
        back_populates="skill", cascade="all, delete-orphan", order_by="SkillAliasRow.id"
    )


class SkillAliasRow(Base):
    __tablename__ = "skill_aliases"
    __table_args__ = (UniqueConstraint("skill_id", "normalized"),)

    id: Mapped[int] = mapped_column(IdType, primary_key=True, autoincrement=True)
    skill_id: Mapped[int] = mapped_column(ForeignKey("skills.id", ondelete="CASCADE"), index=True)
    text: Mapped[str] = mapped_column(String(300))
    # Case-, punctuation- and whitespace-folded form; what lookups compare.
    normalized: Mapped[str] = mapped_column(String(300), index=True)
    alias_type: Mapped[str] = mapped_column(String(20))
    match_strategy: Mapped[str] = mapped_column(String(20))
    is_primary: Mapped[bool] = mapped_column(Boolean, default=False)
    source: Mapped[str] = mapped_column(String(40), default="")

    skill: Mapped[SkillRow] = relationship(back_populates="aliases")


class RoleRow(Base):
    __tablename__ = "roles"

    id: Mapped[int] = mapped_column(IdType, primary_key=True, autoincrement=True)
    slug: Mapped[str] = mapped_column(String(200), unique=True)
    display_name: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    archetype: Mapped[str] = mapped_column(String(80), default="")
    pack: Mapped[str] = mapped_column(String(20), index=True)
    source_uri: Mapped[str | None] = mapped_column(String(200), unique=True)
    code: Mapped[str] = mapped_column(String(40), default="", index=True)
    isco_group: Mapped[str] = mapped_column(String(10), default="")
    # Running mean of the embeddings of the JDs decided for this role (float32 bytes), and its count.
    centroid: Mapped[bytes | None] = mapped_column(LargeBinary)
    centroid_n: Mapped[int] = mapped_column(Integer, default=0)
    # Embedding of the role's own profile (label + description); the centroid starts here.
    embedding: Mapped[bytes | None] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    aliases: Mapped[list[RoleAliasRow]] = relationship(
        back_populates="role", cascade="all, delete-orphan", order_by="RoleAliasRow.id"
    )


class RoleAliasRow(Base):
    __tablename__ = "role_aliases"
    __table_args__ = (UniqueConstraint("role_id", "normalized"),)

    id: Mapped[int] = mapped_column(IdType, primary_key=True, autoincrement=True)
    role_id: Mapped[int] = mapped_column(ForeignKey("roles.id", ondelete="CASCADE"), index=True)
    text: Mapped[str] = mapped_column(String(300))
    # The alias after title normalisation, as the alias signal compares it.
    normalized: Mapped[str] = mapped_column(String(300), index=True)
    is_primary: Mapped[bool] = mapped_column(Boolean, default=False)
    source: Mapped[str] = mapped_column(String(40), default="")
    # Embedding of the alias text (float32 bytes): the title signal's nearest-alias search reads it.
    embedding: Mapped[bytes | None] = mapped_column(LargeBinary)

    role: Mapped[RoleRow] = relationship(back_populates="aliases")


class KraRow(Base):
    __tablename__ = "kras"

    id: Mapped[int] = mapped_column(IdType, primary_key=True, autoincrement=True)
    role_id: Mapped[int] = mapped_column(ForeignKey("roles.id", ondelete="CASCADE"), index=True)
    text: Mapped[str] = mapped_column(Text)
    source: Mapped[str] = mapped_column(String(40))
    embedding: Mapped[bytes | None] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class DimensionRow(Base):
    __tablename__ = "dimensions"

    id: Mapped[int] = mapped_column(IdType, primary_key=True, autoincrement=True)
    slug: Mapped[str] = mapped_column(String(200), unique=True)
    display_name: Mapped[str] = mapped_column(String(300))
    rationale: Mapped[str] = mapped_column(Text, default="")
    difficulty_hint: Mapped[str] = mapped_column(String(40), default="")
    pack: Mapped[str] = mapped_column(String(20), index=True)
    source_uri: Mapped[str | None] = mapped_column(String(200), unique=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("dimensions.id", ondelete="SET NULL"))
    embedding: Mapped[bytes | None] = mapped_column(LargeBinary)


class SkillDimensionRow(Base):
    __tablename__ = "skill_dimensions"

    skill_id: Mapped[int] = mapped_column(ForeignKey("skills.id", ondelete="CASCADE"), primary_key=True)
    dimension_id: Mapped[int] = mapped_column(
        ForeignKey("dimensions.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    source: Mapped[str] = mapped_column(String(40), default="")


class RoleDimensionRow(Base):
    __tablename__ = "role_dimensions"

    role_id: Mapped[int] = mapped_column(ForeignKey("roles.id", ondelete="CASCADE"), primary_key=True)
    dimension_id: Mapped[int] = mapped_column(
        ForeignKey("dimensions.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    # How many of the role's skills fall in the dimension (from the pack) or "run" links.
    weight: Mapped[int] = mapped_column(Integer, default=1)
    source: Mapped[str] = mapped_column(String(40), default="")


class RoleSkillRow(Base):
    __tablename__ = "role_skills"

    role_id: Mapped[int] = mapped_column(ForeignKey("roles.id", ondelete="CASCADE"), primary_key=True)
    skill_id: Mapped[int] = mapped_column(
        ForeignKey("skills.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    # "essential" or "optional".
    relation: Mapped[str] = mapped_column(String(20))


class ReviewItemRow(Base):
    """A proposal waiting for a human. The same proposal again raises occurrence_count."""

    __tablename__ = "review_items"

    id: Mapped[int] = mapped_column(IdType, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(20), index=True)
    status: Mapped[str] = mapped_column(String(20), index=True)
    subject: Mapped[str] = mapped_column(Text)
    # kind + role + folded subject: one row per proposal, whatever its status.
    dedupe_key: Mapped[str] = mapped_column(String(400), unique=True)
    role_id: Mapped[int | None] = mapped_column(ForeignKey("roles.id", ondelete="SET NULL"), index=True)
    occurrence_count: Mapped[int] = mapped_column(Integer, default=1)
    # The proposal as a serialized jdlens.v1.ReviewItem payload message.
    payload: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    resolution_note: Mapped[str] = mapped_column(Text, default="")
    merged_into: Mapped[str] = mapped_column(String(200), default="")
    resolved_library_version: Mapped[int | None] = mapped_column(BigInteger)
    # JSON list of resource names the approval created or changed.
    resolved_resources: Mapped[str] = mapped_column(Text, default="[]")


class ReviewItemRunRow(Base):
    __tablename__ = "review_item_runs"

    review_item_id: Mapped[int] = mapped_column(
        ForeignKey("review_items.id", ondelete="CASCADE"), primary_key=True
    )
    run_id: Mapped[str] = mapped_column(ForeignKey("runs.id", ondelete="CASCADE"), primary_key=True)


class RunRow(Base):
    """A run. The whole jdlens.v1.Run is stored as proto bytes; the columns exist to filter and page."""

    __tablename__ = "runs"
    # ListRuns pages newest first (created_at, id), alone or filtered by status or chosen role: each
    # filter has an index in that order, so a page reads its rows in order, never sorts the table.
    __table_args__ = (
        Index("ix_runs_created_at_id", "created_at", "id"),
        Index("ix_runs_status_created_at_id", "status", "created_at", "id"),
        Index("ix_runs_chosen_role_id_created_at_id", "chosen_role_id", "created_at", "id"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    idempotency_key: Mapped[str] = mapped_column(String(128), unique=True)
    status: Mapped[str] = mapped_column(String(20))
    stage: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    library_version: Mapped[int] = mapped_column(BigInteger)
    backend: Mapped[str] = mapped_column(String(20))
    chosen_role_id: Mapped[int | None] = mapped_column(ForeignKey("roles.id", ondelete="SET NULL"))
    total_cost_usd: Mapped[float] = mapped_column(Float, default=0.0)
    run_proto: Mapped[bytes] = mapped_column(LargeBinary)
    # How run_proto is written (store/run_blob.py): "zlib", or "identity" for rows from before it.
    run_codec: Mapped[str] = mapped_column(String(10), default="identity", server_default="identity")
