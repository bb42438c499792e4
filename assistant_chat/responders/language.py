"""Just enough language to recognise a question in English or Arabic.

Text is compared as normalised words (``core.text``: case folded, Arabic diacritics
and tatweel removed, letter forms unified; an Arabic word also matches without the
prefixes it takes).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from core.text import forms, normalise

__all__ = ["forms", "has_phrase", "mentions", "normalise", "shares_stem", "words"]

_WORD = re.compile(r"\w+")


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
