"""The data-protection officer's view of the transfers to the public archive (xdomea
Aussonderung): what was offered, how the archive decided, what it took over and what stayed."""
from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.shortcuts import render
from django.views.decorators.http import require_GET

from archive.guards import require_role
from archive.models import Role
from retention.models import Transfer, TransferItem


@login_required
@require_GET
def transfers_page(request):
    require_role(request.user, Role.DATA_PROTECTION)
    items = TransferItem.objects.select_related("case_file").order_by("case_file__file_reference")
    transfers = Transfer.objects.prefetch_related(Prefetch("items", queryset=items))[:50]
    return render(request, "web/transfers.html", {"transfers": transfers})
