import pytest

from archive.actors import actor_for_user
from archive.services.responsibility import case_file_responsible_set
from tests.archive.helpers import staff
from tests.conftest import user


@pytest.fixture
def team(demo):
    """Unit A: sachbearbeitung-a (responsible for A's file) and kollegin-a; unit B:
    sachbearbeitung-b, who must never see any of it."""
    colleague = staff("kollegin-a", unit_code="A")
    colleague.first_name, colleague.last_name = "Karla", "Kollegin"
    colleague.save()
    case_file_responsible_set(actor=actor_for_user(user("sachbearbeitung-a")),
                              case_file=demo["A"], responsible=user("sachbearbeitung-a"))
    demo["A"].refresh_from_db()
    return {"a": user("sachbearbeitung-a"), "colleague": colleague,
            "b": user("sachbearbeitung-b"), "A": demo["A"], "B": demo["B"]}
