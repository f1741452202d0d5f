"""jdlens server: a gRPC service over a domain core (pipeline, library, nlp, llm, store)."""

import os

# numpy's OpenBLAS would start a thread pool per matrix-vector product. Our products are small
# (a few thousand rows) and run beside the ONNX embedder's own threads and concurrent requests,
# where waking BLAS threads costs ~100x the product itself (8 ms instead of 0.08 ms per role
# matrix on 2 cores). Set before numpy is first imported; an explicit setting in the
# environment wins.
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

# The tokenizer's encode_batch would split each call over a rayon thread pool whose idle workers
# spin: for a JD's ~20 short sentences that cost more CPU than it saved (~2 CPU-ms per JD in
# another thread) and took cycles from the embedder's lanes, which are the parallelism here.
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


def _cap_malloc_arenas() -> None:
    """glibc gives each thread that allocates concurrently an arena of its own (up to 8 per core);
    the request pool's threads each keep freed run buffers in theirs, and the peak RSS of a stream
    varied by ~350 MB from run to run. Two arenas serve our few busy threads. An explicit
    MALLOC_ARENA_MAX in the environment wins; other C libraries are left alone."""
    if os.environ.get("MALLOC_ARENA_MAX"):
        return
    try:
        import ctypes

        libc = ctypes.CDLL("libc.so.6")
    except OSError:
        return
    m_arena_max = -8  # from malloc.h
    libc.mallopt(m_arena_max, 2)


_cap_malloc_arenas()

__version__ = "0.1.0"
