"""CSV that spreadsheet programs open safely and show in the right script."""

from __future__ import annotations

import csv
from collections.abc import Iterable
from typing import Any

# Excel reads a UTF-8 file as UTF-8 (Arabic names included) only when it starts so.
BYTE_ORDER_MARK = "\ufeff"
# A cell starting with one of these is a formula to a spreadsheet (OWASP, CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralised(value: Any) -> Any:
    """The cell as text that no spreadsheet runs: a leading formula character gets an
    apostrophe before it (so "+965 5555" reads as text, not a sum). Numbers stay numbers."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def write_csv(stream, header: Iterable[str], rows: Iterable[Iterable[Any]]) -> None:
    stream.write(BYTE_ORDER_MARK)
    writer = csv.writer(stream)
    writer.writerow(header)
    writer.writerows([neutralised(cell) for cell in row] for row in rows)
