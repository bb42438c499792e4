"""Arabic dates as Studyhall's pages write them (4 ديسمبر 2026، 18:40), with the
Arabic comma. Input formats stay Django's."""

DATE_FORMAT = "j F Y"
DATETIME_FORMAT = "j F Y، H:i"
TIME_FORMAT = "H:i"
SHORT_DATE_FORMAT = "j M Y"
SHORT_DATETIME_FORMAT = "j M Y، H:i"
