"""The pipeline core: runs the stages, keeps runs idempotent, and makes every write one transaction.

Flow of a stage-1 request: derive the idempotency key (the client's, or normalised text + options
+ library version); return the stored run when the key is known; otherwise compute everything
without touching the store, then in ONE transaction insert the run row first (a concurrent twin
with the same key fails there and gets the winner's run), apply the library updates and save the
run. A dry run computes the same and writes nothing.
"""

from __future__ import annotations

import contextlib
import gc
import threading
import time
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np
import numpy.typing as npt
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from jdlens.v1 import common_pb2, pipeline_service_pb2, run_pb2
from jdlens_server.errors import FailedPrecondition, PreconditionViolation
from jdlens_server.library import review_queue
from jdlens_server.library.state import LibraryState, LoadedLibrary
from jdlens_server.llm.backend import LlmBackend, LlmExtraction, LlmFallback, sum_usage
from jdlens_server.llm.cancel import Cancellation
from jdlens_server.llm.config import LlmConfigError
from jdlens_server.llm.provider import LlmProvider
from jdlens_server.nlp import locations, parsed
from jdlens_server.nlp.embedder import Embedder
from jdlens_server.nlp.jd_parser import parse_jd
from jdlens_server.pipeline import run_store
from jdlens_server.pipeline.candidate_roles import candidate_table
from jdlens_server.pipeline.details import DetailsPlan, apply_details, compute_details
from jdlens_server.pipeline.enrichment import compute_enrichment
from jdlens_server.pipeline.extract import ExtractionOutcome, offline_skills, run_extraction
from jdlens_server.pipeline.final_role import FinalPlan, apply_final_role, compute_final_role
from jdlens_server.pipeline.llm_stage import (
    ModelInput,
    ModelStage1,
    Prefetched,
    PreparedStage1,
    SkillMetaCache,
    StageReport,
    model_input,
    model_skill_metadata,
)
from jdlens_server.pipeline.signals import alias_scan
from jdlens_server.pipeline.skill_placement import dimension_geometry, skill_scan
from jdlens_server.pipeline.skill_resolution import alias_index
from jdlens_server.pipeline.skill_senses import one_word_synonyms
from jdlens_server.pipeline.updates import apply_updates
from jdlens_server.store.db import engine_dialect, transaction
from jdlens_server.validation import DEFAULT_TOP_K


@dataclass(frozen=True)
class PipelineConfig:
    default_top_k: int = DEFAULT_TOP_K
    # The backend of a request that names none (RunOptions.backend unset).
    default_backend: common_pb2.Backend.ValueType = common_pb2.BACKEND_OFFLINE


@dataclass(frozen=True, slots=True)
class ModelRequest:
    """Stage 1's model call for one JD, prepared ahead of the run (for a Message Batch)."""

    text: str
    hints: tuple[str, ...]
    prepared: PreparedStage1


class PipelineCore:
    """Implements jdlens_server.pipeline.api.PipelineApi; thread-safe, synchronous."""

    def __init__(
        self,
        factory: sessionmaker[Session],
        library: LibraryState,
        embedder: Embedder,
        *,
        config: PipelineConfig | None = None,
        llm: LlmProvider | None = None,
    ) -> None:
        self._factory = factory
        self._library = library
        self._embedder = embedder
        self._config = config or PipelineConfig()
        self._llm = llm or LlmProvider(None)
        self._skill_meta = SkillMetaCache()
        # SQLite has one writer at a time; serialising our own writers turns "database is locked"
        # retries into an orderly queue and makes the centroid read-modify-write atomic.
        self._dialect = engine_dialect(factory.kw["bind"])
        self._sqlite = self._dialect == "sqlite"
        self._write_lock = threading.Lock()
        self._warmed = False

    def warm_up(self) -> None:
        """Build the per-snapshot caches stages 2 and 3 use, so the first request does not pay."""
        locations.warm_up()  # the gazetteer takes a second or more to load
        snapshot = self._library.current().snapshot
        alias_index(snapshot)
        dimension_geometry(snapshot)
        candidate_table(snapshot)
        one_word_synonyms(snapshot)
        # The int8 copies behind title similarity and nearest skills (~0.5 s for the full library).
        if len(snapshot.alias_role_ids):
            alias_scan(snapshot)
        if len(snapshot.skill_ids):
            skill_scan(snapshot)
        review_queue.warm_up(self._dialect)
        _freeze_long_lived(reload=self._warmed)
        self._warmed = True

    @contextlib.contextmanager
    def _writing(self) -> Iterator[Session]:
        guard = self._write_lock if self._sqlite else contextlib.nullcontext()
        with guard, transaction(self._factory) as session:
            yield session

    # ---- backends --------------------------------------------------------------------------

    @property
    def default_backend(self) -> common_pb2.Backend.ValueType:
        return self._config.default_backend

    def _resolved(self, options: run_pb2.RunOptions) -> run_pb2.RunOptions:
        """``options`` with the backend the run will use; FailedPrecondition when the anthropic
        backend is asked for on a server that cannot build it (no key, a model without a price)."""
        resolved = run_pb2.RunOptions()
        resolved.CopyFrom(options)
        resolved.backend = options.backend or self._config.default_backend
        if resolved.backend == common_pb2.BACKEND_ANTHROPIC:
            self._model()
        return resolved

    def _model(self) -> LlmBackend:
        try:
            return self._llm.get()
        except LlmConfigError as exc:
            raise FailedPrecondition(
                str(exc),
                [
                    PreconditionViolation(
                        "BACKEND",
                        "anthropic",
                        "set ANTHROPIC_API_KEY in the server's environment (and restart it), "
                        "or ask for BACKEND_OFFLINE",
                    )
                ],
            ) from exc

    def _model_for_run(self, run: run_pb2.Run) -> tuple[LlmBackend | None, str]:
        """The backend for a later stage of ``run``: None (with why) when the run is offline or this
        server cannot build the model backend (that stage then runs on the rules)."""
        if run.backend != common_pb2.BACKEND_ANTHROPIC:
            return None, ""
        try:
            return self._llm.get(), ""
        except LlmConfigError as exc:
            return None, str(exc)

    # ---- stage 1 ---------------------------------------------------------------------------

    def extract_from_jd(self, req: pipeline_service_pb2.ExtractFromJdRequest) -> tuple[run_pb2.Run, bool]:
        return self._stage1(req.jd, req.options, req.idempotency_key)

    def model_request(self, req: pipeline_service_pb2.AnalyzeJdRequest) -> ModelRequest | None:
        """Stage 1's model call for ``req`` when it would make one (anthropic backend, a JD the
        parser passes, no stored run for its key), so a stream can send many through one batch."""
        options = self._resolved(req.options)
        if options.backend != common_pb2.BACKEND_ANTHROPIC or not req.jd.text.strip():
            return None
        loaded = self._library.current()
        if not options.dry_run:
            with self._factory() as session:
                if run_store.find_by_key(session, self._key(req.jd, options, req.idempotency_key, loaded)):
                    return None
        prepared = prepare_stage1(loaded, req.jd.text, req.jd.title)
        if prepared is None:
            return None
        request = model_input(prepared.jd, prepared.candidates)
        return ModelRequest(request.text, request.hints, prepared)

    def submit_extractions(
        self, items: Sequence[tuple[str, ModelRequest]], cancel: Cancellation | None = None
    ) -> dict[str, LlmExtraction | LlmFallback]:
        """The prepared calls through the Message Batches API when the backend has it (half
        price), else one by one; each item ends as an answer or a fallback, by id. ``cancel``
        stops a batch being polled (the stream that wanted it is gone)."""
        backend = self._model()
        submit = getattr(backend, "submit_extractions", None)
        if callable(submit):
            outcomes: dict[str, LlmExtraction | LlmFallback] = submit(
                [(key, r.text, r.hints) for key, r in items], cancel=cancel
            )
            return outcomes
        out: dict[str, LlmExtraction | LlmFallback] = {}
        for key, r in items:
            try:
                out[key] = backend.extract(r.text, hints=r.hints)
            except LlmFallback as exc:
                out[key] = exc
        return out

    def _key(
        self,
        jd: pipeline_service_pb2.JdInput,
        options: run_pb2.RunOptions,
        client_key: str,
        loaded: LoadedLibrary,
    ) -> str:
        if client_key:
            return run_store.client_idempotency_key(client_key)
        return run_store.derive_idempotency_key(jd.text, jd.title, options, loaded.snapshot.version)

    def _stage1(
        self,
        jd: pipeline_service_pb2.JdInput,
        options: run_pb2.RunOptions,
        client_key: str,
        prefetched: Prefetched | None = None,
    ) -> tuple[run_pb2.Run, bool]:
        options = self._resolved(options)
        loaded = self._library.current()
        top_k = options.top_k or self._config.default_top_k
        key = self._key(jd, options, client_key, loaded)
        if not options.dry_run:
            with self._factory() as session:
                existing = run_store.find_by_key(session, key)
            if existing is not None:
                self._check_same_request(existing, jd, client_key)
                return existing, True

        started = time.perf_counter()
        llm = None
        if options.backend == common_pb2.BACKEND_ANTHROPIC:
            llm = ModelStage1(self._model(), prefetched=prefetched)
        # Every model call happens here, before the transaction below: a slow or failing model
        # never holds a write lock nor leaves a half-written run.
        outcome = run_extraction(loaded, self._embedder, jd.text, jd.title, top_k=top_k, llm=llm)
        run = self._new_run(key, loaded, jd, options, outcome, started, llm)
        if options.dry_run:
            run.extraction.updates.dry_run = True
            run.warnings.append("dry run: nothing was written; this run is not stored")
            return run, False
        try:
            with self._writing() as session:
                # A rejected run is final as it stands; any other gets its updates after the
                # insert (the queue links reference its row), and its proto once, by the save.
                run_store.insert(session, run, proto=outcome.rejected)
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
            # The twin may have been another JD under the same client key: refused, as above.
            self._check_same_request(existing, jd, client_key)
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
        llm: ModelStage1 | None = None,
    ) -> run_pb2.Run:
        run_id = str(uuid.uuid4())
        now = datetime.now(UTC)
        run = run_pb2.Run(
            name=f"runs/{run_id}",
            run_id=run_id,
            idempotency_key=key,
            library_version=loaded.snapshot.version,
            backend=options.backend,
            options=options,
            jd_text=jd.text,
            title_hint=jd.title,
            stage=run_pb2.STAGE_EXTRACT,
            status=run_pb2.RUN_STATUS_REJECTED if outcome.rejected else run_pb2.RUN_STATUS_EXTRACTED,
        )
        run.create_time.FromDatetime(now)
        run.update_time.FromDatetime(now)
        run.extraction.CopyFrom(outcome.result)
        elapsed = time.perf_counter() - started
        if llm is None:
            metrics = run.stage_metrics.add(
                stage=run_pb2.STAGE_EXTRACT, backend=common_pb2.BACKEND_OFFLINE, model=outcome.model
            )
            metrics.duration.FromNanoseconds(int(elapsed * 1e9))
            if options.use_message_batches:
                run.warnings.append("use_message_batches has no effect: the run used the offline backend")
        else:
            report = llm.extract_report or StageReport.fallback(
                run_pb2.STAGE_EXTRACT, "rejected by the offline parser before any model call"
            )
            run.stage_metrics.append(report.metrics(outcome.model, elapsed))
            tie = llm.tie_break_report
            if tie is not None:
                run.stage_metrics.append(tie.metrics("offline tie-break rule", llm.tie_break_seconds))
                if tie.backend == common_pb2.BACKEND_OFFLINE:
                    run.extraction.decision.llm2_reasoning += (
                        f" (model tie-break fell back: {tie.fallback_reason})"
                    )
        run.warnings.extend(outcome.warnings)
        if llm is not None:
            run.warnings.extend(llm.warnings)
        _total(run)
        return run

    def analyze_jd(
        self, req: pipeline_service_pb2.AnalyzeJdRequest, prefetched: Prefetched | None = None
    ) -> tuple[run_pb2.Run, bool]:
        """All three stages and the enrichment. Each stage commits on its own, so a failure after
        stage 1 leaves a consistent stage-1 run that a retry (same key) continues, never redoes.
        ``prefetched``: stage 1's model answer obtained ahead (a Message Batch)."""
        run, replayed = self._stage1(req.jd, req.options, req.idempotency_key, prefetched)
        if run.status == run_pb2.RUN_STATUS_REJECTED:
            return run, replayed
        if req.options.dry_run:
            return self._later_stages_dry(run), False
        # The stages continue from the run in hand (no re-read); each re-checks it in its transaction.
        run, details_replayed = self._details(run)
        run, final_replayed = self._final(run)
        return run, replayed and details_replayed and final_replayed

    def _later_stages_dry(self, run: run_pb2.Run) -> run_pb2.Run:
        loaded = self._library.current()
        with self._factory() as session:  # read-only: apply_* with dry_run=True writes nothing
            started = time.perf_counter()
            plan, report = self._plan_details(loaded, run)
            run.details.CopyFrom(apply_details(session, loaded, plan, run.run_id, dry_run=True))
            self._record(run, run_pb2.STAGE_DETAILS, started, report)
            started = time.perf_counter()
            final_plan, enrichment = self._plan_final(loaded, run)
            run.final_role.CopyFrom(apply_final_role(session, loaded, final_plan, dry_run=True))
            run.enrichment.CopyFrom(enrichment)
            self._record(run, run_pb2.STAGE_FINAL_ROLE, started)
            session.rollback()
        run.stage = run_pb2.STAGE_FINAL_ROLE
        run.status = run_pb2.RUN_STATUS_COMPLETED
        return run

    def _record(
        self,
        run: run_pb2.Run,
        stage: run_pb2.Stage.ValueType,
        started: float,
        report: StageReport | None = None,
    ) -> None:
        offline = f"offline rules + {self._embedder.name}"
        elapsed = time.perf_counter() - started
        if report is not None:
            run.stage_metrics.append(report.metrics(offline, elapsed))
        else:
            metrics = run.stage_metrics.add(stage=stage, backend=common_pb2.BACKEND_OFFLINE, model=offline)
            metrics.duration.FromNanoseconds(int(elapsed * 1e9))
        _total(run)

    def _skill_metadata(self, run: run_pb2.Run, result: run_pb2.DetailsResult) -> StageReport | None:
        """On the anthropic backend, the model's metadata for the skills the library lacks (before
        the stage's transaction); None when the run is offline or there is nothing to ask."""
        backend, missing = self._model_for_run(run)
        if backend is None:
            if missing and any(
                d.new_skill_meta.placement == run_pb2.PLACEMENT_KEEP_NEW for d in result.skills_detail
            ):
                return StageReport.fallback(run_pb2.STAGE_DETAILS, missing)
            return None
        return model_skill_metadata(backend, result, self._skill_meta)

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
        return self._details(self._load_for_stage(run_name, "ExtractDetails"))

    def _details(self, run: run_pb2.Run) -> tuple[run_pb2.Run, bool]:
        run_name = run.name
        if run.status in (run_pb2.RUN_STATUS_DETAILED, run_pb2.RUN_STATUS_COMPLETED):
            return run, True
        loaded = self._library.current()
        started = time.perf_counter()
        plan, report = self._plan_details(loaded, run)
        with self._writing() as session:
            if not _still_at(session, run, run_pb2.RUN_STATUS_EXTRACTED):
                return run_store.load(session, run_name), True  # a concurrent twin finished this stage first
            run.details.CopyFrom(apply_details(session, loaded, plan, run.run_id, dry_run=False))
            run.stage = run_pb2.STAGE_DETAILS
            run.status = run_pb2.RUN_STATUS_DETAILED
            self._record(run, run_pb2.STAGE_DETAILS, started, report)
            run_store.save(session, run)
        return run, False

    def _plan_details(
        self, loaded: LoadedLibrary, run: run_pb2.Run
    ) -> tuple[DetailsPlan, StageReport | None]:
        """Stage 2's work outside any transaction: the plan and, on the anthropic backend, the model's
        metadata for the new skills."""
        plan = compute_details(loaded, self._embedder, run)
        return plan, self._skill_metadata(run, plan.result)

    # ---- stage 3 ---------------------------------------------------------------------------

    def finalize_role(self, run_name: str) -> tuple[run_pb2.Run, bool]:
        return self._final(self._load_for_stage(run_name, "FinalizeRole"))

    def _final(self, run: run_pb2.Run) -> tuple[run_pb2.Run, bool]:
        run_name = run.name
        if run.status == run_pb2.RUN_STATUS_COMPLETED:
            return run, True
        if run.status != run_pb2.RUN_STATUS_DETAILED:
            raise FailedPrecondition(
                f"{run_name} has not been through ExtractDetails yet",
                [PreconditionViolation("STAGE", run_name, "call ExtractDetails on this run first")],
            )
        loaded = self._library.current()
        started = time.perf_counter()
        plan, enrichment = self._plan_final(loaded, run)
        with self._writing() as session:
            if not _still_at(session, run, run_pb2.RUN_STATUS_DETAILED):
                return run_store.load(session, run_name), True
            run.final_role.CopyFrom(apply_final_role(session, loaded, plan, dry_run=False))
            run.enrichment.CopyFrom(enrichment)
            run.stage = run_pb2.STAGE_FINAL_ROLE
            run.status = run_pb2.RUN_STATUS_COMPLETED
            self._record(run, run_pb2.STAGE_FINAL_ROLE, started)
            run_store.save(session, run)
        return run, False

    def _plan_final(self, loaded: LoadedLibrary, run: run_pb2.Run) -> tuple[FinalPlan, run_pb2.Enrichment]:
        """Stage 3's work outside any transaction: the plan and the enrichment, which reads the links
        stage 3 saves (the plan's, set on ``run`` here; the dry result marks them DRY_RUN)."""
        plan = compute_final_role(loaded, self._embedder, run)
        run.final_role.CopyFrom(plan.result)
        return plan, compute_enrichment(loaded, run)


def _still_at(session: Session, run: run_pb2.Run, status: run_pb2.RunStatus.ValueType) -> bool:
    """Whether the store still has ``run`` at ``status`` (its row locked for the transaction on
    PostgreSQL). Only the stages write a run, each moving its status on, so a run still at the
    status it had when read is the run in hand: the stage continues from it, not from a re-read
    and re-parse of the whole stored run."""
    return run_store.stored_status(session, run.run_id) == run_store.STATUS_COLUMN[status]


def _freeze_long_lived(*, reload: bool) -> None:
    """Keep the loaded library out of the cyclic GC's full collections.

    The library and its caches (~1.2M objects on ESCO) live until the next reload; every full
    collection walked them, ~0.5 s of CPU each time, in the middle of requests. Frozen objects are
    still freed by reference counting once dropped (the library's data is acyclic). What was alive
    at an earlier freeze and has since become cyclic garbage (requests in flight then) is
    reclaimed on a reload, by one full collection beside the seconds the load itself took."""
    if reload:
        gc.unfreeze()
        gc.collect()
    gc.freeze()


def _total(run: run_pb2.Run) -> None:
    run.total_usage.CopyFrom(sum_usage([m.usage for m in run.stage_metrics]))


def prepare_stage1(loaded: LoadedLibrary, text: str, title: str) -> PreparedStage1 | None:
    """The parse and dictionary hits ``run_extraction`` computes for this JD (None when the parser
    rejects it or leaves no text for the model)."""
    jd = parse_jd(text, title_hint=title or None)
    if jd.jd_type == parsed.JdType.REJECT or not jd.plain_text.strip():
        return None
    return PreparedStage1(loaded.snapshot.version, jd, tuple(offline_skills(loaded, jd)))


def stage1_model_input(loaded: LoadedLibrary, text: str, title: str) -> ModelInput | None:
    """What stage 1 would send the model for this JD (None when the parser rejects it): the same
    parse and dictionary hits ``run_extraction`` computes, so a batched answer fits the run."""
    prepared = prepare_stage1(loaded, text, title)
    return model_input(prepared.jd, prepared.candidates) if prepared is not None else None


def _unit(vector: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
    norm = float(np.linalg.norm(vector))
    return (vector / norm).astype(np.float32) if norm > 0 else vector
