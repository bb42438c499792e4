"""Text as search and the assistant compare it (core.text)."""

import pytest

from core.text import forms, normalise, normalised_words, search_document


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("أحمد", "احمد"),
        ("إسلام", "اسلام"),
        ("آمنة", "امنه"),
        ("مصطفى", "مصطفي"),
        ("الخَطُّ", "الخط"),
        ("خـــط", "خط"),
        ("CALLIGRAPHY", "calligraphy"),
        ("ﻻ", "لا"),  # a presentation form, as some keyboards send it
    ],
)
def test_normalise_unifies_what_people_type_interchangeably(typed, expected):
    assert normalise(typed) == expected


def test_words_are_letters_and_digits_only():
    assert normalised_words("a:* & (b) 'c' x_y ١٢") == ["a", "b", "c", "x", "y", "١٢"]


def test_forms_drop_arabic_prefixes_and_english_plurals():
    assert forms("للمبتدئين") >= {"للمبتدئين", "مبتدئين"}
    assert forms("workshops") == {"workshops", "workshop"}
    assert forms("ال") == {"ال"}  # nothing left to stand for


def test_the_search_document_holds_every_form_once():
    document = search_document("Arabic Calligraphy", "الخطّ العربي", "Calligraphy")
    assert document.split().count("calligraphy") == 1
    assert {"خط", "الخط", "عربي"} <= set(document.split())
