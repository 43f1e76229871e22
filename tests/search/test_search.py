"""The behaviour of search, the same for every backend (tantivy, whoosh, and PostgreSQL when the
tests run on PostgreSQL): German words however spelled, the query language, filters, facets,
sorting, paging, "more like this", and permission trimming inside the query."""
from datetime import date, datetime, timedelta

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from archive.actors import actor_for_user as acting
from archive.actors import system_actor
from archive.errors import InvalidInput
from archive.models import CaseFile, Event
from archive.services.casefiles import case_file_create
from search.backend import Filters
from search.backends import get_backend
from search.indexing import (
    documents_index,
    index_check,
    index_ensure_current,
    index_rebuild,
)
from search.models import IndexState
from search.services import search_suggestions
from tests.conftest import user

from .helpers import LETTER, SECRET
from .helpers import file_document as _file
from .helpers import ids as _ids
from .helpers import search_as as _search


def test_only_the_owning_unit_finds_a_document(demo, backend):
    document = _file(demo["A"], LETTER)
    found = _search("sachbearbeitung-a", "quetzalwort7731")
    assert found.count == 1 and _ids(found) == [document.pk]
    assert "[[quetzalwort7731]]" in found.hits[0].snippet
    for other in ("sachbearbeitung-b", "poststelle", "datenschutz", "admin"):
        page = _search(other, "quetzalwort7731")
        assert page.count == 0 and page.hits == []


@pytest.mark.parametrize("query", ["Müller", "Mueller", "MÜLLER", "mueller"])
def test_umlaut_spellings_find_each_other(demo, backend, query):
    _file(demo["B"], LETTER)
    page = _search("sachbearbeitung-b", query)
    assert page.count == 1
    assert "[[Müller]]" in page.hits[0].snippet


@pytest.mark.parametrize("query", ["Bescheid", "Bescheide", "Bescheides", "BESCHEIDEN"])
def test_inflected_forms_are_found(demo, backend, query):
    _file(demo["A"], LETTER)
    page = _search("sachbearbeitung-a", query)
    assert page.count == 1 and "[[Bescheid]]" in page.hits[0].snippet


def test_a_reopened_index_analyses_queries_the_same_way(demo, backend):
    _file(demo["B"], LETTER + " Die Straße ist gesperrt.")
    get_backend.cache_clear()  # a new process opening the index from disk
    assert _search("sachbearbeitung-b", "Bescheides").count == 1
    assert _search("sachbearbeitung-b", "MUELLER").count == 1
    assert _search("sachbearbeitung-b", "strasse").count == 1


def test_file_reference_finds_the_documents_of_the_case_file(demo, backend):
    _file(demo["A"], LETTER)
    _file(demo["A"], "Ein anderes Schreiben ohne Bezug.", title="Sonstiges")
    _file(demo["A"], "Hinweis auf 50.20.1-2099-000001, ein anderes Aktenzeichen.",
          title="Verweis")
    reference = demo["A"].file_reference
    assert _search("sachbearbeitung-a", f'"{reference}"').count == 3
    assert _search("sachbearbeitung-a", reference).count == 3
    # The reference is one token: another reference sharing its parts is not a match.
    assert _search("sachbearbeitung-a", "50.20.1-2099-000001").count == 1


@pytest.mark.parametrize("query", ["DE89370400440532013000", "DE89 3704 0044 0532 0130 00",
                                   "03.03.2026", "K-998877"])
def test_identifiers_are_found_as_whole_tokens(demo, backend, query):
    _file(demo["B"], "Bitte überweisen Sie auf DE89 3704 0044 0532 0130 00 bis zum "
          "03.03.2026, Kundennummer K-998877.", title="Zahlungsaufforderung")
    _file(demo["B"], "Am 03.04.2026 wurde DE89 gesagt; 3704 und K-998 sind andere Zahlen.",
          title="Notiz")
    assert _search("sachbearbeitung-b", query).count == 1


def test_phrases_require_the_words_in_order(demo, backend):
    _file(demo["B"], "Der Antrag auf Wohngeld wurde gestellt.", title="Antrag")
    _file(demo["B"], "Wohngeld wird ohne Antrag nicht gezahlt.", title="Hinweis")
    assert _search("sachbearbeitung-b", "Antrag Wohngeld").count == 2
    page = _search("sachbearbeitung-b", '"Antrag auf Wohngeld"')
    assert page.count == 1 and page.hits[0].title == "Antrag"


def test_or_not_and_prefix(demo, backend):
    _file(demo["B"], "Die Heizkosten für Januar.", title="Heizung")
    _file(demo["B"], "Die Mietkosten für Januar.", title="Miete")
    _file(demo["B"], "Eine Mahnung wegen Heizkosten.", title="Mahnung")
    assert _search("sachbearbeitung-b", "Heizkosten OR Mietkosten").count == 3
    assert {h.title for h in _search("sachbearbeitung-b", "Heizkosten -Mahnung").hits} \
        == {"Heizung"}
    assert _search("sachbearbeitung-b", "Heizkosten NOT Mahnung").count == 1
    assert _search("sachbearbeitung-b", "(Heizkosten OR Mietkosten) Januar").count == 2
    assert _search("sachbearbeitung-b", "Heiz*").count == 2
    assert _search("sachbearbeitung-b", "titel:Mahnung").count == 1


def test_a_minus_before_a_group_or_phrase_excludes_it(demo, backend):
    _file(demo["B"], "Die Miete für Januar.", title="Miete")
    _file(demo["B"], "Eine Mahnung wegen der Miete.", title="Mahnung")
    _file(demo["B"], "Die Miete und die Heizung.", title="Heizung")
    _file(demo["B"], "Der Antrag auf Übernahme der Miete.", title="Antrag")
    _file(demo["B"], "Auf den Antrag zur Miete.", title="Umgekehrt")

    def titles(query):
        page = _search("sachbearbeitung-b", query)
        assert page.count == len(page.hits)
        return {hit.title for hit in page.hits}

    assert titles("Miete -(Mahnung OR Heizung)") == {"Miete", "Antrag", "Umgekehrt"}
    assert titles('Miete -"Antrag auf"') == {"Miete", "Mahnung", "Heizung", "Umgekehrt"}
    assert titles('-(Mahnung OR Heizung) Miete') == {"Miete", "Antrag", "Umgekehrt"}
    # A minus standing alone is no operator.
    assert titles("Miete - Heizung") == {"Heizung"}


@pytest.mark.parametrize("query", ["feld:wert", '"offen', "(Bescheid", "Bescheid)",
                                   "Bescheid OR", "NOT", "-Bescheid", "-(Bescheid OR Miete)",
                                   '-"Bescheid vom"'])
def test_query_syntax_error_is_a_clear_refusal(demo, backend, query):
    _file(demo["A"], LETTER)
    with pytest.raises(InvalidInput) as error:
        _search("sachbearbeitung-a", query)
    assert error.value.code == "QUERY_SYNTAX"
    assert error.value.message.startswith("Die Suchanfrage ist ungültig")


def _corpus(demo):
    """Three letters in A's case file, one in a second case file of unit A."""
    now = timezone.now()
    second = case_file_create(plan_unit=demo["A"].plan_unit, unit=demo["A"].unit,
                              actor=system_actor(name="test"), title="Wohngeld",
                              subject_name="Erika Beispiel")
    docs = {
        "old": _file(demo["A"], "Antrag auf Leistungen, Heizkosten anbei.", title="Antrag",
                     document_type="Antrag", sender="Jobcenter Nord",
                     letter_date=date(2025, 1, 10), received_at=now - timedelta(days=300)),
        "mid": _file(demo["A"], "Bescheid über Leistungen und Heizkosten.", title="Bescheid",
                     document_type="Bescheid", sender="Sozialamt",
                     letter_date=date(2025, 6, 2), received_at=now - timedelta(days=100)),
        "new": _file(demo["A"], "Widerspruch gegen die Leistungen, Heizkosten zu niedrig.",
                     title="Widerspruch", document_type="Widerspruch", sender="Jobcenter Nord",
                     letter_date=date(2025, 11, 20), received_at=now - timedelta(days=1)),
        "other": _file(second, "Leistungen für Wohngeld, Heizkosten unklar.", title="Anfrage",
                       document_type="Antrag", sender="Wohngeldstelle",
                       letter_date=date(2025, 8, 1), received_at=now - timedelta(days=50)),
    }
    return docs, second


def test_field_filters_narrow_the_hits(demo, backend):
    docs, second = _corpus(demo)
    a = "sachbearbeitung-a"
    assert _search(a, "Leistungen").count == 4
    assert set(_ids(_search(a, "Leistungen", filters=Filters(document_types=("Antrag",))))) \
        == {docs["old"].pk, docs["other"].pk}
    assert set(_ids(_search(a, "Leistungen", filters=Filters(senders=("Jobcenter Nord",))))) \
        == {docs["old"].pk, docs["new"].pk}
    assert _ids(_search(a, "Leistungen", filters=Filters(
        letter_date_from=date(2025, 5, 1), letter_date_to=date(2025, 7, 31)))) == [docs["mid"].pk]
    recent = Filters(received_from=(timezone.now() - timedelta(days=60)).date())
    assert set(_ids(_search(a, "Leistungen", filters=recent))) \
        == {docs["new"].pk, docs["other"].pk}
    # Search within one case file, also without words.
    assert _ids(_search(a, "Heizkosten", filters=Filters(case_file_ids=(second.pk,)))) \
        == [docs["other"].pk]
    assert _search(a, filters=Filters(case_file_ids=(demo["A"].pk,))).count == 3
    assert _search(a, filters=Filters(unit_ids=(demo["B"].unit_id,))).count == 0


@pytest.mark.parametrize("access", ["two units", "a share"])
def test_the_unit_filter_keeps_one_visible_unit_and_drops_the_other(demo, backend, access):
    from archive.services.casefiles import case_file_share
    from archive.services.staff import staff_set

    in_a = _file(demo["A"], "Heizkosten der Einheit A.", title="A")
    in_b = _file(demo["B"], "Heizkosten der Einheit B.", title="B")
    if access == "two units":
        staff_set(actor=acting(user("admin")), username="sachbearbeitung-b", units=["A", "B"])
    else:
        staff_set(actor=acting(user("admin")), username="sachbearbeitung-a",
                  grant=["share_casefile"])
        case_file_share(actor=acting(user("sachbearbeitung-a")), case_file=demo["A"],
                        unit=demo["B"].unit, reason="Amtshilfe")
    b = "sachbearbeitung-b"
    assert set(_ids(_search(b, "Heizkosten"))) == {in_a.pk, in_b.pk}
    only_a = _search(b, "Heizkosten", filters=Filters(unit_ids=(demo["A"].unit_id,)),
                     facets=True)
    assert (only_a.count, _ids(only_a)) == (1, [in_a.pk])
    assert {bucket.label for bucket in only_a.facets["unit"]} == {"Sachgebiet A"}
    only_b = _search(b, "Heizkosten", filters=Filters(unit_ids=(demo["B"].unit_id,)))
    assert (only_b.count, _ids(only_b)) == (1, [in_b.pk])
    both = Filters(unit_ids=(demo["A"].unit_id, demo["B"].unit_id))
    assert _search(b, "Heizkosten", filters=both).count == 2


def test_facets_count_the_matching_documents(demo, backend):
    docs, second = _corpus(demo)
    page = _search("sachbearbeitung-a", "Heizkosten", facets=True)
    facets = {name: {b.label: b.count for b in buckets} for name, buckets in page.facets.items()}
    assert facets["document_type"] == {"Antrag": 2, "Bescheid": 1, "Widerspruch": 1}
    assert facets["sender"] == {"Jobcenter Nord": 2, "Sozialamt": 1, "Wohngeldstelle": 1}
    assert facets["unit"] == {"Sachgebiet A": 4}
    assert facets["case_file"] == {demo["A"].file_reference: 3, second.file_reference: 1}
    narrowed = _search("sachbearbeitung-a", "Heizkosten", facets=True,
                       filters=Filters(document_types=("Antrag",)))
    assert {b.label: b.count for b in narrowed.facets["sender"]} \
        == {"Jobcenter Nord": 1, "Wohngeldstelle": 1}


def test_sorting_by_date_and_paging(demo, backend):
    docs, _ = _corpus(demo)
    a = "sachbearbeitung-a"
    newest = [docs[k].pk for k in ("new", "other", "mid", "old")]
    assert _ids(_search(a, "Heizkosten", sort="newest")) == newest
    assert _ids(_search(a, "Heizkosten", sort="oldest")) == newest[::-1]
    assert _ids(_search(a, "Heizkosten", sort="letter_date")) \
        == [docs[k].pk for k in ("new", "other", "mid", "old")]
    first = _search(a, "Heizkosten", sort="newest", limit=3)
    second = _search(a, "Heizkosten", sort="newest", limit=3, offset=3)
    assert first.count == second.count == 4
    assert _ids(first) + _ids(second) == newest
    # Relevance: the word in the title weighs more than in the text.
    assert _ids(_search(a, "Bescheid"))[0] == docs["mid"].pk


def test_more_like_this_finds_related_letters(demo, backend):
    heating = _file(demo["B"], "Nachforderung Heizkosten Nebenkostenabrechnung Vermieter "
                    "Heizperiode Nachzahlung Heizkosten.", title="Nebenkosten")
    similar = _file(demo["B"], "Ihre Nebenkostenabrechnung mit Nachzahlung für die "
                    "Heizperiode, Vermieter Schmidt.", title="Abrechnung")
    _file(demo["B"], "Einladung zum Gespräch über Ihre Arbeitssuche.", title="Einladung")
    page = _search("sachbearbeitung-b", more_like=heating.pk)
    assert _ids(page) == [similar.pk]
    # A document the user may not see cannot serve as the example.
    with pytest.raises(InvalidInput):
        _search("sachbearbeitung-a", more_like=heating.pk)


def _invisible_documents(demo):
    """In unit A: a confidential file (clearance too low), a staff case and a file whose
    processing is restricted; and a letter of unit B."""
    confidential = case_file_create(plan_unit=demo["A"].plan_unit, unit=demo["A"].unit,
                                    actor=system_actor(name="test"), title="Vertraulich",
                                    confidentiality=2)
    staff = case_file_create(plan_unit=demo["A"].plan_unit, unit=demo["A"].unit,
                             actor=system_actor(name="test"), title="Beschäftigtenfall")
    restricted = case_file_create(plan_unit=demo["A"].plan_unit, unit=demo["A"].unit,
                                  actor=system_actor(name="test"), title="Eingeschränkt")
    CaseFile.objects.filter(pk=staff.pk).update(staff_case=True)
    CaseFile.objects.filter(pk=restricted.pk).update(restricted=True)
    staff.refresh_from_db()
    restricted.refresh_from_db()
    return [
        _file(restricted, f"Eingeschränkt {SECRET} Heizkosten.", title="Eingeschränkt",
              document_type="Sperrtyp", sender="Sperrabsender"),
        _file(confidential, f"Gutachten {SECRET} Heizkosten.", title=f"Gutachten {SECRET}",
              document_type=f"Typ{SECRET}", sender=f"Absender {SECRET}"),
        _file(staff, f"Personalsache {SECRET} Heizkosten.", title="Personalsache",
              document_type="Personal", sender="Personalamt"),
        _file(demo["B"], f"Fremde Einheit {SECRET} Heizkosten.", title="Fremd",
              document_type="Fremdtyp", sender="Fremdabsender"),
    ]


@pytest.mark.parametrize("username", ["sachbearbeitung-a", "poststelle", "admin"])
def test_an_invisible_document_reveals_nothing(demo, backend, username):
    _file(demo["A"], "Heizkosten für März.", title="Heizung", document_type="Antrag",
          sender="Stadtwerke")
    _invisible_documents(demo)
    page = _search(username, SECRET, facets=True)
    assert (page.count, page.hits, page.facets) == (0, [], {})
    assert _search(username, f"{SECRET[:6]}*", facets=True).count == 0
    assert search_suggestions(user=user(username), prefix=SECRET[:5]) == []
    # Words the visible and invisible letters share count the visible one only.
    shared = _search(username, "Heizkosten", facets=True)
    expected = 1 if username == "sachbearbeitung-a" else 0
    assert shared.count == expected
    labels = {b.label for buckets in shared.facets.values() for b in buckets}
    assert not labels & {f"Typ{SECRET}", "Personal", "Fremdtyp", "Personalamt",
                         "Fremdabsender", "Sachgebiet B", "Sperrtyp", "Sperrabsender"}
    assert all(SECRET not in hit.snippet for hit in shared.hits)


def test_suggestions_complete_words_of_visible_documents(demo, backend):
    _invisible_documents(demo)
    _file(demo["B"], f"Der Schlüssel {SECRET} liegt bei der Hausverwaltung.", title="Brief")
    assert search_suggestions(user=user("sachbearbeitung-b"), prefix=SECRET[:5]) == [SECRET]
    assert search_suggestions(user=user("sachbearbeitung-b"), prefix="hausverw") \
        == ["Hausverwaltung"]


def test_each_search_is_logged_for_data_protection(demo, backend):
    _file(demo["A"], LETTER)
    _search("sachbearbeitung-a", "Widerspruch", filters=Filters(document_types=("Brief",)))
    _search("sachbearbeitung-b", "Widerspruch")
    # The query and filters are sealed (archive/sealing.py): read them in the clear.
    logged = [{"actor": e.actor, "data": e.clear_data} for e in
              Event.objects.filter(action="searched", object_type="search").order_by("seq")]
    assert logged == [
        {"actor": "sachbearbeitung-a",
         "data": {"query": "Widerspruch", "count": 0, "filters": {"document_types": ["Brief"]},
                  "role": "caseworker", "via": {"channel": "system"}}},
        {"actor": "sachbearbeitung-b",
         "data": {"query": "Widerspruch", "count": 0, "role": "caseworker",
                  "via": {"channel": "system"}}},
    ]
    shown = _search("sachbearbeitung-a", "Widerspruch")
    last = Event.objects.filter(action="searched").last()
    assert last.data["count"] == 1
    # The one event names the document whose title and snippet the page showed.
    assert last.data["documents"] == [hit.document_id for hit in shown.hits] != []


def test_suggestions_and_refused_searches_are_logged_too(demo, backend):
    from rest_framework.test import APIClient

    from tests.conftest import DEMO_PASSWORD

    _file(demo["A"], "Die Hausverwaltung schreibt.", title="Brief")
    api = APIClient()
    api.login(username="sachbearbeitung-a", password=DEMO_PASSWORD)
    typed = api.get("/api/search/suggestions/", {"prefix": "Hausverw"})
    assert typed.json() == {"suggestions": ["Hausverwaltung"]}
    refused = api.get("/api/search/", {"q": "Hausverwaltung OR"})
    assert refused.status_code == 400
    # The query and filters are sealed (archive/sealing.py): read them in the clear.
    logged = [{"actor": e.actor, "data": e.clear_data} for e in
              Event.objects.filter(action="searched", object_type="search").order_by("seq")]
    assert logged == [
        {"actor": "sachbearbeitung-a",
         "data": {"query": "Hausverw", "count": 1, "suggestions": True,
                  "role": "caseworker", "via": {"channel": "api"}}},
        {"actor": "sachbearbeitung-a",
         "data": {"query": "Hausverwaltung OR", "count": 0, "refused": "QUERY_SYNTAX",
                  "role": "caseworker", "via": {"channel": "api"}}},
    ]


def test_rebuild_restores_the_index_from_the_database(demo, backend):
    document = _file(demo["A"], LETTER)
    get_backend().clear()
    assert _search("sachbearbeitung-a", "Widerspruch").count == 0
    assert index_rebuild() == 1
    assert get_backend().document_ids() == {document.pk}
    assert _search("sachbearbeitung-a", "Widerspruch").count == 1


def test_check_reports_and_repairs_missing_and_stale_entries(demo, backend):
    kept = _file(demo["A"], LETTER)
    lost = _file(demo["A"], "Ein Schreiben zur Miete.", title="Miete")
    changed = _file(demo["A"], "Ein Schreiben zum Umzug.", title="Umzug")
    get_backend().delete([lost.pk])
    # Changed behind the index's back (no signal): the index still has the old title.
    type(changed).objects.filter(pk=changed.pk).update(title="Kaution")
    report = index_check()
    assert (report.missing, report.stale, report.orphaned) == ([lost.pk], [changed.pk], [])
    assert _search("sachbearbeitung-a", "Kaution").count == 0
    repaired = index_check(repair=True)
    assert repaired.repaired and index_check().ok and index_check().checked == 3
    assert _ids(_search("sachbearbeitung-a", "Kaution")) == [changed.pk]
    assert _ids(_search("sachbearbeitung-a", "Miete")) == [lost.pk]
    assert kept.pk in get_backend().document_ids()


def test_check_command_fails_until_repaired(demo, backend, capsys):
    lost = _file(demo["A"], LETTER)
    get_backend().delete([lost.pk])
    with pytest.raises(CommandError):
        call_command("search", "check")
    assert "1 missing" in capsys.readouterr().out
    call_command("search", "check", "--repair")
    call_command("search", "check")
    assert "0 missing, 0 stale" in capsys.readouterr().out


def test_a_change_of_backend_or_analysis_rebuilds_the_index(demo, backend, settings):
    document = _file(demo["A"], LETTER)
    index_rebuild()
    assert index_ensure_current() is False  # nothing changed: no rebuild
    # An upgrade that changes the analysis: the stored state names the old version.
    IndexState.objects.filter(pk=1).update(version="0")
    get_backend().clear()
    assert index_ensure_current() is True
    assert _ids(_search("sachbearbeitung-a", "Bescheides")) == [document.pk]
    # Switching to another backend builds that backend's index.
    settings.SEARCH_BACKEND = "whoosh" if backend != "whoosh" else "tantivy"
    get_backend.cache_clear()
    assert index_ensure_current() is True
    assert get_backend().name == settings.SEARCH_BACKEND
    assert _ids(_search("sachbearbeitung-a", "Bescheides")) == [document.pk]


def test_cli_searches_with_filters_as_the_user(demo, backend, capsys):
    import json

    docs, second = _corpus(demo)
    call_command("search", "Heizkosten", "--user", "sachbearbeitung-a", "--json",
                 "--case-file", str(second.pk), "--facets")
    payload = json.loads(capsys.readouterr().out)
    assert payload["count"] == 1 and payload["results"][0]["document"] == docs["other"].pk
    assert "[[Heizkosten]]" in payload["results"][0]["snippet"]
    assert payload["facets"]["document_type"] == [{"value": "Antrag", "label": "Antrag",
                                                   "count": 1}]
    call_command("search", "Heizkosten", "--user", "sachbearbeitung-b", "--json")
    assert json.loads(capsys.readouterr().out) == {"count": 0, "count_exact": True,
                                                   "count_text": "0", "results": []}


def test_received_dates_are_compared_as_days(demo, backend):
    moment = timezone.make_aware(datetime(2025, 3, 5, 23, 30))
    document = _file(demo["A"], LETTER, received_at=moment)
    day = moment.astimezone(timezone.get_current_timezone()).date()
    assert _ids(_search("sachbearbeitung-a", "Widerspruch", filters=Filters(
        received_from=day, received_to=day))) == [document.pk]


def test_a_destroyed_document_is_not_found_even_before_its_entry_is_purged(demo, backend):
    document = _file(demo["A"], f"Altakte {SECRET}.", title="Altakte")
    type(document).objects.filter(pk=document.pk).update(destroyed_at=timezone.now())
    assert _search("sachbearbeitung-a", SECRET).hits == []
    documents_index([document.pk])  # indexing a destroyed document removes its entry
    assert _search("sachbearbeitung-a", SECRET).count == 0
    assert document.pk not in get_backend().document_ids()


def test_a_lost_index_directory_is_rebuilt(demo, backend, settings):
    import shutil

    document = _file(demo["A"], LETTER)
    index_rebuild()
    if backend == "postgres":
        get_backend().clear()
    else:
        shutil.rmtree(settings.SEARCH_INDEX_DIR)
        get_backend.cache_clear()
    assert index_ensure_current() is True
    assert _ids(_search("sachbearbeitung-a", "Widerspruch")) == [document.pk]


def test_state_filter_follows_closing(demo, backend, django_capture_on_commit_callbacks):
    from archive.services.casefiles import case_file_close
    from config.celery import app

    document = _file(demo["A"], LETTER)
    closed, still_open = Filters(states=("closed",)), Filters(states=("open",))
    assert _search("sachbearbeitung-a", "Widerspruch", filters=closed).count == 0
    assert _search("sachbearbeitung-a", "Widerspruch", filters=still_open).count == 1
    app.conf.task_always_eager = True  # the index queue runs in this process
    try:
        with django_capture_on_commit_callbacks(execute=True):
            case_file_close(actor=acting(user("sachbearbeitung-a")), case_file=demo["A"])
    finally:
        app.conf.task_always_eager = False
    assert _ids(_search("sachbearbeitung-a", "Widerspruch", filters=closed)) == [document.pk]
    assert _search("sachbearbeitung-a", "Widerspruch", filters=still_open).count == 0


def test_a_hit_shows_its_file_and_the_marks_of_data_subject_rights(demo, backend):
    document = _file(demo["A"], LETTER, title="Widerspruch Müller", sender="Frau Müller")
    CaseFile.objects.filter(pk=demo["A"].pk).update(disputed_note="Anschrift bestritten")
    [hit] = _search("sachbearbeitung-a", "Widerspruch").hits
    assert (hit.document_id, hit.title, hit.sender, hit.file_reference, hit.disputed,
            hit.restricted) == (document.pk, "Widerspruch Müller", "Frau Müller",
                                demo["A"].file_reference, "Anschrift bestritten", False)
    assert hit.received_at.tzinfo is not None and "[[Widerspruch]]" in hit.snippet


@pytest.mark.parametrize("change", [{"restricted": True}, {"staff_case": True},
                                    {"unit": "B"}, {"destroyed_at": "now"}])
def test_a_hit_the_index_still_shows_is_checked_against_the_database(demo, backend, change):
    """The index may lag behind the database (a change written after it was read): a hit is
    shown only if the case file as it is now still lets the user see it."""
    _file(demo["A"], LETTER)
    assert _ids(_search("sachbearbeitung-a", "Widerspruch"))
    values = {"unit": demo["B"].unit} if "unit" in change else (
        {"destroyed_at": timezone.now()} if "destroyed_at" in change else change)
    CaseFile.objects.filter(pk=demo["A"].pk).update(**values)  # no signal: the index lags
    assert _search("sachbearbeitung-a", "Widerspruch").hits == []
