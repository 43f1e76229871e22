"""After a reviewed destruction nothing personal is left anywhere: not in any table (every
column, every row, and on SQLite the raw bytes of the database and its write-ahead log), not in
any file under the data directory (stored objects, the index, logs, checkpoints), while the
trail still verifies. The trail's personal payloads were sealed under keys the destruction
shredded (archive/sealing.py); readers see "gelöscht" in their place."""

import secrets
import string
from datetime import date, datetime
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from archive.actors import actor_for_user as acting
from archive.blobstore import blob_path
from archive.models import CaseFile, Document, Event, PayloadKey, Version
from archive.sealing import events_unseal
from archive.services.breakglass import break_glass_open, break_glass_review
from archive.services.casefiles import (
    case_file_close,
    case_file_create,
    case_file_share,
    case_file_update,
)
from archive.services.processes import process_create
from archive.services.reports import Period, report_case_file, report_person
from archive.services.subject_rights import case_file_mark_disputed
from archive.services.trail import trail_entries
from ingest.jobs import job_receive
from ingest.pages import page_image
from ingest.pipeline import job_run
from retention.services.disposal import disposal_approve, disposal_execute, disposal_propose
from retention.services.holds import hold_lift, hold_place
from search.analysis import analyse
from search.backends import get_backend
from search.indexing import documents_index
from search.models import SavedSearch
from search.purging import pending_purges_run
from search.saved import saved_search_create
from search.services import documents_search
from tests.archive.helpers import grant, staff
from tests.conftest import default_document_types, default_schedules, registratur, user
from tests.fixtures.born_digital import born_digital_pdf
from tests.search.helpers import index_holds
from web.demo import demo_setup

from ..conftest import DEMO_PASSWORD


def _word(prefix: str) -> str:
    """A token that occurs nowhere else: a German-looking word with a random core."""
    core = "".join(secrets.choice(string.ascii_lowercase) for _ in range(8))
    return f"{prefix}{core}"


@pytest.fixture
def instance(transactional_db):
    default_schedules()
    default_document_types()
    demo_setup(password=DEMO_PASSWORD)
    staff("datenschutz-2", role="data_protection")
    get_backend.cache_clear()
    yield
    get_backend.cache_clear()


def _all_rows_text() -> str:
    """Every value of every row of every table, as text, through SQL."""
    texts = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            for row in cursor.fetchall():
                for value in row:
                    if isinstance(value, memoryview | bytes):
                        value = bytes(value).decode("utf-8", "replace")
                    texts.append(str(value))
    return "\n".join(texts).casefold()


def _data_dir_files() -> list[Path]:
    return [path for path in Path(settings.DATA_DIR).rglob("*") if path.is_file()]


def _raw_hits(tokens: list[str]) -> dict[str, list[str]]:
    """Which files under the data directory hold a token's bytes (as written, lower case,
    UTF-16 as SQLite may store text)."""
    hits: dict[str, list[str]] = {}
    for path in _data_dir_files():
        try:
            data = path.read_bytes()
        except OSError:
            continue
        lowered = data.lower()
        for token in tokens:
            forms = {token.encode(), token.casefold().encode(), token.encode("utf-16-le")}
            if any(form in data or form in lowered for form in forms):
                hits.setdefault(token, []).append(str(path))
    return hits


def test_a_destroyed_file_leaves_nothing_personal_and_the_trail_verifies(instance, tmp_path):
    a_unit_file = CaseFile.objects.select_related("unit", "plan_unit").get(unit__code="A")
    surname, first_name = _word("Xarbo").capitalize(), _word("Quendolin").capitalize()
    new_surname = _word("Zimbrow").capitalize()
    client_number = "KD" + "".join(secrets.choice(string.digits) for _ in range(9))
    ocr_words = [_word("Wurzelpfad"), _word("Quittenhain")]
    words = {
        kind: _word(kind)
        for kind in (
            "Anlass",
            "Notfall",
            "Vermerk",
            "Sperrgrund",
            "Anordnung",
            "Aufhebung",
            "Bestritten",
        )
    }
    share_reason = f"Amtshilfe {words['Anlass']} für {surname}"
    glass_reason = f"Dringender Rückruf {words['Notfall']} wegen {surname}"
    glass_note = f"Geprüft {words['Vermerk']}"
    hold_reason, hold_mandate = f"Klage {words['Sperrgrund']}", f"SG {words['Anordnung']}"
    lift_reason = f"Verfahren beendet {words['Aufhebung']}"
    disputed = f"Die Anschrift {words['Bestritten']} ist falsch"
    tokens = [surname, first_name, new_surname, client_number, *ocr_words, *words.values()]
    assert len(set(tokens)) == len(tokens)

    caseworker, other, officer = (
        user("sachbearbeitung-a"),
        user("sachbearbeitung-b"),
        user("datenschutz"),
    )
    case_file = case_file_create(
        plan_unit=a_unit_file.plan_unit,
        unit=a_unit_file.unit,
        actor=acting(caseworker),
        title="Hilfe zum Lebensunterhalt",
        subject_name=f"{first_name} {surname}",
        subject_birth_date=date(1961, 4, 9),
        client_number=client_number,
    )
    # A change event with old and new values: the name corrected.
    case_file_update(
        actor=acting(caseworker), case_file=case_file, subject_name=f"{first_name} {new_surname}"
    )
    case_file.refresh_from_db()
    process_create(actor=acting(caseworker), case_file=case_file, title=f"Widerspruch {surname}")

    # A born-digital letter through the whole pipeline: blob, rendition, thumbnail, text, index.
    pdf = born_digital_pdf(
        tmp_path / "antrag.pdf",
        [
            f"Aktenzeichen {case_file.file_reference}",
            f"Herr {first_name} {new_surname}",
            f"Kundennummer {client_number}",
            f"Wohnhaft im {ocr_words[0]} bei {ocr_words[1]}",
        ],
    )
    job = job_receive(path=pdf, original_name=pdf.name, source="test")
    job_run(job.pk, worker="test")
    document = Document.objects.get(case_file=case_file)
    stored = {
        h
        for hashes in Version.objects.filter(document=document).values_list(*Version.BLOB_FIELDS)
        for h in hashes
        if h
    }
    assert len(stored) >= 2
    documents_index([document.pk])  # what the index queue does after filing
    # The page picture the document page shows, cached under the data directory.
    rendition = document.versions.get().rendition_sha256
    picture = page_image(document_id=document.pk, rendition_sha256=rendition, page=1, width=800)
    assert picture.exists()
    backend = settings.SEARCH_BACKEND

    # Searches for the person, one showing the letter, one by someone who may not see it.
    for query in (new_surname, client_number, ocr_words[0]):
        assert documents_search(user=caseworker, query=query).count == 1, query
    assert documents_search(user=other, query=f"{first_name} {surname}").count == 0

    kept = saved_search_create(
        name="Wohngeld", parameters={"q": "Wohngeld"}, actor=acting(caseworker)
    )
    saved_search_create(
        name=f"Fall {new_surname}", parameters={"q": client_number}, actor=acting(caseworker)
    )

    # Break-glass by a caseworker of another unit, reviewed by the officer; then a share.
    opening = break_glass_open(
        actor=acting(other), file_reference=case_file.file_reference, reason=glass_reason
    )
    break_glass_review(actor=acting(officer), opening=opening, note=glass_note)
    case_file_share(
        actor=acting(grant("sachbearbeitung-a", "share_casefile")),
        case_file=case_file,
        unit=other.staff_profile.units.get(),
        reason=share_reason,
    )
    # A hold, placed and lifted; the person's dispute; the officer's report on the person.
    hold = hold_place(
        actor=acting(officer), case_file=case_file, reason=hold_reason, mandate=hold_mandate
    )
    hold_lift(actor=acting(officer), hold=hold, reason=lift_reason)
    case_file_mark_disputed(actor=acting(caseworker), case_file=case_file, note=disputed)
    today = timezone.localdate()
    reported = report_person(
        actor=acting(officer), person=new_surname, period=Period(date(today.year - 1, 1, 1), today)
    )
    assert reported.filter(action="shared").exists()

    # Before: the trail holds it all, readable in the clear to whoever may read it ...
    entries = trail_entries(
        Event.objects.filter(object_type="case_file", object_id=str(case_file.pk))
    )
    assert share_reason in [entry.purpose for entry in entries]
    changed = next(entry for entry in entries if entry.action == "changed")
    assert changed.data["changes"]["subject_name"] == [
        f"{first_name} {surname}",
        f"{first_name} {new_surname}",
    ]
    # ... but sealed where it is stored.
    everything = _all_rows_text()
    assert surname.casefold() in everything  # still on the case file's cover (old name: no)
    assert share_reason.casefold() in everything  # the share's own row
    stored_events = "\n".join(f"{e.purpose} {e.data}" for e in Event.objects.all()).casefold()
    for token in tokens:
        assert token.casefold() not in stored_events, token

    # The reviewed disposal: closed long ago, proposed by one officer, approved by another.
    case_file_close(actor=acting(caseworker), case_file=case_file)
    CaseFile.objects.filter(pk=case_file.pk).update(
        closed_at=timezone.make_aware(datetime(2010, 6, 1))
    )
    disposal = disposal_propose(actor=acting(officer), case_file_ids=[case_file.pk])
    disposal_approve(actor=acting(user("datenschutz-2")), disposal=disposal)
    disposal_execute(disposal_id=disposal.pk, actor=acting(officer))
    assert pending_purges_run() == 1  # the index queue's purge (search.purging)

    # Every table, every column, every row.
    everything = _all_rows_text()
    assert [token for token in tokens if token.casefold() in everything] == []
    # Nor in what the remaining keys still open: the whole trail, decrypted where it can be.
    readable = "\n".join(
        f"{e.clear_purpose} {e.clear_data}" for e in events_unseal(Event.objects.all())
    ).casefold()
    assert [token for token in tokens if token.casefold() in readable] == []
    # Every file under the data directory: the database itself and its WAL on SQLite, the
    # stored objects, the index, logs, checkpoints and the destruction journal.
    assert _raw_hits(tokens) == {}
    assert documents_search(user=caseworker, query=ocr_words[0], log=False).count == 0
    for token in tokens:
        assert not any(index_holds(backend, term) for term in analyse(token)), token
    assert not any(blob_path(sha256).exists() for sha256 in stored)
    assert not picture.exists()
    assert not PayloadKey.objects.filter(
        scope__in=[f"case_file:{case_file.pk}", f"document:{document.pk}"]
    ).exists()

    # A saved search naming the person went with the file; another one stayed.
    assert list(SavedSearch.objects.values_list("pk", flat=True)) == [kept.pk]

    # The trail still reads, with "gelöscht" where the personal part was ...
    events = events_unseal(
        Event.objects.filter(object_type="case_file", object_id=str(case_file.pk))
    )
    shared = next(e for e in events if e.action == "shared")
    assert shared.clear_purpose == "gelöscht"
    assert next(e for e in events if e.action == "changed").clear_data["changes"] == {
        "subject_name": ["gelöscht", "gelöscht"]
    }
    # The officer's report on the file (pages, CSV) shows the same.
    on_file = trail_entries(
        report_case_file(
            actor=acting(officer),
            file_reference=case_file.file_reference,
            period=Period(date(today.year - 1, 1, 1), today),
        )
    )
    assert {e.purpose for e in on_file if e.action in ("shared", "hold_placed")} == {"gelöscht"}
    searched = [
        e
        for e in events_unseal(Event.objects.filter(action="searched"))
        if e.clear_data.get("query") == "gelöscht"
    ]
    assert len(searched) == 4
    # ... and verifies, by the real command.
    verified = registratur("audit", "verify")
    assert verified.returncode == 0, verified.stderr + verified.stdout
