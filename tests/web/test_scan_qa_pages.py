"""The mailroom's pages for replacement scanning: the sample is checked on the visual-check
page, the paper-release page shows why a scan's paper is still blocked and releases it, and
the released paper is listed with who released it."""
import pytest
from django.test import Client, override_settings

from archive.checkpoints import checkpoint_write
from archive.models import Event, PaperRelease, ScanResult
from tests.conftest import user
from tests.ingest.test_scan_qa import ALL, _scan, trail_dirs  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db


def _client(username):
    client = Client()
    client.force_login(user(username))
    return client


@override_settings(SCAN_QA_RATES=ALL)
def test_the_mailroom_checks_the_sample_and_releases_its_paper_on_the_pages(demo, tmp_path):
    document = _scan(tmp_path, "seite.pdf", demo["A"]).document
    mailroom = _client("poststelle")
    page = mailroom.get("/posteingang/sichtpruefung/").content.decode()
    assert f'data-check="{document.scan_check.pk}"' in page and document.title in page
    shown = Event.objects.filter(action="listed", object_type="inbox").latest("seq")
    assert shown.clear_data["documents"] == [document.pk]  # the page is a logged read
    # Released before the check: refused with its code, shown as a message.
    checkpoint_write()
    answer = mailroom.post("/posteingang/papierfreigabe/freigeben",
                           {"dokument": document.pk}, follow=True).content.decode()
    assert "SCAN_QA_NOT_PASSED" in answer and not PaperRelease.objects.exists()
    mailroom.post(f"/posteingang/sichtpruefung/{document.scan_check.pk}/",
                  {"ergebnis": "bestanden"})
    document.refresh_from_db()
    assert document.case_file == demo["A"]
    assert document.scan_check.result == ScanResult.PASSED
    listing = mailroom.get("/posteingang/papierfreigabe/").content.decode()
    assert "kann freigegeben werden" in listing  # its ingest entry is under the checkpoint
    mailroom.post("/posteingang/papierfreigabe/freigeben", {"dokument": document.pk})
    release = PaperRelease.objects.get(document=document)
    assert release.released_by == user("poststelle")
    assert "poststelle" in mailroom.get("/posteingang/papierfreigabe/").content.decode()
    # A caseworker sees none of it.
    assert _client("sachbearbeitung-b").get("/posteingang/papierfreigabe/").status_code == 404
