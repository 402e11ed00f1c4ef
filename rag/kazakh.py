"""Kazakh names as the Russian releases spell them: letters folded and case endings cut.

Kazakh is agglutinative: a name carries its case as a suffix («Қырғызстанға», «Тоқаевтың», «Бішкекте»).
Folding the Kazakh letters (Қ→К, Ө→О, Ү/Ұ→У, І→И, Ң→Н, Ғ→Г, Ә→А, Һ→Х) and cutting one case or
plural ending leaves the stem the Russian text shares («кыргызстан», «токаев», «бишкек»).
"""

from __future__ import annotations

import re

LETTERS = str.maketrans("әғқңөұүһіӘҒҚҢӨҰҮҺІ", "агкноуухиАГКНОУУХИ")
# Case and plural endings, longest first; only cut when a stem of four letters or more is left.
ENDINGS = sorted({
    "ның", "нің", "дың", "дің", "тың", "тің", "ға", "ге", "қа", "ке", "на", "не", "ны", "ні", "ды", "ді",
    "ты", "ті", "да", "де", "та", "те", "нда", "нде", "дан", "ден", "тан", "тен", "нан", "нен", "мен", "бен",
    "пен", "лар", "лер", "дар", "дер", "тар", "тер", "сы", "сі",
}, key=len, reverse=True)
KAZAKH = re.compile("[әғқңөұүһіӘҒҚҢӨҰҮҺІ]")


def is_kazakh(text: str) -> bool:
    return KAZAKH.search(text) is not None


def fold_name(word: str) -> str:
    """One Kazakh word of a name, in the spelling its Russian stem starts with."""
    lowered = word.lower()
    for ending in ENDINGS:
        if lowered.endswith(ending) and len(lowered) - len(ending) >= 4 and not lowered.endswith("стан"):
            lowered = lowered[: -len(ending)]
            break
    return lowered.replace("қазақ", "казах").translate(LETTERS)
