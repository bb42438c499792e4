from django import forms


class CloneRunForm(forms.Form):
    """What staff choose when cloning a run; ``workshops.services.run_clone`` checks it."""

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
