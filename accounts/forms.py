from django import forms
from django.contrib.auth.forms import UserCreationForm
from django.contrib.auth.models import User


class SignupForm(UserCreationForm):
    email = forms.EmailField(
        required=False, help_text="Optional. Used only to reach you about your bookings."
    )

    class Meta(UserCreationForm.Meta):
        model = User
        fields = ("username", "email")
