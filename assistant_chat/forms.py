from django import forms
from django.utils.translation import gettext_lazy as _

MAX_MESSAGE_LENGTH = 4000


class ChatMessageForm(forms.Form):
    """One question, from the chat page's form or the JSON API: the same rules for both."""

    message = forms.CharField(
        label=_("Your question"),
        max_length=MAX_MESSAGE_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2, "maxlength": MAX_MESSAGE_LENGTH}),
        error_messages={
            "required": _("Write a question first."),
            "max_length": _("Keep a question under 4,000 characters; this one has %(show_value)d."),
        },
    )
    session_id = forms.UUIDField(
        required=False,
        widget=forms.HiddenInput,
        error_messages={"invalid": "session_id must be a conversation id (a UUID)."},
    )
    client_message_id = forms.CharField(
        required=False,
        max_length=100,
        widget=forms.HiddenInput,
        error_messages={"max_length": "client_message_id is at most 100 characters long."},
    )

    def clean_client_message_id(self) -> str | None:
        return self.cleaned_data["client_message_id"] or None

    def first_error(self) -> tuple[str, str]:
        """The field and message of the first error, for the JSON API."""
        field, errors = next(iter(self.errors.items()))
        return field, errors[0]
