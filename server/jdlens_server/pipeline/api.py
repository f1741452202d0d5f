"""What the gRPC layer needs from the pipeline core: the four calls, synchronous and grpc-free.

The core validates nothing the request validation already checked (validation.py runs first) and
raises jdlens_server.errors for what only it can know: NotFound for an unknown run,
FailedPrecondition for a run not at the right stage or a backend this server cannot build (no API
key). A model backend that fails or cannot be reached mid-run is not an error: that stage falls
back to the rules and the run records why. Each call returns the run and whether it was replayed
from its idempotency key.
"""

from __future__ import annotations

from typing import Protocol

from jdlens.v1 import pipeline_service_pb2, run_pb2


class PipelineApi(Protocol):
    def extract_from_jd(self, req: pipeline_service_pb2.ExtractFromJdRequest) -> tuple[run_pb2.Run, bool]:
        """Stage 1 on a new JD: (run, replayed)."""
        ...

    def extract_details(self, run_name: str) -> tuple[run_pb2.Run, bool]:
        """Stage 2 on the stage-1 run ``runs/{uuid}``."""
        ...

    def finalize_role(self, run_name: str) -> tuple[run_pb2.Run, bool]:
        """Stage 3 on the stage-2 run ``runs/{uuid}``."""
        ...

    def analyze_jd(self, req: pipeline_service_pb2.AnalyzeJdRequest) -> tuple[run_pb2.Run, bool]:
        """All three stages and the enrichment."""
        ...
