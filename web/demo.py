"""The demo setup that `registratur run` loads on a fresh instance. It lives above the
feature apps, not in the kernel, because it wires them together: units, users and case files
of the archive on a file plan that names the retention app's shipped schedules."""
import secrets
from dataclasses import dataclass
from datetime import date

from django.contrib.auth import get_user_model
from django.db import transaction

from archive.actors import system_actor
from archive.models import CaseFile, FilePlanUnit, Role, StaffProfile, Unit
from archive.services.casefiles import case_file_create

DEMO_USERS = [
    # username, role, unit code
    ("poststelle", Role.MAILROOM, None),
    ("sachbearbeitung-a", Role.CASEWORKER, "A"),
    ("sachbearbeitung-b", Role.CASEWORKER, "B"),
    ("datenschutz", Role.DATA_PROTECTION, None),
    ("admin", Role.ADMINISTRATOR, None),
]

PLAN = [
    # code, title, parent code, retention schedule (shipped by the retention app)
    ("50", "Soziales", None, "SGB-10J-ZDA"),
    ("50.20", "Hilfe zum Lebensunterhalt", "50", "SGB-10J-ZDA"),
    ("50.20.1", "Laufende Leistungen", "50.20", "SGB-10J-ZDA"),
    ("50.30", "Grundsicherung im Alter und bei Erwerbsminderung", "50", "SGB-10J-ZDA"),
    ("50.30.1", "Einzelfälle", "50.30", "SGB-10J-ZDA-ANBIETEN"),
]


@dataclass(frozen=True)
class DemoResult:
    created: bool
    password: str = ""
    case_files: tuple[CaseFile, ...] = ()


def demo_exists() -> bool:
    return Unit.objects.filter(code__in=["A", "B"]).exists()


def demo_setup(*, password: str | None = None) -> DemoResult:
    if demo_exists():
        return DemoResult(created=False)
    password = password or secrets.token_urlsafe(12)
    with transaction.atomic():
        units = {
            "A": Unit.objects.create(code="A", name="Sachgebiet A"),
            "B": Unit.objects.create(code="B", name="Sachgebiet B"),
        }
        user_model = get_user_model()
        for username, role, unit_code in DEMO_USERS:
            user = user_model.objects.create_user(username=username, password=password)
            profile = StaffProfile.objects.create(user=user, role=role)
            if unit_code:
                profile.units.add(units[unit_code])
        plan = {}
        for code, title, parent, schedule in PLAN:
            plan[code] = FilePlanUnit.objects.get_or_create(
                code=code, defaults={"title": title, "parent": plan.get(parent),
                                     "retention_schedule": schedule}
            )[0]
        case_a = case_file_create(
            plan_unit=plan["50.20.1"], unit=units["A"], actor=system_actor(name="demo"),
            title="Hilfe zum Lebensunterhalt", subject_name="Jürgen Müller",
            subject_birth_date=date(1968, 4, 12), client_number="K-104711",
        )
        case_b = case_file_create(
            plan_unit=plan["50.30.1"], unit=units["B"], actor=system_actor(name="demo"),
            title="Grundsicherung", subject_name="Anna Schäfer",
            subject_birth_date=date(1951, 11, 3), client_number="K-208815",
        )
    return DemoResult(created=True, password=password, case_files=(case_a, case_b))
