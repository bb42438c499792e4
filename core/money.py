"""Prices: one currency for the whole site (``STUDYHALL_CURRENCY``), stored with three
decimal places, entered and shown with the currency's own (KWD 3, USD 2, JPY 0), and
formatted for the active language by Babel."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from babel.numbers import format_currency, get_currency_precision, get_currency_symbol
from django import forms
from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import translation
from django.utils.translation import gettext

from core.i18n import digits, uses_arabic_digits

# Amounts are stored as numeric(10, 3): up to 9,999,999.999 in any currency with at most
# three decimal places, which is every currency in use but two units of account.
STORED_PLACES = 3
STORED_DIGITS = 10
NBSP = "\u00a0"
LRI, PDI = "\u2066", "\u2069"  # left-to-right isolate, and its end


def currency() -> str:
    return settings.STUDYHALL_CURRENCY


def currency_places(code: str | None = None) -> int:
    """How many decimal places the currency has (ISO 4217, from Babel's data)."""
    return get_currency_precision(code or currency())


def _locale() -> str:
    return translation.to_locale(translation.get_language() or settings.LANGUAGE_CODE)


def format_price(amount: Decimal | int | None) -> str:
    """``amount`` in the site's currency, as the active language writes it:
    ``KWD 45.500``, ``$45.00``; ``Free`` for nothing."""
    if not amount:
        return gettext("Free")
    code = currency()
    locale = _locale()
    arabic_digits = uses_arabic_digits()
    text = format_currency(
        amount,
        code,
        locale=locale,
        currency_digits=True,
        numbering_system="arab" if arabic_digits else "latn",
    )
    # CLDR's currency spacing: a symbol made of letters ("KWD") keeps a space from the
    # digits next to it; Babel leaves that to the caller.
    symbol = get_currency_symbol(code, locale=locale)
    at = text.find(symbol)
    if at != -1 and symbol[-1].isalpha():
        after = at + len(symbol)
        if after < len(text) and text[after].isdigit():
            text = f"{text[:after]}{NBSP}{text[after:]}"
        elif at > 0 and text[at - 1].isdigit():
            text = f"{text[:at]}{NBSP}{text[at:]}"
    # Right to left, a Latin symbol's trailing sign would take the page's direction and
    # jump to the other side of its letters ("$US"): isolate it as left to right.
    latin = any(c.isascii() and c.isalpha() for c in symbol)
    arabic = any("\u0600" <= c <= "\u06ff" for c in symbol)
    if at != -1 and latin and not arabic and locale == "ar":
        text = text.replace(symbol, f"{LRI}{symbol}{PDI}", 1)
    return digits(text) if arabic_digits else text


class PriceFormField(forms.DecimalField):
    """A price as staff type it: not negative, and with no more decimal places than
    the currency has (the step of the number input follows)."""

    def __init__(self, **kwargs) -> None:
        places = currency_places()
        kwargs.update(
            max_digits=STORED_DIGITS - STORED_PLACES + places,
            decimal_places=places,
            min_value=Decimal(0),
        )
        super().__init__(**kwargs)
        self.places = places
        self.help_text = self.help_text or gettext("In %(currency)s.") % {"currency": currency()}

    def _exact(self, value):
        """``value`` with the currency's places when that loses nothing (45.000 is
        45.00 in USD); else as it was, for the places check to refuse."""
        if not isinstance(value, Decimal) or not value.is_finite():
            return value
        try:
            quantized = value.quantize(Decimal(1).scaleb(-self.places))
        except InvalidOperation:  # more digits than the context holds: too large anyway
            return value
        return quantized if quantized == value else value

    def prepare_value(self, value):
        return self._exact(value)

    def to_python(self, value):
        return self._exact(super().to_python(value))


class PriceField(models.DecimalField):
    """An amount of money in the site's currency."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs["max_digits"] = STORED_DIGITS
        kwargs["decimal_places"] = STORED_PLACES
        kwargs.setdefault("validators", [MinValueValidator(0)])
        super().__init__(*args, **kwargs)

    def formfield(self, **kwargs):
        return super().formfield(**{"form_class": PriceFormField, **kwargs})
