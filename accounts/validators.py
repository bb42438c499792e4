from django.core.exceptions import ValidationError


class MaximumLengthValidator:
    """Refuse passwords longer than ``max_length`` characters.

    Hashing cost grows with the length, so a megabyte "password" is a cheap way to
    keep a worker busy; nobody types more than a long passphrase.
    """

    def __init__(self, max_length: int = 128) -> None:
        self.max_length = max_length

    def validate(self, password: str, user=None) -> None:
        if len(password) > self.max_length:
            raise ValidationError(
                f"This password is too long: use {self.max_length} characters at most.",
                code="password_too_long",
            )

    def get_help_text(self) -> str:
        return f"Your password can have at most {self.max_length} characters."
