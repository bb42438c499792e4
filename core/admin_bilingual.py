"""Content written in two languages, as staff edit it: each English field beside its
Arabic one (``title`` and ``title_ar``), each saying which students see it."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from core.i18n import ARABIC_SUFFIX

ENGLISH_HELP = _(
    "Students see this on English pages, and on Arabic pages when the Arabic one is empty."
)
ARABIC_HELP = _("Students see this on Arabic pages; when it is empty, they see the English one.")


def _paired(fields, model) -> list:
    """``fields`` with each English field and its Arabic twin on one line."""
    names = {field.name for field in model._meta.get_fields()}
    paired = []
    for entry in fields:
        if not isinstance(entry, str):
            paired.append(entry)
        elif entry.endswith(ARABIC_SUFFIX) and entry.removesuffix(ARABIC_SUFFIX) in fields:
            continue  # goes beside its English field
        elif entry + ARABIC_SUFFIX in names and entry + ARABIC_SUFFIX in fields:
            paired.append((entry, entry + ARABIC_SUFFIX))
        else:
            paired.append(entry)
    return paired


class BilingualAdminMixin:
    """For a ``ModelAdmin`` (not an inline, whose rows are already one line each)."""

    def get_fieldsets(self, request, obj=None):
        return [
            (name, {**options, "fields": _paired(list(options["fields"]), self.model)})
            for name, options in super().get_fieldsets(request, obj)
        ]

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        label_help(form.base_fields)
        return form


class BilingualInlineMixin:
    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        label_help(formset.form.base_fields)
        return formset


def label_help(form_fields) -> None:
    """Say which students see each field of a pair; write the Arabic one right to left."""
    for name, field in form_fields.items():
        if name + ARABIC_SUFFIX in form_fields:
            field.help_text = ENGLISH_HELP
            field.widget.attrs.update({"dir": "ltr", "lang": "en"})
        elif name.endswith(ARABIC_SUFFIX) and name.removesuffix(ARABIC_SUFFIX) in form_fields:
            field.help_text = ARABIC_HELP
            field.widget.attrs.update({"dir": "rtl", "lang": "ar"})
