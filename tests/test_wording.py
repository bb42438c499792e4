"""Sentences are translated whole: no possessive is built by gluing "'s" to a name
("Chess for Beginners's"), which neither English nor Arabic can get right."""

import re
from pathlib import Path

from django.conf import settings

CATALOGUE = Path(settings.BASE_DIR) / "locale" / "ar" / "LC_MESSAGES" / "django.po"
# A placeholder followed by 's: %(title)s's, {{ name }}'s, %s's
GLUED_POSSESSIVE = re.compile(r"(%\(\w+\)s|\{\{[^}]*\}\}|%s)['’]s\b")


def messages(text: str) -> list[str]:
    """Every msgid and msgid_plural of a .po file, their continued lines joined."""
    found: list[list[str]] = []
    current: list[str] | None = None
    for line in text.splitlines():
        match = re.match(r'^msgid(?:_plural)? "(.*)"$', line)
        if match:
            current = [match.group(1)]
            found.append(current)
        elif line.startswith('"') and current is not None:
            current.append(line[1:-1])
        else:
            current = None
    return ["".join(parts) for parts in found]


def test_no_message_glues_a_possessive_onto_a_name():
    glued = [text for text in messages(CATALOGUE.read_text()) if GLUED_POSSESSIVE.search(text)]
    assert glued == []


def test_the_check_catches_a_glued_possessive():
    assert GLUED_POSSESSIVE.search("That session is not one of %(title)s's")
    assert GLUED_POSSESSIVE.search("{{ name }}'s seat")
    assert not GLUED_POSSESSIVE.search("the buyer's seat")
