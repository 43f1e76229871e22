"""Where a period ends: § 64 SGG with §§ 187, 188 BGB. The day of the event (the receipt) does
not count; a period of months ends on the day of the last month that bears the receipt's
number, or on that month's last day when it has no such day (31 August + 6 months = 28 or 29
February); a period of days ends that many days after the receipt. An end on a Saturday,
Sunday or public holiday moves to the next working day (§ 64 Abs. 3 SGG). Public holidays
are those of the federal state in settings.DEADLINE_HOLIDAY_STATE (the `holidays` library)."""
import calendar
from datetime import date, timedelta
from functools import lru_cache

import holidays
from django.conf import settings


def months_added(start: date, months: int) -> date:
    month_index = start.month - 1 + months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


@lru_cache(maxsize=8)
def _holidays(state: str) -> holidays.HolidayBase:
    # Years are added as they are asked for; one calendar per state.
    return holidays.country_holidays("DE", subdiv=state)


def holiday_name(day: date, state: str | None = None) -> str:
    return _holidays(state or settings.DEADLINE_HOLIDAY_STATE).get(day) or ""


def is_working_day(day: date, state: str | None = None) -> bool:
    return day.weekday() < 5 and not holiday_name(day, state)


def next_working_day(day: date, state: str | None = None) -> date:
    while not is_working_day(day, state):
        day += timedelta(days=1)
    return day


def period_end(receipt: date, *, months: int = 0, days: int = 0,
               state: str | None = None) -> date:
    """The last day of the period that starts with a receipt on `receipt`: months first,
    then days, then moved off a weekend or holiday."""
    return next_working_day(months_added(receipt, months) + timedelta(days=days), state)
