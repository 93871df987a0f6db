"""The Milvus backend, run embedded with milvus-lite (a ``.db`` file), passes the shared vector-backend contract."""

from __future__ import annotations

from pathlib import Path

import pytest

from kgqa.index.backends import VectorBackend
from kgqa.testing import VectorBackendContract

pytest.importorskip("milvus_lite")
pytestmark = pytest.mark.integration


class TestMilvusLite(VectorBackendContract):
    @pytest.fixture
    def make_backend(self):  # type: ignore[no-untyped-def]
        from kgqa.index.backends.milvus import MilvusBackend

        opened: list[VectorBackend] = []

        def make(folder: Path, dim: int, create: bool) -> VectorBackend:
            folder.mkdir(parents=True, exist_ok=True)
            backend = MilvusBackend.connect(str(folder / "milvus.db"), None, "contract", dim)
            if create and backend.count():
                backend.drop()
                backend = MilvusBackend.connect(str(folder / "milvus.db"), None, "contract", dim)
            opened.append(backend)
            return backend

        yield make
        for b in opened:
            try:
                b.close()
            except Exception:  # already closed by the test
                pass


def test_string_literals_survive_quotes_and_backslashes(tmp_path: Path) -> None:
    import numpy as np

    from kgqa.index.backends import VectorRecords
    from kgqa.index.backends.milvus import MilvusBackend

    backend = MilvusBackend.connect(str(tmp_path / "m.db"), None, "quotes", 4)
    odd = ['a"b.md', "c\\d.md", "文档 e.md"]
    backend.upsert(VectorRecords.of("chunk", odd, odd, odd, np.eye(4, dtype=np.float32)[:3]))
    assert backend.documents() == set(odd)
    assert [i for i, _ in backend.search(np.eye(4, dtype=np.float32)[1], 3, doc_ids=[odd[1]])] == [odd[1]]
    backend.delete_documents([odd[0]])
    assert backend.documents() == set(odd[1:])
    backend.close()


def test_a_lite_file_held_by_another_process_says_what_to_do(tmp_path: Path) -> None:
    import subprocess
    import sys

    from kgqa.errors import IndexError_
    from kgqa.index.backends.milvus import MilvusBackend

    db = tmp_path / "held.db"
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys, time\nfrom kgqa.index.backends.milvus import MilvusBackend\n"
         f"MilvusBackend.connect({str(db)!r}, None, 'held', 4)\nprint('open', flush=True)\ntime.sleep(120)"],
        stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "open"
        with pytest.raises(IndexError_, match="one process at a time"):
            MilvusBackend.connect(str(db), None, "held", 4)
    finally:
        holder.kill()
        holder.wait()
        if holder.stdout:
            holder.stdout.close()


def test_a_collection_written_by_another_process_is_searchable(tmp_path: Path) -> None:
    """`kgqa ingest` writes, then `kgqa serve` (another process) searches: the collection must be loaded."""
    import subprocess
    import sys

    import numpy as np

    from kgqa.index.backends.milvus import MilvusBackend

    db = tmp_path / "shared.db"
    script = ("import numpy as np\nfrom kgqa.index.backends import VectorRecords\n"
              "from kgqa.index.backends.milvus import MilvusBackend\n"
              f"b = MilvusBackend.connect({str(db)!r}, None, 'shared', 4)\n"
              "rows = np.eye(4, dtype='float32')[:2]\n"
              "b.upsert(VectorRecords.of('chunk', ['a', 'b'], ['d', 'd'], ['a', 'b'], rows))\n"
              "b.close()\n")
    subprocess.run([sys.executable, "-c", script], check=True, timeout=120)
    backend = MilvusBackend.connect(str(db), None, "shared", 4)
    try:
        assert [i for i, _ in backend.search(np.eye(4, dtype=np.float32)[1], 1)] == ["b"]
    finally:
        backend.close()
