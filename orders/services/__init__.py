"""The orders app's writes, one module per concern: ``booking``, ``cancellation``,
``checkin``, ``session_moves`` and ``calendar_feeds``. Import from the module that
names the concern; whether a booking is allowed is ``orders.rules``."""
