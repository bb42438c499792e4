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
