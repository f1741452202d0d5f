"""The server process: grpc.aio with the three jdlens services, health, reflection, the error
interceptor, message-size limits and graceful shutdown on SIGTERM/SIGINT.

Shutdown: health turns NOT_SERVING (so load balancers stop routing), the server stops accepting
calls, in-flight calls get ``grace_seconds`` to finish and are cancelled after that.
"""

from __future__ import annotations

import asyncio
import logging
import signal
import socket
from dataclasses import dataclass
from typing import Any

from grpc import aio
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_health.v1._async import HealthServicer
from grpc_reflection.v1alpha import reflection
from sqlalchemy.orm import Session, sessionmaker

from jdlens.v1 import (
    library_service_pb2,
    library_service_pb2_grpc,
    pipeline_service_pb2,
    pipeline_service_pb2_grpc,
    run_service_pb2,
    run_service_pb2_grpc,
)
from jdlens_server.errors import SetupError
from jdlens_server.grpc_api.blocking import BlockingRunner
from jdlens_server.grpc_api.interceptor import ErrorInterceptor
from jdlens_server.grpc_api.jsonlog import configure_logging
from jdlens_server.grpc_api.library_servicer import LibrarySearchApi, LibraryServicer, ReviewApi
from jdlens_server.grpc_api.pipeline_servicer import PipelineServicer
from jdlens_server.grpc_api.run_servicer import RunServicer
from jdlens_server.library.queries import LibraryQueries
from jdlens_server.pipeline.api import PipelineApi
from jdlens_server.runs.queries import RunQueries
from jdlens_server.store.db import make_engine, session_factory
from jdlens_server.store.location import resolve_db_url

log = logging.getLogger("jdlens.server")

PIPELINE_SERVICE = pipeline_service_pb2.DESCRIPTOR.services_by_name["PipelineService"].full_name
RUN_SERVICE = run_service_pb2.DESCRIPTOR.services_by_name["RunService"].full_name
LIBRARY_SERVICE = library_service_pb2.DESCRIPTOR.services_by_name["LibraryService"].full_name
HEALTH_SERVICE = health_pb2.DESCRIPTOR.services_by_name["Health"].full_name
OVERALL = ""


@dataclass(frozen=True, slots=True)
class ServerConfig:
    # host:port; port 0 picks a free one (JdlensServer.port tells which).
    address: str = "127.0.0.1:50051"
    # None: $JDLENS_DB, else a SQLite file in the user's data directory.
    db_url: str | None = None
    max_message_bytes: int = 16 * 1024 * 1024
    # Threads for blocking work (pipeline, database), shared by all calls.
    max_workers: int = 8
    # Items one AnalyzeJdStream works on at once; it reads no further requests while this many run.
    stream_concurrency: int = 8
    # AnalyzeJdStream items asking for Message Batches: the longest wait for more items to join a
    # batch (a batch also goes out once stream_concurrency items are waiting).
    batch_window_seconds: float = 2.0
    grace_seconds: float = 10.0
    # Calls served at once before new ones are refused with RESOURCE_EXHAUSTED; None: no limit.
    max_concurrent_rpcs: int | None = None
    # The one CPU the blocking-work threads run on (cpu_affinity.configured_cpu); None: any.
    pipeline_cpu: int | None = None


@dataclass(slots=True)
class Services:
    """The domain objects the servicers call. A component left None answers UNIMPLEMENTED."""

    runs: RunQueries
    library: LibraryQueries
    pipeline: PipelineApi | None = None
    search: LibrarySearchApi | None = None
    review: ReviewApi | None = None

    @classmethod
    def over_store(
        cls,
        sessions: sessionmaker[Session],
        pipeline: PipelineApi | None = None,
        search: LibrarySearchApi | None = None,
        review: ReviewApi | None = None,
    ) -> Services:
        """Run and library reads over the store, plus whichever components this process has."""
        return cls(RunQueries(sessions), LibraryQueries(sessions), pipeline, search, review)


class JdlensServer:
    """A built, bound server: ``start``, then ``stop`` (graceful) or ``wait_for_termination``."""

    def __init__(
        self, server: aio.Server, health: Any, runner: BlockingRunner, port: int, services: Services
    ) -> None:
        self.grpc_server = server
        self.port = port
        self._health = health
        self._runner = runner
        self._services = services

    async def start(self) -> None:
        await self.grpc_server.start()
        serving = health_pb2.HealthCheckResponse.SERVING
        not_serving = health_pb2.HealthCheckResponse.NOT_SERVING
        await self._health.set(OVERALL, serving)
        await self._health.set(RUN_SERVICE, serving)
        await self._health.set(LIBRARY_SERVICE, serving)
        # A server built without a pipeline (serve() over a bare store) reports that service down.
        await self._health.set(PIPELINE_SERVICE, serving if self._services.pipeline else not_serving)

    async def stop(self, grace_seconds: float | None) -> None:
        """Health NOT_SERVING, refuse new calls, let in-flight ones finish within the grace period."""
        await self._health.enter_graceful_shutdown()
        await self.grpc_server.stop(grace_seconds)
        self._runner.shutdown()

    async def wait_for_termination(self) -> None:
        await self.grpc_server.wait_for_termination()


class ListenError(SetupError, OSError):
    """The server cannot listen on its address."""


def cannot_listen(address: str, reason: str = "") -> str:
    because = f" ({reason})" if reason else ""
    return (
        f"cannot listen on {address}{because}: another process (another jdlens serve?) has the port, "
        "or the host is not an address of this machine; pick another with --address or $JDLENS_ADDRESS"
    )


def check_can_listen(address: str) -> None:
    """Raise ListenError now when ``address`` (host:port, [v6]:port) cannot be bound, so `jdlens
    serve` says so before it spends seconds loading the library. Other forms (unix:PATH) and port 0
    are left to the server's own bind."""
    host, sep, port_text = address.rpartition(":")
    if not sep or address.startswith("unix:") or not port_text.isdigit() or int(port_text) == 0:
        return
    port = int(port_text)
    if port > 65535:
        raise ListenError(cannot_listen(address, "a port is at most 65535"))
    try:
        # The first address the host resolves to for listening, IPv4 or IPv6, as a server binds.
        family, kind, proto, _, where = socket.getaddrinfo(
            host.strip("[]") or None, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )[0]
    except OSError as exc:
        raise ListenError(cannot_listen(address, exc.strerror or str(exc))) from None
    with socket.socket(family, kind, proto) as probe:
        # As gRPC binds (SO_REUSEADDR on): a port in TIME_WAIT after a restart is free.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(where)
        except OSError as exc:
            raise ListenError(cannot_listen(address, exc.strerror or str(exc))) from None


def build_server(config: ServerConfig, services: Services) -> JdlensServer:
    """A server with every service registered and its port bound (not started)."""
    runner = BlockingRunner(config.max_workers, cpu=config.pipeline_cpu)
    server = aio.server(
        interceptors=[ErrorInterceptor()],
        options=[
            ("grpc.max_send_message_length", config.max_message_bytes),
            ("grpc.max_receive_message_length", config.max_message_bytes),
            # Two servers on one port would split traffic silently; fail the second bind instead.
            ("grpc.so_reuseport", 0),
        ],
        maximum_concurrent_rpcs=config.max_concurrent_rpcs,
    )
    pipeline_service_pb2_grpc.add_PipelineServiceServicer_to_server(
        PipelineServicer(
            services.pipeline, runner, config.stream_concurrency, batch_window_s=config.batch_window_seconds
        ),
        server,
    )
    run_service_pb2_grpc.add_RunServiceServicer_to_server(RunServicer(services.runs, runner), server)
    library_service_pb2_grpc.add_LibraryServiceServicer_to_server(
        LibraryServicer(services.library, runner, services.search, services.review), server
    )
    health = HealthServicer()
    health_pb2_grpc.add_HealthServicer_to_server(health, server)
    reflection.enable_server_reflection(
        (PIPELINE_SERVICE, RUN_SERVICE, LIBRARY_SERVICE, HEALTH_SERVICE, reflection.SERVICE_NAME), server
    )
    try:
        port = server.add_insecure_port(config.address)
    except RuntimeError:  # grpc's "Failed to bind": the port is taken or the host is not ours
        port = 0
    if port == 0:
        raise ListenError(cannot_listen(config.address))
    return JdlensServer(server, health, runner, port, services)


async def serve(config: ServerConfig, services: Services | None = None) -> None:
    """Serve until SIGTERM or SIGINT, then shut down gracefully.

    Without ``services`` the server reads the store at ``config.db_url`` (already migrated) and has
    no pipeline, search or review components.
    """
    if not logging.getLogger().handlers:
        configure_logging()
    engine = None
    if services is None:
        engine = make_engine(resolve_db_url(config.db_url))
        services = Services.over_store(session_factory(engine))
    server = build_server(config, services)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    try:
        await server.start()
        log.info("serving", extra={"address": config.address, "port": server.port})
        await stop.wait()
        log.info("shutting down", extra={"grace_seconds": config.grace_seconds})
        await server.stop(config.grace_seconds)
        log.info("stopped")
    finally:
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.remove_signal_handler(signum)
        if engine is not None:
            engine.dispose()
