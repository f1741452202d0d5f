"""`jdlens eval SET PATH`: wires the evaluation functions to the real pipeline and library."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from jdlens.v1 import pipeline_service_pb2, run_pb2
from jdlens_server.app import build_runtime
from jdlens_server.evaluation.linking import evaluate_linking
from jdlens_server.evaluation.roles import evaluate_roles, read_jobads, read_titles
from jdlens_server.evaluation.spans import evaluate_spans, span_extractor
from jdlens_server.nlp.skill_phrases import PhraseProposer
from jdlens_server.pipeline.skill_linking import rank_skills
from jdlens_server.store.models import RoleRow


def run_eval(kind: str, path: Path, db_url: str, *, limit: int = 0) -> dict[str, float]:
    """Metrics of one labelled set; ``limit`` (job ads and titles) keeps only the first N items."""
    runtime = build_runtime(db_url)
    try:
        if kind in ("jobads", "titles"):
            items = read_jobads(path) if kind == "jobads" else read_titles(path)
            if limit:
                items = items[:limit]
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

            def analyze(req: pipeline_service_pb2.ExtractFromJdRequest) -> run_pb2.Run:
                return runtime.core.extract_from_jd(req)[0]

            return evaluate_roles(items, analyze, gold_to_code=gold_to_code, with_isco=kind == "jobads")
        loaded = runtime.library.current()
        proposer = PhraseProposer(loaded.matcher.lead_verbs)
        if kind == "spans":
            return evaluate_spans(path, span_extractor(loaded.matcher, proposer))
        snapshot = loaded.snapshot

        def ranker(sentence: str) -> list[str]:
            ranked = rank_skills(
                sentence,
                loaded.matcher,
                snapshot.skill_ids,
                snapshot.skill_matrix,
                runtime.embedder,
                top_k=20,
                proposer=proposer,
            )
            return [snapshot.skill_names[skill_id] for skill_id, _ in ranked]

        return evaluate_linking(path, ranker)
    finally:
        runtime.close()
