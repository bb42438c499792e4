"""Domain errors: a rule said no. Views show the message; commands exit 2 with it."""


class DomainError(Exception):
    """A request the domain refuses, with a message meant for the person who made it."""

    code = "refused"

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code

    def __str__(self) -> str:
        return self.message
