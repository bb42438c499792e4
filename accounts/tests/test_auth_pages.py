import re

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from core.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_signup_creates_the_account_and_logs_in(client):
    response = client.post(
        reverse("signup"),
        {
            "username": "nadia",
            "email": "nadia@example.com",
            "password1": "a-long-enough-pass",
            "password2": "a-long-enough-pass",
            "role": "student",
        },
    )
    assert response.status_code == 302
    assert response.url == reverse("home")
    assert client.get(reverse("home")).context["user"].username == "nadia"


def test_signup_returns_to_where_the_visitor_was_going(client):
    response = client.post(
        reverse("signup") + "?next=/admin/",
        {
            "username": "nadia",
            "password1": "a-long-enough-pass",
            "password2": "a-long-enough-pass",
            "role": "student",
            "next": "/admin/",
        },
    )
    assert response.url == "/admin/"


def test_signup_ignores_a_next_that_leaves_the_site(client):
    response = client.post(
        reverse("signup"),
        {
            "username": "nadia",
            "password1": "a-long-enough-pass",
            "password2": "a-long-enough-pass",
            "role": "student",
            "next": "https://evil.example/",
        },
    )
    assert response.url == reverse("home")


def test_signup_explains_mismatched_passwords(client):
    response = client.post(
        reverse("signup"),
        {
            "username": "nadia",
            "password1": "a-long-enough-pass",
            "password2": "another-pass-1",
        },
    )
    assert response.status_code == 200
    assert "password2" in response.context["form"].errors
    assert not User.objects.filter(username="nadia").exists()


def test_login_and_logout(client):
    UserFactory(username="omar")
    response = client.post(
        reverse("login"), {"username": "omar", "password": "correct horse battery"}
    )
    assert response.status_code == 302
    assert client.post(reverse("logout")).status_code == 302
    assert not client.get(reverse("home")).context["user"].is_authenticated


def test_login_with_a_wrong_password_is_explained(client):
    UserFactory(username="omar")
    response = client.post(reverse("login"), {"username": "omar", "password": "nope"})
    assert response.status_code == 200
    assert "Please enter a correct username and password" in response.text


@pytest.mark.parametrize("name", ["login", "signup", "home"])
def test_pages_render_with_the_vendored_stylesheet(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 200
    assert "/static/vendor/pico/pico.min.css" in response.text
    assert not re.search(r'(href|src)="(https?:)?//', response.text)


def test_the_login_page_links_to_password_reset(client):
    assert reverse("password_reset") in client.get(reverse("login")).text
    assert "Forgot your password?" in client.get(reverse("login")).text


def test_a_password_reset_email_arrives_and_its_link_sets_a_new_password(client, mailoutbox):
    UserFactory(username="omar", email="omar@example.com")
    response = client.post(reverse("password_reset"), {"email": "omar@example.com"})
    assert response.status_code == 302
    [email] = mailoutbox
    assert email.to == ["omar@example.com"]
    link = re.search(r"https?://[^/\s]+(/accounts/reset/\S+/)", email.body).group(1)
    form_page = client.get(link, follow=True)
    assert "Choose a new password" in form_page.text
    done = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": "a-brand-new-pass-9", "new_password2": "a-brand-new-pass-9"},
        follow=True,
    )
    assert "Password saved" in done.text
    assert client.login(username="omar", password="a-brand-new-pass-9")


def test_the_reset_link_is_on_the_public_site_whatever_host_the_request_named(
    client, mailoutbox, settings
):
    settings.STUDYHALL_SITE_URL = "https://studyhall.example.org"
    settings.ALLOWED_HOSTS = ["internal.local"]
    UserFactory(username="omar", email="omar@example.com")
    client.post(
        reverse("password_reset"), {"email": "omar@example.com"}, HTTP_HOST="internal.local"
    )
    [email] = mailoutbox
    assert "https://studyhall.example.org/accounts/reset/" in email.body
    assert "internal.local" not in email.body


def test_a_reset_for_an_unknown_address_says_the_same_and_sends_nothing(client, mailoutbox):
    response = client.post(reverse("password_reset"), {"email": "nobody@example.com"}, follow=True)
    assert "Check your email" in response.text
    assert mailoutbox == []


def test_a_signed_in_user_changes_their_password(client):
    user = UserFactory(username="omar")
    client.force_login(user)
    response = client.post(
        reverse("password_change"),
        {
            "old_password": "correct horse battery",
            "new_password1": "another-long-pass-7",
            "new_password2": "another-long-pass-7",
        },
        follow=True,
    )
    assert "Password changed" in response.text
    user.refresh_from_db()
    assert user.check_password("another-long-pass-7")


def test_password_change_needs_login(client):
    response = client.get(reverse("password_change"))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_a_password_over_128_characters_is_refused_with_a_message(client):
    long = "x7!" * 43 + "z"  # 130 characters
    response = client.post(
        reverse("signup"),
        {"username": "nadia", "password1": long, "password2": long, "role": "student"},
    )
    assert response.status_code == 200
    assert "This password is too long: use 128 characters at most." in response.text
    assert not User.objects.filter(username="nadia").exists()


def test_signup_and_logout_each_say_what_happened(client):
    response = client.post(
        reverse("signup"),
        {
            "username": "nadia",
            "password1": "a-long-enough-pass",
            "password2": "a-long-enough-pass",
            "role": "parent",
        },
        follow=True,
    )
    assert "Welcome, nadia. Your account is ready." in response.text
    response = client.post(reverse("logout"), follow=True)
    assert "You are logged out." in response.text


def test_a_long_username_is_cut_in_the_header_not_the_layout(client):
    user = UserFactory(username="a" * 150)
    client.force_login(user)
    text = client.get(reverse("home")).text
    assert f'class="username secondary" title="{"a" * 150}: change your password"' in text
