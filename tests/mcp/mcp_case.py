"""What the MCP tests ask and expect (a module of its own: test modules cannot import a conftest by name)."""

from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
QUESTION = "什么是自注意力机制？"
UNKNOWN = "zebra-quantisation-nowhere"
TOOLS = {"search", "ask", "concept", "path", "documents", "document"}
