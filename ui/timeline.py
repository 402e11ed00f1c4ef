"""A timeline in the web chat: the chart's data (one point per release that gives a value, its date, value and
title shown on hover) and the table beneath it, each row's [n] opening its passage as an answer's do.

Release text reaches HTML only through `ui.render` (escaped); in the chart it is data, which the chart's
tooltips show as text.
"""

from __future__ import annotations

import pandas as pd

from rag.answering.timeline import number
from ui.render import cite_link, line, new_key, passage_details, text
from ui.strings import Strings

NO_VALUE = "–"


def timeline_frame(rows: list[dict], strings: Strings) -> pd.DataFrame:
    """The chart's points: date, number and release title, in the column names the tooltip shows."""
    date, value, release, _ = strings.timeline_columns
    valued = [(row, number(row["value"])) for row in rows if row["value"] and number(row["value"]) is not None]
    return pd.DataFrame({date: pd.to_datetime([row["date"] for row, _ in valued]),
                         value: [amount for _, amount in valued],
                         release: [" ".join(row["label"].split()) for row, _ in valued]})


def timeline_html(rows: list[dict], passages: dict[str, str], strings: Strings) -> str:
    """The table: date, value, release and [n] for each row; then the passages [n] opens."""
    key = new_key("t")
    head = "".join(f"<th>{text(name)}</th>" for name in strings.timeline_columns)
    body = "".join(
        f"<tr><td>{line(row['date'])}</td><td>{line(row['value']) or NO_VALUE}</td><td>{line(row['label'])}</td>"
        f"<td>{cite_link(f'{key}-{n}', n, row['quote'] or row['label'])}</td></tr>"
        for n, row in enumerate(rows, start=1))
    opened = "".join(passage_details(f"{key}-{n}", n, row["quote"] or row["label"],
                                     passages.get(row["chunk_id"], row["quote"]), row["quote"])
                     for n, row in enumerate(rows, start=1))
    return (f'<table class="timeline-table"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'
            f'<div class="sources">{opened}</div>')
