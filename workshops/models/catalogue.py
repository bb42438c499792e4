"""What the business offers: workshops, with their categories and the text the store
searches."""

from __future__ import annotations

from decimal import Decimal

from django.contrib.postgres.search import SearchVector
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.i18n import localized
from core.money import PriceField
from core.text import search_document


class Category(models.Model):
    """A kind of workshop (Art, Technology, ...): the store's chips filter by it."""

    name = models.CharField(
        max_length=80,
        unique=True,
        verbose_name=_("name"),
    )
    name_ar = models.CharField(_("Arabic name"), max_length=80, blank=True)
    slug = models.SlugField(
        max_length=80,
        unique=True,
        help_text=_("Its part of the store's address: ?category=…"),
        verbose_name=_("slug"),
    )
    position = models.PositiveSmallIntegerField(
        default=0,
        help_text=_("The store shows the chips in this order, then by name."),
        verbose_name=_("position"),
    )

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return self.name


# The full-text configuration of the store's search. 'simple' neither stems nor drops
# words, so it treats Arabic and English alike; core.text has already normalised both.
SEARCH_CONFIG = "simple"


def workshop_search_vector() -> SearchVector:
    """The expression the store searches, and the one its GIN index holds: the two must
    be the same for PostgreSQL to use the index."""
    return SearchVector("search_document", config=SEARCH_CONFIG)


class Workshop(models.Model):
    title = models.CharField(
        max_length=200,
        verbose_name=_("title"),
    )
    title_ar = models.CharField(_("Arabic title"), max_length=200, blank=True)
    slug = models.SlugField(
        max_length=200,
        unique=True,
        verbose_name=_("slug"),
    )
    description = models.TextField(
        blank=True,
        verbose_name=_("description"),
    )
    description_ar = models.TextField(_("Arabic description"), blank=True)
    default_capacity = models.PositiveIntegerField(
        _("default seats per session"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text=_("Seats given to new sessions. Empty means unlimited."),
    )
    price = PriceField(_("price per seat"), default=Decimal(0))
    is_active = models.BooleanField(
        _("active"),
        default=True,
        help_text=_("Inactive workshops are hidden and cannot be booked."),
    )
    category = models.ForeignKey(
        Category,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="workshops",
        help_text=_("The store's category chip it appears under."),
        verbose_name=_("category"),
    )
    # Titles and descriptions in both languages as the search compares them (core.text), kept
    # by save(); the store searches it with PostgreSQL's full text or, on SQLite, LIKE.
    search_document = models.TextField(
        blank=True,
        default="",
        editable=False,
        verbose_name=_("search document"),
    )
    created_at = models.DateTimeField(
        auto_now_add=True,
        verbose_name=_("created at"),
    )
    updated_at = models.DateTimeField(
        auto_now=True,
        verbose_name=_("updated at"),
    )

    class Meta:
        verbose_name = _("workshop")
        verbose_name_plural = _("workshops")
        ordering = ["title"]
        # On PostgreSQL, migration 0015 adds the GIN index ``workshop_search_idx`` on
        # ``workshop_search_vector()``; it is not declared here because SQLite has none.
        constraints = [
            models.CheckConstraint(
                condition=Q(price__gte=0),
                name="workshop_price_not_negative",
                violation_error_message=_("The price cannot be negative."),
            ),
            models.CheckConstraint(
                condition=Q(default_capacity__isnull=True) | Q(default_capacity__gte=1),
                name="workshop_default_capacity_positive",
                violation_error_message=_(
                    "Default seats must be at least 1, or empty for unlimited."
                ),
            ),
        ]

    # The fields the search reads, and addresses under /workshops/ that are store pages.
    SEARCHED_FIELDS = ("title", "title_ar", "description", "description_ar")
    RESERVED_SLUGS = frozenset({"calendar"})

    def __str__(self) -> str:
        return localized(self, "title")

    def save(self, *args, **kwargs) -> None:
        """Keeps ``search_document`` in step with the text it is made of."""
        self.refresh_search_document()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and set(update_fields) & set(self.SEARCHED_FIELDS):
            kwargs["update_fields"] = {*update_fields, "search_document"}
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("workshop", kwargs={"slug": self.slug})

    def clean(self) -> None:
        if self.slug in self.RESERVED_SLUGS:
            raise ValidationError(
                {"slug": f"“{self.slug}” is the address of a store page; choose another slug."}
            )

    def refresh_search_document(self) -> None:
        self.search_document = search_document(
            *(getattr(self, name) for name in self.SEARCHED_FIELDS)
        )
