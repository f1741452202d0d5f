"""Run the real jdlens gRPC server in-process on a free port and talk to it through the generated
client over a real socket.

    async with running_server(fresh_sqlite_url(tmp_path), pipeline=my_core) as h:
        run = await h.runs.GetRun(run_service_pb2.GetRunRequest(name=...))

``rich_details(error)`` decodes an error's google.rpc details (BadRequest, ResourceInfo, ...).
"""

from __future__ import annotations

import sqlite3
import tempfile
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager, closing
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from google.protobuf import any_pb2
from google.protobuf.message import Message
from google.rpc import error_details_pb2, status_pb2
from grpc import aio
from grpc_health.v1 import health_pb2_grpc
from grpc_status import rpc_status
from sqlalchemy.orm import Session, sessionmaker

from jdlens.v1 import common_pb2, library_service_pb2_grpc, pipeline_service_pb2_grpc, run_service_pb2_grpc
from jdlens_server.grpc_api.server import JdlensServer, ServerConfig, Services, build_server
from jdlens_server.store.db import make_engine, migrate, session_factory

if TYPE_CHECKING:
    from jdlens.v1.library_service_pb2_grpc import LibraryServiceAsyncStub
    from jdlens.v1.pipeline_service_pb2_grpc import PipelineServiceAsyncStub
    from jdlens.v1.run_service_pb2_grpc import RunServiceAsyncStub

M = TypeVar("M", bound=Message)

# Every google.rpc detail type the server sends.
DETAIL_TYPES: tuple[type[Message], ...] = (
    error_details_pb2.BadRequest,
    error_details_pb2.ResourceInfo,
    error_details_pb2.PreconditionFailure,
    error_details_pb2.QuotaFailure,
    error_details_pb2.RetryInfo,
    error_details_pb2.ErrorInfo,
    error_details_pb2.RequestInfo,
)


_template: Path | None = None


def fresh_sqlite_url(directory: Path) -> str:
    """A new SQLite database at head in ``directory``: a copy of one migrated template per test
    process (migrating each test's database from scratch costs more than the test)."""
    global _template
    if _template is None:
        template = Path(tempfile.mkdtemp(prefix="jdlens-template-")) / "template.sqlite"
        migrate(f"sqlite:///{template}")
        _template = template
    return copy_sqlite(_template, directory)


def copy_sqlite(template: Path, directory: Path) -> str:
    """A copy of the SQLite database ``template`` as ``directory``/jdlens.sqlite; returns its URL.
    The backup API copies a consistent snapshot, WAL content included."""
    target = directory / "jdlens.sqlite"
    with closing(sqlite3.connect(template)) as source, closing(sqlite3.connect(target)) as copy:
        source.backup(copy)
    return f"sqlite:///{target}"


@dataclass
class Harness:
    server: JdlensServer
    target: str
    sessions: sessionmaker[Session]
    channel: aio.Channel
    pipeline: PipelineServiceAsyncStub
    runs: RunServiceAsyncStub
    library: LibraryServiceAsyncStub
    health: health_pb2_grpc.HealthStub

    def new_channel(self) -> aio.Channel:
        return aio.insecure_channel(self.target)


@asynccontextmanager
async def running_server(
    db_url: str, config: ServerConfig | None = None, **components: Any
) -> AsyncIterator[Harness]:
    """The server over the (migrated) database at ``db_url``, listening on 127.0.0.1 at a free port.

    ``components`` are Services fields (pipeline, search, review). On exit the channel closes and
    the server stops without grace.
    """
    engine = make_engine(db_url)
    sessions = session_factory(engine)
    server = build_server(
        replace(config or ServerConfig(), address="127.0.0.1:0"),
        Services.over_store(sessions, **components),
    )
    await server.start()
    target = f"127.0.0.1:{server.port}"
    channel = aio.insecure_channel(target)
    try:
        yield Harness(
            server=server,
            target=target,
            sessions=sessions,
            channel=channel,
            pipeline=pipeline_service_pb2_grpc.PipelineServiceStub(channel),
            runs=run_service_pb2_grpc.RunServiceStub(channel),
            library=library_service_pb2_grpc.LibraryServiceStub(channel),
            health=health_pb2_grpc.HealthStub(channel),
        )
    finally:
        await channel.close(None)
        await server.stop(0)
        engine.dispose()


def rich_status(error: aio.AioRpcError) -> status_pb2.Status:
    """The google.rpc.Status the server put in the error's trailers (fails when there is none)."""
    status = rpc_status.from_call(error)  # type: ignore[arg-type]
    assert status is not None, f"no rich status on {error.code()}: {error.details()}"
    assert isinstance(status, status_pb2.Status)
    return status


def unpack_details(details: Iterable[any_pb2.Any]) -> list[Message]:
    """google.rpc details packed as Any, unpacked into their message types."""
    unpacked: list[Message] = []
    for packed in details:
        for kind in DETAIL_TYPES:
            detail = kind()
            if packed.Unpack(detail):
                unpacked.append(detail)
                break
        else:
            raise AssertionError(f"unexpected detail type {packed.type_url}")
    return unpacked


def only(details: Iterable[Message], kind: type[M]) -> M:
    """The one detail of type ``kind``."""
    found = [d for d in details if isinstance(d, kind)]
    assert len(found) == 1, f"expected one {kind.__name__} among the details, got {len(found)}"
    return found[0]


def rich_details(error: aio.AioRpcError) -> list[Message]:
    """The error's google.rpc details, unpacked."""
    return unpack_details(rich_status(error).details)


def detail_of(error: aio.AioRpcError, kind: type[M]) -> M:
    """The one detail of type ``kind`` on ``error``."""
    return only(rich_details(error), kind)


def item_detail_of(error: common_pb2.ItemError, kind: type[M]) -> M:
    """The one detail of type ``kind`` on a stream item's error."""
    return only(unpack_details(error.details), kind)


def correlation_header(error: aio.AioRpcError) -> str:
    """The x-correlation-id the server put in the error's trailers."""
    metadata: Any = error.trailing_metadata() or ()
    values = [value for key, value in metadata if key == "x-correlation-id"]
    assert len(values) == 1 and isinstance(values[0], str)
    return values[0]
