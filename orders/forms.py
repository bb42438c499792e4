from django import forms


class BookingForm(forms.Form):
    session = forms.IntegerField(
        required=False,
        min_value=1,
        error_messages={"invalid": "Choose a session from the list, or next available."},
    )
