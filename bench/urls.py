"""The application's URLs plus the baseline endpoint, for the benchmark only."""

from django.urls import path

from bench.raw_views import raw_book
from config.urls import handler500  # noqa: F401  (the same error pages as the application)
from config.urls import urlpatterns as application_urls

urlpatterns = [
    path("bench/raw-book/", raw_book, name="bench-raw-book"),
    *application_urls,
]
