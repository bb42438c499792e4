"""How Studyhall names a person: one way, everywhere."""

from __future__ import annotations


def display_name(user) -> str:
    """A person as pages, emails, rosters and staff name them: their full name, else
    their login."""
    return user.get_full_name() or user.get_username()
