"""English dates as Studyhall's pages write them (4 Dec 2026, 18:40), so the admin's
own date columns read the same as the lists Studyhall formats itself. Input formats
stay Django's."""

DATE_FORMAT = "j M Y"
DATETIME_FORMAT = "j M Y, H:i"
TIME_FORMAT = "H:i"
SHORT_DATE_FORMAT = "j M Y"
SHORT_DATETIME_FORMAT = "j M Y, H:i"
