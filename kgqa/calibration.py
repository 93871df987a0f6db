"""What loading an index learns from the probe questions (``kgqa.tuning.PROBES``), kept beside the index so the
next process over the same index, settings and code skips it.

Loading embeds the probes, ranks every passage against them (hubness) and asks each one (the floor an
unrelated question reaches): most of a cold ``kgqa ask``. The result depends only on the index generation,
the settings and kgqa's own code, so it is stored under a key hashed from all three, and any change of one
misses the cache and calibrates afresh.

>>> s = Settings(_env_file=None)
>>> calibration_key(Path("gen-1"), s) == calibration_key(Path("gen-1"), s) != calibration_key(Path("gen-2"), s)
True
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
from functools import lru_cache
from pathlib import Path
from typing import Any

from kgqa.config import Settings
from kgqa.tuning import PROBES, RETRIEVAL

log = logging.getLogger(__name__)

FILE = "calibration.json"


@lru_cache(maxsize=1)
def _code_hash() -> str:
    """sha256 of kgqa's Python sources: a change to any stage invalidates what was learnt with the old code."""
    package = Path(__file__).resolve().parent
    digest = hashlib.sha256()
    for path in sorted(package.rglob("*.py")):
        digest.update(path.relative_to(package).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def calibration_key(generation: Path, settings: Settings, embedder: object = None) -> str:
    """A hash of what calibration depends on; ``embedder`` is the query embedder (its type, model and size)."""
    kind = f"{type(embedder).__module__}.{type(embedder).__qualname__}:{getattr(embedder, 'model_id', '')}:" \
           f"{getattr(embedder, 'dim', '')}"
    parts = [generation.resolve().name, settings.model_dump_json(), json.dumps([PROBES.zh, PROBES.en]),
             repr(RETRIEVAL), kind, _code_hash()]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def read_calibration(index_dir: Path, key: str) -> dict[str, Any] | None:
    """The stored calibration for ``key``, or None (none stored, another key, unreadable)."""
    try:
        data = json.loads((index_dir / "cache" / FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("key") != key:
        return None
    value = data.get("value")
    return value if isinstance(value, dict) else None


def write_calibration(index_dir: Path, key: str, value: dict[str, Any]) -> None:
    """Stores ``value`` under ``key`` (replacing the previous one, atomically); a read-only index folder only
    means the next process calibrates again."""
    folder = index_dir / "cache"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=".calibration-", suffix=".json")
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump({"key": key, "value": value}, fh)
        os.chmod(tmp, 0o644)  # readable like the index beside it (mkstemp makes it private)
        os.replace(tmp, folder / FILE)
    except OSError as exc:
        log.info("calibration not kept in %s: %s", folder, exc)
