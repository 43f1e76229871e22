from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_GET

from archive.models import Role
from archive.permissions import user_role


@login_required
@require_GET
def home(request):
    return render(request, "web/home.html",
                  {"role": user_role(request.user), "Role": Role})
