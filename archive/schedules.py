"""The retention schedules a file plan unit may name.

The schedules themselves belong to the retention app, which the kernel may not import. So the
kernel owns the question ("does this schedule exist?") and the retention app answers it by
registering a lookup in its AppConfig.ready. A foreign key was not an option without moving the
schedule model into the kernel; a bare string without a lookup is what let "10 Jahre" through.
Without a registered lookup no schedule is known, so nothing can be filed: failing closed keeps
case files from being created without retention."""
from collections.abc import Callable

from django.utils.translation import gettext as _

from .errors import InvalidInput

# Returns {key: human name} of every schedule that exists now.
ScheduleLookup = Callable[[], dict[str, str]]
_lookup: ScheduleLookup | None = None


def schedule_lookup_register(lookup: ScheduleLookup) -> None:
    global _lookup
    _lookup = lookup


def schedule_choices() -> list[tuple[str, str]]:
    """(key, label) of every known schedule, for selects and listings."""
    if _lookup is None:
        return []
    return sorted(_lookup().items())


def schedule_exists(key: str) -> bool:
    return bool(key) and _lookup is not None and key in _lookup()


def schedule_require(key: str) -> str:
    """The key, or a refusal naming what is wrong."""
    key = (key or "").strip()
    if not key:
        raise InvalidInput(_("Bitte wählen Sie eine Aufbewahrungsfrist aus."),
                           code="PLAN_SCHEDULE_MISSING")
    if not schedule_exists(key):
        raise InvalidInput(_("Die Aufbewahrungsfrist „%(key)s“ gibt es nicht. Bitte wählen Sie "
                             "eine vorhandene Aufbewahrungsfrist aus.") % {"key": key},
                           code="PLAN_SCHEDULE_UNKNOWN")
    return key
