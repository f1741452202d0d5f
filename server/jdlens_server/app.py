"""Composition root: builds the store, embedder, live library and pipeline core a process serves.

Everything the CLI and the tests start goes through ``build_runtime`` so that a server, an
``analyze`` run and an ``eval`` run judge JDs with exactly the same parts.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import partial

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from jdlens.v1 import common_pb2
from jdlens_server import huge_pages
from jdlens_server.grpc_api.server import ServerConfig, Services, build_server
from jdlens_server.library.model_check import EmbedderMismatch, check_library_embedder
from jdlens_server.library.review import ReviewService
from jdlens_server.library.search_service import LibrarySearch
from jdlens_server.library.state import LibraryState, index_path_for
from jdlens_server.library.watcher import LibraryWatcher
from jdlens_server.llm.provider import BACKEND_ENV, LlmProvider, backend_from_name
from jdlens_server.nlp.embedder import Embedder, load_embedder
from jdlens_server.pipeline.core import PipelineConfig, PipelineCore
from jdlens_server.store.db import make_engine, migrate, session_factory
from jdlens_server.store.location import resolve_db_url

log = logging.getLogger(__name__)


@dataclass
class Runtime:
    db_url: str
    engine: Engine
    factory: sessionmaker[Session]
    embedder: Embedder
    library: LibraryState
    core: PipelineCore
    search: LibrarySearch
    review: ReviewService
    llm: LlmProvider = field(default_factory=lambda: LlmProvider(None))
    # Keeps the live library at the store's version (long-running servers; see library/watcher.py).
    watcher: LibraryWatcher | None = None

    def services(self) -> Services:
        return Services.over_store(self.factory, pipeline=self.core, search=self.search, review=self.review)

    def close(self) -> None:
        if self.watcher is not None:
            self.watcher.stop()
        self.llm.close()
        self.engine.dispose()


def build_runtime(
    db_url: str | None,
    *,
    embedder_name: str | None = None,
    run_migrations: bool = True,
    backend: str | None = None,
    llm: LlmProvider | None = None,
    environ: Mapping[str, str] = os.environ,
    library_refresh_s: float | None = None,
    huge_pages: bool = False,
) -> Runtime:
    """``backend`` is the default for requests that name none ("offline" or "anthropic"; else
    $JDLENS_BACKEND, else offline). The anthropic backend is configured from ``environ`` (the key
    only from ANTHROPIC_API_KEY) unless ``llm`` provides one; as the default it is built now, so
    a missing key fails here (LlmConfigError), not on every request. ``library_refresh_s``: check
    the store's library version that often and reload in the background when it moved (None: never;
    a server passes it, one-shot commands need not). ``huge_pages``: back the loaded library with
    transparent huge pages after each load (``huge_pages.py``; for servers and long batch work: a
    one-shot command would spend ~2 CPU-s in the background for nothing)."""
    default_backend = backend_from_name(backend or environ.get(BACKEND_ENV))
    provider = llm or LlmProvider.from_env(environ)
    if default_backend == common_pb2.BACKEND_ANTHROPIC:
        provider.get()
    url = resolve_db_url(db_url)
    if run_migrations:
        migrate(url)
    engine = make_engine(url)
    factory = session_factory(engine)
    embedder = load_embedder(embedder_name)
    try:
        with factory() as session:
            check_library_embedder(session, embedder.name)
    except EmbedderMismatch:
        engine.dispose()
        raise
    library = LibraryState(factory, embedder, url)
    library.current()  # load now: a cold start pays here, not on the first request
    core = PipelineCore(
        factory, library, embedder, config=PipelineConfig(default_backend=default_backend), llm=provider
    )
    warm_up = partial(_warm_up, core, huge_pages)
    warm_up()
    search = LibrarySearch(factory, embedder)
    # One review service per process: its lock serialises approvals that touch the live index.
    review = ReviewService(factory, library, embedder, index_path=index_path_for(url))
    watcher = LibraryWatcher(library, warm_up, library_refresh_s).start() if library_refresh_s else None
    return Runtime(url, engine, factory, embedder, library, core, search, review, provider, watcher)


def _warm_up(core: PipelineCore, back_with_huge_pages: bool) -> None:
    """After a library (re)load: the core's caches, then huge pages for what was loaded."""
    core.warm_up()
    if back_with_huge_pages:
        huge_pages.back_in_background()


@contextlib.contextmanager
def embedded_server(runtime: Runtime, config: ServerConfig | None = None) -> Iterator[str]:
    """Serve ``runtime`` on a free loopback port in a background thread; yields the target address."""
    config = config or ServerConfig(address="127.0.0.1:0")
    ready = threading.Event()
    state: dict[str, object] = {}

    async def main() -> None:
        server = build_server(config, runtime.services())
        await server.start()
        state["port"] = server.port
        stop = asyncio.Event()
        state["stop"] = stop
        state["loop"] = asyncio.get_running_loop()
        ready.set()
        await stop.wait()
        await server.stop(config.grace_seconds)

    def run() -> None:
        try:
            asyncio.run(main())
        except BaseException as exc:  # surfaced to the caller below
            state["error"] = exc
            ready.set()

    thread = threading.Thread(target=run, name="jdlens-embedded-server", daemon=True)
    thread.start()
    ready.wait()
    if "error" in state:
        raise RuntimeError(f"embedded server failed to start: {state['error']}")
    try:
        yield f"127.0.0.1:{state['port']}"
    finally:
        loop = state["loop"]
        stop = state["stop"]
        assert isinstance(loop, asyncio.AbstractEventLoop) and isinstance(stop, asyncio.Event)
        loop.call_soon_threadsafe(stop.set)
        thread.join(timeout=config.grace_seconds + 5)
