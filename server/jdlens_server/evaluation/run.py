"""`jdlens eval SET PATH`: wires the evaluation functions to the real pipeline and library."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from jdlens_server.app import build_runtime
from jdlens_server.evaluation.roles import evaluate_roles, read_jobads, read_titles
from jdlens_server.store.models import RoleRow


def run_eval(kind: str, path: Path, db_url: str, *, limit: int = 0) -> dict[str, float]:
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

            def analyze(req):  # type: ignore[no-untyped-def]
                return runtime.core.extract_from_jd(req)[0]

            return evaluate_roles(items, analyze, gold_to_code=gold_to_code, with_isco=kind == "jobads")
        loaded = runtime.library.current()
        if kind == "spans":
            from jdlens_server.evaluation.spans import evaluate_spans, span_extractor

            return evaluate_spans(path, span_extractor(loaded.matcher))
        from jdlens_server.evaluation.linking import evaluate_linking, linking_ranker

        return evaluate_linking(path, linking_ranker(loaded, runtime.embedder), limit=limit)
    finally:
        runtime.close()
