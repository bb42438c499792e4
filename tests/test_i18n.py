"""English and Arabic: the visitor's language, an account's stored choice, content in
two languages, and numbers written for the page."""

from __future__ import annotations

import datetime

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from accounts.models import LanguagePreference
from core.i18n import arabic_indic_html, digits, in_language_of, language_of, localized
from core.tests.factories import UserFactory
from workshops.tests.factories import WorkshopFactory

COOKIE = settings.LANGUAGE_COOKIE_NAME


def _html_tag(response) -> str:
    content = response.content.decode()
    return content[content.index("<html") : content.index(">", content.index("<html")) + 1]


@pytest.mark.django_db
def test_a_browser_that_prefers_arabic_gets_a_right_to_left_arabic_page(client):
    response = client.get("/workshops/", HTTP_ACCEPT_LANGUAGE="ar-KW,ar;q=0.9,en;q=0.5")
    assert _html_tag(response) == '<html lang="ar" dir="rtl">'
    assert response["Content-Language"] == "ar"


@pytest.mark.django_db
def test_english_is_the_default_and_reads_left_to_right(client):
    assert _html_tag(client.get("/workshops/")) == '<html lang="en" dir="ltr">'
    french = client.get("/workshops/", HTTP_ACCEPT_LANGUAGE="fr-FR")
    assert _html_tag(french) == '<html lang="en" dir="ltr">'


@pytest.mark.django_db
def test_the_switcher_keeps_the_visitor_on_the_same_page_in_the_other_language(client):
    page = client.get("/workshops/?q=calligraphy")
    assert b'name="language" value="ar"' in page.content
    switched = client.post(
        reverse("set_language"), {"language": "ar", "next": "/workshops/?q=calligraphy"}
    )
    assert switched.status_code == 302 and switched["Location"] == "/workshops/?q=calligraphy"
    assert switched.cookies[COOKIE].value == "ar"
    back = client.get("/workshops/?q=calligraphy")
    assert _html_tag(back) == '<html lang="ar" dir="rtl">'
    assert b'name="language" value="en"' in back.content


@pytest.mark.django_db
def test_staff_switch_the_admin_on_the_same_page(client):
    from core.tests.factories import staff_user
    from workshops.tests.factories import WorkshopRunFactory

    WorkshopRunFactory(workshop__title="Robotics")  # a list with rows offers its actions
    staff = staff_user("workshops")
    client.force_login(staff)
    where = "/admin/workshops/workshoprun/?q=robotics"
    page = client.get(where)
    assert b'id="language-form"' in page.content
    assert b'name="language" value="ar"' in page.content
    switched = client.post(reverse("set_language"), {"language": "ar", "next": where})
    assert switched["Location"] == where
    back = client.get(where)
    assert back.context["LANGUAGE_CODE"] == "ar"
    assert b'name="language" value="en"' in back.content
    # Strings of Django's admin its own Arabic catalogue lacks (core/admin_strings.py).
    assert "- اختر خيارًا -" in back.text and "تنفيذ" in back.text
    assert LanguagePreference.objects.get(user=staff).language == "ar"


@pytest.mark.django_db
def test_the_switcher_refuses_other_sites_and_unknown_languages(client):
    elsewhere = client.post(
        reverse("set_language"), {"language": "ar", "next": "https://x.example/"}
    )
    assert elsewhere["Location"] == "/"
    unknown = client.post(reverse("set_language"), {"language": "xx", "next": "/"})
    assert COOKIE not in unknown.cookies
    assert client.get(reverse("set_language")).status_code == 405


@pytest.mark.django_db
def test_a_signed_in_choice_is_stored_and_followed_in_a_new_browser(client):
    from django.test import Client

    user = UserFactory(username="noor")
    client.force_login(user)
    client.post(reverse("set_language"), {"language": "ar", "next": "/"})
    assert LanguagePreference.objects.get(user=user).language == "ar"

    new_browser = Client(HTTP_ACCEPT_LANGUAGE="en")
    signed_in = new_browser.post(
        reverse("login"), {"username": "noor", "password": "correct horse battery"}
    )
    assert signed_in.cookies[COOKIE].value == "ar", "signing in brings the account's language"
    assert _html_tag(new_browser.get("/orders/")) == '<html lang="ar" dir="rtl">'
    # This browser's own choice is the account's from now on.
    new_browser.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert _html_tag(new_browser.get("/orders/")) == '<html lang="en" dir="ltr">'
    assert LanguagePreference.objects.get(user=user).language == "en"


@pytest.mark.django_db
def test_logging_in_remembers_the_language_being_read(client):
    user = UserFactory(username="huda")
    client.cookies[COOKIE] = "ar"
    client.post(reverse("login"), {"username": "huda", "password": "correct horse battery"})
    assert language_of(user) == "ar"
    assert language_of(UserFactory(), default="en") == "en"


def test_content_follows_the_page_language_and_falls_back_when_one_side_is_empty():
    both = WorkshopFactory.build(title="Calligraphy", title_ar="الخط العربي")
    english_only = WorkshopFactory.build(title="Pottery", title_ar="")
    arabic_only = WorkshopFactory.build(title="", title_ar="الفخار")
    assert localized(both, "title", "en") == "Calligraphy"
    assert localized(both, "title", "ar") == "الخط العربي"
    assert localized(english_only, "title", "ar") == "Pottery"
    assert localized(arabic_only, "title", "en") == "الفخار"
    with translation.override("ar"):
        assert localized(both, "title") == "الخط العربي"


def test_names_in_the_admin_and_in_select_boxes_follow_the_language_too():
    from tutoring.tests.factories import TutorPackageFactory
    from workshops.tests.factories import WorkshopRunFactory

    run = WorkshopRunFactory.build(
        workshop=WorkshopFactory.build(title="Calligraphy", title_ar="الخط العربي"),
        name="Spring",
        name_ar="الربيع",
    )
    package = TutorPackageFactory.build(name="Exam sprint", name_ar="سباق الامتحانات")
    assert (str(run), str(package)) == ("Calligraphy – Spring", "Exam sprint")
    with translation.override("ar"):
        assert (str(run), str(package)) == ("الخط العربي – الربيع", "سباق الامتحانات")


@pytest.mark.django_db
def test_an_email_is_written_in_its_readers_language():
    user = UserFactory()
    LanguagePreference.objects.create(user=user, language="ar")
    with in_language_of(user):
        assert translation.get_language() == "ar"
    with in_language_of(UserFactory()):
        assert translation.get_language() == "en"


def test_arabic_indic_digits_change_the_text_and_nothing_a_browser_follows_or_copies():
    html = (
        '<p title="Day 2">Day 2, 09:30 · <code>AB12CD</code> <a href="/orders/?page=2">3</a>'
        " 3G9ZJT8"
        '<input value="15"><script>var n = 4;</script><textarea>7</textarea></p>'
    )
    assert arabic_indic_html(html) == (
        '<p title="Day 2">Day ٢, ٠٩:٣٠ · <code>AB12CD</code> <a href="/orders/?page=2">٣</a>'
        " 3G9ZJT8"
        '<input value="15"><script>var n = 4;</script><textarea>7</textarea></p>'
    )


@pytest.mark.django_db
def test_arabic_pages_use_arabic_indic_digits_only_when_configured(client, settings):
    WorkshopFactory(title="Calligraphy", title_ar="الخط", slug="calligraphy", price=12)
    settings.STUDYHALL_ARABIC_DIGITS = False
    western = client.get("/workshops/calligraphy/", HTTP_ACCEPT_LANGUAGE="ar")
    assert "12" in western.content.decode()
    settings.STUDYHALL_ARABIC_DIGITS = True
    eastern = client.get("/workshops/calligraphy/", HTTP_ACCEPT_LANGUAGE="ar")
    assert "١٢" in eastern.content.decode()
    assert len(eastern.content) == int(eastern.get("Content-Length", len(eastern.content)))
    english = client.get("/workshops/calligraphy/")
    assert "١" not in english.content.decode()
    with translation.override("ar"):
        assert digits("12:30") == "١٢:٣٠"


@pytest.mark.django_db
def test_a_session_reads_date_comma_time_in_the_pages_own_punctuation(client):
    import re

    from workshops.tests.factories import WorkshopSessionFactory, run_around_today

    session = WorkshopSessionFactory(run=run_around_today())
    arabic = client.get(session.workshop.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="ar").text
    english = client.get(session.workshop.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en").text
    # The time range is one left-to-right piece on both (core.i18n.time_range_html).
    times = r'<bdi class="time-range" dir="ltr">\d\d:\d\d–\d\d:\d\d</bdi>'
    assert re.search(r"\d{4}، " + times, arabic) and not re.search(r"\d{4}, <bdi", arabic)
    assert re.search(r"\d{4}, " + times, english)
    # The calendar writes its ranges the same way, on one line.
    calendar = client.get(
        f"/workshops/calendar/?month={session.date:%Y-%m}", HTTP_ACCEPT_LANGUAGE="ar"
    ).text
    assert re.search(times, calendar)
    assert 'class="nowrap muted">' not in calendar


def test_prices_are_written_for_the_page_language(settings):
    from core.money import format_price

    settings.STUDYHALL_CURRENCY = "KWD"
    settings.STUDYHALL_ARABIC_DIGITS = False
    with translation.override("ar"):
        assert format_price(12) == "\u200f12.000\xa0د.ك.\u200f"
    settings.STUDYHALL_ARABIC_DIGITS = True
    with translation.override("ar"):
        assert format_price(12) == "\u200f١٢٫٠٠٠\xa0د.ك.\u200f"
    with translation.override("en"):
        assert format_price(12) == "KWD\xa012.000"
    settings.STUDYHALL_CURRENCY = "USD"
    settings.STUDYHALL_ARABIC_DIGITS = False
    with translation.override("ar"):  # the dollar sign stays after its letters
        assert format_price(15) == "\u200f15.00\xa0\u2066US$\u2069"
    settings.STUDYHALL_CURRENCY = "GBP"
    with translation.override("ar"):  # and so does the pound sign
        assert format_price(15) == "\u200f15.00\xa0\u2066UK£\u2069"
    settings.STUDYHALL_CURRENCY = "USD"
    with translation.override("en"):
        assert format_price(15) == "$15.00"


def test_dates_and_times_are_written_with_the_pages_month_names_and_comma(settings):
    from django.template import Context, Template

    settings.TIME_ZONE = "Asia/Kuwait"
    moment = datetime.datetime(2027, 2, 6, 15, 30, tzinfo=datetime.UTC)
    # Django's own date filter, in the site's time zone, with config/formats' short form.
    page = Template('{{ moment|date:"SHORT_DATETIME_FORMAT" }}')
    with translation.override("en"):
        assert page.render(Context({"moment": moment})) == "6 Feb 2027, 18:30"
    with translation.override("ar"):
        assert page.render(Context({"moment": moment})) == "6 فبراير 2027، 18:30"


@pytest.mark.django_db
def test_staff_edit_both_languages_side_by_side_and_read_which_one_students_see(client):
    from core.tests.factories import staff_user

    client.force_login(staff_user("workshops"))
    workshop = WorkshopFactory(title="Calligraphy", title_ar="الخط")
    page = client.get(reverse("admin:workshops_workshop_change", args=[workshop.pk]))
    html = page.content.decode()
    # One row holds the pair: Django's admin gives it both fields' class names.
    assert "field-title field-title_ar" in html
    assert "field-description field-description_ar" in html
    assert "Students see this on Arabic pages; when it is empty, they see the English one." in html
    assert 'name="title_ar"' in html and 'dir="rtl"' in html


def test_the_twin_filter_adds_the_arabic_name_to_english_pages_only():
    from core.templatetags.studyhall import local, twin

    both = WorkshopFactory.build(title="Calligraphy", title_ar="الخط")
    with translation.override("en"):
        assert local(both, "title") == "Calligraphy"
        assert twin(both, "title") == '<bdi class="twin" lang="ar" dir="rtl">الخط</bdi>'
    with translation.override("ar"):
        assert local(both, "title") == "الخط"
        assert twin(both, "title") == ""  # an Arabic page is wholly Arabic
    assert twin(WorkshopFactory.build(title="Pottery", title_ar=""), "title") == ""


def test_every_name_the_admin_shows_for_a_model_or_field_is_translated():
    """Staff read model and field names in the admin: each is given in the code as a
    translated string (``verbose_name``), never derived from the attribute, which would
    stay English on Arabic pages."""
    from django.apps import apps
    from django.utils.functional import Promise

    project = {"accounts", "workshops", "orders", "integrity", "tutoring", "assistant_chat"}
    models = [model for model in apps.get_models() if model._meta.app_label in project]
    plain = {
        model._meta.label_lower
        for model in models
        if not isinstance(model._meta.verbose_name, Promise)
        or not isinstance(model._meta.verbose_name_plural, Promise)
    }
    assert plain == set(), "give these models verbose_name and verbose_name_plural"
    derived = {
        f"{model._meta.label_lower}.{field.name}"
        for model in models
        for field in [*model._meta.local_fields, *model._meta.local_many_to_many]
        if not field.primary_key and not isinstance(field.verbose_name, Promise)
    }
    assert derived == set(), "give these fields a translated verbose_name"
    with translation.override("ar"):
        workshop_run = apps.get_model("workshops", "WorkshopRun")._meta
        assert str(workshop_run.verbose_name_plural) != "workshop runs"
        assert str(workshop_run.get_field("start_date").verbose_name) != "start date"
        assert str(apps.get_model("workshops", "HostSession")._meta.verbose_name) != "host link"


@pytest.mark.django_db
def test_the_password_reset_email_is_in_the_accounts_language(client, mailoutbox):
    user = UserFactory(email="reem@example.com")
    LanguagePreference.objects.create(user=user, language="ar")
    client.post(reverse("password_reset"), {"email": "reem@example.com"}, HTTP_ACCEPT_LANGUAGE="en")
    [email] = mailoutbox
    arabic = [ch for ch in email.subject + email.body if "\u0600" <= ch <= "\u06ff"]
    assert len(arabic) > 20, "the reset email is written in Arabic"


@pytest.mark.django_db
def test_the_calendar_feed_is_in_its_owners_language(client):
    from orders.services.booking import seat_book
    from orders.services.calendar_feeds import calendar_feed_turn_on
    from workshops.tests.factories import WorkshopSessionFactory

    session = WorkshopSessionFactory(
        run__workshop__title="Pottery", run__workshop__title_ar="الفخار"
    )
    owner = UserFactory()
    LanguagePreference.objects.create(user=owner, language="ar")
    seat_book(buyer=owner, workshop=session.workshop, session_id=session.pk)
    feed = calendar_feed_turn_on(user=owner)
    ics = client.get(reverse("orders:calendar_feed", args=[feed.token]), HTTP_ACCEPT_LANGUAGE="en")
    assert "الفخار" in ics.content.decode()
