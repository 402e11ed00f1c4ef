import os

# Before numpy loads OpenBLAS (a value already set wins): the matrices here are small (a question against a few
# hundred sentences), so OpenBLAS's extra threads only spin, and they cost as much CPU as the answers did.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

__all__ = ["Assistant"]


def __getattr__(name: str):
    # Loaded on first use, so that `rag.cli` starts without chromadb and each command loads what it needs.
    if name == "Assistant":
        from rag.assistant import Assistant

        return Assistant
    raise AttributeError(f"module 'rag' has no attribute {name!r}")
