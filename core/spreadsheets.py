"""CSV that spreadsheet programs open safely and show in the right script."""

from __future__ import annotations

import csv
import unicodedata
from collections.abc import Iterable
from typing import Any

# Excel reads a UTF-8 file as UTF-8 (Arabic names included) only when it starts so.
BYTE_ORDER_MARK = "\ufeff"
# A cell starting with one of these is a formula to a spreadsheet (OWASP, CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _invisible(char: str) -> bool:
    """A character a spreadsheet may skip before reading a formula: white space, and
    the invisible ones (bidi controls such as U+202E, zero-width spaces and joiners,
    the byte-order mark): Unicode's format characters."""
    return char.isspace() or unicodedata.category(char) == "Cf"


def neutralised(value: Any) -> Any:
    """The cell as text that no spreadsheet runs: a formula character at its start, or
    after white space or invisible characters, gets an apostrophe before the whole cell
    (so "+965 5555" reads as text, not a sum). Numbers stay numbers."""
    if not isinstance(value, str):
        return value
    start = next((index for index, char in enumerate(value) if not _invisible(char)), None)
    if value.startswith(FORMULA_STARTS) or (
        start is not None and value[start:].startswith(FORMULA_STARTS)
    ):
        return "'" + value
    return value


def write_csv(stream, header: Iterable[str], rows: Iterable[Iterable[Any]]) -> None:
    stream.write(BYTE_ORDER_MARK)
    writer = csv.writer(stream)
    writer.writerow(header)
    writer.writerows([neutralised(cell) for cell in row] for row in rows)
