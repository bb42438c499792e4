"""Domain errors: a rule said no. Views show the message; commands exit 2 with it."""

from __future__ import annotations


class DomainError(Exception):
    """A request the domain refuses, with a message meant for the person who made it.

    ``field`` names the form field the refusal is about, when there is one, so a
    form can show it next to that field.
    """

    code = "refused"

    def __init__(self, message: str, *, code: str | None = None, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        if code is not None:
            self.code = code

    def __str__(self) -> str:
        return self.message
