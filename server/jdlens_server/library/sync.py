"""Bring the rows one import owns in a table to a desired state, in bulk.

An import owns a *scope* of each table (e.g. the skills with ``pack == "esco"``, the role aliases an
O*NET import added to ESCO roles). ``Syncer.sync`` compares the desired rows with the scope by a
natural key and inserts, updates and deletes only the difference, so:
- a re-import of the same content writes nothing;
- ids of unchanged rows stay put (runs and review items keep pointing at the same skills and roles);
- rows of other scopes (another pack, reviewed additions) are never touched; a desired row whose key
  another scope already holds is left out and counted as ``shadowed``.

Embeddings are computed only for inserted rows and rows whose embedded text changed (or all of them
when the embedder changed), through one ``TextVectors`` cache per import.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Table,
    and_,
    bindparam,
    delete,
    func,
    insert,
    not_,
    select,
    tuple_,
    update,
)
from sqlalchemy.orm import InstrumentedAttribute, Session

from jdlens_server.library.vectors import TextVectors, progress_bar
from jdlens_server.store.models import Base

__all__ = ["SyncResult", "Syncer", "TableChange", "TableSpec", "assign_slugs", "slugify"]

Key = tuple[Any, ...]
RowData = dict[str, Any]

# Rows per INSERT/UPDATE/DELETE round trip; SQLAlchemy batches further into multi-row VALUES.
CHUNK = 2000


@dataclass(frozen=True)
class TableSpec:
    """How one table is synchronised."""

    name: str
    model: type[Base]
    key: tuple[str, ...]
    # Columns written and compared besides the key (never "embedding", which ``embed_texts`` drives).
    columns: tuple[str, ...]
    # Which existing rows belong to this import.
    scope: ColumnElement[bool]
    # Texts whose embeddings, averaged, go in the "embedding" column (from a row's key and columns);
    # None for tables without one.
    embed_texts: Callable[[Mapping[str, Any]], tuple[str, ...]] | None = None
    # Whether the table has an integer "id" surrogate key (link tables have composite primary keys).
    has_id: bool = True
    # Whether rows outside the scope can hold the same key (then those keys are skipped, not clashed).
    shared_keys: bool = False


@dataclass
class TableChange:
    added: int = 0
    updated: int = 0
    removed: int = 0
    # Rows in the scope after the sync.
    total: int = 0
    # Desired rows left out because another scope holds their key.
    shadowed: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated or self.removed)

    def merge(self, other: TableChange) -> None:
        self.added += other.added
        self.updated += other.updated
        self.removed += other.removed
        self.shadowed += other.shadowed
        self.total = other.total

    def summary(self) -> str:
        text = f"{self.total} rows (+{self.added} ~{self.updated} -{self.removed})"
        return text + (f", {self.shadowed} left to other sources" if self.shadowed else "")


@dataclass
class SyncResult:
    change: TableChange
    # Natural key -> id for every row of the scope after the sync (empty for link tables).
    ids: dict[Key, int] = field(default_factory=dict)
    added_keys: set[Key] = field(default_factory=set)
    updated_keys: set[Key] = field(default_factory=set)


def _col(model: type[Base], name: str) -> InstrumentedAttribute[Any]:
    attr = getattr(model, name)
    if not isinstance(attr, InstrumentedAttribute):
        raise TypeError(f"{model.__name__}.{name} is not a mapped column")
    return attr


class Syncer:
    """Synchronises table scopes inside the caller's transaction."""

    def __init__(
        self,
        session: Session,
        vectors: TextVectors,
        *,
        reembed: bool,
        progress: bool = False,
        after_table: Callable[[str, TableChange], None] | None = None,
    ) -> None:
        self.session = session
        self.vectors = vectors
        # True when the stored embeddings came from another embedder: recompute them all.
        self.reembed = reembed
        self.progress = progress
        self.after_table = after_table
        self._baseline: dict[str, int] = {}

    def baseline(self, specs: Iterable[TableSpec]) -> None:
        """Count each scope before any write, so rows a cascade removes are reported as removed."""
        for spec in specs:
            count = self.session.scalar(select(func.count()).select_from(spec.model).where(spec.scope))
            self._baseline.setdefault(spec.name, int(count or 0))

    def sync(self, spec: TableSpec, desired: Iterable[RowData]) -> SyncResult:
        want: dict[Key, RowData] = {}
        for row in desired:
            want.setdefault(tuple(row[k] for k in spec.key), row)

        change = TableChange()
        if spec.shared_keys:
            others = self._keys(spec, not_(spec.scope))
            for key in [k for k in want if k in others]:
                del want[key]
                change.shadowed += 1

        have = self._existing(spec)
        to_insert = [key for key in want if key not in have]
        to_delete = [key for key in have if key not in want]
        to_update: list[Key] = []
        needs_vector: list[Key] = list(to_insert)
        for key, row in want.items():
            old = have.get(key)
            if old is None:
                continue
            differs = any(old[c] != row[c] for c in spec.columns)
            stale = spec.embed_texts is not None and (
                self.reembed
                or old["_has_embedding"] is False
                or spec.embed_texts(old) != spec.embed_texts(row)
            )
            if differs or stale:
                to_update.append(key)
            if stale:
                needs_vector.append(key)

        if spec.embed_texts is not None and needs_vector:
            embed_texts = spec.embed_texts
            texts = {key: embed_texts(want[key]) for key in needs_vector}
            self.vectors.ensure((t for ts in texts.values() for t in ts), desc=f"embedding {spec.name}")
            for key, parts in texts.items():
                want[key]["embedding"] = self.vectors.blob_of(parts)

        ids = {key: int(old["_id"]) for key, old in have.items() if key in want} if spec.has_id else {}
        work = len(to_insert) + len(to_update) + len(to_delete)
        with progress_bar(self.progress, work, f"writing {spec.name}") as bar:
            self._delete(spec, [have[k] for k in to_delete], bar.update)
            self._update(spec, [(have[k], want[k]) for k in to_update], bar.update)
            ids.update(self._insert(spec, [want[k] for k in to_insert], bar.update))

        change.added = len(to_insert)
        change.updated = len(to_update)
        # Rows that vanished before this sync ran went with a parent (ON DELETE CASCADE).
        cascaded = max(self._baseline.pop(spec.name, len(have)) - len(have), 0)
        change.removed = len(to_delete) + cascaded
        change.total = len(want)
        if self.after_table is not None:
            self.after_table(spec.name, change)
        return SyncResult(change, ids, set(to_insert), set(to_update))

    # ---- reading ------------------------------------------------------------------------------

    def _keys(self, spec: TableSpec, where: ColumnElement[bool]) -> set[Key]:
        cols = [_col(spec.model, k) for k in spec.key]
        return {tuple(r) for r in self.session.execute(select(*cols).where(where))}

    def _existing(self, spec: TableSpec) -> dict[Key, RowData]:
        model = spec.model
        names = list(dict.fromkeys((*spec.key, *spec.columns)))
        cols: list[Any] = [_col(model, n) for n in names]
        if spec.has_id:
            cols.append(_col(model, "id").label("_id"))
        if spec.embed_texts is not None:
            cols.append(_col(model, "embedding").is_not(None).label("_has_embedding"))
        out: dict[Key, RowData] = {}
        for r in self.session.execute(select(*cols).where(spec.scope)):
            row = dict(r._mapping)
            if "_has_embedding" in row:
                row["_has_embedding"] = bool(row["_has_embedding"])
            out[tuple(row[k] for k in spec.key)] = row
        return out

    # ---- writing ------------------------------------------------------------------------------

    def _delete(self, spec: TableSpec, rows: list[RowData], tick: Callable[[int], object]) -> None:
        table = _table(spec.model)
        for start in range(0, len(rows), CHUNK):
            chunk = rows[start : start + CHUNK]
            if spec.has_id:
                cond = table.c.id.in_([r["_id"] for r in chunk])
            else:
                pk = tuple_(*(table.c[k] for k in spec.key))
                cond = pk.in_([tuple(r[k] for k in spec.key) for r in chunk])
            self.session.execute(delete(table).where(cond))
            tick(len(chunk))

    def _update(
        self, spec: TableSpec, pairs: list[tuple[RowData, RowData]], tick: Callable[[int], object]
    ) -> None:
        table = _table(spec.model)
        pk_names = ["id"] if spec.has_id else list(spec.key)
        # Core executemany: SET takes the column-named parameters, WHERE the "_pk_" ones.
        stmt = update(table).where(and_(*(table.c[k] == bindparam(f"_pk_{k}") for k in pk_names)))
        names = list(spec.columns)
        if spec.embed_texts is not None:
            names.append("embedding")
        groups: dict[tuple[str, ...], list[RowData]] = {}
        for old, new in pairs:
            values = {n: new[n] for n in names if n in new}
            keys = {f"_pk_{k}": old["_id" if k == "id" else k] for k in pk_names}
            groups.setdefault(tuple(values), []).append(keys | values)
        for params in groups.values():
            for start in range(0, len(params), CHUNK):
                chunk = params[start : start + CHUNK]
                self.session.execute(stmt, chunk)
                tick(len(chunk))

    def _insert(self, spec: TableSpec, rows: list[RowData], tick: Callable[[int], object]) -> dict[Key, int]:
        # Core inserts (not ORM bulk): no per-row ORM bookkeeping, multi-row VALUES with RETURNING.
        table = _table(spec.model)
        names = list(dict.fromkeys((*spec.key, *spec.columns)))
        if spec.embed_texts is not None:
            names.append("embedding")
        ids: dict[Key, int] = {}
        for start in range(0, len(rows), CHUNK):
            chunk = [{n: r.get(n) for n in names} for r in rows[start : start + CHUNK]]
            if spec.has_id:
                stmt = insert(table).returning(table.c.id, *(table.c[k] for k in spec.key))
                for rec in self.session.execute(stmt, chunk):
                    ids[tuple(rec[1:])] = int(rec[0])
            else:
                self.session.execute(insert(table), chunk)
            tick(len(chunk))
        return ids


def _table(model: type[Base]) -> Table:
    table = model.__table__
    if not isinstance(table, Table):
        raise TypeError(f"{model.__name__} is not mapped to a table")
    return table


# ---- slugs ----------------------------------------------------------------------------------------

_NON_SLUG = re.compile(r"[^a-z0-9]+")
_SLUG_MAX = 180


def slugify(label: str) -> str:
    """ "Python (computer programming)" -> "python-computer-programming"; "C++" -> "c-plus-plus"."""
    text = label.replace("++", " plus plus ").replace("#", " sharp ").replace("&", " and ")
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    slug = _NON_SLUG.sub("-", text).strip("-")[:_SLUG_MAX].strip("-")
    return slug or "x"


def assign_slugs(
    session: Session,
    model: type[Base],
    scope: ColumnElement[bool],
    labels: Mapping[str, str],
) -> dict[str, str]:
    """Slugs for rows keyed by source URI: existing rows keep theirs; a new row gets its label's slug,
    or, when another row holds it, the slug plus a short hash of its URI (stable across runs)."""
    uri_col, slug_col = _col(model, "source_uri"), _col(model, "slug")
    taken: set[str] = set(session.scalars(select(slug_col)))
    mine = {str(u): str(s) for u, s in session.execute(select(uri_col, slug_col).where(scope))}
    keep = {u: s for u, s in mine.items() if u in labels}
    # Slugs of this scope's rows that go away are free again (the sync deletes before it inserts).
    taken -= {s for u, s in mine.items() if u not in labels}
    out: dict[str, str] = {}
    for uri, label in labels.items():
        if uri in keep:
            out[uri] = keep[uri]
            continue
        base = slugify(label)
        slug = base
        if slug in taken:
            slug = f"{base}-{hashlib.sha1(uri.encode()).hexdigest()[:6]}"
        taken.add(slug)
        out[uri] = slug
    return out
