"""The schedule in the admin: ``schedule`` (workshops, runs, categories) and
``host_links``. The session admin lives in one place, ``orders/admin/sessions.py``,
where its seats are; it uses ``common``."""

from workshops.admin import host_links, schedule  # noqa: F401  (registers the admins)
