"""The machine a benchmark names: read from /proc/cpuinfo where there is one."""

from __future__ import annotations

from pathlib import Path

from jdlens_server.machine import describe

XEON = """processor\t: 0
vendor_id\t: GenuineIntel
cpu family\t: 6
model\t\t: 143
model name\t: Intel(R) Xeon(R) Platinum 8481C CPU @ 2.70GHz
flags\t\t: fpu sse2 avx avx2 avx512f avx512_vnni avx512_bf16 amx_bf16 amx_tile amx_int8

processor\t: 1
vendor_id\t: GenuineIntel
model name\t: Intel(R) Xeon(R) Platinum 8481C CPU @ 2.70GHz
flags\t\t: fpu sse2 avx avx2
"""


def test_names_the_cpu_and_its_vector_units(tmp_path: Path) -> None:
    cpuinfo = tmp_path / "cpuinfo"
    cpuinfo.write_text(XEON, encoding="utf-8")
    machine = describe(cpuinfo)
    assert machine.cpu == "Intel(R) Xeon(R) Platinum 8481C CPU @ 2.70GHz (family 6, model 143)"
    assert machine.isa == ("avx2", "avx512f", "avx512_vnni", "avx512_bf16", "amx_tile")
    assert machine.cpus >= 1 and machine.onnxruntime[0].isdigit()
    assert machine.line().startswith(machine.cpu + "; avx2, avx512f")
    assert machine.to_json()["isa"] == list(machine.isa)


def test_without_cpuinfo_it_still_names_something(tmp_path: Path) -> None:
    machine = describe(tmp_path / "missing")
    assert machine.cpu and machine.isa == ()
    assert "no AVX2" in machine.line()
