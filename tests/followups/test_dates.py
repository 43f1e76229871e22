"""Where a period ends (§ 64 SGG, §§ 187, 188 BGB): month ends, leap years, weekends and
public holidays. Expected ends are written out from the calendar, not computed."""
from datetime import date

import pytest

from followups.dates import is_working_day, months_added, period_end

CASES = [
    # receipt, months, days, state, end, why
    (date(2027, 8, 31), 6, 0, "BY", date(2028, 2, 29), "31 Aug + 6 months: end of a leap February"),
    (date(2026, 8, 31), 6, 0, "BY", date(2027, 3, 1),
     "end of February 2027 is a Sunday: next working day"),
    (date(2025, 8, 29), 6, 0, "BY", date(2026, 3, 2), "28 Feb 2026 is a Saturday"),
    (date(2024, 1, 31), 1, 0, "BY", date(2024, 2, 29), "31 Jan + 1 month in a leap year"),
    (date(2099, 8, 31), 6, 0, "BY", date(2100, 3, 1),
     "2100 is no leap year; 28 Feb 2100 is a Sunday"),
    (date(2026, 3, 15), 6, 0, "BY", date(2026, 9, 15), "same day number, a Tuesday"),
    (date(2026, 10, 6), 3, 0, "BY", date(2027, 1, 7), "6 Jan (Epiphany) is a holiday in Bavaria"),
    (date(2026, 10, 6), 3, 0, "BE", date(2027, 1, 6), "... and a working day in Berlin"),
    (date(2026, 12, 26), 3, 0, "BY", date(2027, 3, 30),
     "Good Friday, the weekend and Easter Monday 2027"),
    (date(2026, 12, 20), 0, 14, "BY", date(2027, 1, 4), "14 days end on a Sunday"),
    (date(2026, 5, 1), 1, 0, "BY", date(2026, 6, 1),
     "received on a public holiday: the period still starts that day"),
    (date(2026, 10, 3), 0, 14, "BY", date(2026, 10, 19),
     "received on German Unity Day (a Saturday); 17 Oct is a Saturday"),
    (date(2026, 1, 31), 1, 3, "BY", date(2026, 3, 3), "months first (28 Feb), then 3 days"),
]


@pytest.mark.parametrize(("receipt", "months", "days", "state", "end", "why"), CASES,
                         ids=[case[-1] for case in CASES])
def test_period_end(receipt, months, days, state, end, why):
    assert period_end(receipt, months=months, days=days, state=state) == end, why


def test_month_arithmetic_keeps_the_day_where_the_month_has_it():
    assert months_added(date(2026, 1, 30), 1) == date(2026, 2, 28)
    assert months_added(date(2026, 11, 30), 3) == date(2027, 2, 28)
    assert months_added(date(2026, 5, 31), 12) == date(2027, 5, 31)


def test_holidays_follow_the_configured_state(settings):
    # Corpus Christi 2027 (27 May) is a holiday in Bavaria, not in Berlin.
    settings.DEADLINE_HOLIDAY_STATE = "BY"
    assert not is_working_day(date(2027, 5, 27))
    settings.DEADLINE_HOLIDAY_STATE = "BE"
    assert is_working_day(date(2027, 5, 27))
