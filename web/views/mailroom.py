from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from archive.errors import NotFound
from archive.models import Role
from archive.permissions import user_role
from archive.services.access import inbox_list
from ingest.selectors import jobs_in_quarantine, jobs_recent


def _mailroom_only(user) -> None:
    if user_role(user) != Role.MAILROOM:
        raise NotFound()


@login_required
def inbox_page(request):
    _mailroom_only(request.user)
    return render(request, "web/inbox.html", {
        "documents": inbox_list(user=request.user),
        "jobs": jobs_recent()[:50],
    })


@login_required
def quarantine_page(request):
    _mailroom_only(request.user)
    return render(request, "web/quarantine.html", {"jobs": jobs_in_quarantine()[:500]})
