"""What a benchmark ran on, so that its figures name their machine.

The bench's stream measured from 6 to 18 JDs/s on the 2-vCPU machines of one workplace, mostly
by CPU: the model's speed depends on the vector units (AVX-512, VNNI for the int8 build), the
ratio on the model's speed against the Python around it. A figure without its machine cannot be
compared.
"""

from __future__ import annotations

import os
import platform
import sys
from dataclasses import asdict, dataclass
from pathlib import Path

# The CPU features that change the model's speed: wide vectors, int8 dot products, bf16, AMX.
ISA_FLAGS = ("avx2", "avx512f", "avx512_vnni", "avx_vnni", "avx512_bf16", "amx_tile")


@dataclass(frozen=True, slots=True)
class Machine:
    cpu: str  # "AMD EPYC (family 25, model 17)"; the platform's processor string off Linux
    isa: tuple[str, ...]  # the ISA_FLAGS the CPU has
    cpus: int  # CPUs this process may run on
    python: str  # version and where the interpreter lives (a distribution's, pyenv's, ...)
    onnxruntime: str

    def line(self) -> str:
        isa = ", ".join(self.isa) or "no AVX2"
        return (
            f"{self.cpu}; {isa}; {self.cpus} CPUs for this process; Python {self.python}; "
            f"onnxruntime {self.onnxruntime}"
        )

    def to_json(self) -> dict[str, object]:
        return {**asdict(self), "isa": list(self.isa)}


def describe(cpuinfo: Path = Path("/proc/cpuinfo")) -> Machine:
    """This machine; ``cpuinfo`` is read when it exists (Linux)."""
    cpu, isa = _cpu(cpuinfo)
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # no affinity calls (macOS)
        cpus = os.cpu_count() or 1
    try:  # the module, not the distribution: onnxruntime-gpu and -openvino provide it too
        import onnxruntime

        ort = str(onnxruntime.__version__)
    except ImportError:
        ort = "not installed"
    python = f"{platform.python_version()} ({Path(sys.executable).resolve().parent.parent})"
    return Machine(cpu, isa, cpus, python, ort)


def _cpu(cpuinfo: Path) -> tuple[str, tuple[str, ...]]:
    try:
        text = cpuinfo.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return platform.processor() or platform.machine() or "unknown CPU", ()
    first = text.split("\n\n", 1)[0]  # every processor block describes the same CPU here
    fields: dict[str, str] = {}
    for line in first.splitlines():
        key, sep, value = line.partition(":")
        if sep:
            fields.setdefault(key.strip(), value.strip())
    # ARM's cpuinfo names no model: the platform's names are the next best.
    name = fields.get("model name") or platform.processor() or platform.machine() or "unknown CPU"
    if "cpu family" in fields and "model" in fields:
        name = f"{name} (family {fields['cpu family']}, model {fields['model']})"
    flags = set(fields.get("flags", "").split())
    return name, tuple(flag for flag in ISA_FLAGS if flag in flags)
