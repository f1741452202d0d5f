"""The pipeline core: runs the stages, keeps runs idempotent, and makes every write one transaction.

Flow of a stage-1 request: derive the idempotency key (the client's, or normalised text + options
+ library version); return the stored run when the key is known; otherwise compute everything
without touching the store, then in ONE transaction insert the run row first (a concurrent twin
with the same key fails there and gets the winner's run), apply the library updates and save the
run. A dry run computes the same and writes nothing.
"""

from __future__ import annotations

import contextlib
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np
import numpy.typing as npt
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from jdlens.v1 import common_pb2, pipeline_service_pb2, run_pb2
from jdlens_server.errors import FailedPrecondition, PreconditionViolation
from jdlens_server.library.state import LibraryState, LoadedLibrary
from jdlens_server.nlp import locations
from jdlens_server.nlp.embedder import Embedder
from jdlens_server.pipeline import run_store
from jdlens_server.pipeline.details import apply_details, compute_details
from jdlens_server.pipeline.enrichment import compute_enrichment
from jdlens_server.pipeline.extract import ExtractionOutcome, run_extraction
from jdlens_server.pipeline.final_role import apply_final_role, compute_final_role
from jdlens_server.pipeline.skill_placement import dimension_geometry
from jdlens_server.pipeline.skill_resolution import alias_index
from jdlens_server.pipeline.updates import apply_updates
from jdlens_server.store.db import transaction

DEFAULT_TOP_K = 5


@dataclass(frozen=True)
class PipelineConfig:
    default_top_k: int = DEFAULT_TOP_K


class PipelineCore:
    """Implements jdlens_server.pipeline.api.PipelineApi; thread-safe, synchronous."""

    def __init__(
        self,
        factory: sessionmaker[Session],
        library: LibraryState,
        embedder: Embedder,
        *,
        config: PipelineConfig | None = None,
    ) -> None:
        self._factory = factory
        self._library = library
        self._embedder = embedder
        self._config = config or PipelineConfig()
        # SQLite has one writer at a time; serialising our own writers turns "database is locked"
        # retries into an orderly queue and makes the centroid read-modify-write atomic.
        self._sqlite = factory.kw["bind"].dialect.name == "sqlite"
        self._write_lock = threading.Lock()

    def warm_up(self) -> None:
        """Build the per-snapshot caches stages 2 and 3 use, so the first request does not pay."""
        locations.warm_up()  # the gazetteer takes a second or more to load
        snapshot = self._library.current().snapshot
        alias_index(snapshot)
        dimension_geometry(snapshot)

    @contextlib.contextmanager
    def _writing(self) -> Iterator[Session]:
        guard = self._write_lock if self._sqlite else contextlib.nullcontext()
        with guard, transaction(self._factory) as session:
            yield session

    # ---- stage 1 ---------------------------------------------------------------------------

    def extract_from_jd(self, req: pipeline_service_pb2.ExtractFromJdRequest) -> tuple[run_pb2.Run, bool]:
        return self._stage1(req.jd, req.options, req.idempotency_key)

    def _stage1(
        self, jd: pipeline_service_pb2.JdInput, options: run_pb2.RunOptions, client_key: str
    ) -> tuple[run_pb2.Run, bool]:
        loaded = self._library.current()
        top_k = options.top_k or self._config.default_top_k
        if client_key:
            key = run_store.client_idempotency_key(client_key)
        else:
            key = run_store.derive_idempotency_key(jd.text, jd.title, options, loaded.snapshot.version)
        if not options.dry_run:
            with self._factory() as session:
                existing = run_store.find_by_key(session, key)
            if existing is not None:
                self._check_same_request(existing, jd, client_key)
                return existing, True

        started = time.perf_counter()
        outcome = run_extraction(loaded, self._embedder, jd.text, jd.title, top_k=top_k)
        run = self._new_run(key, loaded, jd, options, outcome, started)
        if options.dry_run:
            run.extraction.updates.dry_run = True
            run.warnings.append("dry run: nothing was written; this run is not stored")
            return run, False
        try:
            with self._writing() as session:
                run_store.insert(session, run)
                if not outcome.rejected:
                    applied = apply_updates(session, loaded.snapshot, outcome.plan, run.run_id)
                    run.extraction.updates.CopyFrom(applied.proto)
                    run.extraction.decision.queued = bool(applied.proto.new_role_review_item)
                run_store.save(session, run)
        except IntegrityError:
            # A twin request with the same key committed first: its run is the answer.
            with self._factory() as session:
                existing = run_store.find_by_key(session, key)
            if existing is None:
                raise
            return existing, True
        if not outcome.rejected and outcome.plan.role_id is not None and applied.centroid is not None:
            loaded.snapshot.centroids.update(
                outcome.plan.role_id, _unit(applied.centroid), applied.centroid_n
            )
        return run, False

    def _check_same_request(
        self, existing: run_pb2.Run, jd: pipeline_service_pb2.JdInput, client_key: str
    ) -> None:
        if not client_key:
            return
        same = run_store.normalized_text(existing.jd_text) == run_store.normalized_text(jd.text) and (
            run_store.normalized_text(existing.title_hint) == run_store.normalized_text(jd.title)
        )
        if not same:
            raise FailedPrecondition(
                "idempotency_key was already used for a different JD",
                [
                    PreconditionViolation(
                        "IDEMPOTENCY_KEY",
                        existing.name,
                        "use a new idempotency_key for a different JD, or resend the original text",
                    )
                ],
            )

    def _new_run(
        self,
        key: str,
        loaded: LoadedLibrary,
        jd: pipeline_service_pb2.JdInput,
        options: run_pb2.RunOptions,
        outcome: ExtractionOutcome,
        started: float,
    ) -> run_pb2.Run:
        run_id = str(uuid.uuid4())
        now = datetime.now(UTC)
        run = run_pb2.Run(
            name=f"runs/{run_id}",
            run_id=run_id,
            idempotency_key=key,
            library_version=loaded.snapshot.version,
            backend=options.backend or common_pb2.BACKEND_OFFLINE,
            options=options,
            jd_text=jd.text,
            title_hint=jd.title,
            stage=run_pb2.STAGE_EXTRACT,
            status=run_pb2.RUN_STATUS_REJECTED if outcome.rejected else run_pb2.RUN_STATUS_EXTRACTED,
        )
        run.create_time.FromDatetime(now)
        run.update_time.FromDatetime(now)
        run.extraction.CopyFrom(outcome.result)
        metrics = run.stage_metrics.add(
            stage=run_pb2.STAGE_EXTRACT, backend=common_pb2.BACKEND_OFFLINE, model=outcome.model
        )
        metrics.duration.FromNanoseconds(int((time.perf_counter() - started) * 1e9))
        run.warnings.extend(outcome.warnings)
        return run

    def analyze_jd(self, req: pipeline_service_pb2.AnalyzeJdRequest) -> tuple[run_pb2.Run, bool]:
        """All three stages and the enrichment. Each stage commits on its own, so a failure after
        stage 1 leaves a consistent stage-1 run that a retry (same key) continues, never redoes."""
        run, replayed = self._stage1(req.jd, req.options, req.idempotency_key)
        if run.status == run_pb2.RUN_STATUS_REJECTED:
            return run, replayed
        if req.options.dry_run:
            return self._later_stages_dry(run), False
        run, details_replayed = self.extract_details(run.name)
        run, final_replayed = self.finalize_role(run.name)
        return run, replayed and details_replayed and final_replayed

    def _later_stages_dry(self, run: run_pb2.Run) -> run_pb2.Run:
        loaded = self._library.current()
        with self._factory() as session:  # read-only: apply_* with dry_run=True writes nothing
            started = time.perf_counter()
            details = apply_details(
                session, loaded, compute_details(loaded, self._embedder, run), run.run_id, dry_run=True
            )
            run.details.CopyFrom(details)
            self._record(run, run_pb2.STAGE_DETAILS, started)
            started = time.perf_counter()
            final = apply_final_role(
                session, loaded, compute_final_role(loaded, self._embedder, run), dry_run=True
            )
            run.final_role.CopyFrom(final)
            run.enrichment.CopyFrom(compute_enrichment(loaded, run))
            self._record(run, run_pb2.STAGE_FINAL_ROLE, started)
            session.rollback()
        run.stage = run_pb2.STAGE_FINAL_ROLE
        run.status = run_pb2.RUN_STATUS_COMPLETED
        return run

    def _record(self, run: run_pb2.Run, stage: run_pb2.Stage.ValueType, started: float) -> None:
        metrics = run.stage_metrics.add(
            stage=stage, backend=common_pb2.BACKEND_OFFLINE, model=f"offline rules + {self._embedder.name}"
        )
        metrics.duration.FromNanoseconds(int((time.perf_counter() - started) * 1e9))

    def _load_for_stage(self, run_name: str, stage_name: str) -> run_pb2.Run:
        with self._factory() as session:
            run = run_store.load(session, run_name)
        if run.status == run_pb2.RUN_STATUS_REJECTED:
            raise FailedPrecondition(
                f"{run_name} was rejected at stage 1; {stage_name} has nothing to work on",
                [
                    PreconditionViolation(
                        "RUN_STATUS", run_name, "analyze a job description that passes stage 1"
                    )
                ],
            )
        return run

    # ---- stage 2 ---------------------------------------------------------------------------

    def extract_details(self, run_name: str) -> tuple[run_pb2.Run, bool]:
        run = self._load_for_stage(run_name, "ExtractDetails")
        if run.status in (run_pb2.RUN_STATUS_DETAILED, run_pb2.RUN_STATUS_COMPLETED):
            return run, True
        loaded = self._library.current()
        started = time.perf_counter()
        plan = compute_details(loaded, self._embedder, run)
        with self._writing() as session:
            current = run_store.load(session, run_name, for_update=True)
            if current.status != run_pb2.RUN_STATUS_EXTRACTED:
                return current, True  # a concurrent twin finished this stage first
            current.details.CopyFrom(apply_details(session, loaded, plan, current.run_id, dry_run=False))
            current.stage = run_pb2.STAGE_DETAILS
            current.status = run_pb2.RUN_STATUS_DETAILED
            self._record(current, run_pb2.STAGE_DETAILS, started)
            run_store.save(session, current)
        return current, False

    # ---- stage 3 ---------------------------------------------------------------------------

    def finalize_role(self, run_name: str) -> tuple[run_pb2.Run, bool]:
        run = self._load_for_stage(run_name, "FinalizeRole")
        if run.status == run_pb2.RUN_STATUS_COMPLETED:
            return run, True
        if run.status != run_pb2.RUN_STATUS_DETAILED:
            raise FailedPrecondition(
                f"{run_name} has not been through ExtractDetails yet",
                [PreconditionViolation("STAGE", run_name, "call ExtractDetails on this run first")],
            )
        loaded = self._library.current()
        started = time.perf_counter()
        plan = compute_final_role(loaded, self._embedder, run)
        enrichment = compute_enrichment(loaded, run)
        with self._writing() as session:
            current = run_store.load(session, run_name, for_update=True)
            if current.status != run_pb2.RUN_STATUS_DETAILED:
                return current, True
            current.final_role.CopyFrom(apply_final_role(session, loaded, plan, dry_run=False))
            current.enrichment.CopyFrom(enrichment)
            current.stage = run_pb2.STAGE_FINAL_ROLE
            current.status = run_pb2.RUN_STATUS_COMPLETED
            self._record(current, run_pb2.STAGE_FINAL_ROLE, started)
            run_store.save(session, current)
        return current, False


def _unit(vector: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
    norm = float(np.linalg.norm(vector))
    return (vector / norm).astype(np.float32) if norm > 0 else vector
