import pytest
from django.utils import timezone

from archive.actors import actor_for_user
from archive.desk_sources import DeskScope, desk_sources
from tests.archive.helpers import file_document, grant, staff
from tests.conftest import user


def acting(username):
    return actor_for_user(user(username))


@pytest.fixture
def people(demo):
    """Unit A: the author (sachbearbeitung-a), a colleague who co-signs, and the head of the
    unit with signing authority; unit B's caseworker stays outside."""
    staff("kollegin-a", unit_code="A")
    staff("leitung-a", unit_code="A")
    grant("leitung-a", "sign_off")
    return demo


@pytest.fixture
def draft(people):
    """A draft decision in A's case file, its first version filed by the author."""
    return file_document(people["A"], text="Entwurf Bescheid über Hilfe zum Lebensunterhalt",
                         title="Bescheid-Entwurf", store=True)


def desk_of(username):
    """What the registered "signoff" desk source lists for a user (their own units)."""
    person = user(username)
    units = tuple(person.staff_profile.units.values_list("pk", flat=True))
    scope = DeskScope(user=person, today=timezone.localdate(), user_ids=(person.pk,),
                      unit_ids=units)
    return desk_sources()["signoff"](scope)
