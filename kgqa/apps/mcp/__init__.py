"""The MCP channel: the knowledge base's tools for agents, over streamable HTTP (``/mcp`` on the API app) and
stdio (``kgqa mcp``). ``tools`` holds the tools and their models; ``transports`` serves them."""
