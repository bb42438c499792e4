"""Just enough language to recognise a question in English or Arabic.

Text is compared as normalised words: case folded, Arabic diacritics and tatweel
removed, the letter forms people type interchangeably unified (أ إ آ → ا, ة → ه,
ى → ي). An Arabic word also matches without the prefixes it takes (ال, و, ب, ل, ...).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

_ARABIC_MARKS = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640]")
_ARABIC_LETTERS = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ة": "ه", "ى": "ي"})
_ARABIC_PREFIXES = ("وال", "بال", "فال", "كال", "لل", "ال", "و", "ب", "ل", "ف")
_WORD = re.compile(r"\w+")


def normalise(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).casefold()
    return _ARABIC_MARKS.sub("", text).translate(_ARABIC_LETTERS)


def _is_arabic(word: str) -> bool:
    return "\u0600" <= word[0] <= "\u06ff"


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


def words(text: str) -> set[str]:
    """Every form of every word in ``text``."""
    return {form for word in _WORD.findall(normalise(text)) for form in forms(word)}


def mentions(question_words: set[str], keywords: Iterable[str]) -> bool:
    """Whether any keyword (normalised like the question) is among the question's words."""
    return any(words(keyword) & question_words for keyword in keywords)


def has_phrase(text: str, phrases: Iterable[str]) -> bool:
    """Whether ``text`` contains one of ``phrases`` as whole words."""
    padded = f" {' '.join(_WORD.findall(normalise(text)))} "
    return any(f" {normalise(phrase)} " in padded for phrase in phrases)


def shares_stem(word: str, keyword: str) -> bool:
    """Equal, or one is a prefix of the other and the shorter has five letters or more
    (robot / robotics, paint / painting)."""
    if word == keyword:
        return True
    shorter, longer = sorted((word, keyword), key=len)
    return len(shorter) >= 5 and longer.startswith(shorter)
