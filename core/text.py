"""Text as Studyhall compares it, in English and Arabic: case folded, Arabic
diacritics and tatweel removed, the letter forms people type interchangeably unified
(أ إ آ ٱ → ا, ة → ه, ى → ي). An Arabic word also stands for itself without the
prefixes it takes (ال, و, ب, ل, ...), an English one for itself without a plural ``s``.

The assistant matches questions with it, and the store's search applies it to both
the text it stores and the words a visitor types, so "خط" finds "الخط العربي".
"""

from __future__ import annotations

import re
import unicodedata

_ARABIC_MARKS = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640]")
_ARABIC_LETTERS = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ة": "ه", "ى": "ي"})
_ARABIC_PREFIXES = ("وال", "بال", "فال", "كال", "لل", "ال", "و", "ب", "ل", "ف")
# Letters and digits only: no underscore, nothing a full-text query would read as syntax.
_WORD = re.compile(r"[^\W_]+")


def normalise(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).casefold()
    return _ARABIC_MARKS.sub("", text).translate(_ARABIC_LETTERS)


def _is_arabic(word: str) -> bool:
    return "\u0600" <= word[0] <= "\u06ff"


def any_arabic(text: str) -> bool:
    """Whether ``text`` has an Arabic letter."""
    return any("\u0600" <= char <= "\u06ff" for char in text)


def forms(word: str) -> set[str]:
    """The word and the forms it may stand for: without an Arabic prefix, or without
    an English plural ``s``."""
    found = {word}
    if _is_arabic(word):
        for prefix in _ARABIC_PREFIXES:
            if word.startswith(prefix) and len(word) - len(prefix) >= 2:
                found.add(word[len(prefix) :])
    elif len(word) > 3 and word.endswith("s"):
        found.add(word[:-1])
    return found


def normalised_words(text: str) -> list[str]:
    """The words of ``text``, normalised, in order."""
    return _WORD.findall(normalise(text))


def search_document(*parts: str) -> str:
    """What the search stores for a text: every form of every word, space-separated, so
    a prefix of any form finds it."""
    seen: dict[str, None] = {}
    for part in parts:
        for word in normalised_words(part or ""):
            seen.update(dict.fromkeys(sorted(forms(word), key=len, reverse=True)))
    return " ".join(seen)
