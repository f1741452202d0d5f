"""Dev harness: skill spans (SkillSpan) and skill linking (ESCO) on the dev sets, offline.

Builds the skill matcher straight from the shipped ESCO pack (aliases typed the way the importer
types them), runs the product's span reading and skill ranking, and prints the metrics per set
with timings. Label embeddings are cached under /tmp so a re-run only embeds the sentences.

    python tools/dev_eval_skills.py [--eval-dir ../shared/eval-dev] [--only spans|linking] [--json]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
import time
from pathlib import Path

import numpy as np
import numpy.typing as npt

from jdlens_server.evaluation.linking import evaluate_linking
from jdlens_server.evaluation.spans import evaluate_spans, span_extractor

# The importer's own typing of aliases, so the harness matches what the product stores.
from jdlens_server.library.aliases import alias_type, match_strategy
from jdlens_server.library.packs.esco import EscoPack, read_esco
from jdlens_server.library.packs.records import SkillType
from jdlens_server.nlp.embedder import Embedder, load_embedder
from jdlens_server.nlp.skill_matcher import AliasEntry, SkillMatcher
from jdlens_server.nlp.skill_phrases import PhraseProposer
from jdlens_server.pipeline.skill_linking import rank_skills

_PAREN = re.compile(r"\(([^()]+)\)\s*$")
SETS = ("house", "tech")


def _nature(label: str, skill_type: SkillType | None) -> str:
    m = _PAREN.search(label)
    if m:
        return "LANGUAGE" if "programming" in m.group(1) else "TOOL"
    return "KNOWLEDGE" if skill_type is SkillType.KNOWLEDGE else "PRACTICE"


def esco_alias_entries(pack: EscoPack) -> list[AliasEntry]:
    """Every preferred, alternative and hidden label of every ESCO skill; ids are pack positions."""
    entries: list[AliasEntry] = []
    for i, skill in enumerate(pack.skills):
        nature = _nature(skill.preferred_label, skill.skill_type)
        labelled = [(skill.preferred_label, True, False)]
        labelled += [(a, False, False) for a in skill.alt_labels]
        labelled += [(h, False, True) for h in skill.hidden_labels]
        for text, preferred, hidden in labelled:
            kind = alias_type(text, preferred=preferred, hidden=hidden)
            entries.append(AliasEntry(i, text, kind, match_strategy(text), nature))
    return entries


def label_matrix(
    pack: EscoPack, embedder: Embedder, cache_dir: Path
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float32]]:
    """(skill id per row, embedding per row) for preferred + alternative labels, cached on disk."""
    texts: list[str] = []
    ids: list[int] = []
    for i, skill in enumerate(pack.skills):
        for label in (skill.preferred_label, *skill.alt_labels):
            texts.append(label)
            ids.append(i)
    digest = hashlib.sha256("\n".join([embedder.name, *texts]).encode()).hexdigest()[:16]
    path = cache_dir / f"jdlens_esco_labels_{digest}.npy"
    if path.exists():
        matrix = np.load(path)
    else:
        started = time.perf_counter()
        matrix = embedder.embed(texts)
        np.save(path, matrix)
        print(
            f"embedded {len(texts)} labels in {time.perf_counter() - started:.0f} s -> {path}",
            file=sys.stderr,
        )
    return np.asarray(ids, dtype=np.int64), matrix.astype(np.float32)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--eval-dir", type=Path, default=Path(__file__).resolve().parents[2] / "shared" / "eval-dev"
    )
    parser.add_argument("--only", choices=("spans", "linking"))
    parser.add_argument("--cache-dir", type=Path, default=Path("/tmp"))
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    results: dict[str, dict[str, float]] = {}
    pack = read_esco(verify=False)
    entries = esco_alias_entries(pack)
    # Wall and CPU time both: on a loaded machine the wall clock also counts other processes.
    started, cpu = time.perf_counter(), time.process_time()
    matcher = SkillMatcher.build(entries)
    timing: dict[str, float] = {
        "aliases": len(entries),
        "keys": matcher.n_keys,
        "build_wall_s": round(time.perf_counter() - started, 2),
        "build_cpu_s": round(time.process_time() - cpu, 2),
    }
    proposer = PhraseProposer(matcher.lead_verbs)

    sample = Path(__file__).resolve().parents[2] / "shared" / "reference" / "reference_jd.txt"
    if sample.exists():
        jd = sample.read_text(encoding="utf-8")[:3000]
        matcher.find(jd)
        runs = 50
        started, cpu = time.perf_counter(), time.process_time()
        for _ in range(runs):
            matcher.find(jd)
        timing["find_3k_wall_ms"] = round((time.perf_counter() - started) / runs * 1000, 2)
        timing["find_3k_cpu_ms"] = round((time.process_time() - cpu) / runs * 1000, 2)

    if args.only in (None, "spans"):
        extractor = span_extractor(matcher, proposer)
        for name in SETS:
            path = args.eval_dir / "skillspan" / f"skillspan_{name}_dev.conll"
            started = time.perf_counter()
            results[f"spans_{name}"] = evaluate_spans(path, extractor)
            results[f"spans_{name}"]["seconds"] = round(time.perf_counter() - started, 1)

    if args.only in (None, "linking"):
        embedder = load_embedder()
        skill_ids, matrix = label_matrix(pack, embedder, args.cache_dir)
        names = [s.preferred_label for s in pack.skills]

        def ranker(sentence: str) -> list[str]:
            ranked = rank_skills(sentence, matcher, skill_ids, matrix, embedder, top_k=20, proposer=proposer)
            return [names[sid] for sid, _ in ranked]

        for name in SETS:
            path = args.eval_dir / "esco_skill_linking" / f"{name}_validation_annotations.csv"
            started = time.perf_counter()
            results[f"linking_{name}"] = evaluate_linking(path, ranker)
            results[f"linking_{name}"]["seconds"] = round(time.perf_counter() - started, 1)

    if args.json:
        print(json.dumps({"timing": timing, **results}, indent=2))
    else:
        print("timing: " + ", ".join(f"{k}={v}" for k, v in timing.items()))
        for key, metrics in results.items():
            cells = [f"{k}={v:.3f}" if isinstance(v, float) else f"{k}={v}" for k, v in metrics.items()]
            print(f"{key:14s} " + "  ".join(cells))
    return 0


if __name__ == "__main__":
    sys.exit(main())
