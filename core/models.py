"""Model behaviour shared by the domain apps (core defines no tables)."""

from __future__ import annotations

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models


class FormSafeValidation(models.Model):
    """``full_clean()`` that never names a field its form does not show.

    A model form passes the fields it does not edit as ``exclude``. When ``clean()``
    reports a rule on one of them (say a read-only field of a row that arrived
    broken), Django's form would raise ``ValueError``, a 500. Here such an error
    becomes one of the form's own errors, so the person still reads why.
    """

    class Meta:
        abstract = True

    def full_clean(self, exclude=None, validate_unique=True, validate_constraints=True):
        try:
            super().full_clean(exclude, validate_unique, validate_constraints)
        except ValidationError as error:
            if not exclude or not hasattr(error, "error_dict"):
                raise
            regrouped: dict[str, list] = {}
            for field, messages in error.error_dict.items():
                key = NON_FIELD_ERRORS if field in exclude else field
                regrouped.setdefault(key, []).extend(messages)
            raise ValidationError(regrouped) from None
