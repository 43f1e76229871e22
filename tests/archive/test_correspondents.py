"""One correspondent per organisation, whatever team line or OCR slip came with its name."""
import pytest

from archive.errors import InvalidInput
from archive.models import Correspondent, Event
from archive.services.correspondents import correspondent_match, correspondent_match_or_create
from ingest.recognition.correspondents import canonical_sender


@pytest.mark.django_db
def test_the_same_organisation_under_other_spellings_is_one():
    first = correspondent_match_or_create(name="Jobcenter Leipzig")
    assert Event.objects.filter(object_type="correspondent", action="created",
                                object_id=str(first.pk)).count() == 1
    for spelling in ("Jobcenter Leipzig, Team 412", "JOBCENTER LEIPZIG",
                     "Jobcenter Leipz1g", "Jobcenter Leipzig - Widerspruchsstelle"):
        assert correspondent_match_or_create(name=spelling) == first, spelling
    again = correspondent_match_or_create(name="Jobcenter Leipzig, Team 412",
                                          address="Georgiring 3, 04103 Leipzig")
    assert again.name == "Jobcenter Leipzig"  # the first spelling stays the name
    assert "Jobcenter Leipzig, Team 412" in again.aliases
    assert again.address == "Georgiring 3, 04103 Leipzig"  # a missing address is learned
    assert Correspondent.objects.count() == 1


@pytest.mark.django_db
def test_other_organisations_stay_apart():
    leipzig = correspondent_match_or_create(name="Jobcenter Leipzig")
    assert correspondent_match_or_create(name="Jobcenter Dresden") != leipzig
    assert correspondent_match_or_create(name="Sozialgericht Leipzig") != leipzig
    # one word is in every jobcenter's name: it does not single one out
    assert correspondent_match(name="Jobcenter") is None
    assert Correspondent.objects.count() == 3


@pytest.mark.django_db
def test_a_correspondent_needs_a_name():
    with pytest.raises(InvalidInput) as refused:
        correspondent_match_or_create(name=" · ")
    assert refused.value.code == "CORRESPONDENT_NAME_MISSING"


@pytest.mark.django_db
def test_recognition_records_organisations_but_not_private_persons():
    letter = "Jobcenter Leipzig · Georgiring 3 · 04103 Leipzig\nFrau\nSabine Krause"
    assert canonical_sender("Jobcenter Leipzig", 0.9, letter) == "Jobcenter Leipzig"
    recorded = Correspondent.objects.get()
    assert recorded.address == "Georgiring 3, 04103 Leipzig"
    # a later letter of the same organisation comes back under its one name
    assert canonical_sender("Jobcenter Leipzig Team 412", 0.75, "") == "Jobcenter Leipzig"
    # a citizen is looked up, never recorded; a guess is never recorded
    assert canonical_sender("Sabine Krause", 0.9, "") == "Sabine Krause"
    assert canonical_sender("Stadtkasse Leipzig", 0.5, "") == "Stadtkasse Leipzig"
    assert list(Correspondent.objects.values_list("name", flat=True)) == ["Jobcenter Leipzig"]
