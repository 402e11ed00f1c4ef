"""The servers beside the web chat: OpenAI-compatible chat, plain REST, MCP. Each only calls `rag.Assistant`."""
