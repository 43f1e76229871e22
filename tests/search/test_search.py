"""Search finds by German words however they are spelled, and trims by permission inside the
query: a user who may not see a document gets no hit and no count for it."""
import pytest
from django.utils import timezone

from archive.errors import InvalidInput
from archive.services.documents import VersionContent, document_file_new
from search.backends import get_backend
from search.indexing import documents_index, index_rebuild
from search.services import documents_search
from tests.conftest import user

LETTER = ("Sehr geehrter Herr Müller, gegen den Bescheid vom 3. März legen Sie Widerspruch "
          "ein. Zeichen quetzalwort7731.")


@pytest.fixture
def index_dir(settings, tmp_path):
    settings.SEARCH_INDEX_DIR = tmp_path / "index"
    get_backend.cache_clear()
    yield settings.SEARCH_INDEX_DIR
    get_backend.cache_clear()


def _file(case_file, text, title="Widerspruch"):
    import hashlib

    content = VersionContent(
        original_sha256=hashlib.sha256(text.encode()).hexdigest(), original_size=len(text),
        original_name="scan.pdf", original_mime="application/pdf", rendition_sha256="",
        rendition_is_pdfa=False, text=text, text_sha256=hashlib.sha256(text.encode()).hexdigest(),
        page_count=1,
    )
    document = document_file_new(content=content, case_file=case_file, title=title,
                                 received_at=timezone.now(), actor="test")
    documents_index([document.pk])
    return document


def test_only_the_owning_unit_finds_a_document(demo, index_dir):
    document = _file(demo["A"], LETTER)
    found = documents_search(user=user("sachbearbeitung-a"), query="quetzalwort7731")
    assert found.count == 1 and [h.document_id for h in found.hits] == [document.pk]
    assert "[[quetzalwort7731]]" in found.hits[0].snippet
    for other in ("sachbearbeitung-b", "poststelle", "datenschutz", "admin"):
        page = documents_search(user=user(other), query="quetzalwort7731")
        assert page.count == 0 and page.hits == []


@pytest.mark.parametrize("query", ["Müller", "Mueller", "MÜLLER", "mueller"])
def test_umlaut_spellings_find_each_other(demo, index_dir, query):
    _file(demo["A"], LETTER)
    assert documents_search(user=user("sachbearbeitung-a"), query=query).count == 1


@pytest.mark.parametrize("query", ["Bescheid", "Bescheide", "Bescheides"])
def test_inflected_forms_are_found(demo, index_dir, query):
    _file(demo["A"], LETTER)
    assert documents_search(user=user("sachbearbeitung-a"), query=query).count == 1


def test_a_reopened_index_analyses_queries_the_same_way(demo, index_dir):
    _file(demo["A"], LETTER)
    get_backend.cache_clear()  # a new process opening the index from disk
    assert documents_search(user=user("sachbearbeitung-a"), query="Bescheides").count == 1
    assert documents_search(user=user("sachbearbeitung-a"), query="MUELLER").count == 1


def test_file_reference_finds_the_documents_of_the_case_file(demo, index_dir):
    _file(demo["A"], LETTER)
    _file(demo["A"], "Ein anderes Schreiben ohne Bezug.", title="Sonstiges")
    found = documents_search(user=user("sachbearbeitung-a"), query=f'"{demo["A"].file_reference}"')
    assert found.count == 2


def test_query_syntax_error_is_a_clear_refusal(demo, index_dir):
    _file(demo["A"], LETTER)
    with pytest.raises(InvalidInput) as error:
        documents_search(user=user("sachbearbeitung-a"), query="feld:wert")
    assert error.value.code == "QUERY_SYNTAX"


def test_rebuild_restores_the_index_from_the_database(demo, index_dir):
    document = _file(demo["A"], LETTER)
    get_backend().clear()
    assert documents_search(user=user("sachbearbeitung-a"), query="Widerspruch").count == 0
    assert index_rebuild() == 1
    assert get_backend().document_ids() == {document.pk}
    assert documents_search(user=user("sachbearbeitung-a"), query="Widerspruch").count == 1
