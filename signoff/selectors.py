"""What awaits someone: the open steps it is their turn at, and refused rounds returned to
their author. Trimmed by the archive's selector to documents the user may read; a fixed
number of queries however long the lists."""
from django.db.models import Exists, OuterRef, Q, QuerySet

from archive.selectors import documents_visible_to

from .models import RouteState, RouteStep, SigningRoute, StepState


def _unit_ids(user) -> list[int]:
    profile = getattr(user, "staff_profile", None)
    return list(profile.units.values_list("pk", flat=True)) if profile else []


def steps_awaiting(user, *, unit_ids=None) -> QuerySet[RouteStep]:
    """The current (first open) steps of open rounds that name the user, or one of the
    user's units (default: the units the user is a member of); never one's own draft."""
    unit_ids = _unit_ids(user) if unit_ids is None else list(unit_ids)
    earlier = RouteStep.objects.filter(route=OuterRef("route"), state=StepState.PENDING,
                                       position__lt=OuterRef("position"))
    return (RouteStep.objects
            .filter(state=StepState.PENDING, route__state=RouteState.OPEN)
            .filter(Q(user=user) | Q(user__isnull=True, unit_id__in=unit_ids))
            .exclude(route__author=user)
            .filter(~Exists(earlier))
            .filter(route__document__in=documents_visible_to(user))
            .select_related("route__document__case_file", "route__author", "unit", "user")
            .order_by("route__created_at", "pk"))


def routes_returned(user) -> QuerySet[SigningRoute]:
    """Refused rounds of the user's drafts that no later round has taken up yet."""
    later = SigningRoute.objects.filter(document=OuterRef("document"),
                                        round__gt=OuterRef("round"))
    return (SigningRoute.objects
            .filter(author=user, state=RouteState.REFUSED)
            .filter(~Exists(later))
            .filter(document__in=documents_visible_to(user))
            .select_related("document__case_file")
            .order_by("closed_at", "pk"))


def refusal_of(route: SigningRoute) -> RouteStep | None:
    return route.steps.filter(state=StepState.REFUSED).select_related("acted_by").first()


def routes_of_document(document_id) -> QuerySet[SigningRoute]:
    """Every round of one document, newest first, with its steps (for the document page, which
    has read the document through the access function already)."""
    return (SigningRoute.objects.filter(document_id=document_id)
            .select_related("author")
            .prefetch_related("steps__user", "steps__unit", "steps__acted_by")
            .order_by("-round"))
