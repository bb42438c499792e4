"""What the schedule tells the apps above it, which it does not import.

``session_rescheduled``: staff changed a session's date or times. Sent inside the
transaction that saves the change, with ``session`` (as saved) and ``before`` (its
``date``, ``start_time`` and ``end_time`` until then), so what a receiver writes (the
emails to the session's buyers, ``orders/services/session_moves.py``) commits or rolls
back with the change.
"""

from django.dispatch import Signal

session_rescheduled = Signal()
