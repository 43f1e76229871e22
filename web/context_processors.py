"""What every page's frame shows: the authority's name in the header and, for caseworkers,
how many items appeared on their desk since they last looked."""
from functools import cached_property

from django.conf import settings

from archive.models import Role
from archive.permissions import user_role


class DeskNotice:
    """Computed only when the frame shows it, and once per page."""

    def __init__(self, user):
        self.user = user

    @cached_property
    def count(self) -> int:
        from desk.selectors import desk_collect

        return desk_collect(self.user).new_count


def site(request):
    context = {"authority_name": settings.AUTHORITY_NAME}
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated and user_role(user) == Role.CASEWORKER:
        context["desk_notice"] = DeskNotice(user)
    return context
