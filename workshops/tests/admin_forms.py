"""Admin forms as staff submit them."""


def session_form(session, **changes) -> dict:
    """A session's change form, filled with its values, then ``changes``."""
    data = {
        "workshop": session.workshop_id,
        "run": session.run_id,
        "number": session.number,
        "date": session.date.isoformat(),
        "start_time": "09:00",
        "end_time": "12:00",
        "capacity": session.capacity or "",
        "cancelled_at_0": "",
        "cancelled_at_1": "",
        "metadata": "{}",
    }
    data.update(changes)
    return data
