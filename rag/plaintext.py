"""What a plain-text release without metadata tells about itself, and the scraping artefacts it carries.

Releases copied from web pages often arrive as bare text: the title on the first line, a subtitle glued
to the first paragraph where the page had a line break («…на 260 млн долларовПо поручению…»), and the
original site named only in the text («…, сообщает primeminister.kz.»). These rules read that shape; they
never invent a date or an address the text does not hold.
"""

from __future__ import annotations

import re

# A word of five or more lower-case letters running straight into a capitalised word: a lost line break.
# Shorter runs are prefixes of real compounds («антиРоссией»), and quoted names are brands («РусГидро»).
GLUED = re.compile(r"(?<=[а-яё]{5})(?=[А-ЯЁ][а-яё])")
# The site a repost credits: «сообщает primeminister.kz», «передаёт пресс-служба akorda.kz».
CREDITED_SITE = re.compile(
    r"\b(?:сообщает|сообщают|сообщили|передает|передаёт|по данным|по информации|источник:?)\s+"
    r"(?:пресс-служб\w*\s+)?((?:[a-z0-9-]+\.)+(?:kz|kg|uz|by|ru|рф|gov|org|com|net|info))\b",
    re.I,
)


def repair_glued_lines(text: str) -> str:
    """Puts back the line breaks a scraper lost between a heading and the paragraph after it."""
    return "\n".join(_repair_line(line) for line in text.split("\n"))


def _repair_line(line: str) -> str:
    cuts = [m.start() for m in GLUED.finditer(line) if not _inside_quotes(line, m.start())]
    if not cuts:
        return line
    pieces = [line[start:end] for start, end in zip([0, *cuts], [*cuts, len(line)])]
    return "\n".join(pieces)


def _inside_quotes(line: str, position: int) -> bool:
    before = line[:position]
    return before.count("«") > before.count("»") or before.count('"') % 2 == 1


def credited_site(text: str) -> str:
    """The site the text says it comes from, or ''."""
    match = CREDITED_SITE.search(text)
    return match[1].lower() if match else ""
