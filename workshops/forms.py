import datetime
from decimal import Decimal

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from workshops.selectors.store import StoreQuery
from workshops.services import undated_name


class CloneRunForm(forms.Form):
    """What staff choose when cloning a run; ``workshops.services.run_clone`` checks it."""

    start_date = forms.DateField(
        label=_("New start date"),
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Sessions keep their day offsets from the run's start."),
    )
    name = forms.CharField(label=_("Name of the new run"), max_length=200, required=False)
    name_ar = forms.CharField(
        label=_("Arabic name"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"dir": "rtl", "lang": "ar"}),
    )

    def __init__(self, *args, run, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        base = undated_name(run.name)
        self.fields["name"].help_text = gettext(
            "Leave empty for “%(name)s” followed by the new start date."
        ) % {"name": base}
        base_ar = undated_name(run.name_ar)
        self.fields["name_ar"].help_text = (
            gettext("Leave empty for “%(name)s” followed by the new start date in Arabic.")
            % {"name": base_ar}
            if base_ar
            else gettext("This run has no Arabic name; leave empty for none.")
        )


SEARCH_MAX_LENGTH = 100
WHEN_CHOICES = [
    ("", _("Any time")),
    ("week", _("This week")),
    ("month", _("This month")),
    ("next-month", _("Next month")),
]
SORT_CHOICES = [("date", _("Next session")), ("price", _("Price")), ("title", _("Title"))]


class StoreFilterForm(forms.Form):
    """The store's URL parameters. A value that does not parse is reported and left
    out; the others still apply (``workshops.views.store``)."""

    q = forms.CharField(label=_("Search"), required=False)
    when = forms.ChoiceField(
        label=_("When"),
        choices=WHEN_CHOICES,
        required=False,
        error_messages={"invalid_choice": _("Choose this week, this month or next month.")},
    )
    max_price = forms.DecimalField(
        label=_("Price up to"),
        required=False,
        min_value=Decimal(0),
        max_value=Decimal("9999999.999"),
        widget=forms.NumberInput(attrs={"min": 0, "step": "any", "inputmode": "decimal"}),
        error_messages={
            "invalid": _("Enter an amount such as 50, or 0 for free workshops."),
            "min_value": _("Prices start at 0; enter 0 for free workshops."),
            "max_value": _("That amount is beyond any price here."),
        },
    )
    seats = forms.BooleanField(label=_("Seats available"), required=False)
    category = forms.SlugField(
        label=_("Category"),
        required=False,
        max_length=80,
        error_messages={"invalid": _("That is not a category; choose one of the chips.")},
    )
    sort = forms.ChoiceField(
        label=_("Sort by"),
        choices=SORT_CHOICES,
        required=False,
        error_messages={"invalid_choice": _("Sort by next session, price or title.")},
    )

    def __init__(self, *args, categories=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.categories = {category.slug: category for category in categories}
        # "from" and "to" are the parameters' names, not valid Python attributes.
        date_errors = {"invalid": _("Enter a date as YYYY-MM-DD, e.g. 2027-01-31.")}
        self.fields["from"] = forms.DateField(
            label=_("From"),
            required=False,
            input_formats=["%Y-%m-%d"],
            widget=forms.DateInput(attrs={"type": "date"}),
            error_messages=date_errors,
        )
        self.fields["to"] = forms.DateField(
            label=_("To"),
            required=False,
            input_formats=["%Y-%m-%d"],
            widget=forms.DateInput(attrs={"type": "date"}),
            error_messages=date_errors,
        )

    def clean_q(self) -> str:
        return self.cleaned_data["q"][:SEARCH_MAX_LENGTH].strip()

    def clean_category(self):
        slug = self.cleaned_data["category"]
        if not slug:
            return None
        if slug not in self.categories:
            raise forms.ValidationError(_("There is no such category; choose one of the chips."))
        return self.categories[slug]

    def clean(self):
        data = super().clean()
        start, end = data.get("from"), data.get("to")
        if start and end and end < start:
            self.add_error("to", _("The end date is before the start date."))
            data.pop("from", None)  # neither date applies: which one was meant?
        return data

    def store_query(self, today: datetime.date) -> StoreQuery:
        """The query from the values that parsed; ``when`` applies when no dates do."""
        data = self.cleaned_data
        start, end = data.get("from"), data.get("to")
        if start is None and end is None and data.get("when"):
            start, end = period(data["when"], today)
        return StoreQuery(
            search=data.get("q") or "",
            date_from=start,
            date_to=end,
            max_price=data.get("max_price"),
            seats=bool(data.get("seats")),
            category=data.get("category"),
            sort=data.get("sort") or "date",
        )


def period(when: str, today: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The dates of "this week" (Monday to Sunday), "this month" or "next month"."""
    if when == "week":
        monday = today - datetime.timedelta(days=today.weekday())
        return monday, monday + datetime.timedelta(days=6)
    first = today.replace(day=1)
    if when == "next-month":
        first = month_after(first)
    return first, month_after(first) - datetime.timedelta(days=1)


def month_after(first: datetime.date) -> datetime.date:
    return (first.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
