from django import forms
from django.utils import timezone


class RepeatRunForm(forms.Form):
    start_date = forms.DateField(
        label="New start date",
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Sessions keep their day offsets from the run's start.",
    )
    name = forms.CharField(
        label="Name of the new run",
        max_length=200,
        required=False,
        help_text="Leave empty for the workshop title and the start date.",
    )
    name_ar = forms.CharField(label="Arabic name", max_length=200, required=False)

    def clean_start_date(self):
        start_date = self.cleaned_data["start_date"]
        if start_date < timezone.localdate():
            raise forms.ValidationError("The new run cannot start in the past.")
        return start_date
