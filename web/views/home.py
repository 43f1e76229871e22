"""The start page per role (counts that lead to their lists) and the caseworker's list of
new post in their unit's case files."""
from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from archive.guards import require_role
from archive.models import Role
from archive.permissions import user_role
from archive.services.access import documents_list

from ..dashboard import NEW_POST_DAYS, caseworker_new_post, dashboard_counts
from ..listing import Column, listing


@login_required
@require_GET
def home(request):
    role = user_role(request.user)
    return render(request, "web/home.html", {
        "role": role, "Role": Role, "counts": dashboard_counts(request.user, role)})


NEW_POST_COLUMNS = [
    Column("eingang", _("Eingang"), ("received_at",)),
    Column("titel", _("Dokument"), ("title",)),
    Column("akte", _("Akte"), ("case_file__file_reference",)),
]


@login_required
@require_GET
def new_post_page(request):
    """What the start page counts as new post: sorted, paged, and one logged read of the
    documents shown."""
    require_role(request.user, Role.CASEWORKER)
    found = listing(request, caseworker_new_post(request.user), columns=NEW_POST_COLUMNS,
                    default_sort="-eingang")
    documents = documents_list(user=request.user, page=found.page.object_list,
                               purpose="Neue Post", list_name="new_post")
    return render(request, "web/new_post.html", {
        "listing": found, "documents": documents, "days": NEW_POST_DAYS})
