"""Two languages, English and Arabic: which one a person reads, content written in
both, and numbers written for the page's language."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings
from django.utils import translation
from django.utils.html import format_html

ARABIC = "ar"
# Content fields come in pairs: ``title`` (English) and ``title_ar`` (Arabic).
ARABIC_SUFFIX = "_ar"
ARABIC_COMMA = "\u060c"
ARABIC_SEMICOLON = "\u061b"
_ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")


def time_range_html(start, end) -> str:
    """``18:00–20:00`` as HTML: on one line, read left to right on every page, Arabic
    included (isolated from the text around it), so the times never swap or wrap apart."""
    return format_html(
        '<bdi class="time-range" dir="ltr">{}–{}</bdi>', f"{start:%H:%M}", f"{end:%H:%M}"
    )


def current_language() -> str:
    return (translation.get_language() or settings.LANGUAGE_CODE).split("-")[0]


def localized(obj, field: str, language: str | None = None) -> str:
    """``obj``'s ``field`` in the page's language: ``title_ar`` on an Arabic page,
    ``title`` otherwise, each falling back to the other when it is empty."""
    english = getattr(obj, field, "") or ""
    arabic = getattr(obj, field + ARABIC_SUFFIX, "") or ""
    if (language or current_language()) == ARABIC:
        return arabic or english
    return english or arabic


def language_of(user, default: str | None = settings.LANGUAGE_CODE) -> str | None:
    """The language ``user`` chose (stored on their account), else ``default``."""
    preference = getattr(user, "language_preference", None)  # none: AttributeError
    return getattr(preference, "language", None) or default


@contextmanager
def in_language_of(user, default: str = settings.LANGUAGE_CODE) -> Iterator[None]:
    """Write an email (subject, body, dates) in the language its reader chose, else in
    ``default``."""
    with translation.override(language_of(user, default=default)):
        yield


def comma() -> str:
    """The comma of the page's language (، in Arabic)."""
    return ARABIC_COMMA if current_language() == ARABIC else ","


def semicolon() -> str:
    return ARABIC_SEMICOLON if current_language() == ARABIC else ";"


def uses_arabic_digits(language: str | None = None) -> bool:
    return settings.STUDYHALL_ARABIC_DIGITS and (language or current_language()) == ARABIC


def digits(text: str, language: str | None = None) -> str:
    """``text`` with Arabic-Indic digits where the page asks for them."""
    return text.translate(_ARABIC_INDIC) if uses_arabic_digits(language) else text


# Text between tags, outside elements whose content is code or a value someone types
# or copies (order references in <code>, scripts, styles, text areas).
_VERBATIM = re.compile(
    r"(<(script|style|code|textarea|pre)\b.*?</\2\s*>|<[^>]*>)", re.DOTALL | re.IGNORECASE
)


# A run of Latin letters and digits: converted only when it is all digits, so an order
# reference (36G9ZJT84) or a user name (sara2) stays as it is typed.
_WORD = re.compile(r"[A-Za-z0-9_]+")


def _number_in_arabic_indic(match: re.Match) -> str:
    word = match.group(0)
    return word.translate(_ARABIC_INDIC) if word.isdigit() else word


def arabic_indic_html(html: str) -> str:
    """An HTML page with the digits of its visible text in Arabic-Indic form; tags,
    attributes (links, values) and verbatim elements are left as they are."""
    parts = _VERBATIM.split(html)
    out = []
    skip = 0
    for index, part in enumerate(parts):
        if skip:
            skip -= 1
            continue
        if index % 3 == 0:
            out.append(_WORD.sub(_number_in_arabic_indic, part))
        else:
            out.append(part)
            skip = 1  # the group that named the verbatim element
    return "".join(out)
