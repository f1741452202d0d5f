"""The offline embedder: real ONNX models from their PyPI packages, no network."""

from __future__ import annotations

import threading

import numpy as np
import pytest

from jdlens_server.nlp.embedder import (
    DEFAULT_EMBEDDER,
    ENV_VAR,
    OnnxEmbedder,
    _length_buckets,
    load_embedder,
    model_spec,
    supported_embedders,
)

# Paraphrase triples: (anchor, same meaning in other words, unrelated duty).
TRIPLES = [
    (
        "Design and build scalable data pipelines",
        "Develop and maintain ETL workflows that move data between systems",
        "Bake bread, cakes and pastries for the shop",
    ),
    (
        "Manage the team's budget and financial reporting",
        "Oversee departmental spending and prepare finance reports",
        "Repair brakes and suspension on customer vehicles",
    ),
    (
        "Provide nursing care to patients on the ward",
        "Look after hospital patients and give them medication",
        "Write unit tests for the backend services",
    ),
    (
        "Answer customer questions by phone and email",
        "Handle client enquiries over the telephone and by e-mail",
        "Operate a forklift in the warehouse",
    ),
]


@pytest.fixture(scope="module", params=supported_embedders())
def embedder(request: pytest.FixtureRequest) -> OnnxEmbedder:
    return OnnxEmbedder(model_spec(request.param), threads=2, cache_size=1000)


def test_names_and_unknown_name() -> None:
    assert DEFAULT_EMBEDDER in supported_embedders()
    with pytest.raises(ValueError) as err:
        load_embedder("no-such-model")
    for name in supported_embedders():
        assert name in str(err.value)


def test_load_embedder_is_shared_and_env_configurable(monkeypatch: pytest.MonkeyPatch) -> None:
    first = load_embedder()
    assert first is load_embedder()
    assert first.name == DEFAULT_EMBEDDER
    other = next(n for n in supported_embedders() if n != DEFAULT_EMBEDDER)
    monkeypatch.setenv(ENV_VAR, other)
    assert load_embedder().name == other
    monkeypatch.setenv(ENV_VAR, "bogus")
    with pytest.raises(ValueError):
        load_embedder()


def test_vectors_are_unit_float32_rows(embedder: OnnxEmbedder) -> None:
    texts = ["Data engineer", "We are an equal opportunity employer.", ""]
    vectors = embedder.embed(texts)
    assert vectors.dtype == np.float32
    assert vectors.shape == (3, embedder.dim)
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert embedder.embed([]).shape == (0, embedder.dim)
    with pytest.raises(TypeError):
        embedder.embed("one string")  # a str is a Sequence[str]: guard against the slip


def test_paraphrases_are_closer_than_unrelated(embedder: OnnxEmbedder) -> None:
    for anchor, paraphrase, unrelated in TRIPLES:
        a, p, u = embedder.embed([anchor, paraphrase, unrelated])
        assert float(a @ p) > float(a @ u) + 0.2, (anchor, float(a @ p), float(a @ u))


def test_batching_does_not_change_vectors(embedder: OnnxEmbedder) -> None:
    """Padding and length-sorting must be invisible: a sentence alone == inside a mixed batch."""
    fresh = OnnxEmbedder(model_spec(embedder.name), cache_size=0)
    texts = [t for triple in TRIPLES for t in triple] * 3
    texts += [f"Sentence number {i} " + "with padding words " * (i % 17) for i in range(150)]
    together = fresh.embed(texts)
    for i in (0, 5, 40, 100, len(texts) - 1):
        alone = fresh.embed([texts[i]])[0]
        np.testing.assert_allclose(together[i], alone, atol=2e-4)


def test_long_input_is_truncated_at_max_seq_length() -> None:
    emb = OnnxEmbedder(model_spec(DEFAULT_EMBEDDER), cache_size=0)
    long_text = " ".join(f"responsibility{i}" for i in range(400))  # far past 256 word pieces
    a, b = emb.embed([long_text, long_text + " and a tail that the model never sees"])
    np.testing.assert_allclose(a, b, atol=1e-6)


def test_wordpiece_tokenizer_is_bert_uncased() -> None:
    emb = OnnxEmbedder(model_spec(DEFAULT_EMBEDDER), cache_size=0)
    tokenizer = emb._tokenizer
    assert tokenizer.get_vocab_size() == 30522
    tokens = tokenizer.encode("Kubernetes, PySpark & C++").tokens
    assert tokens[0] == "[CLS]" and tokens[-1] == "[SEP]"
    words: list[str] = []
    for piece in tokens[1:-1]:  # glue WordPiece continuations back onto their word
        if piece.startswith("##"):
            words[-1] += piece[2:]
        else:
            words.append(piece)
    assert words == ["kubernetes", ",", "pyspark", "&", "c", "+", "+"]
    # lower-cased and accent-stripped, as the models were trained
    assert tokenizer.encode("Café  RÉSUMÉ").tokens == ["[CLS]", "cafe", "resume", "[SEP]"]


def test_cache_reuses_vectors_and_evicts_least_recent() -> None:
    emb = OnnxEmbedder(model_spec(DEFAULT_EMBEDDER), cache_size=3)
    first = emb.embed(["alpha duty", "beta duty", "alpha duty"])
    np.testing.assert_array_equal(first[0], first[2])
    assert emb.cache_len == 2
    emb.embed(["gamma duty", "alpha duty"])  # alpha becomes most recent
    emb.embed(["delta duty"])  # evicts beta, the least recently used
    assert emb.cache_len == 3
    cached = emb._cache
    assert set(cached) == {"alpha duty", "gamma duty", "delta duty"}
    again = emb.embed(["alpha duty"])
    np.testing.assert_array_equal(again[0], first[0])
    again[0, 0] = 42.0  # callers get copies, never the cached rows
    assert emb.embed(["alpha duty"])[0, 0] != 42.0


def test_concurrent_callers_get_the_same_vectors() -> None:
    emb = OnnxEmbedder(model_spec(DEFAULT_EMBEDDER), cache_size=0)
    texts = [t for triple in TRIPLES for t in triple]
    expected = emb.embed(texts)
    results: list[np.ndarray] = []
    errors: list[BaseException] = []

    def work() -> None:
        try:
            for _ in range(3):
                results.append(emb.embed(texts))
        except BaseException as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert len(results) == 12
    for got in results:
        np.testing.assert_allclose(got, expected, atol=1e-5)


def _queued(emb: OnnxEmbedder) -> int:
    with emb._work:
        return len(emb._queue)


def _wait_until_queued(emb: OnnxEmbedder, n: int) -> int:
    """How many calls wait in the queue once ``n`` do (or after ~10 s of polling)."""
    for _ in range(1000):
        if _queued(emb) == n:
            break
        threading.Event().wait(0.01)
    return _queued(emb)


def test_calls_arriving_while_every_lane_is_busy_share_one_plan(monkeypatch: pytest.MonkeyPatch) -> None:
    emb = OnnxEmbedder(model_spec(DEFAULT_EMBEDDER), threads=1, cache_size=0)
    texts = [t for triple in TRIPLES for t in triple]
    expected = {t: emb.embed([t])[0] for t in texts}
    planned: list[int] = []
    first_batch_entered, release = threading.Event(), threading.Event()
    plan, run_batch = emb._plan, emb._run_batch

    def plan_spy(calls: list) -> list:  # type: ignore[type-arg]
        planned.append(len(calls))
        return plan(calls)

    def batch_spy(seqs: list[list[int]]) -> np.ndarray:
        if not first_batch_entered.is_set():
            first_batch_entered.set()
            assert release.wait(10)
        return run_batch(seqs)

    monkeypatch.setattr(emb, "_plan", plan_spy)
    monkeypatch.setattr(emb, "_run_batch", batch_spy)
    got: dict[str, np.ndarray] = {}

    def call(text: str) -> None:
        got[text] = emb.embed([text])[0]

    first = threading.Thread(target=call, args=(texts[0],))
    first.start()
    assert first_batch_entered.wait(10)
    others = [threading.Thread(target=call, args=(t,)) for t in texts[1:5]]
    for t in others:
        t.start()
    assert _wait_until_queued(emb, 4) == 4  # all four wait while the only lane is busy
    release.set()
    for t in [first, *others]:
        t.join(10)
    assert planned == [1, 4]  # one shared plan for the four late callers, not four
    for text in texts[:5]:
        np.testing.assert_allclose(got[text], expected[text], atol=1e-5)


def test_a_lone_call_is_split_across_the_lanes(monkeypatch: pytest.MonkeyPatch) -> None:
    emb = OnnxEmbedder(model_spec(DEFAULT_EMBEDDER), threads=2, cache_size=0)
    texts = [t for triple in TRIPLES for t in triple]  # one length bucket: the plan must split it
    expected = emb.embed(texts)
    both_lanes = threading.Barrier(2, timeout=10)
    lanes: set[str] = set()
    run_batch = emb._run_batch

    def spy(seqs: list[list[int]]) -> np.ndarray:
        lanes.add(threading.current_thread().name + str(threading.get_ident()))
        both_lanes.wait()  # raises BrokenBarrierError unless a second batch runs meanwhile
        return run_batch(seqs)

    monkeypatch.setattr(emb, "_run_batch", spy)
    np.testing.assert_allclose(emb.embed(texts), expected, atol=1e-5)
    assert len(lanes) == 2


def test_a_failed_batch_fails_every_call_in_it_and_the_next_call_works(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    emb = OnnxEmbedder(model_spec(DEFAULT_EMBEDDER), threads=1, cache_size=0)
    entered, release = threading.Event(), threading.Event()
    run_batch = emb._run_batch

    def broken(batch: list[list[int]]) -> np.ndarray:
        entered.set()
        assert release.wait(10)
        raise MemoryError("model ran out of memory")

    monkeypatch.setattr(emb, "_run_batch", broken)
    failures: list[BaseException] = []

    def call(text: str) -> None:
        try:
            emb.embed([text])
        except BaseException as exc:  # collected below
            failures.append(exc)

    leader = threading.Thread(target=call, args=("first duty",))
    leader.start()
    assert entered.wait(10)
    waiters = [threading.Thread(target=call, args=(f"duty {i}",)) for i in range(3)]
    for t in waiters:
        t.start()
    _wait_until_queued(emb, 3)
    release.set()  # the leader's batch fails; the waiters' batch then fails the same way
    for t in [leader, *waiters]:
        t.join(10)
        assert not t.is_alive()
    assert len(failures) == 4
    assert all(isinstance(f.__cause__, MemoryError) for f in failures)
    monkeypatch.setattr(emb, "_run_batch", run_batch)
    assert emb.embed(["a working duty"]).shape == (1, emb.dim)
    for _ in range(100):  # lanes end once the work is done
        if emb._lanes_alive == 0:
            break
        threading.Event().wait(0.01)
    assert emb._lanes_alive == 0


def test_clear_cache_forgets_vectors() -> None:
    emb = OnnxEmbedder(model_spec(DEFAULT_EMBEDDER), cache_size=10)
    emb.embed(["alpha duty", "beta duty"])
    assert emb.cache_len == 2
    emb.clear_cache()
    assert emb.cache_len == 0


def test_model_cpu_counts_batches_run_not_cache_hits() -> None:
    emb = OnnxEmbedder(model_spec(DEFAULT_EMBEDDER), cache_size=10)
    assert emb.model_cpu_seconds == 0.0
    emb.embed(["alpha duty", "beta duty"])
    spent = emb.model_cpu_seconds
    assert spent > 0
    emb.embed(["alpha duty", "beta duty"])  # cached: no batch runs
    assert emb.model_cpu_seconds == spent


def test_a_failed_plan_fails_its_calls_instead_of_stranding_them(monkeypatch: pytest.MonkeyPatch) -> None:
    emb = OnnxEmbedder(model_spec(DEFAULT_EMBEDDER), threads=2, cache_size=0)
    plan = emb._plan

    def broken(calls: list) -> list:  # type: ignore[type-arg]
        raise MemoryError("no memory to plan")

    monkeypatch.setattr(emb, "_plan", broken)
    failures: list[BaseException] = []

    def call() -> None:
        try:
            emb.embed(["a duty that cannot be planned"])
        except BaseException as exc:  # collected below
            failures.append(exc)

    caller = threading.Thread(target=call, daemon=True)
    caller.start()
    caller.join(10)
    assert not caller.is_alive()  # a stranded call would wait forever
    assert len(failures) == 1 and isinstance(failures[0].__cause__, MemoryError)
    monkeypatch.setattr(emb, "_plan", plan)
    assert emb.embed(["a working duty"]).shape == (1, emb.dim)


def test_batches_keep_within_their_token_budget() -> None:
    # Long sentences batch fewer at a time (attention memory grows with rows x width^2); short
    # ones still fill whole batches; every index lands in exactly one batch, similar lengths together.
    lengths = [256] * 70 + [12] * 100 + [40, 44, 47]
    batches = _length_buckets(lengths, max_batch=64, max_tokens=4096)
    assert sorted(i for batch in batches for i in batch) == list(range(len(lengths)))
    for batch in batches:
        width = max(lengths[i] for i in batch)
        assert len(batch) <= 64 and len(batch) * width <= 4096
    assert [len(b) for b in batches if lengths[b[0]] == 256] == [16, 16, 16, 16, 6]
    assert [len(b) for b in batches if lengths[b[0]] == 12] == [64, 36]


def test_a_burst_of_long_sentences_keeps_its_memory_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    emb = OnnxEmbedder(model_spec(DEFAULT_EMBEDDER), threads=2, cache_size=0)
    planned: list[int] = []
    run_batch = emb._run_batch

    def spy(seqs: list[list[int]]) -> np.ndarray:
        planned.append(len(seqs) * max(map(len, seqs)))
        return run_batch(seqs)

    monkeypatch.setattr(emb, "_run_batch", spy)
    vectors = emb.embed([f"word{i} " * 300 for i in range(40)])  # each cut at 256 tokens
    # Unbudgeted, the lone call would run as two batches of 20 x 256 tokens.
    assert vectors.shape == (40, emb.dim) and planned and max(planned) <= 16 * 256
