"""Identifiers as people type them: whole numbers that fit the database's keys."""

MAX_ID = 2**63 - 1  # BigAutoField


def parse_id(value: str) -> int | None:
    """The id in ``value``, or ``None`` when it is not a whole number in range."""
    value = value.strip()
    # Decimal digits of any script (Arabic-Indic too), which int() reads; not every
    # "digit" (a superscript ² is one, and int() refuses it).
    if not value.isdecimal():
        return None
    number = int(value)
    return number if 1 <= number <= MAX_ID else None
