"""Host links: the private address from which an instructor takes one session's
attendance.

``host_session``: a host link points at an existing session, at most one link per
session (the one-to-one), and its token is unique, random and URL-safe.
"""

from __future__ import annotations

import datetime
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.links import absolute_url
from workshops.models.schedule import WorkshopSession

# URL-safe base64: what ``secrets.token_urlsafe`` writes. 22 characters carry 128 bits.
HOST_TOKEN_PATTERN = r"[A-Za-z0-9_-]{22,64}"
HOST_TOKEN_BYTES = 32  # 256 random bits, 43 characters
HOST_TOKEN_RULE = _("A host token is 22 to 64 URL-safe characters (at least 128 random bits).")


def new_host_token() -> str:
    """A fresh host token: random, never derived from ids, safe in a URL path."""
    return secrets.token_urlsafe(HOST_TOKEN_BYTES)


class HostSession(models.Model):
    """A host link: the private address from which an instructor takes one session's
    attendance without logging in. The token is the only key, so it is long and random,
    and rotating it makes the old address stop opening at once.

    ``host_session``: the link points at an existing session (the foreign key) and a
    session has at most one link (the one-to-one).
    """

    session = models.OneToOneField(
        WorkshopSession,
        on_delete=models.CASCADE,
        related_name="host_link",
        error_messages={"unique": _("This session already has a host link.")},
        verbose_name=_("session"),
    )
    token = models.CharField(
        max_length=64,
        default=new_host_token,
        editable=False,
        validators=[RegexValidator(f"^{HOST_TOKEN_PATTERN}$", HOST_TOKEN_RULE)],
        verbose_name=_("token"),
    )
    created_at = models.DateTimeField(
        default=timezone.now,
        editable=False,
        verbose_name=_("created at"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        help_text=_(
            "The staff member who made the link; empty when an operator made it with the "
            "provision_host command, or when that staff account was deleted."
        ),
        verbose_name=_("created by"),
    )
    rotated_at = models.DateTimeField(
        null=True,
        blank=True,
        editable=False,
        help_text=_("When the link was last rotated (the old address stopped opening then)."),
        verbose_name=_("rotated at"),
    )

    class Meta:
        verbose_name = _("host link")
        verbose_name_plural = _("host links")
        ordering = ["session__date", "session__start_time", "session_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["token"],
                name="host_session_token_unique",
                violation_error_message=_("Another host link already has this token."),
            ),
            models.CheckConstraint(
                condition=Q(token__regex=f"^{HOST_TOKEN_PATTERN}$"),
                name="host_session_token_format",
                violation_error_message=HOST_TOKEN_RULE,
            ),
        ]

    def __str__(self) -> str:
        return gettext("Host link for %(session)s") % {"session": self.session}

    def get_absolute_url(self) -> str:
        return reverse("host:roster", kwargs={"token": self.token})

    @property
    def public_url(self) -> str:
        """The full address to send to the host, from ``STUDYHALL_SITE_URL``."""
        return absolute_url(self.get_absolute_url())

    @property
    def issued_at(self) -> datetime.datetime:
        """When the current token was handed out: its last rotation, else its creation."""
        return self.rotated_at or self.created_at

    @property
    def expires_at(self) -> datetime.datetime:
        """``STUDYHALL_HOST_LINK_GRACE_HOURS`` after the later of the session's end and
        the token's issue, so rotating an expired link reopens it for late fixes."""
        grace = datetime.timedelta(hours=settings.STUDYHALL_HOST_LINK_GRACE_HOURS)
        return max(self.session.ends_at, self.issued_at) + grace

    @property
    def for_late_fixes(self) -> bool:
        """Issued (made or rotated) after its session ended: staff gave it out to fix
        attendance late, so its check-in is not closed at the end of the session's day."""
        return self.issued_at >= self.session.ends_at

    def opens_at(self, now: datetime.datetime | None = None) -> bool:
        """Whether the link opens its page at ``now``."""
        return (now or timezone.now()) < self.expires_at

    def clean(self) -> None:
        session = WorkshopSession.objects.filter(pk=self.session_id).first()
        if self.session_id is not None and session is None:
            raise ValidationError({"session": gettext("This session does not exist.")})
        if session is not None and session.cancelled_at is not None and self._state.adding:
            raise ValidationError({"session": gettext("A cancelled session gets no host link.")})
