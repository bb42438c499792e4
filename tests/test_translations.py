"""Every string of the project's own has an Arabic translation, and the compiled
catalogues (committed, so serving needs no gettext) match their sources."""

from __future__ import annotations

import contextlib
import gettext
import shutil
from pathlib import Path

import pytest
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from django.conf import settings
from django.core.management import call_command
from django.test import override_settings

LOCALE = Path(settings.BASE_DIR) / "locale"
# The same list as the Makefile's `make messages`. The assistant's script reads its
# texts from data- attributes its template translates, so there is no djangojs catalogue.
IGNORE = [
    ".venv/*", "var/*", "staticfiles/*", "tests/*", "*/tests/*", "bench/*", "static/vendor/*",
]  # fmt: skip
CATALOGUE = LOCALE / "ar" / "LC_MESSAGES" / "django.po"


def _catalog(path: Path):
    with path.open("rb") as po:
        return read_po(po, locale="ar")


@pytest.fixture(scope="module")
def extracted(tmp_path_factory) -> Path:
    """The project's strings as ``make messages`` would extract them today, merged into
    a copy of the committed catalogue. makemessages runs in a copy of the project's
    sources, so nothing in the project changes."""
    if shutil.which("xgettext") is None:
        pytest.fail("the translation test needs GNU gettext: apt-get install gettext", False)
    copy = tmp_path_factory.mktemp("project") / "studyhall"
    shutil.copytree(
        settings.BASE_DIR,
        copy,
        ignore=shutil.ignore_patterns(
            ".*", "var", "staticfiles", "node_modules", "*.egg-info", "__pycache__", "*.mo"
        ),
    )
    with override_settings(LOCALE_PATHS=[copy / "locale"]), contextlib.chdir(copy):
        call_command(
            "makemessages", locale=["ar"], no_location=True, ignore_patterns=IGNORE, verbosity=0
        )
    return copy / "locale" / "ar" / "LC_MESSAGES" / "django.po"


def test_every_string_has_an_arabic_translation(extracted):
    untranslated = [
        message.id
        for message in _catalog(extracted)
        if message.id
        and (
            message.fuzzy
            or not all(message.string if isinstance(message.string, tuple) else [message.string])
        )
    ]
    assert untranslated == [], (
        f"{len(untranslated)} string(s) without Arabic in django.po (run `make messages`, "
        f"translate them, run it again): {untranslated[:10]}"
    )


def test_the_extraction_found_the_projects_strings(extracted):
    """The control: the check above reads what makemessages found in the code."""
    ids = {message.id for message in _catalog(extracted)}
    assert {"My orders", "Confirm your booking", "workshop runs"} <= ids


def test_the_compiled_catalogue_matches_its_source(tmp_path):
    source = CATALOGUE
    compiled = source.with_suffix(".mo")
    assert compiled.exists(), f"{compiled.name} is missing: run `make messages`"
    expected = tmp_path / "expected.mo"
    with expected.open("wb") as mo:
        write_mo(mo, _catalog(source))
    with compiled.open("rb") as committed, expected.open("rb") as fresh:
        # Messages only: the header (key "") says who compiled it and when.
        found, wanted = (
            {key: text for key, text in gettext.GNUTranslations(mo)._catalog.items() if key}
            for mo in (committed, fresh)
        )
    assert found == wanted, f"{compiled.name} is older than {source.name}: run `make messages`"
