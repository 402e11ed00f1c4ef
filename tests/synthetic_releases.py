"""Thousands of short, distinct Russian releases made up programmatically, for the crash and load tests.

Release i opens a facility of kind i % len(FACILITIES) in town i // len(FACILITIES) with a number of places
that no other release gives, so a question about one (town, facility) has exactly one right release. Every
sentence carries a random number or name, so no two releases share enough 5-word shingles to be near
duplicates of each other.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

PREFIXES = ["Ново", "Старо", "Верхне", "Нижне", "Красно", "Бело", "Черно", "Светло", "Быстро", "Добро"]
ROOTS = ["берёз", "сосн", "озёр", "камен", "ольх", "ясен", "ключ", "луг", "дуб", "клён"]
SUFFIXES = ["овск", "инск", "огорск", "ополь", "оград", "одольск"]
FACILITIES = ["школу", "поликлинику", "детский сад", "библиотеку", "спортивный центр"]
NAMES = ["Иван Петров", "Ольга Смирнова", "Сергей Волков", "Анна Морозова", "Дмитрий Лебедев", "Елена Козлова",
         "Алексей Новиков", "Мария Соколова", "Павел Егоров", "Наталья Орлова"]
MONTHS = ["января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа", "сентября", "октября"]


def town(number: int) -> str:
    prefix, rest = divmod(number, len(ROOTS) * len(SUFFIXES))
    root, suffix = divmod(rest, len(SUFFIXES))
    return PREFIXES[prefix % len(PREFIXES)] + ROOTS[root] + SUFFIXES[suffix]


def places(i: int) -> int:
    return 1000 + i * 7  # distinct for every release


def release(i: int) -> dict:
    rng = random.Random(i)
    where = town(i // len(FACILITIES))
    facility = FACILITIES[i % len(FACILITIES)]
    text = " ".join([
        f"В городе {where} {rng.randint(1, 28)} {rng.choice(MONTHS)} открыли новую {facility} на {places(i)} мест.",
        f"Строительство заняло {rng.randint(5, 40)} месяцев, в него вложили {rng.randint(20, 990)} млн рублей.",
        f"Глава района {rng.choice(NAMES)} поблагодарил {rng.randint(30, 600)} строителей за работу.",
        f"Здесь будут работать {rng.randint(10, 300)} специалистов, приём начнётся {rng.randint(1, 28)} "
        f"{rng.choice(MONTHS)}.",
    ])
    return {"id": f"synthetic-{i:05d}", "title": f"В {where} открыли {facility}", "date": f"2025-{1 + i % 12:02d}-"
            f"{1 + i % 28:02d}", "source": "Пресс-служба района", "text": text}


def question(i: int) -> str:
    facility = FACILITIES[i % len(FACILITIES)]
    return f"На сколько мест открыли {facility} в городе {town(i // len(FACILITIES))}?"


def write(path: Path, count: int, edited: frozenset[int] = frozenset()) -> Path:
    """JSONL of releases 0..count-1; those in `edited` get one more sentence (an update of a stored release)."""
    with path.open("w", encoding="utf-8") as out:
        for i in range(count):
            record = release(i)
            if i in edited:
                record["text"] += f" Торжественную ленту перерезали {random.Random(-i).randint(2, 9)} первоклассников."
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
    return path
