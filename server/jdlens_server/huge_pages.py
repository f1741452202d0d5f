"""Transparent huge pages for the loaded library (Linux; elsewhere nothing happens).

Every request reads the loaded library at random: ~1M Python objects, the int8 and float32
matrices, the HNSW graph, ~700 MB in all. With 4 KiB pages those reads miss the TLB all the time,
and the embedder's batches, which stream ~45 MB of weights per batch through the caches, evict
the page tables in between, so the pipeline's Python runs slower beside the model than alone.
Backed by 2 MiB pages the same memory needs 512 times fewer TLB entries: measured on a 2-vCPU
Xeon (Sapphire Rapids class), the pipeline's own CPU per JD fell by 1.3-1.8 ms of ~27-32 (5%).

Debian and most distributions run THP in "madvise" mode: only memory that asks gets huge pages.
``back_with_huge_pages`` asks (MADV_HUGEPAGE) for every private anonymous mapping of at least
4 MiB that is mostly resident, then collapses it at once (MADV_COLLAPSE, Linux 6.1+) rather than
leaving it to khugepaged's slow background scan. Where THP is "never", or a call is refused,
nothing changes; in "always" mode the collapse only makes it happen sooner. The long-lived
commands ask for it (``build_runtime(huge_pages=True)``: serve, batch, eval, bench);
``JDLENS_HUGE_PAGES=off`` turns it off.
"""

from __future__ import annotations

import ctypes
import os
import sys
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from jdlens_server import cpu_affinity

ENV_VAR = "JDLENS_HUGE_PAGES"
_HUGE = 2 << 20
_MIN_BYTES = 4 << 20
# From <sys/mman.h> (Linux).
_MADV_HUGEPAGE = 14
_MADV_COLLAPSE = 25

# Share of a mapping that must be resident for it to be advised (see _resident_anonymous_ranges).
RESIDENT_SHARE = 0.9
_running = threading.Lock()  # one pass at a time; a reload's pass waits for the one running
_started: list[threading.Thread] = []  # background passes not yet seen finished (see wait)
_started_lock = threading.Lock()


@dataclass(frozen=True)
class HugePageReport:
    mappings: int  # mappings advised
    advised_mb: int  # their 2 MiB-aligned size
    refused: int  # madvise calls the kernel refused (THP off, or an older kernel)
    huge_mb_before: int  # the process's AnonHugePages before and after
    huge_mb_after: int


def enabled(environ: Mapping[str, str] = os.environ) -> bool:
    """Whether this process should ask: Linux, and not turned off by $JDLENS_HUGE_PAGES."""
    return sys.platform.startswith("linux") and environ.get(ENV_VAR, "on").lower() not in ("off", "0", "no")


def anon_huge_mb() -> int:
    """The process's anonymous memory on huge pages now (MiB), from /proc/self/smaps_rollup."""
    try:
        for line in Path("/proc/self/smaps_rollup").read_text().splitlines():
            if line.startswith("AnonHugePages:"):
                return int(line.split()[1]) // 1024
    except OSError:
        pass
    return 0


def _resident_anonymous_ranges(min_bytes: int) -> list[tuple[int, int]]:
    """2 MiB-aligned (start, length) of each private anonymous read-write mapping of ``min_bytes``
    or more (the heap included, files left out) that is mostly resident (RESIDENT_SHARE): a
    collapse fills a range's untouched pages too, so sparse mappings (thread stacks, reserved
    but unused memory) are left alone rather than grown."""
    ranges = []
    span: tuple[int, int] | None = None  # the current mapping's aligned range while it qualifies
    size_kb = 0
    for line in Path("/proc/self/smaps").read_text().splitlines():
        fields = line.split()
        if "-" in fields[0] and len(fields) >= 5:  # a mapping's header line
            span = None
            perms = fields[1]
            path = fields[5] if len(fields) > 5 else ""
            if not perms.startswith("rw") or perms[3] != "p" or (path and path != "[heap]"):
                continue
            low, high = (int(x, 16) for x in fields[0].split("-"))
            start = (low + _HUGE - 1) & ~(_HUGE - 1)
            end = high & ~(_HUGE - 1)
            if end - start >= min_bytes:
                span, size_kb = (start, end - start), (high - low) // 1024
        elif span is not None and fields[0] == "Rss:":
            if int(fields[1]) >= RESIDENT_SHARE * size_kb:
                ranges.append(span)
            span = None
    return ranges


def back_with_huge_pages(min_bytes: int = _MIN_BYTES, collapse: bool = True) -> HugePageReport | None:
    """Ask for huge pages for the process's large, mostly resident anonymous mappings (see the
    module docstring); a pass already running finishes first. None when this is not Linux or
    /proc cannot be read."""
    if not sys.platform.startswith("linux"):
        return None
    with _running:
        try:
            ranges = _resident_anonymous_ranges(min_bytes)
        except OSError:
            return None
        libc = ctypes.CDLL(None, use_errno=True)
        madvise = libc.madvise
        madvise.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int]
        madvise.restype = ctypes.c_int
        before = anon_huge_mb()
        mappings = advised = refused = 0
        for start, length in ranges:
            # A mapping unmapped since /proc was read just makes the call fail (ENOMEM); advice
            # never changes memory contents.
            if madvise(start, length, _MADV_HUGEPAGE) != 0:
                refused += 1
                continue
            mappings += 1
            advised += length
            if collapse and madvise(start, length, _MADV_COLLAPSE) != 0:
                refused += 1  # EINVAL before Linux 6.1: khugepaged collapses it later instead
        return HugePageReport(mappings, advised >> 20, refused, before, anon_huge_mb())


def _back_from_any_cpu() -> None:
    # Started after a library load, today from the main or the watcher thread; should a pinned
    # request thread ever start it, the pass must not take that thread's one CPU.
    cpu_affinity.release_current_thread()
    back_with_huge_pages()


def back_in_background() -> threading.Thread | None:
    """``back_with_huge_pages`` on a daemon thread (a collapse takes ~2 s for ~700 MB; madvise
    releases the GIL), so a server starts serving meanwhile. None when turned off."""
    if not enabled():
        return None
    thread = threading.Thread(target=_back_from_any_cpu, name="jdlens-huge-pages", daemon=True)
    with _started_lock:  # started before it is listed: wait() never joins an unstarted thread
        _started[:] = [t for t in _started if t.is_alive()]
        thread.start()
        _started.append(thread)
    return thread


def wait(timeout: float | None = None) -> bool:
    """Wait for the background passes started so far; False if one is still running at ``timeout``.

    For measurements of the steady state: a pass costs ~2 CPU-s once per library load, which a
    long-lived server has long paid, and a benchmark must not count against its first requests."""
    with _started_lock:
        threads = list(_started)
    deadline = None if timeout is None else time.monotonic() + timeout
    for thread in threads:
        thread.join(None if deadline is None else max(0.0, deadline - time.monotonic()))
        if thread.is_alive():
            return False
    return True
