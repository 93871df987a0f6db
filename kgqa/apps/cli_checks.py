"""What the CLI checks before it loads anything heavy: the question, the index, the corpus folders.

Each check is a file-system look-up or a string test, so a mistake is reported in milliseconds, and each
message names the folder it looked in and the setting that changes it.

>>> require_question("  什么是 RoPE？ ", Settings(_env_file=None))
'什么是 RoPE？'
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from kgqa.config import Settings
from kgqa.errors import CorpusError, IndexError_, InputError


def require_question(question: str, settings: Settings, limit: bool = True) -> str:
    """The question, stripped; empty, or over ``KGQA_MAX_QUESTION_CHARS`` (when ``limit``), is an error."""
    q = (question or "").strip()
    if not q:
        raise InputError('the question is empty; ask one, e.g. kgqa ask "什么是自注意力机制？"')
    if limit and len(q) > settings.max_question_chars:
        raise InputError(f"the question is {len(q)} characters, over the limit of {settings.max_question_chars} "
                         "(KGQA_MAX_QUESTION_CHARS); shorten it or raise the limit.")
    return q


def require_index(settings: Settings) -> Path:
    """The current index generation, or an error naming the folder looked in and how to fix it."""
    from kgqa.index.manifest import current_generation

    folder = current_generation(settings.index_dir)
    if folder is None:
        raise IndexError_(
            f"no index in {settings.index_dir.resolve()} (KGQA_INDEX_DIR); build one with `kgqa ingest`, "
            "or set KGQA_INDEX_DIR to the folder that holds one."
        )
    return folder


def require_sources(settings: Settings, sources: Sequence[Path]) -> None:
    """Every folder or file to index exists; the corpus folder's message names ``KGQA_CORPUS_DIR``."""
    for source in sources:
        if source.exists():
            continue
        if source == settings.corpus_dir:
            raise CorpusError(
                f"the corpus folder {source.resolve()} does not exist (KGQA_CORPUS_DIR); set KGQA_CORPUS_DIR to "
                "your documents' folder, or name them: kgqa ingest PATH..."
            )
        raise CorpusError(f"{source.resolve()} does not exist; pass files or folders that do.")
