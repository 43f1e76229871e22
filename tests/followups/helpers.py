import hashlib
from datetime import datetime
from zoneinfo import ZoneInfo

from archive.models import Document
from archive.services.events import event_append
from tests.archive.helpers import file_document

BERLIN = ZoneInfo("Europe/Berlin")


def received_document(case_file, *, at: datetime, text: str, document_type: str = "antrag",
                      title: str = "Antrag"):
    """A document whose original the trail recorded as received at `at` (the ingest entry is
    written first, as ingest does), filed now, with the given type."""
    event_append(action="received", object_type="ingest_job", object_id=f"job-{text[:20]}",
                 actor="poststelle", at=at,
                 data={"sha256": hashlib.sha256(text.encode()).hexdigest(), "size": 1,
                       "source": "upload"})
    document = file_document(case_file, text=text, title=title)
    Document.objects.filter(pk=document.pk).update(document_type=document_type)
    return Document.objects.get(pk=document.pk)


def berlin(*args) -> datetime:
    return datetime(*args, tzinfo=BERLIN)
