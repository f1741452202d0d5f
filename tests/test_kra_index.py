"""The HNSW KRA index: recall on real sentences, persistence, staleness, live updates, locking."""

from __future__ import annotations

import csv
import json
import os
import threading
from pathlib import Path

import numpy as np
import pytest

from jdlens_server.nlp.embedder import DEFAULT_EMBEDDER, OnnxEmbedder, model_spec
from jdlens_server.nlp.kra_index import KraHit, KraIndex, load_or_build

SHARED = Path(os.environ.get("JDLENS_SHARED_DIR", Path(__file__).resolve().parents[2] / "shared"))
TASKS = SHARED / "data" / "onet" / "Task Statements.txt"
DIM = 384


def random_unit(n: int, seed: int, dim: int = DIM) -> np.ndarray:
    rng = np.random.default_rng(seed)
    v = rng.standard_normal((n, dim)).astype(np.float32)
    unit: np.ndarray = v / np.linalg.norm(v, axis=1, keepdims=True)
    return unit


@pytest.fixture(scope="module")
def onet_tasks() -> tuple[list[int], np.ndarray, np.ndarray, np.ndarray]:
    """3,000 real O*NET task statements (KRAs) plus 300 held-out ones as queries, embedded."""
    if not TASKS.exists():
        pytest.skip(f"O*NET task statements not found at {TASKS} (set JDLENS_SHARED_DIR)")
    with TASKS.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh, delimiter="\t"))
    rows = rows[:: max(1, len(rows) // 3300)][:3300]  # spread over all occupations
    codes = {code: i for i, code in enumerate(sorted({r["O*NET-SOC Code"] for r in rows}))}
    embedder = OnnxEmbedder(model_spec(DEFAULT_EMBEDDER), cache_size=0)
    vectors = embedder.embed([r["Task"] for r in rows])
    roles = [codes[r["O*NET-SOC Code"]] for r in rows]
    return roles[:3000], vectors[:3000], vectors[3000:], np.asarray(roles[3000:])


def test_recall_at_10_on_real_kras(onet_tasks: tuple[list[int], np.ndarray, np.ndarray, np.ndarray]) -> None:
    roles, base, queries, _ = onet_tasks
    kra_ids = [100_000 + i for i in range(len(base))]  # labels need not be 0..n-1
    index = KraIndex.build(DIM, kra_ids, roles, base)
    hits = index.search(queries, k=10)
    exact = np.sort(queries @ base.T, axis=1)[:, ::-1][:, :10]
    # Tie-aware recall: O*NET repeats some statements across occupations, and which of several
    # identical vectors exact search lists is arbitrary; a hit counts when it is as close as the
    # exact 10th neighbour.
    recall = np.mean(
        [
            sum(h.similarity >= kth - 1e-5 for h in row) / 10
            for row, kth in zip(hits, exact[:, 9], strict=True)
        ]
    )
    assert recall >= 0.98, recall
    # similarities are true cosines and roles come from the map
    for row, q in zip(hits[:20], queries[:20], strict=True):
        assert [h.similarity for h in row] == sorted((h.similarity for h in row), reverse=True)
        for h in row:
            i = h.kra_id - 100_000
            assert h.role_id == roles[i]
            assert h.similarity == pytest.approx(float(base[i] @ q), abs=1e-4)


def test_save_and_load_give_the_same_results(tmp_path: Path) -> None:
    base = random_unit(500, seed=1)
    index = KraIndex.build(DIM, list(range(500)), [i % 7 for i in range(500)], base, embedder_name="m")
    index.remove([3, 4])
    path = tmp_path / "kra_index.json"
    index.save(path, library_version=12)
    queries = random_unit(20, seed=2)

    loaded, version = KraIndex.load(path)
    assert version == 12 == loaded.library_version
    assert loaded.embedder_name == "m"
    assert len(loaded) == 498
    assert loaded.search(queries, 5) == index.search(queries, 5)
    assert all(h.kra_id not in (3, 4) for row in loaded.search(base[:6], 10) for h in row)

    # a second save replaces the data files and leaves nothing stale behind
    first_files = {p.name for p in tmp_path.iterdir()}
    loaded.add([1000], [1], random_unit(1, seed=3))
    loaded.save(path, library_version=13)
    files = {p.name for p in tmp_path.iterdir()}
    assert len(files) == 3 and "kra_index.json" in files
    assert not (files - {"kra_index.json"}) & first_files
    manifest = json.loads(path.read_text())
    assert manifest["library_version"] == 13 and manifest["count"] == 499
    assert KraIndex.load(path)[0].role_of(1000) == 1


def test_load_or_build_reuses_matching_index_and_rebuilds_stale(tmp_path: Path) -> None:
    path = tmp_path / "idx" / "kra_index.json"
    calls: list[int] = []
    data = {"vectors": random_unit(200, seed=4)}

    def fetch() -> tuple[list[int], list[int], np.ndarray]:
        calls.append(1)
        return list(range(200)), [i // 10 for i in range(200)], data["vectors"]

    queries = random_unit(5, seed=5)
    first = load_or_build(path, 1, "emb-a", fetch)
    assert len(calls) == 1 and path.exists() and first.library_version == 1

    same = load_or_build(path, 1, "emb-a", fetch)
    assert len(calls) == 1  # reloaded from disk, store not read
    assert same.search(queries, 3) == first.search(queries, 3)

    data["vectors"] = random_unit(200, seed=6)
    newer = load_or_build(path, 2, "emb-a", fetch)  # library version moved on
    assert len(calls) == 2 and newer.library_version == 2
    assert newer.search(queries, 3) != first.search(queries, 3)

    load_or_build(path, 2, "emb-b", fetch)  # embedder changed: vectors are incomparable
    assert len(calls) == 3
    assert KraIndex.load(path)[0].embedder_name == "emb-b"

    path.write_text("{not json")  # a damaged manifest is rebuilt, not fatal
    load_or_build(path, 2, "emb-b", fetch)
    assert len(calls) == 4
    assert KraIndex.load(path)[1] == 2


def test_live_add_grows_past_capacity_and_is_found() -> None:
    base = random_unit(100, seed=7)
    index = KraIndex.build(DIM, list(range(100)), [0] * 100, base)
    new = random_unit(300, seed=8)
    index.add(list(range(1000, 1300)), [5] * 300, new)
    assert len(index) == 400
    hits = index.search(new[[0, 150, 299]], k=3)
    assert [row[0].kra_id for row in hits] == [1000, 1150, 1299]
    assert all(row[0].role_id == 5 and row[0].similarity == pytest.approx(1.0, abs=1e-5) for row in hits)
    # adding an existing id replaces its vector and role
    index.add([1000], [9], new[1:2])
    top = index.search(new[1:2], k=2)[0]
    assert {h.kra_id for h in top} == {1000, 1001}
    assert index.role_of(1000) == 9


def test_remove_excludes_and_readd_revives() -> None:
    base = random_unit(300, seed=9)
    index = KraIndex.build(DIM, list(range(300)), [i % 3 for i in range(300)], base)
    assert index.search(base[10:11], k=1)[0][0].kra_id == 10
    index.remove([10, 11, 99_999])  # unknown ids are ignored
    assert len(index) == 298 and 10 not in index
    hits = index.search(base[10:12], k=20)
    assert all(h.kra_id not in (10, 11) for row in hits for h in row)
    assert all(len(row) == 20 for row in hits)
    index.add([10], [2], base[10:11])
    top = index.search(base[10:11], k=1)[0][0]
    assert isinstance(top, KraHit) and (top.kra_id, top.role_id) == (10, 2)
    assert top.similarity == pytest.approx(1.0, abs=1e-5)


def test_small_and_empty_indexes() -> None:
    index = KraIndex(DIM)
    assert len(index) == 0
    assert index.search(random_unit(2, seed=10), k=5) == [[], []]
    index.add([7, 8], [1, 2], random_unit(2, seed=11))
    assert [len(row) for row in index.search(random_unit(3, seed=12), k=10)] == [2, 2, 2]
    index.remove([7, 8])
    assert index.search(random_unit(1, seed=13), k=10) == [[]]
    single = index.search(random_unit(1, seed=14)[0], k=1)  # a 1-D query is one row
    assert single == [[]]


def test_bad_input_is_rejected() -> None:
    with pytest.raises(ValueError):
        KraIndex.build(DIM, [1, 1], [0, 0], random_unit(2, seed=15))
    with pytest.raises(ValueError):
        KraIndex.build(DIM, [1, 2], [0], random_unit(2, seed=16))
    with pytest.raises(ValueError):
        KraIndex.build(DIM, [1], [0], random_unit(1, seed=17, dim=10))
    with pytest.raises(ValueError):
        KraIndex.load(Path("/nonexistent/kra_index.json"))


def test_readers_and_writers_run_concurrently() -> None:
    base = random_unit(1000, seed=18)
    index = KraIndex.build(DIM, list(range(1000)), [0] * 1000, base)
    extra = random_unit(400, seed=19)
    errors: list[BaseException] = []
    done = threading.Event()

    def reader() -> None:
        try:
            while not done.is_set():
                for row in index.search(base[:50], k=10):
                    assert len(row) == 10
                    assert all(0 <= h.kra_id < 1000 or 5000 <= h.kra_id < 5400 for h in row)
        except BaseException as exc:
            errors.append(exc)

    def writer() -> None:
        try:
            for i in range(0, 400, 20):
                index.add(list(range(5000 + i, 5020 + i)), [1] * 20, extra[i : i + 20])
                index.remove(list(range(i, i + 10)))
        except BaseException as exc:
            errors.append(exc)
        finally:
            done.set()

    threads = [threading.Thread(target=reader) for _ in range(3)] + [threading.Thread(target=writer)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors, errors[0]
    assert len(index) == 1000 + 400 - 200
    assert index.search(extra[399:400], k=1)[0][0].kra_id == 5399


def test_search_arrays_give_roles_similarities_and_padding() -> None:
    base = random_unit(40, seed=15)
    index = KraIndex.build(DIM, list(range(100, 140)), [i % 4 for i in range(40)], base)
    index.remove(list(range(100, 110)))
    kra_ids, role_ids, sims = index.search_arrays(base[:6], k=10)
    assert kra_ids.shape == role_ids.shape == sims.shape == (6, 10)
    assert all(index.role_of(int(k)) == int(r) for k, r in zip(kra_ids.flat, role_ids.flat, strict=True))
    assert set(kra_ids.flat) <= set(range(110, 140))
    assert np.all(np.diff(sims, axis=1) <= 0)  # best first

    class Crowded:
        """hnswlib when too many neighbours are deleted: it cannot fill more than 3 results."""

        def __init__(self, raw: object) -> None:
            self.raw = raw

        def knn_query(self, queries: np.ndarray, k: int, num_threads: int) -> object:
            if k > 3:
                raise RuntimeError("Cannot return the results in a contiguous 2D array")
            return self.raw.knn_query(queries, k=k, num_threads=num_threads)  # type: ignore[attr-defined]

    index._index = Crowded(index._index)
    kra_ids, role_ids, sims = index.search_arrays(base[:6], k=10)  # rows halve k to 2: 8 padded
    assert kra_ids.shape == (6, 10) and np.all(role_ids[:, 2:] == -1) and np.all(role_ids[:, :2] >= 0)
    hits = index.search(base[:6], k=10)
    assert [[(h.kra_id, h.role_id, h.similarity) for h in row] for row in hits] == [
        [(int(k), int(r), float(s)) for k, r, s in zip(ks, rs, ss, strict=True) if r >= 0]
        for ks, rs, ss in zip(kra_ids, role_ids, sims, strict=True)
    ]
    index._index = index._index.raw
    index.add([100], [3], base[:1])  # a write refreshes the kra -> role table
    kra_ids, role_ids, _ = index.search_arrays(base[:1], k=1)
    assert (int(kra_ids[0, 0]), int(role_ids[0, 0])) == (100, 3)


def test_two_builds_of_the_same_kras_are_the_same_index(tmp_path: Path) -> None:
    """A rebuilt index (new server, other machine) must order near-ties the same way."""
    base = random_unit(3000, seed=5)
    queries = random_unit(50, seed=6)
    roles = [i % 97 for i in range(3000)]
    first = KraIndex.build(DIM, list(range(3000)), roles, base)
    second = KraIndex.build(DIM, list(range(3000)), roles, base)
    first.save(tmp_path / "a" / "kra.json", library_version=1)
    second.save(tmp_path / "b" / "kra.json", library_version=1)
    graphs = [next((tmp_path / d).glob("*.hnsw")).read_bytes() for d in ("a", "b")]
    assert graphs[0] == graphs[1]
    assert first.search(queries, 20) == second.search(queries, 20)
