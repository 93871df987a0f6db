"""One ``kgqa serve`` replica answering with the hash embedder, as a process of its own:
``python tests/integration/fake_replica.py PORT``, configured by ``KGQA_*`` variables like ``kgqa serve``.

It runs :func:`kgqa.apps.serve.serve`, the function behind ``kgqa serve``, with
:class:`kgqa.testing.FakeEmbedder` in place of the configured model (its ``embedder`` argument): the index it
serves must have been built with the same fake.
"""

from __future__ import annotations

import sys

from kgqa.apps.serve import serve
from kgqa.config import Settings
from kgqa.testing import FakeEmbedder

if __name__ == "__main__":
    serve(Settings(), port=int(sys.argv[1]), embedder=FakeEmbedder())
