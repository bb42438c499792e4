"""URL converters: an id in a path is a whole number that fits the database's keys."""

from core.ids import MAX_ID


class IdConverter:
    """``<id:pk>``: 1 to ``MAX_ID``. Anything else does not match, so it is a 404, never
    an out-of-range error from the database."""

    regex = "[0-9]{1,19}"

    def to_python(self, value: str) -> int:
        number = int(value)
        if not 1 <= number <= MAX_ID:
            raise ValueError(f"{value} is not an id")
        return number

    def to_url(self, value: int) -> str:
        return str(value)
