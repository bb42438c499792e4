from django import forms
from django.utils.translation import gettext_lazy as _

from core.ids import MAX_ID, parse_id

CHOOSE = _("Choose a session from the list, or “Next available session”.")
NEXT = "next"


CHOOSE_PEOPLE = _("Choose who the seats are for from the list.")


class AttendeesField(forms.MultipleChoiceField):
    """``attendee``, repeated: user ids (who the seats are for). Which ids are allowed is
    the booking rule's to say (``orders.rules.attendee_refusal``); here only their shape."""

    def __init__(self, **kwargs) -> None:
        super().__init__(
            required=False,
            error_messages={"invalid_list": CHOOSE_PEOPLE, "invalid_choice": CHOOSE_PEOPLE},
            **kwargs,
        )

    def valid_value(self, value) -> bool:
        return parse_id(str(value)) is not None

    def clean(self, value) -> list[int]:
        values = super().clean(value)
        if len(values) > 20:
            raise forms.ValidationError(CHOOSE_PEOPLE)
        return [parse_id(str(item)) for item in values]


class BookingForm(forms.Form):
    """``session``: a session's id, or ``next`` for the next available session. Nothing
    chosen books nothing: a refused choice is never silently replaced."""

    session = forms.CharField(
        max_length=20, error_messages={"required": CHOOSE, "max_length": CHOOSE}
    )
    attendee = AttendeesField()

    def clean_session(self) -> int | None:
        """The chosen session's id, or ``None`` for the next available one."""
        value = self.cleaned_data["session"].strip()
        if value == NEXT:
            return None
        number = parse_id(value)
        if number is None:
            raise forms.ValidationError(CHOOSE)
        return number


class RunBookingForm(forms.Form):
    run = forms.IntegerField(
        min_value=1,
        max_value=MAX_ID,
        error_messages={
            key: _("Choose a run to book all of its days.")
            for key in ("required", "invalid", "min_value", "max_value")
        },
    )
    attendee = AttendeesField()


CHOOSE_SEAT = _("Choose a name from the roster.")


class CheckInForm(forms.Form):
    """A host's tap on a roster row: ``seat`` is the seat (order item) id; ``undo=1``
    undoes its check-in."""

    seat = forms.IntegerField(
        min_value=1,
        max_value=MAX_ID,
        error_messages={
            "required": CHOOSE_SEAT,
            "invalid": CHOOSE_SEAT,
            "min_value": CHOOSE_SEAT,
            "max_value": CHOOSE_SEAT,
        },
    )
    undo = forms.BooleanField(required=False)
