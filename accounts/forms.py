from django import forms
from django.contrib.auth.forms import UserCreationForm
from django.contrib.auth.models import User
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from tutoring.models import RequesterType
from tutoring.services import profile_create


class SignupForm(UserCreationForm):
    email = forms.EmailField(
        label=_("Email"),
        required=False,
        help_text=_("Optional. Used only to reach you about your bookings."),
    )
    role = forms.ChoiceField(
        label=_("I am a"),
        choices=RequesterType.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose whether you are a student or a parent.")},
    )

    class Meta(UserCreationForm.Meta):
        model = User
        fields = ("username", "email")

    def save(self, commit: bool = True) -> User:
        """The account and its student or parent profile, together or not at all."""
        with transaction.atomic():
            user = super().save(commit=commit)
            if commit:
                profile_create(user=user, role=self.cleaned_data["role"])
        return user
