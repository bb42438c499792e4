"""Identifiers as people type them: whole numbers that fit the database's keys."""

MAX_ID = 2**63 - 1  # BigAutoField


def parse_id(value: str) -> int | None:
    """The id in ``value``, or ``None`` when it is not a whole number in range."""
    value = value.strip()
    if not value.isdigit():
        return None
    number = int(value)
    return number if 1 <= number <= MAX_ID else None
