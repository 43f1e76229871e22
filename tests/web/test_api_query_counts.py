"""Speed of API v1 (issue 15, point 8): the case-file list, the document list of a case file
and the search answer make as many database queries for a page of 50 as for a page of 5, each
still one logged read."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from archive.actors import actor_for_user
from archive.models import Document, DocumentType, Event
from archive.services.casefiles import case_file_create
from archive.services.staff import staff_set
from identity.tokens import token_create
from search.backends import get_backend
from search.indexing import documents_index
from tests.archive.helpers import file_document
from tests.conftest import user

pytestmark = pytest.mark.django_db
WORD = "kesselgrau"


@pytest.fixture
def index(settings, tmp_path):
    settings.SEARCH_INDEX_DIR = tmp_path / "index"
    get_backend.cache_clear()
    yield
    get_backend.cache_clear()


@pytest.fixture
def api(demo, index):
    """A token of unit A, and 55 case files and 55 indexed documents it may read."""
    admin = actor_for_user(user("admin"))
    staff_set(actor=admin, username="fv-bench", role="caseworker", units=["A"])
    _, raw = token_create(
        actor=admin,
        name="Fachverfahren",
        username="fv-bench",
        units=["A"],
        actions=["read", "search"],
    )
    home = demo["A"]
    caseworker = actor_for_user(user("sachbearbeitung-a"))
    for n in range(55):
        case_file_create(
            actor=caseworker,
            plan_unit=home.plan_unit,
            unit=home.unit,
            title=f"Akte {n}",
            subject_name=f"Person {n}",
            subject_birth_date=None,
            client_number=f"KD-{n}",
            confidentiality=0,
        )
    documents = [
        file_document(home, text=f"Antrag {n} Kennung {WORD}", title=f"Antrag {n}")
        for n in range(55)
    ]
    # Of many types, as in a real file: a name looked up per document would show.
    keys = list(DocumentType.objects.values_list("key", flat=True))
    assert len(keys) >= 5
    for n, document in enumerate(documents):
        Document.objects.filter(pk=document.pk).update(document_type=keys[n % len(keys)])
    documents_index([document.pk for document in documents])
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return {"client": client, "case_file": home}


def _counted(client, url: str, limit: int) -> tuple[int, list]:
    separator = "&" if "?" in url else "?"
    with CaptureQueriesContext(connection) as captured:
        answer = client.get(f"{url}{separator}limit={limit}")
    assert answer.status_code == 200, answer.content
    body = answer.json()
    items = body.get("results", body.get("hits"))
    return len(captured.captured_queries), items


@pytest.mark.parametrize("kind", ["case files", "documents of a case file", "search"])
def test_a_page_of_50_costs_as_many_queries_as_a_page_of_5(api, kind):
    url = {
        "case files": "/api/v1/case-files/",
        "documents of a case file": f"/api/v1/case-files/{api['case_file'].pk}/documents/",
        "search": f"/api/search/?q={WORD}",
    }[kind]
    client = api["client"]
    _counted(client, url, 5)  # warm caches (content types, permissions, document types)
    events = Event.objects.count()
    few, few_items = _counted(client, url, 5)
    many, many_items = _counted(client, url, 50)
    # The pages really differ, else the test proves nothing; each is one logged read.
    assert len(few_items) == 5 and len(many_items) == 50
    assert Event.objects.count() == events + 2
    if kind != "case files":
        assert len({item["document_type"] for item in many_items}) >= 5
    assert many == few, f"{kind}: {few} queries for 5, {many} for 50"


def test_a_token_records_its_last_use_to_the_minute_not_on_every_request(api):
    from datetime import timedelta

    from django.utils import timezone

    from identity.models import ApiToken

    client = api["client"]
    assert client.get("/api/v1/").status_code == 200
    first = ApiToken.objects.get(name="Fachverfahren").last_used_at
    assert first is not None
    with CaptureQueriesContext(connection) as captured:
        assert client.get("/api/v1/").status_code == 200
    assert not [q for q in captured.captured_queries if q["sql"].startswith("UPDATE")]
    assert ApiToken.objects.get(name="Fachverfahren").last_used_at == first
    ApiToken.objects.filter(name="Fachverfahren").update(last_used_at=first - timedelta(minutes=2))
    assert client.get("/api/v1/").status_code == 200
    assert ApiToken.objects.get(name="Fachverfahren").last_used_at > timezone.now() - timedelta(
        seconds=30
    )
