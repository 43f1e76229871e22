"""What every page's frame shows: the authority's name in the header and, for caseworkers,
how many items appeared on their desk since they last looked."""
import time
from functools import cached_property

from django.conf import settings

from archive.models import Role
from archive.permissions import user_role

# Drawing the desk asks every source; the frame of every page must not. The count is kept in
# the session for this long (and dropped when the desk itself is shown), so a caseworker
# clicking through files pays for it at most once a minute.
NOTICE_SECONDS = 60
SESSION_KEY = "desk_notice"
_clock = time.time  # a seam for the test that lets a minute pass


def desk_notice_forget(session) -> None:
    session.pop(SESSION_KEY, None)


class DeskNotice:
    """Computed only when the frame shows it, at most once a minute per session."""

    def __init__(self, user, session):
        self.user = user
        self.session = session

    @cached_property
    def count(self) -> int:
        from desk.selectors import desk_collect

        kept = self.session.get(SESSION_KEY)
        if kept and 0 <= _clock() - kept[1] < NOTICE_SECONDS:
            return kept[0]
        count = desk_collect(self.user).new_count
        self.session[SESSION_KEY] = [count, _clock()]
        return count


def site(request):
    context = {"authority_name": settings.AUTHORITY_NAME}
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated and user_role(user) == Role.CASEWORKER:
        context["desk_notice"] = DeskNotice(user, request.session)
    return context
