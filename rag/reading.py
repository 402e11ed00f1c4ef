"""Bytes from files to text, at a cost bounded by the limits: sizes, binary content, encodings, JSONL lines.

A file is read whole only after its size is checked; a JSONL file is read a line at a time and a line over
the limit is skipped without ever being held whole.
"""

from __future__ import annotations

from pathlib import Path
from typing import BinaryIO, Iterator

from rag.messages import InputError

# C0 control bytes that text does not hold (tab, line feed, carriage return and form feed are text).
_CONTROL = bytes(b for b in range(32) if b not in b"\t\n\r\f") + b"\x7f"
# Random bytes are about 11% control bytes; a text file with a stray one is far below 1%.
MAX_CONTROL_RATIO = 0.01
_SKIP_CHUNK = 2**16


def looks_binary(data: bytes) -> bool:
    """NUL anywhere, or more control bytes than text holds. In UTF-8 and Windows-1251 alike every byte of a
    letter is >= 0x20, so the count is the same whichever encoding the text turns out to be in."""
    if b"\x00" in data:
        return True
    controls = len(data) - len(data.translate(None, _CONTROL))
    return controls > MAX_CONTROL_RATIO * len(data)


def read_text_file(path: Path, max_bytes: int) -> str:
    size = path.stat().st_size
    if size == 0:
        raise InputError("empty_file")
    if size > max_bytes:
        raise InputError("file_too_big", size=size_text(size), limit=size_text(max_bytes))
    data = path.read_bytes()
    if looks_binary(data):
        raise InputError("binary")
    text = decode_bytes(data)
    if not text.strip():
        raise InputError("no_text")
    return text


def bounded_lines(stream: BinaryIO, max_bytes: int) -> Iterator[tuple[int, bytes | InputError]]:
    """(line number, line) for each line of `stream`, or (number, error) for a line over `max_bytes`:
    at most max_bytes + 1 bytes of a line are held, the rest is read past in small chunks."""
    number = 0
    while True:
        raw = stream.readline(max_bytes + 1)
        if not raw:
            return
        number += 1
        if len(raw) <= max_bytes or raw.endswith(b"\n"):
            yield number, raw
            continue
        size = len(raw)
        while not raw.endswith(b"\n"):
            raw = stream.readline(_SKIP_CHUNK)
            if not raw:
                break
            size += len(raw)
        size -= 1 if raw.endswith(b"\n") else 0
        yield number, InputError("line_too_big", size=size_text(size), limit=size_text(max_bytes))


def decode_bytes(data: bytes) -> str:
    """UTF-8 (with or without BOM) first, then Windows-1251, the usual legacy encoding of Russian files.

    A UTF-8 file with a few broken bytes (a truncated last character, a stray byte) stays UTF-8, with
    U+FFFD in their place: read as Windows-1251 its Russian text would become mojibake.
    """
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    lenient = data.decode("utf-8-sig", errors="replace")
    if lenient.count("\ufffd") <= max(3, len(lenient) // 1000) and _mostly_cyrillic(lenient):
        return lenient
    text = data.decode("cp1251", errors="strict") if _looks_cp1251(data) else None
    if text is None:
        raise InputError("encoding")
    return text


def _looks_cp1251(data: bytes) -> bool:
    try:
        return _mostly_cyrillic(data.decode("cp1251"))
    except UnicodeDecodeError:
        return False


def _mostly_cyrillic(text: str) -> bool:
    letters = sum(ch.isalpha() for ch in text)
    cyrillic = sum("\u0400" <= ch <= "\u04ff" for ch in text)
    return letters > 0 and cyrillic / letters > 0.3


def size_text(count: int) -> str:
    return f"{count / 2**20:.1f} MB" if count >= 2**20 else f"{count:,} bytes"
