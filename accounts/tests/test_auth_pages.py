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
