"""Recording changes with their old and new values."""
from datetime import date, datetime


def _plain(value):
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def apply_changes(instance, changes: dict) -> dict:
    """Set the fields and return {field: [old, new]} for those that really changed."""
    diff = {}
    for field, new in changes.items():
        old = getattr(instance, field)
        if old != new:
            diff[field] = [_plain(old), _plain(new)]
            setattr(instance, field, new)
    return diff
