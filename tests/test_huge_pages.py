"""Huge pages for the loaded library: the process's large anonymous memory asks for them and, where
the kernel allows, gets them, with its contents intact."""

from __future__ import annotations

import sys
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


@pytest.mark.skipif(_thp_mode() in ("", "never"), reason="transparent huge pages are off on this machine")
def test_a_large_array_is_advised_and_collapsed_with_its_contents_intact() -> None:
    rng = np.random.default_rng(7)
    block = rng.integers(0, 255, size=48 << 20, dtype=np.uint8)  # its own 48 MiB mapping
    digest = int(block.sum(dtype=np.uint64))
    report = huge_pages.back_with_huge_pages(min_bytes=16 << 20)
    assert report is not None
    assert report.mappings >= 1 and report.advised_mb >= 44  # 48 MiB less the 2 MiB alignment
    if report.refused == 0:  # the kernel collapsed what it was asked to (Linux 6.1+)
        assert report.huge_mb_after >= report.huge_mb_before + 40
    assert int(block.sum(dtype=np.uint64)) == digest
    assert huge_pages.anon_huge_mb() >= 0


def test_small_mappings_are_left_alone() -> None:
    # No mapping of a process reaches 1 TiB: nothing is asked for.
    report = huge_pages.back_with_huge_pages(min_bytes=1 << 40)
    if sys.platform.startswith("linux"):
        assert report is not None and (report.mappings, report.advised_mb, report.refused) == (0, 0, 0)
    else:
        assert report is None
