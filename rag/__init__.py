from rag.assistant import Assistant

__all__ = ["Assistant"]
