"""HNSW index over the library's KRA embeddings (hnswlib, cosine space).

Labels are the KRA ids themselves; a side map gives each KRA's role. The index is persisted beside
the database, keyed by library version and embedder name, and updated live (add / mark deleted).

Concurrency: a readers-writer lock. Searches share it (hnswlib releases the GIL in knn_query, so
two searches run in parallel); add/remove take it exclusively, but only for the hnswlib call and
the map update, which for the handful of KRAs a review approval adds is well under a millisecond,
so readers never wait long. A waiting writer stops new readers from entering, so it cannot
starve. Whole rebuilds do not take the lock at all: :func:`load_or_build` makes a new index that
the caller swaps in.

On disk, ``path`` is a small JSON manifest that names the data files (``<stem>.<token>.hnsw`` and
``<stem>.<token>.npz``) written beside it. The data files get fresh names on every save and the
manifest is replaced atomically last, so a crash mid-save leaves the previous index loadable.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import secrets
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import hnswlib
import numpy as np
import numpy.typing as npt

__all__ = ["KraHit", "KraIndex", "load_or_build"]

log = logging.getLogger(__name__)

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]

# Measured on the O*NET task statements (17,796 indexed, 1,000 held-out queries, all-MiniLM-L6-v2),
# tie-aware recall@10 against exact search: M=16/ef_construction=100 gives 0.985 at ef=32, 0.996 at
# ef=64, 0.999 at ef=100; ef_construction=200 or M=32 add build time for <0.001. ef=100 leaves margin
# for libraries a few times larger. Build: ~8 CPU-seconds for 17.8k vectors.
DEFAULT_M = 16
DEFAULT_EF_CONSTRUCTION = 100
DEFAULT_EF = 100
_FORMAT = 1


@dataclass(frozen=True)
class KraHit:
    kra_id: int
    role_id: int
    similarity: float  # cosine similarity, 1.0 = same direction


class _RWLock:
    """Many readers or one writer; writers are preferred so they cannot starve."""

    def __init__(self) -> None:
        self._cond = threading.Condition(threading.Lock())
        self._readers = 0
        self._writing = False
        self._writers_waiting = 0

    @contextlib.contextmanager
    def read(self) -> Iterator[None]:
        with self._cond:
            while self._writing or self._writers_waiting:
                self._cond.wait()
            self._readers += 1
        try:
            yield
        finally:
            with self._cond:
                self._readers -= 1
                if self._readers == 0:
                    self._cond.notify_all()

    @contextlib.contextmanager
    def write(self) -> Iterator[None]:
        with self._cond:
            self._writers_waiting += 1
            while self._writing or self._readers:
                self._cond.wait()
            self._writers_waiting -= 1
            self._writing = True
        try:
            yield
        finally:
            with self._cond:
                self._writing = False
                self._cond.notify_all()


def _as_matrix(vectors: npt.ArrayLike, dim: int) -> npt.NDArray[np.float32]:
    arr = np.ascontiguousarray(vectors, dtype=np.float32)
    if arr.ndim == 1:
        arr = arr.reshape(1, -1)
    if arr.ndim != 2 or (arr.shape[0] and arr.shape[1] != dim):
        raise ValueError(f"expected vectors of shape (n, {dim}), got {arr.shape}")
    return arr


def _as_ids(ids: Sequence[int] | npt.NDArray[np.integer[Any]], what: str) -> list[int]:
    out = [int(i) for i in ids]
    if len(set(out)) != len(out):
        raise ValueError(f"duplicate {what} in input")
    return out


class KraIndex:
    """Approximate nearest-neighbour search over KRA vectors; see the module doc for locking."""

    def __init__(
        self,
        dim: int,
        *,
        capacity: int = 1024,
        ef: int | None = None,
        m: int = DEFAULT_M,
        ef_construction: int = DEFAULT_EF_CONSTRUCTION,
        embedder_name: str = "",
        library_version: int = 0,
    ) -> None:
        if dim < 1:
            raise ValueError("dim must be >= 1")
        self.dim = dim
        self.embedder_name = embedder_name
        self._library_version = library_version
        self._ef = ef or DEFAULT_EF
        self._m = m
        self._ef_construction = ef_construction
        self._roles: dict[int, int] = {}  # live kra_id -> role_id
        # The same as an array for search_arrays; built on first use, dropped by every write.
        self._role_lookup: IntArray | None = None
        self._lock = _RWLock()
        self._index: Any = hnswlib.Index(space="cosine", dim=dim)
        self._index.init_index(max_elements=max(1, capacity), ef_construction=ef_construction, M=m)
        self._index.set_ef(self._ef)

    @classmethod
    def build(
        cls,
        dim: int,
        kra_ids: Sequence[int],
        role_ids: Sequence[int],
        vectors: np.ndarray[Any, Any],
        *,
        ef: int | None = None,
        embedder_name: str = "",
        library_version: int = 0,
    ) -> KraIndex:
        """A new index holding the given KRAs, built on one thread: parallel insertion makes a
        different graph on every build, and the approximate search then orders near-tied roles
        differently from one server start (or machine) to the next. One thread makes it
        reproducible; the build took no longer with more threads here (~5 s for ESCO's KRAs)."""
        index = cls(
            dim,
            capacity=len(kra_ids),
            ef=ef,
            embedder_name=embedder_name,
            library_version=library_version,
        )
        index._add(kra_ids, role_ids, vectors, threads=1)
        return index

    @property
    def library_version(self) -> int:
        return self._library_version

    @property
    def ef(self) -> int:
        return self._ef

    def __len__(self) -> int:
        return len(self._roles)

    def __contains__(self, kra_id: object) -> bool:
        return kra_id in self._roles

    def role_of(self, kra_id: int) -> int | None:
        return self._roles.get(kra_id)

    def search(self, vectors: np.ndarray[Any, Any], k: int) -> list[list[KraHit]]:
        """The k most similar live KRAs for each query row, best first."""
        kra_ids, role_ids, similarities = self.search_arrays(vectors, k)
        return [
            [
                KraHit(kra_id=label, role_id=role, similarity=sim)
                for label, role, sim in zip(labels, roles, sims, strict=True)
                if role >= 0
            ]
            for labels, roles, sims in zip(
                kra_ids.tolist(), role_ids.tolist(), similarities.tolist(), strict=True
            )
        ]

    def search_arrays(self, vectors: np.ndarray[Any, Any], k: int) -> tuple[IntArray, IntArray, FloatArray]:
        """``search`` as three (queries, k) arrays, for callers that group hits with numpy: the kra
        ids, their role ids and the similarities. Slots without a live hit have role id -1."""
        queries = _as_matrix(vectors, self.dim)
        with self._lock.read():
            k_eff = min(k, len(self._roles))
            if k_eff < 1 or queries.shape[0] == 0:
                empty = np.zeros((queries.shape[0], 0), dtype=np.int64)
                return empty, empty.copy(), np.zeros(empty.shape, dtype=np.float64)
            labels, distances = self._knn(queries, k_eff)
            lookup = self._role_lookup
            if lookup is None:
                lookup = self._role_lookup = _role_lookup(self._roles)
        # Padding (-1) and labels past the table (not live) both read as "no role".
        known = (labels >= 0) & (labels < len(lookup))
        role_ids = np.where(known, lookup[np.where(known, labels, 0)], -1)
        # As float64 before subtracting: the similarity KraHit has always carried.
        return labels, role_ids, 1.0 - distances

    def _knn(self, queries: npt.NDArray[np.float32], k: int) -> tuple[IntArray, FloatArray]:
        """Labels (int64, -1 where a row has fewer than k results) and distances (float64)."""
        # One thread per call: concurrency comes from the callers, not from hnswlib's own pool.
        try:
            labels, distances = self._index.knn_query(queries, k=k, num_threads=1)
        except RuntimeError:
            # hnswlib cannot fill k results when too many neighbours are deleted: go row by row,
            # halving k until it can.
            out_labels = np.full((queries.shape[0], k), -1, dtype=np.int64)
            out_distances = np.zeros((queries.shape[0], k), dtype=np.float64)
            for row in range(queries.shape[0]):
                row_labels, row_distances = self._knn_row(queries[row : row + 1], k)
                out_labels[row, : len(row_labels)] = row_labels
                out_distances[row, : len(row_distances)] = row_distances
            return out_labels, out_distances
        return np.asarray(labels, dtype=np.int64), np.asarray(distances, dtype=np.float64)

    def _knn_row(self, query: npt.NDArray[np.float32], k: int) -> tuple[IntArray, FloatArray]:
        while k > 0:
            try:
                labels, distances = self._index.knn_query(query, k=k, num_threads=1)
            except RuntimeError:
                k //= 2
                continue
            return np.asarray(labels[0], dtype=np.int64), np.asarray(distances[0], dtype=np.float64)
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float64)

    def add(self, kra_ids: Sequence[int], role_ids: Sequence[int], vectors: np.ndarray[Any, Any]) -> None:
        """Insert KRAs, or replace the vector/role of ids already present (deleted ones revive)."""
        self._add(kra_ids, role_ids, vectors, threads=1)

    def _add(
        self,
        kra_ids: Sequence[int],
        role_ids: Sequence[int],
        vectors: np.ndarray[Any, Any],
        *,
        threads: int,
    ) -> None:
        ids = _as_ids(kra_ids, "kra_ids")
        roles = [int(r) for r in role_ids]
        data = _as_matrix(vectors, self.dim)
        if not (len(ids) == len(roles) == data.shape[0]):
            raise ValueError("kra_ids, role_ids and vectors must have the same length")
        if not ids:
            return
        with self._lock.write():
            needed = int(self._index.get_current_count()) + len(ids)
            capacity = int(self._index.get_max_elements())
            if needed > capacity:
                self._index.resize_index(max(needed, 2 * capacity))
            self._index.add_items(data, np.asarray(ids, dtype=np.uint64), num_threads=threads)
            self._roles.update(zip(ids, roles, strict=True))
            self._role_lookup = None

    def remove(self, kra_ids: Sequence[int]) -> None:
        """Hide KRAs from search (hnswlib mark_deleted); ids not in the index are ignored."""
        with self._lock.write():
            for kra_id in {int(i) for i in kra_ids}:
                if self._roles.pop(kra_id, None) is not None:
                    self._index.mark_deleted(kra_id)
            self._role_lookup = None

    def save(self, path: Path, library_version: int) -> None:
        """Persist to ``path`` (a JSON manifest) and data files beside it; see the module doc."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        token = secrets.token_hex(6)
        index_file = path.with_name(f"{path.stem}.{token}.hnsw")
        ids_file = path.with_name(f"{path.stem}.{token}.npz")
        with self._lock.read():
            self._index.save_index(str(index_file))
            kra_ids = np.fromiter(self._roles.keys(), dtype=np.int64, count=len(self._roles))
            role_ids = np.fromiter(self._roles.values(), dtype=np.int64, count=len(self._roles))
        with ids_file.open("wb") as fh:
            np.savez(fh, kra_ids=kra_ids, role_ids=role_ids)
            fh.flush()
            os.fsync(fh.fileno())
        _fsync_file(index_file)
        manifest = {
            "format": _FORMAT,
            "library_version": int(library_version),
            "embedder": self.embedder_name,
            "dim": self.dim,
            "count": len(kra_ids),
            "space": "cosine",
            "M": self._m,
            "ef_construction": self._ef_construction,
            "ef": self._ef,
            "index_file": index_file.name,
            "ids_file": ids_file.name,
        }
        tmp = path.with_name(f".{path.name}.{token}.tmp")
        with tmp.open("w", encoding="utf-8") as fh:
            json.dump(manifest, fh, indent=2)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
        _fsync_dir(path.parent)
        self._library_version = int(library_version)
        _remove_stale(path, keep={index_file.name, ids_file.name})

    @classmethod
    def load(cls, path: Path) -> tuple[KraIndex, int]:
        """The index saved at ``path`` and its library version (ValueError if unreadable)."""
        path = Path(path)
        manifest = _read_manifest(path)
        index = cls(
            int(manifest["dim"]),
            capacity=1,
            ef=int(manifest["ef"]),
            m=int(manifest["M"]),
            ef_construction=int(manifest["ef_construction"]),
            embedder_name=str(manifest["embedder"]),
            library_version=int(manifest["library_version"]),
        )
        with np.load(path.with_name(str(manifest["ids_file"]))) as ids:
            kra_ids = [int(i) for i in ids["kra_ids"]]
            role_ids = [int(r) for r in ids["role_ids"]]
        if len(kra_ids) != int(manifest["count"]) or len(role_ids) != len(kra_ids):
            raise ValueError(f"{path}: id map does not match the manifest")
        raw: Any = hnswlib.Index(space="cosine", dim=index.dim)
        raw.load_index(str(path.with_name(str(manifest["index_file"]))))
        raw.set_ef(index.ef)
        index._index = raw
        index._roles = dict(zip(kra_ids, role_ids, strict=True))
        index._role_lookup = None
        return index, index.library_version


def _role_lookup(roles: dict[int, int]) -> IntArray:
    """kra_id -> role_id as an array indexed by kra id (-1: not a live KRA)."""
    if not roles:
        return np.full(1, -1, dtype=np.int64)
    kra_ids = np.fromiter(roles.keys(), dtype=np.int64, count=len(roles))
    lookup = np.full(int(kra_ids.max()) + 1, -1, dtype=np.int64)
    lookup[kra_ids] = np.fromiter(roles.values(), dtype=np.int64, count=len(roles))
    return lookup


def _read_manifest(path: Path) -> dict[str, Any]:
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise ValueError(f"cannot read KRA index manifest {path}: {exc}") from exc
    if not isinstance(manifest, dict) or manifest.get("format") != _FORMAT:
        raise ValueError(f"{path}: not a KRA index manifest of format {_FORMAT}")
    return manifest


def _fsync_file(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_dir(path: Path) -> None:
    with contextlib.suppress(OSError):  # not every filesystem lets a directory be fsynced
        _fsync_file(path)


def _remove_stale(path: Path, keep: set[str]) -> None:
    """Delete data files of earlier saves (same stem) once the new manifest is in place."""
    for suffix in ("hnsw", "npz"):
        for old in path.parent.glob(f"{path.stem}.*.{suffix}"):
            if old.name not in keep:
                with contextlib.suppress(OSError):
                    old.unlink()
    for tmp in path.parent.glob(f".{path.name}.*.tmp"):
        with contextlib.suppress(OSError):
            tmp.unlink()


def load_or_build(
    path: Path,
    library_version: int,
    embedder_name: str,
    fetch: Callable[[], tuple[list[int], list[int], np.ndarray[Any, Any]]],
) -> KraIndex:
    """The index at ``path`` if it was saved for this library version and embedder; else one
    rebuilt from ``fetch()`` (kra_ids, role_ids, vectors) and saved there."""
    path = Path(path)
    if path.exists():
        try:
            manifest = _read_manifest(path)
            if (
                int(manifest["library_version"]) == library_version
                and manifest.get("embedder") == embedder_name
            ):
                index, _ = KraIndex.load(path)
                return index
            log.info(
                "KRA index at %s is stale (library v%s/%s, want v%s/%s); rebuilding",
                path,
                manifest.get("library_version"),
                manifest.get("embedder"),
                library_version,
                embedder_name,
            )
        except (ValueError, KeyError, OSError, RuntimeError) as exc:
            log.warning("KRA index at %s is unreadable (%s); rebuilding", path, exc)
    kra_ids, role_ids, vectors = fetch()
    data = np.asarray(vectors, dtype=np.float32)
    if data.ndim != 2 or data.shape[1] == 0:
        raise ValueError(f"fetch() must return vectors of shape (n, dim), got {data.shape}")
    dim = int(data.shape[1])
    index = KraIndex.build(
        dim, kra_ids, role_ids, data, embedder_name=embedder_name, library_version=library_version
    )
    index.save(path, library_version)
    return index
