"""`jdlens eval SET PATH`: wires the evaluation functions to the real pipeline and library."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from sqlalchemy import select

from jdlens.v1 import common_pb2, pipeline_service_pb2, run_pb2
from jdlens_server.app import build_runtime
from jdlens_server.evaluation.linking import evaluate_linking
from jdlens_server.evaluation.roles import evaluate_roles, read_jobads, read_titles
from jdlens_server.evaluation.spans import evaluate_spans, span_extractor
from jdlens_server.library.esco_import import PACK as ESCO_PACK
from jdlens_server.llm.backend import sum_usage
from jdlens_server.nlp.skill_phrases import PhraseProposer
from jdlens_server.pipeline.skill_linking import rank_skills
from jdlens_server.store.models import RoleRow

MODEL_SETS = ("jobads", "titles")


def run_eval(
    kind: str, path: Path, db_url: str, *, limit: int = 0, backend: str = "offline"
) -> dict[str, float]:
    """Metrics of one labelled set; ``limit`` (job ads and titles) keeps only the first N items.

    ``backend`` "anthropic" runs stage 1 on the model (job ads and titles: the sets that go through
    the pipeline; spans and linking measure the matcher itself) and adds what it cost."""
    if backend != "offline" and kind not in MODEL_SETS:
        raise ValueError(
            f"--backend {backend} applies to {' and '.join(MODEL_SETS)}; {kind} measures the matcher"
        )
    # Read before the runtime: a file of the wrong kind fails in a moment, not after the library load.
    items = (read_jobads(path) if kind == "jobads" else read_titles(path)) if kind in MODEL_SETS else []
    if limit:
        items = items[:limit]
    runtime = build_runtime(db_url, backend=backend, huge_pages=True)
    try:
        if kind in MODEL_SETS:
            with runtime.factory() as session:
                uri_to_code = {
                    r.source_uri: r.code
                    for r in session.execute(select(RoleRow.source_uri, RoleRow.code))
                    if r.source_uri
                }
            codes = set(uri_to_code.values())

            def gold_to_code(gold: str) -> str | None:
                if kind == "titles":
                    return uri_to_code.get(gold)
                return gold if gold in codes else None

            usages: list[common_pb2.Usage] = []
            fallbacks = 0

            def analyze(req: pipeline_service_pb2.ExtractFromJdRequest) -> run_pb2.Run:
                nonlocal fallbacks  # the runtime's default backend is ``backend``
                run = runtime.core.extract_from_jd(req)[0]
                usages.append(run.total_usage)
                fallbacks += any(m.fallback_reason for m in run.stage_metrics)
                return run

            metrics = evaluate_roles(items, analyze, gold_to_code=gold_to_code, with_isco=kind == "jobads")
            if backend != "offline":
                total = sum_usage(usages)
                metrics.update(
                    model_calls=float(total.model_calls),
                    input_tokens=float(total.input_tokens),
                    cache_read_input_tokens=float(total.cache_read_input_tokens),
                    output_tokens=float(total.output_tokens),
                    cost_usd=round(total.cost_usd, 6),
                    cost_usd_per_jd=round(total.cost_usd / max(1, len(usages)), 6),
                    runs_with_fallback=float(fallbacks),
                )
            return metrics
        loaded = runtime.library.current()
        proposer = PhraseProposer(loaded.matcher.lead_verbs)
        if kind == "spans":
            return evaluate_spans(path, span_extractor(loaded.matcher, proposer))
        snapshot = loaded.snapshot
        # The task ranks canonical ESCO skills (eval-dev README): skills of other packs (tech,
        # O*NET) and learned ones are left out of the candidates, as their labels can never be gold.
        esco_rows = np.array(
            [snapshot.skills[int(s)].pack == ESCO_PACK for s in snapshot.skill_ids], dtype=bool
        )
        esco_ids, esco_matrix = snapshot.skill_ids[esco_rows], snapshot.skill_matrix[esco_rows]

        def ranker(sentence: str) -> list[str]:
            ranked = rank_skills(
                sentence,
                loaded.matcher,
                esco_ids,
                esco_matrix,
                runtime.embedder,
                top_k=40,
                proposer=proposer,
            )
            # Dictionary mentions come from the whole library's matcher: keep the ESCO ones.
            names = [snapshot.skill_names[s] for s, _ in ranked if snapshot.skills[s].pack == ESCO_PACK]
            return names[:20]

        return evaluate_linking(path, ranker)
    finally:
        runtime.close()
