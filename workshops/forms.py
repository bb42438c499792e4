from django import forms

from workshops.services import undated_name


class CloneRunForm(forms.Form):
    """What staff choose when cloning a run; ``workshops.services.run_clone`` checks it."""

    start_date = forms.DateField(
        label="New start date",
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Sessions keep their day offsets from the run's start.",
    )
    name = forms.CharField(label="Name of the new run", max_length=200, required=False)
    name_ar = forms.CharField(
        label="Arabic name",
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"dir": "rtl", "lang": "ar"}),
    )

    def __init__(self, *args, run, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        base = undated_name(run.name)
        self.fields["name"].help_text = f"Leave empty for “{base}” followed by the new start date."
        base_ar = undated_name(run.name_ar)
        self.fields["name_ar"].help_text = (
            f"Leave empty for “{base_ar}” followed by the new start date in Arabic."
            if base_ar
            else "This run has no Arabic name; leave empty for none."
        )
