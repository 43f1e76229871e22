"""The start page per role: exact counts, trimmed to the user, each linking to the list it
counts, and a fixed number of queries however much there is to count."""
import hashlib
import re
from datetime import date, timedelta

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from archive.actors import system_actor
from archive.models import BreakGlass, CaseFile, Unit
from archive.services.documents import VersionContent, document_file_new
from ingest.models import IngestJob, JobState
from retention.models import CaseFileRetention, ErasureRequest, LegalHold
from retention.services.disposal import retention_due
from retention.services.schedules import retention_recompute
from tests.archive.helpers import file_document
from tests.conftest import DEMO_PASSWORD, user

pytestmark = pytest.mark.django_db


def _page(username):
    client = Client()
    assert client.login(username=username, password=DEMO_PASSWORD)
    return client


def letter(case_file=None, *, title="Brief", suggested=None, unit=None, received_at=None,
           document_type=""):
    """A document as the pipeline leaves it: its first version records the unit it was
    handed in for and the suggested file reference."""
    text = f"{title} {suggested} {unit} {received_at} {timezone.now().timestamp()}"
    digest = hashlib.sha256(text.encode()).hexdigest()
    provenance = {}
    if unit:
        provenance["route_unit"] = unit
    if suggested:
        provenance["recognition"] = {"file_reference": {"value": suggested, "confidence": 0.5}}
    content = VersionContent(
        original_sha256=digest, original_size=1, original_name="scan.pdf",
        original_mime="application/pdf", rendition_sha256="", rendition_is_pdfa=False,
        text=text, text_sha256=digest, page_count=1, provenance=provenance)
    return document_file_new(content=content, case_file=case_file, title=title,
                             received_at=received_at or timezone.now(),
                             document_type=document_type, actor=system_actor(name="test"))


def quarantined(name, *, closed=False):
    provenance = {"quarantine_closed": {"by": "poststelle", "reason": "Test"}} if closed else {}
    return IngestJob.objects.create(
        source="upload", original_name=name, original_sha256=hashlib.sha256(name.encode())
        .hexdigest(), original_size=1, state=JobState.REFUSED, code="EMPTY_FILE",
        provenance=provenance)


def counts(client) -> dict[str, tuple[int, str | None]]:
    """The dashboard's counts as a user sees them: key -> (number, link)."""
    html = client.get("/").content.decode()
    found = {}
    for key, body in re.findall(r'<li data-count="(\w+)">(.*?)</li>', html, re.S):
        number = int(re.search(r'<strong class="count">(\d+)</strong>', body).group(1))
        link = re.search(r'<a href="([^"]+)"', body)
        found[key] = (number, link.group(1).replace("&amp;", "&") if link else None)
    return found


def rows(client, url, table_id) -> int:
    html = client.get(url).content.decode()
    table = html.split(f'id="{table_id}"')[1].split("</table>")[0]
    body = table.split("<tbody>")[1]
    return body.count("<tr") - body.count('class="muted"')


def test_the_mailroom_sees_new_post_the_review_queue_and_quarantine(demo):
    reference = demo["A"].file_reference
    letter(title="Ohne Vorschlag")
    letter(title="Mit Vorschlag 1", suggested=reference)
    letter(title="Mit Vorschlag 2", suggested=demo["B"].file_reference, unit="B")
    file_document(demo["A"], text="schon abgelegt")  # not the mailroom's
    quarantined("leer.pdf")
    quarantined("kaputt.pdf")
    quarantined("erledigt.pdf", closed=True)
    client = _page("poststelle")
    seen = counts(client)
    assert {key: number for key, (number, _) in seen.items()} == {
        "inbox": 3, "review": 2, "quarantine": 2}
    # Each count leads to the list it counts, showing exactly that many entries.
    assert rows(client, seen["inbox"][1], "inbox") == 3
    assert rows(client, seen["review"][1], "inbox") == 2
    assert rows(client, seen["quarantine"][1], "quarantine") == 2


def test_caseworkers_count_their_own_units_post_and_files_only(demo):
    old = timezone.now() - timedelta(days=30)
    for n in range(3):
        letter(demo["A"], title=f"Antrag A{n}")
    letter(demo["A"], title="Alter Antrag", received_at=old)
    letter(demo["B"], title="Antrag B")
    letter(title="Posteingang")  # unfiled: no caseworker's post
    a, b = _page("sachbearbeitung-a"), _page("sachbearbeitung-b")
    seen_a, seen_b = counts(a), counts(b)
    assert seen_a["new_post"][0] == 3 and seen_b["new_post"][0] == 1
    assert seen_a["case_files"][0] == seen_b["case_files"][0] == 1
    assert rows(a, seen_a["new_post"][1], "new-post") == 3
    assert rows(b, seen_b["new_post"][1], "new-post") == 1
    listed = b.get(seen_b["new_post"][1]).content.decode()
    assert "Antrag B" in listed and "Antrag A" not in listed
    # No mailroom or officer counts for a caseworker.
    assert set(seen_a) == {"desk", "new_post", "case_files"}
    assert b.get("/").content.decode().count("Posteingang") <= 1  # the nav, not a count


def test_the_new_post_list_is_one_logged_read(demo):
    from archive.models import Event

    document = letter(demo["A"], title="Antrag auf Wohngeld")
    before = Event.objects.count()
    _page("sachbearbeitung-a").get("/neue-post/")
    (listed,) = Event.objects.filter(seq__gt=before, action="listed")
    assert listed.actor == "sachbearbeitung-a"
    assert listed.data["documents"] == [document.pk]


def test_a_break_glass_opening_is_not_new_post_of_the_opener(demo):
    letter(demo["A"], title="Fremde Post")
    BreakGlass.objects.create(user=user("sachbearbeitung-b"), case_file=demo["A"],
                              reason="Vertretung",
                              expires_at=timezone.now() + timedelta(hours=2))
    assert counts(_page("sachbearbeitung-b"))["new_post"][0] == 0


def test_the_officer_sees_what_is_due_openings_to_review_and_open_requests(demo):
    # Both files were closed thirty years ago: their retention ended long since.
    CaseFile.objects.filter(pk__in=[demo["A"].pk, demo["B"].pk]).update(
        closed_at=timezone.now() - timedelta(days=365 * 30), closed_by="sachbearbeitung-a")
    for case_file in (demo["A"], demo["B"]):
        retention_recompute(case_file=CaseFile.objects.get(pk=case_file.pk))
    assert CaseFileRetention.objects.filter(computed_end__lt=timezone.localdate()).count() == 2
    # B is under a hold: not due.
    LegalHold.objects.create(case_file=demo["B"], reason="Klage", mandate="SG 1",
                             placed_by="datenschutz")
    BreakGlass.objects.create(user=user("sachbearbeitung-b"), case_file=demo["A"],
                              reason="Vertretung", expires_at=timezone.now())
    BreakGlass.objects.create(user=user("sachbearbeitung-b"), case_file=demo["A"],
                              reason="Vertretung", expires_at=timezone.now(),
                              reviewed_at=timezone.now(), reviewed_by="datenschutz")
    ErasureRequest.objects.create(case_file=demo["A"], received_on=date(2026, 11, 1),
                                  recorded_by="datenschutz")
    ErasureRequest.objects.create(case_file=demo["B"], received_on=date(2026, 11, 2),
                                  recorded_by="datenschutz", decision="restricted",
                                  reason="Frist läuft", decided_by="datenschutz")
    # One open misuse alert and one reviewed (oversight): only the open one counts.
    from oversight.models import Alert, AlertState

    for state in (AlertState.OPEN, AlertState.UNFOUNDED):
        Alert.objects.create(rule="break_glass_repeated", username="sachbearbeitung-b",
                             seqs=[], first_at=timezone.now(), last_at=timezone.now(),
                             state=state)
    seen = counts(_page("datenschutz"))
    assert {key: number for key, (number, _) in seen.items()} == {
        "due": 1, "break_glass": 1, "erasure": 1, "alerts": 1}
    assert seen["alerts"][1] == "/datenschutz/hinweise/"
    assert seen["due"][1] == "/datenschutz/aufbewahrung/"
    assert seen["erasure"][1] == "/datenschutz/loeschantraege/"
    assert seen["break_glass"][1].startswith("/datenschutz/")
    # The retention page lists the same one case file as due.
    assert [item.case_file for item in retention_due()] == [demo["A"]]


def test_the_administrator_sees_users_and_units_and_no_social_data(demo):
    letter(title="Vertraulicher Brief an Frau Müller")
    seen = counts(_page("admin"))
    assert seen["users"][0] == get_user_model().objects.count() == 5
    assert seen["units"][0] == Unit.objects.count() == 2
    assert seen["file_plan"][1] == "/aktenplan/"
    html = _page("admin").get("/").content.decode()
    assert "Müller" not in html and "inbox" not in seen


def _queries(client) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get("/").status_code == 200
    return len(captured.captured_queries)


@pytest.mark.parametrize("username", ["poststelle", "sachbearbeitung-a", "datenschutz",
                                      "admin"])
def test_the_dashboard_makes_a_fixed_number_of_queries(demo, username):
    client = _page(username)

    def more():
        for n in range(4):
            letter(title=f"Eingang {n}", suggested=demo["A"].file_reference)
            letter(demo["A"], title=f"Akte {n}")
            quarantined(f"datei-{n}-{timezone.now().timestamp()}.pdf")
            ErasureRequest.objects.create(case_file=demo["A"], received_on=date(2026, 11, 1),
                                          recorded_by="datenschutz")
            BreakGlass.objects.create(user=user("sachbearbeitung-b"), case_file=demo["A"],
                                      reason="Vertretung", expires_at=timezone.now())

    more()
    few = _queries(client)
    for _ in range(3):
        more()
    assert _queries(client) == few


def test_the_new_post_list_makes_a_fixed_number_of_queries(demo):
    client = _page("sachbearbeitung-a")

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/neue-post/?sortierung=akte").status_code == 200
        return len(captured.captured_queries)

    letter(demo["A"], title="Erster Antrag")
    few = queries()
    for n in range(8):
        letter(demo["A"], title=f"Antrag {n}")
    assert queries() == few
    assert rows(client, "/neue-post/", "new-post") == 9


@pytest.mark.skipif(connection.vendor != "sqlite", reason="reads SQLite's query plan")
def test_the_new_post_count_reads_only_recent_post(demo):
    """New post is a few days of the archive: the count goes through the index on the
    received date instead of reading every document of the unit (bench/web: 25 ms at
    100,000 documents without it, under 1 ms with it)."""
    from web.dashboard import caseworker_new_post

    old = timezone.now() - timedelta(days=400)
    for n in range(30):
        letter(demo["A"], title=f"Alt {n}", received_at=old)
    letter(demo["A"], title="Neu")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # what a grown instance has: statistics of its tables
    new_post = caseworker_new_post(user("sachbearbeitung-a"))
    with CaptureQueriesContext(connection) as captured:
        assert new_post.count() == 1
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN QUERY PLAN " + captured.captured_queries[-1]["sql"])
        plan = " ".join(str(row) for row in cursor.fetchall())
    assert "archive_doc_received_idx" in plan
