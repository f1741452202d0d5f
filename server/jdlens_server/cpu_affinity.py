"""One CPU for the pipeline's Python threads, every CPU for the model (Linux; elsewhere nothing).

Only one thread runs Python at a time (the GIL), but the OS moves the request threads across the
cores, and every hand-over of the GIL between threads on two cores carries the JD's working set
(its parse, tokens, matcher state) from one core's L1/L2 to the other's. Measured on a 2-vCPU AMD
EPYC (Zen 3) with every text already embedded: 8 JDs on 8 threads cost 35.3 CPU-ms per JD beside
27.8 with the same threads kept on one CPU, the same as one JD at a time. In the bench stream,
with the model's lanes free on both CPUs, the non-model CPU per JD was lower in 9 of 9
alternating run pairs, by 3.9 ms at the median (42.5 -> 38.0 on average): ~2% of the stream's
CPU, less than one run's ratio spread, so the ratio (0.793 -> 0.797 on average) barely shows it.

So the blocking-work threads (the server's pool: the pipeline and the store) are pinned to one
CPU, and threads they may start for other work (the embedder's lanes, the model backend's loop
thread, the huge-pages pass) take back the whole process's CPUs. ``JDLENS_PIPELINE_CPU``:
- ``auto`` (default): pin when the process's CPU set holds exactly two CPUs (the case measured;
  ``taskset -c 0,1`` counts, a CPU quota does not), to the higher-numbered one (CPU 0 tends to
  take more interrupts). Replicas that share one 2-CPU set would all pin to that CPU: give each
  its own CPU number, or ``off``;
- ``off``: never pin;
- a CPU number: pin to that CPU.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Mapping
from functools import partial

ENV_VAR = "JDLENS_PIPELINE_CPU"
_warned = False  # pin_current_thread's failure is logged once


def supported() -> bool:
    return hasattr(os, "sched_setaffinity") and hasattr(os, "sched_getaffinity")


def process_cpus() -> set[int]:
    """The CPUs the process may use: its main thread's set (a pinned thread reports only its own;
    jdlens never pins the main thread)."""
    return set(os.sched_getaffinity(os.getpid())) if supported() else set()


def configured_cpu(environ: Mapping[str, str] = os.environ) -> int | None:
    """The CPU to pin the blocking-work threads to, from ``$JDLENS_PIPELINE_CPU``; None: no pin.

    Raises ValueError for a value that is neither ``auto``, ``off`` nor a CPU this process may use.
    """
    value = environ.get(ENV_VAR, "auto").strip().lower()
    if value in ("off", "no", "none", ""):
        return None
    cpu: int | None = None
    if value != "auto":
        try:
            cpu = int(value)
        except ValueError:
            raise ValueError(f"{ENV_VAR}={value!r}: expected auto, off or a CPU number") from None
    if not supported():
        return None
    allowed = process_cpus()
    if cpu is None:
        return max(allowed) if len(allowed) == 2 else None
    if cpu not in allowed:
        raise ValueError(f"{ENV_VAR}={cpu}: this process may use CPUs {sorted(allowed)} only")
    return cpu


def pool_initializer(cpu: int | None) -> Callable[[], None] | None:
    """A ThreadPoolExecutor ``initializer`` that pins each of its threads to ``cpu``; None: none."""
    return None if cpu is None else partial(pin_current_thread, cpu)


def pin_current_thread(cpu: int) -> None:
    """Keep the calling thread on ``cpu`` (threads it starts inherit the pin). Where that cannot be
    done (no affinity calls; the CPU left the process's set since it was configured) the thread
    runs unpinned: this runs as a pool's thread initializer, and one that raised would break the
    pool for good."""
    if not supported():
        return
    try:
        os.sched_setaffinity(0, {cpu})
    except OSError as exc:
        global _warned
        if not _warned:
            _warned = True
            logging.getLogger("jdlens").warning(
                "%s: cannot keep request threads on CPU %d (%s); they run unpinned", ENV_VAR, cpu, exc
            )


def release_current_thread() -> None:
    """Let the calling thread run on every CPU of the process again, if it was pinned.

    For threads that may be started by a pinned thread but must not share its one CPU."""
    if not supported():
        return
    allowed = process_cpus()
    if set(os.sched_getaffinity(0)) != allowed:
        os.sched_setaffinity(0, allowed)
