"""RunService: run history over the store."""

from __future__ import annotations

from datetime import UTC
from functools import partial
from typing import Any

from grpc import aio

from jdlens.v1 import run_pb2, run_service_pb2, run_service_pb2_grpc
from jdlens_server import validation
from jdlens_server.grpc_api.blocking import BlockingRunner
from jdlens_server.runs.queries import RunFilters, RunQueries

Context = aio.ServicerContext[Any, Any]


class RunServicer(run_service_pb2_grpc.RunServiceServicer):
    def __init__(self, runs: RunQueries, runner: BlockingRunner) -> None:
        self._runs = runs
        self._runner = runner

    async def GetRun(self, request: run_service_pb2.GetRunRequest, context: Context) -> run_pb2.Run:
        validation.check_get_run(request)
        return await self._runner.run(
            context, partial(self._runs.get_run, request.name, list(request.read_mask.paths))
        )

    async def ListRuns(
        self, request: run_service_pb2.ListRunsRequest, context: Context
    ) -> run_service_pb2.ListRunsResponse:
        validation.check_list_runs(request)
        filters = RunFilters(
            role=request.role,
            status=request.status,
            created_after=(
                request.create_time_after.ToDatetime(tzinfo=UTC)
                if request.HasField("create_time_after")
                else None
            ),
            created_before=(
                request.create_time_before.ToDatetime(tzinfo=UTC)
                if request.HasField("create_time_before")
                else None
            ),
        )
        page = await self._runner.run(
            context,
            partial(
                self._runs.list_runs,
                filters,
                validation.page_size_or_default(request.page_size),
                request.page_token,
                list(request.read_mask.paths),
            ),
        )
        return run_service_pb2.ListRunsResponse(
            runs=page.runs, next_page_token=page.next_page_token, page_usage=page.page_usage
        )
