"""English dates that no reader can take for another day.

Django's English writes 03/12/2026 for 12 March: a merchant in Paris (or London) reading the
dashboard in English would read 3 December. The month is spelt out instead, and times run
to 24 hours, as in the French dashboard.
"""

DATE_FORMAT = "j F Y"
DATETIME_FORMAT = "j F Y, H:i"
TIME_FORMAT = "H:i"
SHORT_DATE_FORMAT = "j M Y"
SHORT_DATETIME_FORMAT = "j M Y, H:i"
