"""What the offline answerer computed before, kept for the next answers: it reads the same passages of a
finite corpus, word by word, in answer after answer (the words of a chat's popular releases, their sentences
and their stems, and the vectors of those words).

Bounded by the bytes the kept keys and values take, the least recently used going first; safe to share
between the web chat's threads.
"""

from __future__ import annotations

import functools
import sys
import threading
from collections import OrderedDict
from typing import Callable, Generic, Hashable, Iterable, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")
# An OrderedDict entry's own bytes (its hash slot and the node of its order), beside its key and value.
ENTRY_BYTES = 100


def strings_size(strings: tuple[str, ...]) -> int:
    """Bytes of a tuple of strings with the strings."""
    return sys.getsizeof(strings) + sum(map(sys.getsizeof, strings))


class BoundedCache(Generic[K, V]):
    def __init__(self, max_bytes: int, size: Callable[[K, V], int]):
        """`size(key, value)`: the bytes a key and its value take."""
        self.max_bytes = max_bytes
        self.size = size
        self.bytes = 0
        self._kept: OrderedDict[K, tuple[V, int]] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._kept)

    def get(self, key: K) -> V | None:
        return self.get_many((key,)).get(key)

    def get_many(self, keys: Iterable[K]) -> dict[K, V]:
        """The values kept of the given keys (the others are missing from the result)."""
        found: dict[K, V] = {}
        with self._lock:
            for key in keys:
                entry = self._kept.get(key)
                if entry is not None:
                    self._kept.move_to_end(key)
                    found[key] = entry[0]
        return found

    def put_many(self, values: dict[K, V]) -> None:
        """Keeps the values (not one that alone would exceed the bound), dropping the least recently used."""
        sized = [(key, value, self.size(key, value) + ENTRY_BYTES) for key, value in values.items()]
        with self._lock:
            for key, value, size in sized:
                if key in self._kept or size > self.max_bytes:
                    continue
                self._kept[key] = (value, size)
                self.bytes += size
                while self.bytes > self.max_bytes:
                    self.bytes -= self._kept.popitem(last=False)[1][1]


def remembered(max_bytes: int, max_chars: int, size: Callable[[tuple], int] = strings_size) -> Callable:
    """Decorates a function of a text that gives a list: its results for texts of up to `max_chars` are kept
    (a longer text, a whole release being indexed, would crowd out many sentences); each call gets its own
    list, so a caller that changes it changes nothing kept. `size(result)`: the bytes of a result as a tuple."""
    def decorate(function: Callable[[str], list]) -> Callable[[str], list]:
        cache: BoundedCache[str, tuple] = BoundedCache(max_bytes, lambda text, kept: sys.getsizeof(text) + size(kept))

        @functools.wraps(function)
        def read(text: str) -> list:
            if len(text) > max_chars:
                return function(text)
            found = cache.get(text)
            if found is not None:
                return list(found)
            result = function(text)
            cache.put_many({text: tuple(result)})
            return result

        read.cache = cache
        return read
    return decorate
