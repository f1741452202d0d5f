"""Embeddings for library texts during an import: each distinct text is embedded once, in batches,
with a progress bar, and kept as the float32 bytes the store holds."""

from __future__ import annotations

import sys
from collections.abc import Iterable, Sequence
from typing import NoReturn

import numpy as np
import numpy.typing as npt
from tqdm import tqdm

from jdlens_server.nlp.embedder import Embedder

__all__ = ["TextVectors", "from_bytes", "progress_bar"]

# Texts per embed() call: big enough for the embedder's own batching, small enough for a lively bar.
_CALL_SIZE = 512


def progress_bar(enabled: bool, total: int, desc: str) -> tqdm[NoReturn]:
    """A tqdm bar on stderr, shown only when asked for and stderr is a terminal."""
    return tqdm(
        total=total,
        desc=desc,
        unit="row",
        file=sys.stderr,
        disable=not (enabled and sys.stderr.isatty()),
        leave=False,
        dynamic_ncols=True,
    )


def from_bytes(blob: bytes, dim: int) -> npt.NDArray[np.float32]:
    vec = np.frombuffer(blob, dtype=np.float32)
    if vec.shape != (dim,):
        raise ValueError(f"stored embedding has {vec.size} values, expected {dim}")
    return vec


class TextVectors:
    """Text -> embedding cache for one import (the embedder's own LRU may be smaller than a pack)."""

    def __init__(self, embedder: Embedder, progress: bool = False) -> None:
        self.embedder = embedder
        self._progress = progress
        self._cache: dict[str, npt.NDArray[np.float32]] = {}
        self.embedded = 0  # distinct texts sent to the model

    def ensure(self, texts: Iterable[str], desc: str = "embedding") -> None:
        missing = list(dict.fromkeys(t for t in texts if t not in self._cache))
        if not missing:
            return
        # Similar lengths side by side: the model's batches then pad (and waste) little.
        missing.sort(key=len)
        with progress_bar(self._progress, len(missing), desc) as bar:
            for start in range(0, len(missing), _CALL_SIZE):
                chunk = missing[start : start + _CALL_SIZE]
                vectors = self.embedder.embed(chunk)
                for text, vec in zip(chunk, vectors, strict=True):
                    self._cache[text] = vec
                bar.update(len(chunk))
        self.embedded += len(missing)

    def vector(self, text: str) -> npt.NDArray[np.float32]:
        self.ensure((text,))
        return self._cache[text]

    def blob(self, text: str) -> bytes:
        return self.vector(text).astype(np.float32, copy=False).tobytes()

    def mean(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        """One text's embedding, or the re-normalised mean of several (a profile of label + lead)."""
        if not texts:
            raise ValueError("nothing to embed")
        if len(texts) == 1:
            return self.vector(texts[0])
        self.ensure(texts)
        mean: npt.NDArray[np.float32] = np.stack([self._cache[t] for t in texts]).mean(
            axis=0, dtype=np.float32
        )
        norm = float(np.linalg.norm(mean))
        return mean / np.float32(norm) if norm > 0 else mean

    def blob_of(self, texts: Sequence[str]) -> bytes:
        return self.mean(texts).astype(np.float32, copy=False).tobytes()

    def matrix(self, texts: Sequence[str], desc: str = "embedding") -> npt.NDArray[np.float32]:
        self.ensure(texts, desc)
        if not texts:
            return np.zeros((0, self.embedder.dim), dtype=np.float32)
        return np.stack([self._cache[t] for t in texts]).astype(np.float32, copy=False)
