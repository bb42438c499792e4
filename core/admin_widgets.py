"""Admin pieces the apps share: forms that do not fail on junk input, and read-only
records."""

from __future__ import annotations

from django.contrib.admin.widgets import AutocompleteSelect, AutocompleteSelectMultiple
from django.core.exceptions import ValidationError
from django.db import models

from core.ids import parse_id


class _KeysOnly:
    """Django's autocomplete widget looks up the submitted values to show them again
    when the form comes back with errors; a value that is not a key ("abc", " ") would
    make that lookup raise. Here such values are dropped before the lookup."""

    def optgroups(self, name, value, attr=None):
        return super().optgroups(name, [item for item in value if self._is_key(item)], attr)

    def _is_key(self, item) -> bool:
        target = self.field.target_field
        if isinstance(target, models.IntegerField):
            return parse_id(str(item)) is not None  # a whole number the key can hold
        try:
            target.to_python(item)
        except (ValidationError, TypeError, ValueError):
            return False
        return True


class SafeAutocompleteSelect(_KeysOnly, AutocompleteSelect):
    pass


class SafeAutocompleteSelectMultiple(_KeysOnly, AutocompleteSelectMultiple):
    pass


class SafeAutocompleteAdmin:
    """A ModelAdmin mixin: its ``autocomplete_fields`` use the widgets above."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = SafeAutocompleteSelect(
                db_field, self.admin_site, using=kwargs.get("using")
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = SafeAutocompleteSelectMultiple(
                db_field, self.admin_site, using=kwargs.get("using")
            )
        return super().formfield_for_manytomany(db_field, request, **kwargs)


class ReadOnlyAdmin:
    """A model admin or inline whose rows staff read but never add, change or delete
    (records of what happened: chat logs, quarantined rows, audits)."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
