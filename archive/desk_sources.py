"""What lands on a caseworker's desk ("Mein Arbeitsplatz"), collected from the apps that know.

The desk app builds a DeskScope (the user, the absent colleagues they stand in for today, the
units whose unassigned items they see) and asks every registered source for its entries. Sources
register in their AppConfig.ready, so the kernel names no app and no app imports another.

A source must return only what the scope's user may read (trimmed through the archive's
selectors), answer in a fixed number of queries whatever the list length, and return entries
whose `url` opens the item through the archive's one access function."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime


@dataclass(frozen=True)
class DeskScope:
    user: object                      # the signed-in user
    today: date                       # local (Europe/Berlin) date the desk is drawn for
    # The user plus absent colleagues whose items the user sees as their deputy today.
    user_ids: tuple[int, ...] = ()
    # Units whose unassigned items (no responsible caseworker, no default) the user sees.
    unit_ids: tuple[int, ...] = ()
    # user id -> display name of the absent colleague, for "Vertretung für …".
    deputising_for: dict[int, str] = field(default_factory=dict)


@dataclass(frozen=True)
class DeskEntry:
    kind: str                         # "new_post", "handed", "follow_up", "signoff", "deadline"
    key: str                          # stable per item, e.g. "follow_up:17"; used for "done"
    title: str                        # what the list shows; only what the user may read
    url: str                          # opens the item through the archive's access function
    case_file_id: int | None = None
    document_id: int | None = None
    due: date | None = None
    overdue: bool = False
    detail: str = ""                  # one short German line (reason, who handed it, ...)
    for_user_id: int | None = None    # whose item it is; None for the unit's shared desk
    unit_id: int | None = None
    done_url: str = ""                # POST target that marks it done (logged), if any
    created_at: datetime | None = None


DeskSource = Callable[[DeskScope], list[DeskEntry]]

_sources: dict[str, DeskSource] = {}


def desk_source_register(kind: str, source: DeskSource) -> None:
    """Called from AppConfig.ready; registering a kind twice replaces it (autoreload)."""
    _sources[kind] = source


def desk_sources() -> dict[str, DeskSource]:
    return dict(_sources)
