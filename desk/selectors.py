"""The desk drawn for one user: every registered source asked once, entries checked against
the scope, sorted into sections (the user's own, the unit's unassigned), each deputy's item
marked and opened with the purpose "Vertretung für …"."""
from dataclasses import dataclass, field
from datetime import date, datetime, time
from urllib.parse import urlencode

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from archive.desk_sources import DeskEntry, DeskScope, desk_sources
from archive.permissions import principals_memo

from .models import DeskPreference
from .scope import desk_scope

SECTIONS = {
    "new_post": _("Neue Post in Ihren Akten"),
    "handed": _("An Sie abgegeben"),
    "follow_up": _("Wiedervorlagen"),
    "signoff": _("Mitzeichnung und Schlusszeichnung"),
    "deadline": _("Fristen"),
}


@dataclass(frozen=True)
class DeskItem:
    entry: DeskEntry
    url: str                 # the entry's url, with the deputy's purpose where it applies
    deputising_for: str      # the absent colleague's name, or ""
    new: bool                # appeared since the user's last visit of the desk


@dataclass
class Section:
    kind: str
    label: str
    items: list[DeskItem] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.items)


@dataclass
class Desk:
    scope: DeskScope
    own: list[Section]
    unit: list[Section]

    @property
    def items(self) -> list[DeskItem]:
        return [item for section in (*self.own, *self.unit) for item in section.items]

    @property
    def total(self) -> int:
        return len(self.items)

    @property
    def new_count(self) -> int:
        return sum(item.new for item in self.items)

    def counts(self) -> dict[str, dict[str, int]]:
        return {"own": {s.kind: s.count for s in self.own},
                "unit": {s.kind: s.count for s in self.unit}}


def _with_purpose(url: str, name: str) -> str:
    return f"{url}{'&' if '?' in url else '?'}{urlencode({'zweck': f'Vertretung für {name}'})}"


def _appeared(entry: DeskEntry):
    """When the item came onto the desk: made, or the start of its due day if later."""
    moments = [entry.created_at] if entry.created_at else []
    if entry.due:
        moments.append(timezone.make_aware(datetime.combine(entry.due, time.min)))
    return max(moments) if moments else None


def _belongs(entry: DeskEntry, scope: DeskScope) -> bool:
    """A source answers for the scope; this holds it to it (no one else's items)."""
    if entry.for_user_id is not None:
        return entry.for_user_id in scope.user_ids
    return entry.unit_id is not None and entry.unit_id in scope.unit_ids


def _order(item: DeskItem):
    entry = item.entry
    stamp = entry.created_at.timestamp() if entry.created_at else 0.0
    return (not entry.overdue, entry.due is None, entry.due or date.max, -stamp, entry.key)


def desk_collect(user, today=None) -> Desk:
    # Every source trims through the archive's selectors: the user's principals once for all.
    with principals_memo():
        return _desk_collect(user, today)


def _desk_collect(user, today=None) -> Desk:
    scope = desk_scope(user, today)
    visited = (DeskPreference.objects.filter(user=user).values_list("visited_at", flat=True)
               .first())
    own = {kind: Section(kind, label) for kind, label in SECTIONS.items()}
    unit = {kind: Section(kind, label) for kind, label in SECTIONS.items()}
    for _kind, source in sorted(desk_sources().items()):
        for entry in source(scope):
            if not _belongs(entry, scope):
                continue
            name = scope.deputising_for.get(entry.for_user_id, "")
            appeared = _appeared(entry)
            item = DeskItem(entry=entry, url=_with_purpose(entry.url, name) if name else entry.url,
                            deputising_for=name,
                            new=visited is None or (appeared is not None and appeared > visited))
            sections = own if entry.for_user_id is not None else unit
            if entry.kind not in sections:
                sections[entry.kind] = Section(entry.kind, entry.kind)
            sections[entry.kind].items.append(item)
    for section in (*own.values(), *unit.values()):
        section.items.sort(key=_order)
    return Desk(scope=scope, own=list(own.values()), unit=list(unit.values()))
