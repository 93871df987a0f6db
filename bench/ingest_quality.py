"""Ingest quality per corpus and format: sentence ends, heading trails, dropped text, conversion loss, cost.

    python bench/ingest_quality.py                    # every corpus; times the real `kgqa ingest` (real model)
    python bench/ingest_quality.py --embedder fake    # the same with kgqa.testing.FakeEmbedder: seconds
    python bench/ingest_quality.py --no-ingest        # quality only
    python bench/ingest_quality.py --only gimp-zh --verbose   # one corpus, with examples of every failure

Corpora: the bundled ``corpus/`` and every ``bench/data/corpora/<name>/<format>/`` that
``bench/corpora/fetch.sh`` built. Each file is loaded and chunked through kgqa's own API
(``load_corpus``, ``chunk_document``, ``split_sentences``) and compared with its source page:
the HTML or Markdown file itself, and for PDF and DOCX the HTML page they were made from.
The rules are in bench/ingest_metrics.py. A format kgqa refuses today is reported as
"unsupported" and fills in once its converter lands. Writes bench/results/ingest_quality.json.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import shutil
import subprocess
import sys
import tempfile
import time
import warnings
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
DATA = HERE / "data" / "corpora"
OUT = HERE / "results" / "ingest_quality.json"
RESERVED = {"manifest.yaml", "glossary.yaml", "README.md"}
CONVERTED = {"pdf", "docx", "pptx"}
FORMAT_ORDER = ["html", "md", "pdf", "docx", "pptx"]

sys.path.insert(0, str(HERE))
import ingest_metrics as m  # noqa: E402  (bench/ is a folder of scripts, not a package)

FAKE_INGEST = """
import json, sys
from kgqa.config import Settings
from kgqa.pipeline import build_index
from kgqa.testing import FakeEmbedder
report = build_index(Settings(embedding_model="fake-hash-embedder"), embedder=FakeEmbedder())
print(json.dumps(report.__dict__, default=str))
"""


@dataclass(frozen=True)
class Target:
    corpus: str
    fmt: str
    folder: Path


@dataclass
class FileResult:
    file: str
    status: str  # ok | unsupported: ... | error: ... | no source
    chunks: int = 0
    mid_sentence: list[str] = field(default_factory=list)  # chunk endings
    wrong_trails: list[list[str]] = field(default_factory=list)  # the wrong elements, per chunk
    sentence_lengths: list[int] = field(default_factory=list)
    dropped: m.Alignment | None = None  # source page vs the chunks
    present: m.Alignment | None = None  # HTML page vs the converted text (PDF, DOCX)
    headings_known: bool = True
    radicals: int = 0  # look-alike radical characters in the converted text (a PDF font artefact)


def targets(only: list[str] | None) -> list[Target]:
    found = [Target("bundled", "md+txt", REPO / "corpus")]
    if DATA.is_dir():
        for corpus in sorted(p for p in DATA.iterdir() if p.is_dir()):
            formats = [p for p in corpus.iterdir() if p.is_dir()]
            formats.sort(key=lambda p: (FORMAT_ORDER.index(p.name) if p.name in FORMAT_ORDER else 99, p.name))
            found += [Target(corpus.name, f.name, f) for f in formats]
    return [t for t in found if not only or t.corpus in only]


def files_of(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.is_file() and p.name not in RESERVED and not p.name.startswith("."))


def source_page(path: Path) -> m.SourcePage | None:
    """What the file says before kgqa reads it; PDF and DOCX are judged by their HTML page."""
    suffix = path.suffix.lower()
    if suffix in (".pdf", ".docx", ".pptx"):
        path = path.parent.parent / "html" / f"{path.stem}.html"
        suffix = ".html"
        if not path.exists():
            return None
    text = path.read_text(encoding="utf-8", errors="replace")
    if suffix in (".html", ".htm"):
        return m.parse_html(text)
    if suffix in (".md", ".markdown"):
        return m.parse_markdown(text)
    return m.parse_plain(text)


def load_one(path: Path, corpus_dir: Path) -> Any:
    """One Document, or a status string; ``load_corpus`` may return documents or (documents, skipped)."""
    from kgqa.errors import KgqaError, UnsupportedFormatError
    from kgqa.ingest.load import load_corpus

    try:
        result = load_corpus([path], corpus_dir)
    except UnsupportedFormatError as exc:
        return f"unsupported: {exc}"
    except KgqaError as exc:  # a loader that skips and reports may raise "nothing could be indexed" instead
        kind = "unsupported" if "unsupported format" in str(exc).lower() else "error"
        return f"{kind}: {exc}"
    docs = result[0] if isinstance(result, tuple) else result
    if not docs:
        skipped = result[1] if isinstance(result, tuple) and len(result) > 1 else []
        return f"skipped: {skipped[0] if skipped else 'no document'}"
    return docs[0]


def measure_file(path: Path, target: Target, max_chars: int) -> FileResult:
    from kgqa.ingest.chunk import chunk_document
    from kgqa.ingest.sentences import split_sentences

    name = path.name
    doc = load_one(path, target.folder)
    if isinstance(doc, str):
        return FileResult(name, doc)
    page = source_page(path)
    if page is None:
        return FileResult(name, "no source")
    chunks = chunk_document(doc, max_chars=max_chars).chunks
    res = FileResult(name, "ok", chunks=len(chunks), headings_known=page.headings is not None,
                     radicals=m.radical_count(doc.text))
    for chunk in chunks:
        if m.ends_mid_sentence(chunk.text, page):
            res.mid_sentence.append(chunk.text)
        wrong = m.wrong_trail(chunk.heading, page.headings)
        if wrong:
            res.wrong_trails.append(list(wrong))
        res.sentence_lengths += [len(s.text) for s in split_sentences(chunk)]
    res.dropped = m.align(page, m.covered_text(doc.text, [(c.start, c.end) for c in chunks]))
    if target.fmt in CONVERTED:
        res.present = m.align(page, doc.text)
    return res


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def summarise(target: Target, files: list[FileResult]) -> dict[str, Any]:
    ok = [f for f in files if f.status == "ok"]
    chunks = sum(f.chunks for f in ok)
    drops = [f.dropped for f in ok if f.dropped]
    present = [f.present for f in ok if f.present]
    statuses = sorted({f.status.split(":")[0] for f in files})
    return {
        "corpus": target.corpus, "format": target.fmt, "folder": str(target.folder.relative_to(REPO)),
        "files": len(files), "loaded": len(ok),
        "status": "ok" if len(ok) == len(files) else ("unsupported" if statuses == ["unsupported"] else
                                                         "/".join(statuses)),
        "kb": round(sum((target.folder / f.file).stat().st_size for f in files) / 1024),
        "chunks": chunks,
        "mid_sentence_share": _share(sum(len(f.mid_sentence) for f in ok), chunks),
        "wrong_trail_share": _share(sum(len(f.wrong_trails) for f in ok if f.headings_known),
                                    sum(f.chunks for f in ok if f.headings_known)),
        "dropped_share": _share(sum(d.total - d.kept for d in drops), sum(d.total for d in drops)),
        "content_dropped_share": _share(sum(d.content_total - d.content_kept for d in drops),
                                        sum(d.content_total for d in drops)),
        "chrome_kept_share": _share(sum((d.kept - d.content_kept) for d in drops),
                                    sum((d.total - d.content_total) for d in drops)),
        "radical_chars": sum(f.radicals for f in ok),
        "html_text_present_share": _share(sum(p.content_kept for p in present), sum(p.content_total for p in present))
        if target.fmt in CONVERTED else None,
        "median_sentence_chars": m.median_length(n for f in ok for n in f.sentence_lengths),
    }


# ---------------------------------------------------------------- ingest cost


def run_ingest(folder: Path, embedder: str) -> dict[str, Any]:
    """Time `kgqa ingest` on a copy of ``folder`` in fresh temp folders; peak RSS from wait4's rusage."""
    with tempfile.TemporaryDirectory(prefix="kgqa-ingest-") as tmp:
        corpus, index = Path(tmp) / "corpus", Path(tmp) / "indexes"
        shutil.copytree(folder, corpus)
        env = {**os.environ, "KGQA_CORPUS_DIR": str(corpus), "KGQA_INDEX_DIR": str(index)}
        cmd = ([sys.executable, "-c", FAKE_INGEST] if embedder == "fake"
               else [sys.executable, "-m", "kgqa", "ingest", "--json"])
        out, err = Path(tmp) / "stdout", Path(tmp) / "stderr"
        started = time.perf_counter()
        with out.open("wb") as o, err.open("wb") as e:
            proc = subprocess.Popen(cmd, env=env, cwd=tmp, stdout=o, stderr=e)
            _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - started
        code = os.waitstatus_to_exitcode(status)
        result: dict[str, Any] = {"command": " ".join(cmd[:3]) if embedder == "fake" else " ".join(cmd[1:]),
                                  "exit_code": code, "seconds": round(seconds, 1),
                                  "peak_rss_mb": round(usage.ru_maxrss / 1024)}
        if code != 0:
            lines = [ln for ln in err.read_text(errors="replace").splitlines() if ln.strip()]
            result["error"] = (lines[-1] if lines else f"exit code {code}")[:300]
        else:
            try:
                result["counts"] = json.loads(out.read_text())["counts"]
            except (ValueError, KeyError):
                pass
        return result


# ---------------------------------------------------------------- report


def pct(x: float | None) -> str:
    return "–" if x is None else f"{100 * x:.1f}%"


def table(rows: list[dict[str, Any]]) -> str:
    head = ("| corpus | format | files | KB | chunks | mid-sentence | wrong trail | dropped (all / content) "
            "| chrome kept | HTML text in converted | median sentence | ingest s | peak RSS MB |")
    lines = [head, "|" + " --- |" * 2 + " ---: |" * 11]
    for r in rows:
        ing = r.get("ingest") or {}
        cost = (f"{ing['seconds']} | {ing['peak_rss_mb']}" if ing.get("exit_code") == 0
                else ("failed | –" if ing else "– | –"))
        if r["loaded"] == 0:
            lines.append(f"| {r['corpus']} | {r['format']} | {r['files']} | {r['kb']} | {r['status']} |"
                         + " – |" * 6 + f" {cost} |")
            continue
        med = r["median_sentence_chars"]
        lines.append(
            f"| {r['corpus']} | {r['format']} | {r['files']} | {r['kb']} | {r['chunks']} "
            f"| {pct(r['mid_sentence_share'])} | {pct(r['wrong_trail_share'])} "
            f"| {pct(r['dropped_share'])} / {pct(r['content_dropped_share'])} "
            f"| {pct(r['chrome_kept_share'])} | {pct(r['html_text_present_share'])} "
            f"| {'–' if med is None else f'{med:.0f}'} | {cost} |"
        )
    return "\n".join(lines)


def _short(text: str, width: int = 160) -> str:
    flat = " ⏎ ".join(line.strip() for line in text.splitlines() if line.strip())
    return flat if len(flat) <= width else flat[: width - 1] + "…"


def details(target: Target, files: list[FileResult], verbose: bool) -> list[str]:
    out = [f"\n## {target.corpus} / {target.fmt}"]
    bad = [f for f in files if f.status != "ok"]
    for f in bad[: None if verbose else 3]:
        out.append(f"- {f.file}: {_short(f.status, 200)}")
    if len(bad) > 3 and not verbose:
        out.append(f"- ... {len(bad) - 3} more not loaded")
    pieces = sorted(((n, f.file, t) for f in files if f.dropped for n, t, chrome in f.dropped.missing if not chrome),
                    reverse=True)
    if pieces:
        out.append("longest content dropped (tokens, file, text):")
        out += [f"  {n:5d}  {name}: {_short(text)}" for n, name, text in pieces[: 20 if verbose else 5]]
    if not verbose:
        return out
    for f in files:
        for text in f.mid_sentence:
            out.append(f"  mid-sentence  {f.file}: …{_short(text[-120:])}")
        for wrong in f.wrong_trails:
            out.append(f"  wrong trail   {f.file}: {wrong}")
        if f.present and f.present.missing:
            lost = [t for _, t, chrome in f.present.missing if not chrome][:3]
            out += [f"  not converted {f.file}: {_short(t)}" for t in lost]
    return out


def as_json(files: list[FileResult]) -> list[dict[str, Any]]:
    rows = []
    for f in files:
        row = asdict(f)
        row.pop("sentence_lengths")
        for name in ("dropped", "present"):
            a: m.Alignment | None = getattr(f, name)
            row[name] = None if a is None else {
                "tokens": a.total, "kept": a.kept, "content_tokens": a.content_total,
                "content_kept": a.content_kept,
                "longest_missing": [{"tokens": n, "chrome": c, "text": t} for n, t, c in a.missing]}
        row["mid_sentence"] = [t[-200:] for t in f.mid_sentence]
        rows.append(row)
    return rows


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--only", action="append", help="corpus name (bundled, gimp-zh, ...); repeatable")
    p.add_argument("--embedder", choices=("default", "fake"), default="default",
                   help="for the timed `kgqa ingest`: default = the real model, fake = hash vectors")
    p.add_argument("--no-ingest", action="store_true", help="skip the timed `kgqa ingest` runs")
    p.add_argument("--max-chars", type=int, default=600, help="chunk_document's max_chars (default 600)")
    p.add_argument("--verbose", action="store_true", help="print every failing chunk and dropped piece")
    p.add_argument("--out", type=Path, default=OUT, help=f"JSON output (default {OUT.relative_to(REPO)})")
    args = p.parse_args(argv)
    warnings.filterwarnings("ignore", module="bs4")
    if not args.verbose:  # PDF parsers warn once per odd font; the counts above are what matter
        logging.disable(logging.WARNING)
    warnings.filterwarnings("ignore", message=".*XMLParsedAsHTMLWarning.*")

    rows, report = [], []
    for target in targets(args.only):
        files = [measure_file(path, target, args.max_chars) for path in files_of(target.folder)]
        row = summarise(target, files)
        if not args.no_ingest:
            row["ingest"] = run_ingest(target.folder, args.embedder)
        rows.append(row)
        report += details(target, files, args.verbose)
        row["files_detail"] = as_json(files)
        print(f"measured {target.corpus}/{target.fmt}: {row['loaded']}/{row['files']} files", file=sys.stderr)
    print("\n".join(report))
    print()
    print(table(rows))
    failed = [r for r in rows if r.get("ingest") and r["ingest"]["exit_code"] != 0]
    for r in failed:
        print(f"\n`kgqa ingest` failed on {r['corpus']}/{r['format']}: {r['ingest'].get('error')}")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    payload = {"embedder": None if args.no_ingest else args.embedder, "max_chars": args.max_chars, "rows": rows}
    args.out.write_text(json.dumps(payload, ensure_ascii=False, indent=1, default=str) + "\n", encoding="utf-8")
    print(f"\nwrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
