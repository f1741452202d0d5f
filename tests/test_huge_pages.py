"""Huge pages for the loaded library: the process's large anonymous memory asks for them and, where
the kernel allows, gets them, with its contents intact."""

from __future__ import annotations

import ctypes
import mmap
import os
import sys
import threading
from pathlib import Path

import numpy as np
import pytest

from jdlens_server import huge_pages

_MODE = Path("/sys/kernel/mm/transparent_hugepage/enabled")


def _thp_mode() -> str:
    """The bracketed word of the sysfs setting ("always", "madvise" or "never"); "" without THP."""
    try:
        text = _MODE.read_text()
    except OSError:
        return ""
    return text[text.index("[") + 1 : text.index("]")] if "[" in text else ""


def test_turned_off_by_the_environment() -> None:
    on_linux = sys.platform.startswith("linux")
    assert huge_pages.enabled({}) is on_linux
    assert huge_pages.enabled({"JDLENS_HUGE_PAGES": "on"}) is on_linux
    for off in ("off", "OFF", "0", "no"):
        assert huge_pages.enabled({"JDLENS_HUGE_PAGES": off}) is False


def _kernel_at_least(major: int, minor: int) -> bool:
    release = os.uname().release.split(".")
    try:
        return (int(release[0]), int(release[1].split("-")[0])) >= (major, minor)
    except (ValueError, IndexError):
        return False


def _private_mapping(size: int) -> mmap.mmap:
    # mmap's default for anonymous memory is MAP_SHARED; the library's memory is private.
    return mmap.mmap(-1, size, flags=mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS)


def _mapping_huge_kb(address: int) -> int:
    """AnonHugePages of the mapping that holds ``address`` (from /proc/self/smaps)."""
    inside = False
    for line in Path("/proc/self/smaps").read_text().splitlines():
        fields = line.split()
        if "-" in fields[0] and len(fields) >= 5:
            low, high = (int(x, 16) for x in fields[0].split("-"))
            inside = low <= address < high
        elif inside and fields[0] == "AnonHugePages:":
            return int(fields[1])
    raise AssertionError(f"no mapping holds {address:#x}")


@pytest.mark.skipif(_thp_mode() != "madvise", reason="needs transparent huge pages in madvise mode")
def test_a_resident_mapping_is_collapsed_with_its_contents_intact() -> None:
    size = 48 << 20
    block = _private_mapping(size)  # not advised by anyone yet
    pattern = np.random.default_rng(7).integers(0, 255, size=size, dtype=np.uint8)
    view = np.frombuffer(block, dtype=np.uint8)
    view[:] = pattern  # every page resident
    # A point past the 2 MiB-aligned start: advice splits off the unaligned head as its own mapping.
    address = ctypes.addressof(ctypes.c_char.from_buffer(block)) + (4 << 20)
    assert _mapping_huge_kb(address) == 0
    report = huge_pages.back_with_huge_pages(min_bytes=16 << 20)
    assert report is not None and report.advised_mb >= 44  # 48 MiB less the 2 MiB alignment
    if _kernel_at_least(6, 1):  # MADV_COLLAPSE: huge pages now, not when khugepaged gets there
        assert _mapping_huge_kb(address) >= 44 << 10
    assert np.array_equal(view, pattern)
    del view
    block.close()


def test_a_sparse_mapping_is_left_alone() -> None:
    # Reserved but untouched (a thread stack's shape): a collapse would make it all resident.
    block = _private_mapping(64 << 20)
    block[0] = 1  # one page resident
    address = ctypes.addressof(ctypes.c_char.from_buffer(block))
    try:
        ranges = huge_pages._resident_anonymous_ranges(16 << 20)
        assert not any(start <= address + (4 << 20) < start + length for start, length in ranges)
    finally:
        block.close()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux only")
def test_small_mappings_are_left_alone() -> None:
    # No mapping of a process reaches 1 TiB: nothing is asked for.
    report = huge_pages.back_with_huge_pages(min_bytes=1 << 40)
    assert report is not None and (report.mappings, report.advised_mb, report.refused) == (0, 0, 0)


def test_wait_returns_once_the_background_passes_are_done(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(huge_pages, "_started", [])  # only this test's passes
    release = threading.Event()
    finished: list[bool] = []

    def slow_pass() -> None:
        assert release.wait(10)
        finished.append(True)

    monkeypatch.setattr(huge_pages, "enabled", lambda: True)
    monkeypatch.setattr(huge_pages, "back_with_huge_pages", slow_pass)
    first, second = huge_pages.back_in_background(), huge_pages.back_in_background()
    assert first is not None and second is not None
    assert huge_pages.wait(timeout=0.05) is False  # both still running
    release.set()
    assert huge_pages.wait(timeout=10) is True
    assert finished == [True, True]
    assert not first.is_alive() and not second.is_alive()
    assert huge_pages.wait(timeout=0) is True  # nothing left to wait for
