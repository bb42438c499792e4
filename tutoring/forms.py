"""The request form. Who asks comes from the signed-in user's profiles, never from it."""

from __future__ import annotations

from dataclasses import fields

from django import forms
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from core.i18n import localized
from core.ids import MAX_ID
from core.money import format_price
from core.people import display_name
from tutoring.models import RequesterType, TutorProfile
from tutoring.selectors import Profiles
from tutoring.services import RequestDetails

CHOOSE_PACKAGE = _("Choose one of the packages listed, or none.")
CHOOSE_CHILD = _("Choose one of your children, or type a name.")


def _id_field(label: str, message: str, choices: list[tuple[str, str]]) -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        required=False,
        min_value=1,
        max_value=MAX_ID,
        widget=forms.Select(choices=choices),
        error_messages={"invalid": message, "min_value": message, "max_value": message},
    )


def _package_label(package) -> str:
    """A package as the request form lists it: name, sessions and price."""
    sessions = ngettext("%(count)d session", "%(count)d sessions", package.sessions_count) % {
        "count": package.sessions_count
    }
    return f"{localized(package, 'name')} · {sessions} · {format_price(package.price)}"


class RequestForm(forms.Form):
    requester_type = forms.ChoiceField(
        label=_("I am asking as"),
        choices=RequesterType.choices,
        widget=forms.RadioSelect,
        required=False,
    )
    package = forms.IntegerField()  # replaced per tutor in __init__
    child = forms.IntegerField()  # replaced per parent in __init__
    student_name = forms.CharField(
        label=_("Who the sessions are for"),
        max_length=255,
        required=False,
    )
    student_grade = forms.CharField(label=_("Grade"), max_length=50, required=False)
    preferred_schedule = forms.CharField(
        label=_("When suits you"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("e.g. weekday evenings after 5 pm"),
    )
    message = forms.CharField(
        label=_("Message to the tutor"),
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    contact_phone = forms.CharField(label=_("Phone"), max_length=32, required=False)
    contact_email = forms.EmailField(
        label=_("Email"),
        max_length=255,
        required=False,
        help_text=_("Leave empty for your account's."),
    )

    def __init__(self, *args, profiles: Profiles, tutor: TutorProfile, children=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.profiles = profiles
        packages = getattr(tutor, "offered_packages", [])
        if packages:
            self.fields["package"] = _id_field(
                gettext("Package"),
                CHOOSE_PACKAGE,
                [("", gettext("No package: just get in touch"))]
                + [(str(p.pk), _package_label(p)) for p in packages],
            )
        else:
            del self.fields["package"]
        if profiles.parent is not None and children:
            self.fields["child"] = _id_field(
                gettext("For my child"),
                CHOOSE_CHILD,
                [("", gettext("Someone else (type the name below)"))]
                + [(str(c.pk), display_name(c.user)) for c in children],
            )
        else:
            del self.fields["child"]
        self.fields["student_name"].help_text = self._who_help(
            profiles, has_children="child" in self.fields
        )
        held = profiles.requester_types
        if len(held) == 1:
            del self.fields["requester_type"]
        else:
            self.fields["requester_type"].required = True
            if not held:
                self.fields["requester_type"].label = gettext("I am a")
                self.fields["requester_type"].help_text = gettext(
                    "We ask once; you can request as either."
                )

    @staticmethod
    def _who_help(profiles: Profiles, *, has_children: bool) -> str:
        """What to write under "Who the sessions are for", by who is asking: a student
        may leave it empty for themselves, a parent for the child they chose."""
        student, parent = profiles.student is not None, profiles.parent is not None
        if not (student or parent):
            return gettext(
                "As a student, leave it empty for yourself; as a parent, type your child's name."
            )
        if student and parent:
            if has_children:
                return gettext(
                    "Leave empty for yourself, or for the child you chose; otherwise type "
                    "the student's name."
                )
            return gettext("Leave empty for yourself; for someone else, type their name.")
        if parent:
            if has_children:
                return gettext(
                    "Leave empty for the child you chose; otherwise type the student's name."
                )
            return gettext("The name of the student the sessions are for.")
        return gettext("Leave empty for yourself.")

    def details(self) -> RequestDetails:
        data = self.cleaned_data
        return RequestDetails(**{field.name: data[field.name] for field in fields(RequestDetails)})


class DeclineForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Say why you decline, so the requester knows.")},
    )
