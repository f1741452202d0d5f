"""jdlens server: a gRPC service over a domain core (pipeline, library, nlp, llm, store)."""

import os

# numpy's OpenBLAS would start a thread pool per matrix-vector product. Our products are small
# (a few thousand rows) and run beside the ONNX embedder's own threads and concurrent requests,
# where waking BLAS threads costs ~100x the product itself (8 ms instead of 0.08 ms per role
# matrix on 2 cores). Set before numpy is first imported; an explicit setting in the
# environment wins.
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

__version__ = "0.1.0"
