"""Reads of the schedule, one module per concern: ``schedule`` (what can be booked, a
workshop's runs and sessions, totals), ``store`` (search, filters, the month
calendar) and ``host_links``. Pages, the admin and commands ask here, not the ORM
directly; import from the module that names the concern."""
