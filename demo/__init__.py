"""Demo data behind ``manage.py seed_demo``.

The one app that may import every other: each domain app adds its part of the
demo here, in a module of its own, and the command runs them in order.
"""
