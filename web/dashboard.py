"""The start page's counts, per role. Each count is exact, trimmed to what the user may see
(the same selectors the lists use), and names the list it counts, so that a click shows
exactly those entries. Each role's counts take a fixed number of queries: counts, never
lists."""
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.db.models.functions import Coalesce
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from archive.models import BreakGlass, Document, FilePlanUnit, Role, Unit
from archive.selectors import case_files_visible_to, documents_visible_to, inbox_documents
from desk.selectors import desk_collect
from ingest.selectors import inbox_routable, jobs_quarantine_open, with_suggestion
from oversight.services import alerts_open_count
from retention.models import CaseFileRetention, ErasureRequest, LegalHold

NEW_POST_DAYS = 7


@dataclass(frozen=True)
class Count:
    key: str
    label: str
    count: int
    url: str | None  # None: the list's page does not exist in this installation
    hint: str = ""


def _url(name: str, query: str = "") -> str | None:
    try:
        return reverse(name) + query
    except NoReverseMatch:
        return None


def inbox_with_suggestion(user) -> QuerySet[Document]:
    """Unfiled post with a suggested case file: the review queue, one confirmation each."""
    return with_suggestion(inbox_routable(inbox_documents(user)))


def new_post_since():
    """The start of the day NEW_POST_DAYS - 1 days ago, local time: today and six days
    before it."""
    today = timezone.localdate()
    start = today - timedelta(days=NEW_POST_DAYS - 1)
    return timezone.make_aware(datetime.combine(start, time.min))


def caseworker_new_post(user) -> QuerySet[Document]:
    """Documents received recently in case files of the user's own units that they may see
    (shares and break-glass openings of other units' files are not their post)."""
    profile = getattr(user, "staff_profile", None)
    units = profile.units.values("pk") if profile else Unit.objects.none().values("pk")
    return documents_visible_to(user).filter(case_file__unit__in=units,
                                             received_at__gte=new_post_since())


def retention_due_count() -> int:
    """Case files past their retention end that no hold protects, as the stored retention
    records say (kept current by the signals and the nightly run; the retention page
    recomputes before listing)."""
    held = LegalHold.objects.filter(lifted_at__isnull=True).values("case_file_id")
    return (CaseFileRetention.objects.filter(case_file__destroyed_at__isnull=True)
            .annotate(until=Coalesce("override_end", "computed_end"))
            .filter(until__lt=timezone.localdate()).exclude(case_file_id__in=held).count())


def _mailroom(user) -> list[Count]:
    return [
        Count("inbox", _("Neue Post im Posteingang"), inbox_documents(user).count(),
              _url("web:inbox"), _("nicht zugeordnete Dokumente")),
        Count("review", _("Vorschläge zu bestätigen"), inbox_with_suggestion(user).count(),
              _url("web:inbox", "?vorschlag=ja"), _("mit vorgeschlagener Akte")),
        Count("quarantine", _("Quarantäne"), jobs_quarantine_open().count(),
              _url("web:quarantine"), _("abgewiesene Dateien, offen")),
    ]


def _caseworker(user) -> list[Count]:
    return [
        Count("desk", _("Mein Arbeitsplatz"), desk_collect(user).total, _url("web:desk"),
              _("offene Einträge")),
        Count("new_post", _("Neue Post in Ihren Akten"), caseworker_new_post(user).count(),
              _url("web:new_post"),
              _("eingegangen in den letzten %(days)s Tagen") % {"days": NEW_POST_DAYS}),
        Count("case_files", _("Ihre Akten"), case_files_visible_to(user).count(),
              _url("web:case_files")),
    ]


def _data_protection(user) -> list[Count]:
    return [
        Count("due", _("Zur Aussonderung fällig"), retention_due_count(),
              _url("web:retention"), _("Akten nach Fristende, ohne Sperre")),
        Count("break_glass", _("Notfallzugriffe zu prüfen"),
              BreakGlass.objects.filter(reviewed_at__isnull=True).count(),
              _url("web:data_protection")),
        Count("erasure", _("Offene Löschanträge"),
              ErasureRequest.objects.filter(decision="").count(), _url("web:erasure")),
        Count("alerts", _("Hinweise auf Missbrauch zu prüfen"), alerts_open_count(user),
              _url("web:alerts")),
    ]


# The administration's pages for users and units (the admin branch); where an installation
# lacks them the counts are shown without a link. Each count is of what that list shows:
# every account, active or not, and every unit.
ADMIN_USERS_URL = "web:admin_users"
ADMIN_UNITS_URL = "web:admin_units"


def _administrator(user) -> list[Count]:
    return [
        Count("users", _("Benutzerkonten"), get_user_model().objects.count(),
              _url(ADMIN_USERS_URL)),
        Count("units", _("Organisationseinheiten"), Unit.objects.count(),
              _url(ADMIN_UNITS_URL)),
        Count("file_plan", _("Aktenplaneinheiten"),
              FilePlanUnit.objects.filter(active=True).count(), _url("web:file_plan"),
              _("aktiv")),
    ]


COUNTS = {Role.MAILROOM: _mailroom, Role.CASEWORKER: _caseworker,
          Role.DATA_PROTECTION: _data_protection, Role.ADMINISTRATOR: _administrator}


def dashboard_counts(user, role) -> list[Count]:
    counts = COUNTS.get(role)
    return counts(user) if counts else []

