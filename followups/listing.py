"""Showing follow-ups and deadlines shows file references, titles and notes: one logged read
(`listed`) per list shown, naming what it showed, like every other list of social data."""
from archive.services.events import event_append

from .deadlines import Deadline, deadlines_open
from .models import FollowUp
from .selectors import follow_ups_for


def follow_ups_list(*, user, user_ids=(), unit_ids=(), purpose: str = "Wiedervorlagen",
                    list_name: str = "own") -> list[FollowUp]:
    follow_ups = list(follow_ups_for(user, user_ids=user_ids, unit_ids=unit_ids)
                      .order_by("due", "pk")[:500])
    event_append(action="listed", object_type="follow_up_list", object_id=list_name,
                 actor=user.username, purpose=purpose,
                 data={"follow_ups": [follow_up.pk for follow_up in follow_ups]})
    return follow_ups


def deadlines_list(*, user, purpose: str = "Fristen", list_name: str = "own",
                   **which) -> list[Deadline]:
    deadlines = deadlines_open(user, **which)
    event_append(action="listed", object_type="deadline_list", object_id=list_name,
                 actor=user.username, purpose=purpose,
                 data={"documents": sorted({deadline.document.pk for deadline in deadlines})})
    return deadlines
