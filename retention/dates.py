"""Date arithmetic of retention, to the day. Pure functions, table-tested."""
import calendar
from datetime import date, timedelta


def add_years_months(start: date, years: int = 0, months: int = 0) -> date:
    """Calendar arithmetic; a day that does not exist in the target month becomes its last
    day (29 February + 1 year = 28 February)."""
    month_index = start.month - 1 + months
    year = start.year + years + month_index // 12
    month = month_index % 12 + 1
    day = min(start.day, calendar.monthrange(year, month)[1])
    return date(year, month, day)


def retention_end(trigger_date: date | None, *, offset_years: int = 0, years: int = 0,
                  months: int = 0, days: int = 0, year_end_cutoff: bool = False) -> date | None:
    """None while the trigger has not happened: no end date can be known yet."""
    if trigger_date is None:
        return None
    base = add_years_months(trigger_date, years=offset_years)
    end = add_years_months(base, years=years, months=months) + timedelta(days=days)
    if year_end_cutoff:
        end = date(end.year, 12, 31)
    return end
