"""Related-concept lists on the bundled dev set: dump them, or compare two dumps.

    python bench/related_diff.py --out bench/results/related-before.json      # with the code as it is
    python bench/related_diff.py --out bench/results/related-after.json --compare bench/results/related-before.json

Each dev-set question (bench/devset.yaml, with its history) is asked once against an index of corpus/ built
with the hash embedder (the list depends on the concepts the question names, not on vectors). The comparison
prints, over the questions where either side lists something: identical lists, the same first concept, mean
overlap of the top 5 (|A & B| / max(|A|, |B|)) and mean Jaccard. Numbers, not pass/fail.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import yaml

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(REPO))


def dump(index_dir: Path) -> dict[str, list[str]]:
    from kgqa.config import Settings
    from kgqa.pipeline import build_index, load
    from kgqa.testing import FakeEmbedder

    settings = Settings(corpus_dir=REPO / "corpus", index_dir=index_dir, embedding_model="fake-hash-embedder",
                        _env_file=None)
    embedder = FakeEmbedder()
    build_index(settings, embedder=embedder)
    kb = load(settings, embedder=embedder)
    items = yaml.safe_load((HERE / "devset.yaml").read_text(encoding="utf-8"))["items"]
    out = {}
    for it in items:
        answer = kb.ask(it["question"], history=it.get("history"))
        out[it["id"]] = [r.id for r in answer.related_concepts]
    return out


def compare(a: dict[str, list[str]], b: dict[str, list[str]]) -> dict[str, Any]:
    """
    >>> compare({"q": ["x", "y"], "r": []}, {"q": ["x", "z"], "r": []})
    {'questions': 1, 'identical': 0.0, 'same_first': 1.0, 'overlap_at_5': 0.5, 'jaccard': 0.333}
    """
    keys = [k for k in sorted(set(a) | set(b)) if a.get(k) or b.get(k)]
    if not keys:
        return {"questions": 0}
    ident = first = overlap = jac = 0.0
    for k in keys:
        x, y = a.get(k, [])[:5], b.get(k, [])[:5]
        ident += x == y
        first += bool(x and y and x[0] == y[0])
        overlap += len(set(x) & set(y)) / max(len(x), len(y))
        jac += len(set(x) & set(y)) / len(set(x) | set(y))
    n = len(keys)
    return {"questions": n, "identical": round(ident / n, 3), "same_first": round(first / n, 3),
            "overlap_at_5": round(overlap / n, 3), "jaccard": round(jac / n, 3)}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", type=Path, required=True, help="where to write this run's lists (JSON)")
    ap.add_argument("--compare", type=Path, help="an earlier dump to compare with")
    ap.add_argument("--index-dir", type=Path, default=HERE / ".work" / "related" / "indexes")
    args = ap.parse_args()
    lists = dump(args.index_dir)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(lists, ensure_ascii=False, indent=1), encoding="utf-8")
    print(f"{sum(1 for v in lists.values() if v)} of {len(lists)} questions list related concepts -> {args.out}")
    if args.compare:
        before = json.loads(args.compare.read_text(encoding="utf-8"))
        print(json.dumps({"compared_with": str(args.compare), **compare(before, lists)}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
