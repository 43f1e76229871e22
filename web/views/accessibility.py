"""The accessibility statement (Erklärung zur Barrierefreiheit, § 12b BGG and the states'
laws): public, like the login page, so that it can be read before signing in."""
from django.conf import settings
from django.shortcuts import render
from django.views.decorators.http import require_GET


@require_GET
def accessibility_statement(request):
    return render(request, "web/accessibility.html",
                  {"contact": settings.ACCESSIBILITY_CONTACT})
