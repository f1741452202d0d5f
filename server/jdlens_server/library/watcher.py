"""Keeps a process's live library at the store's library version.

Another replica's approval, or a safe alias learned by a run in this one, moves the store's library
version; without a watcher a process would judge JDs against the library it loaded at start until
it restarts. A daemon thread compares versions every ``interval_s`` and, when the store moved,
reloads the snapshot, index and matcher in the background and warms the per-snapshot caches, while
requests go on with the previous library (the swap is one reference assignment). The interval also
bounds how often a busy library is reloaded: a reload costs seconds of CPU on the full ESCO library.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from jdlens_server.library.state import LibraryState

log = logging.getLogger(__name__)

ENV_VAR = "JDLENS_LIBRARY_REFRESH_S"
DEFAULT_INTERVAL_S = 60.0


class LibraryWatcher:
    def __init__(
        self, library: LibraryState, warm_up: Callable[[], None], interval_s: float = DEFAULT_INTERVAL_S
    ) -> None:
        if interval_s <= 0:
            raise ValueError("interval_s must be positive (leave the watcher out to disable it)")
        self._library = library
        self._warm_up = warm_up
        self._interval_s = interval_s
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="jdlens-library-watcher", daemon=True)
        self.reloads = 0

    def start(self) -> LibraryWatcher:
        self._thread.start()
        return self

    @property
    def is_running(self) -> bool:
        return self._thread.is_alive()

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=60)

    def check_now(self) -> bool:
        """Reload when the store's version moved; True when it did."""
        before = self._library.current().snapshot.version
        after = self._library.refresh_if_stale().snapshot.version
        if after == before:
            return False
        self._warm_up()
        self.reloads += 1
        log.info("library refreshed from v%d to v%d", before, after)
        return True

    def _run(self) -> None:
        while not self._stop.wait(self._interval_s):
            try:
                self.check_now()
            except Exception:  # a failed refresh keeps the current library; the next tick retries
                log.exception("library refresh failed; serving the loaded version")
