"""Retention date arithmetic, to the day."""
from datetime import date

import pytest

from retention.dates import retention_end

CASES = [
    # trigger date, schedule, expected end, why
    (date(2024, 3, 5), dict(years=10, year_end_cutoff=True), date(2034, 12, 31),
     "closing + 10 years, cut-off at year end"),
    (date(2024, 3, 5), dict(years=10), date(2034, 3, 5), "closing + 10 years to the day"),
    (date(1951, 11, 3), dict(years=100), date(2051, 11, 3), "birth + 100 years"),
    (date(1990, 5, 17), dict(offset_years=30, years=70), date(2090, 5, 17),
     "30th birthday + 70 years"),
    (date(2000, 2, 29), dict(years=10), date(2010, 2, 28), "29 February into a common year"),
    (date(2000, 2, 29), dict(years=4), date(2004, 2, 29), "29 February into a leap year"),
    (date(2000, 2, 29), dict(offset_years=1, years=3), date(2004, 2, 28),
     "29 February, the offset lands on 28 February first"),
    (date(2023, 1, 31), dict(months=1), date(2023, 2, 28), "month end is clamped"),
    (date(2023, 11, 15), dict(months=3, days=20), date(2024, 3, 6), "months and days"),
    (date(2023, 12, 31), dict(days=1, year_end_cutoff=True), date(2024, 12, 31),
     "a day into the next year moves the cut-off a year on"),
    (None, dict(years=10, year_end_cutoff=True), None, "trigger not yet happened: no end"),
]


@pytest.mark.parametrize("trigger, schedule, expected, why", CASES, ids=[c[3] for c in CASES])
def test_retention_end(trigger, schedule, expected, why):
    assert retention_end(trigger, **schedule) == expected
