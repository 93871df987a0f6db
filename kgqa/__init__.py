"""kgqa: knowledge-graph + RAG question answering with sentence-level citations."""
