"""The pipeline core freezes the loaded library out of the cyclic GC's full collections (each walked
~1.2M library objects for ~0.5 s of CPU on ESCO) and the frozen library is still released."""

from __future__ import annotations

import gc
import weakref

from jdlens_server.pipeline.skill_resolution import alias_index
from pipeline_runtime import library_runtime


def test_warm_up_freezes_the_library_and_a_dropped_snapshot_is_freed(sqlite_url: str) -> None:
    gc.unfreeze()
    runtime = library_runtime(sqlite_url)  # build_runtime warms the core up
    try:
        snapshot = runtime.library.current().snapshot
        assert gc.get_freeze_count() >= len(snapshot.skill_aliases) + len(snapshot.skills)
        # A reload replaces the snapshot; the old one goes by reference counting alone.
        old = weakref.ref(snapshot)
        old_index = weakref.ref(alias_index(snapshot))
        del snapshot
        runtime.library.reload()
        runtime.core.warm_up()
        assert old() is None
        assert old_index() is None
    finally:
        runtime.close()
        gc.unfreeze()
