"""Demo people: one password for every demo login, and the staff group."""

from __future__ import annotations

from django.contrib.auth.models import Group, Permission, User
from django.db import transaction
from django.db.models import F, QuerySet, Value
from django.db.models.functions import Concat

DEMO_PASSWORD = "studyhall-demo"
STAFF_GROUP = "Staff"
# Apps whose every permission the demo's staff group holds.
STAFF_APPS = ("workshops", "orders", "tutoring", "integrity", "assistant_chat", "emails")
STAFF_USER = ("staff", "Sara", "Haddad")
DEMO_DOMAIN = "@example.com"


def demo_users() -> QuerySet[User]:
    """The people the demo made (their address is their username at example.com)."""
    return User.objects.filter(email=Concat(F("username"), Value(DEMO_DOMAIN)))


def demo_user(username: str, first: str, last: str, *, staff: bool = False) -> User:
    """The demo user ``username``, created when missing, with the demo password."""
    user, _ = User.objects.get_or_create(
        username=username,
        defaults={"first_name": first, "last_name": last, "email": f"{username}{DEMO_DOMAIN}"},
    )
    # The printed logins must work even if someone changed a demo password.
    user.set_password(DEMO_PASSWORD)
    user.is_staff = staff
    user.save()
    return user


@transaction.atomic
def seed_staff() -> User:
    group, _ = Group.objects.get_or_create(name=STAFF_GROUP)
    group.permissions.set(Permission.objects.filter(content_type__app_label__in=STAFF_APPS))
    staff = demo_user(*STAFF_USER, staff=True)
    staff.groups.add(group)
    return staff
