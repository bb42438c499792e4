"""The names Django derives from the code (a model's class name, a field's attribute:
"workshop run", "start date") are plain English strings, and staff read them in the
admin. They are listed here, so ``make messages`` extracts them for translation, and
wrapped at start-up (``CoreConfig.ready``), so they follow the page's language.

Django records a name given in the code in the model's migrations, but not one it
derives; wrapping at start-up keeps it that way, and migrations stay as they are.
``tests/test_i18n.py`` fails when a model or field gains a derived name not listed.
"""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy, gettext_noop

# A model's name, singular and plural, by its label.
MODEL_NAMES = {
    "accounts.languagepreference": (
        gettext_noop("language preference"),
        gettext_noop("language preferences"),
    ),
    "workshops.category": (gettext_noop("category"), gettext_noop("categories")),
    "workshops.workshop": (gettext_noop("workshop"), gettext_noop("workshops")),
    "workshops.workshoprun": (gettext_noop("workshop run"), gettext_noop("workshop runs")),
    "workshops.workshopsession": (
        gettext_noop("workshop session"),
        gettext_noop("workshop sessions"),
    ),
    "workshops.hostsession": (gettext_noop("host link"), gettext_noop("host links")),
    "orders.order": (gettext_noop("order"), gettext_noop("orders")),
    "orders.orderitem": (gettext_noop("order item"), gettext_noop("order items")),
    "orders.calendarfeed": (gettext_noop("calendar feed"), gettext_noop("calendar feeds")),
    "integrity.quarantinedrow": (gettext_noop("quarantined row"), gettext_noop("quarantined rows")),
    "integrity.integrityaudit": (gettext_noop("integrity audit"), gettext_noop("integrity audits")),
    "tutoring.tutorprofile": (gettext_noop("tutor profile"), gettext_noop("tutor profiles")),
    "tutoring.studentprofile": (gettext_noop("student profile"), gettext_noop("student profiles")),
    "tutoring.parentprofile": (gettext_noop("parent profile"), gettext_noop("parent profiles")),
    "tutoring.familylink": (gettext_noop("child"), gettext_noop("children")),
    "tutoring.tutorpackage": (gettext_noop("tutor package"), gettext_noop("tutor packages")),
    "tutoring.sessionrequest": (gettext_noop("session request"), gettext_noop("session requests")),
    "assistant_chat.chatsession": (gettext_noop("chat session"), gettext_noop("chat sessions")),
    "assistant_chat.chatmessage": (gettext_noop("chat message"), gettext_noop("chat messages")),
}

FIELD_NAMES = frozenset(
    {
        gettext_noop("bio"),
        gettext_noop("buyer"),
        gettext_noop("cancelled at"),
        gettext_noop("capacity"),
        gettext_noop("category"),
        gettext_noop("checked at"),
        gettext_noop("checked in at"),
        gettext_noop("child"),
        gettext_noop("children"),
        gettext_noop("client message id"),
        gettext_noop("contact email"),
        gettext_noop("contact phone"),
        gettext_noop("content"),
        gettext_noop("created at"),
        gettext_noop("created by"),
        gettext_noop("data"),
        gettext_noop("date"),
        gettext_noop("decline reason"),
        gettext_noop("description"),
        gettext_noop("end date"),
        gettext_noop("end time"),
        gettext_noop("grade"),
        gettext_noop("headline"),
        gettext_noop("hourly rate"),
        gettext_noop("invariants"),
        gettext_noop("last message at"),
        gettext_noop("message"),
        gettext_noop("message count"),
        gettext_noop("metadata"),
        gettext_noop("name"),
        gettext_noop("number"),
        gettext_noop("ok"),
        gettext_noop("order"),
        gettext_noop("package"),
        gettext_noop("package name"),
        gettext_noop("parent"),
        gettext_noop("partial"),
        gettext_noop("position"),
        gettext_noop("preferred schedule"),
        gettext_noop("price"),
        gettext_noop("reason"),
        gettext_noop("reference"),
        gettext_noop("reply to"),
        gettext_noop("requester type"),
        gettext_noop("responded at"),
        gettext_noop("restored at"),
        gettext_noop("role"),
        gettext_noop("rotated at"),
        gettext_noop("run"),
        gettext_noop("search document"),
        gettext_noop("seats taken"),
        gettext_noop("seconds"),
        gettext_noop("sequence"),
        gettext_noop("session"),
        gettext_noop("slug"),
        gettext_noop("source table"),
        gettext_noop("start date"),
        gettext_noop("start time"),
        gettext_noop("status"),
        gettext_noop("student"),
        gettext_noop("student grade"),
        gettext_noop("student name"),
        gettext_noop("subjects"),
        gettext_noop("title"),
        gettext_noop("token"),
        gettext_noop("tutor"),
        gettext_noop("updated at"),
        gettext_noop("user"),
        gettext_noop("violations"),
        gettext_noop("visitor key"),
        gettext_noop("workshop"),
    }
)


def derived_field_names(model) -> list:
    """``model``'s fields whose names Django derived from the attribute."""
    fields = [*model._meta.local_fields, *model._meta.local_many_to_many]
    return [field for field in fields if field._verbose_name is None and not field.primary_key]


def translate_derived_names(models) -> None:
    for model in models:
        opts = model._meta
        singular, plural = MODEL_NAMES.get(opts.label_lower, (None, None))
        # A name given in the code as a plain string is translated the same way.
        if singular and not isinstance(opts.verbose_name, Promise):
            opts.verbose_name = gettext_lazy(singular)
        if plural and "verbose_name_plural" not in opts.original_attrs:
            opts.verbose_name_plural = gettext_lazy(plural)
        for field in derived_field_names(model):
            if field.verbose_name in FIELD_NAMES:
                field.verbose_name = gettext_lazy(field.verbose_name)
