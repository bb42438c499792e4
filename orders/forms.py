from django import forms

from core.ids import MAX_ID

CHOOSE = "Choose a session from the list, or next available."


class BookingForm(forms.Form):
    session = forms.IntegerField(
        required=False,
        min_value=1,
        max_value=MAX_ID,
        error_messages={
            "invalid": CHOOSE,
            "min_value": CHOOSE,
            "max_value": CHOOSE,
        },
    )


CHOOSE_SEAT = "Choose a name from the roster."


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
