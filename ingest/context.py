"""What the pipeline steps pass along, and what a step may hand back. Each step reads what
earlier steps set; none writes to the database or creates jobs: the pipeline does that."""
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings

from .models import IngestJob


@dataclass(frozen=True)
class Part:
    """A file a step found inside the input (a batch's part, a mail's attachment): the pipeline
    receives it as a child job."""

    path: Path
    name: str
    provenance: dict


@dataclass(frozen=True)
class Parts:
    """The parts a step found. A batch is replaced by its parts (it is not archived itself);
    a mail is archived and its attachments go on beside it."""

    items: tuple[Part, ...]
    replaces_original: bool


def _no_renewal() -> None:
    pass


@dataclass
class PipelineContext:
    job: IngestJob
    source_path: Path  # the original in the blob store: read-only
    workdir: Path
    # The job's time limit covers all of it: a conversion and every OCR attempt share it.
    deadline: float = field(
        default_factory=lambda: time.monotonic() + settings.INGEST_TIMEOUT_SECONDS)
    # Called while a long child process runs: the job is still alive (the lease is renewed).
    renew: Callable[[], None] = _no_renewal
    kind: str = ""  # "pdf", "image", "email" or "office"
    mime: str = ""
    pdf_path: Path | None = None  # the working PDF that OCR reads (never the original if changed)
    rendition_path: Path | None = None
    rendition_is_pdfa: bool = False  # True only when the validator approved it
    pdfa_check: str = "not_checked"  # the validator's verdict (archive/pdfa_check.py)
    pdfa_findings: tuple[str, ...] = ()
    thumbnail_sha256: str = ""  # stored picture of the rendition's first page, if one was made
    ocr_notes: list[str] = field(default_factory=list)
    text: str = ""
    page_count: int = 0
    file_references: list[str] = field(default_factory=list)
    title: str = ""
    letter_date: object = None
    sender: str = ""
    signed: bool = False
    # Declared and found pages of a scan differ: the mailroom checks it.
    flagged: bool = False
    # Routing decided before recognition (cover sheet, hot-folder subfolder): a file reference.
    routed_reference: str = ""
    routed_unit: str = ""
    suggestions: dict = field(default_factory=dict)
    scan: dict = field(default_factory=dict)  # measured scan properties (resolution, colour)
    metadata: dict = field(default_factory=dict)  # e.g. a mail's sender, subject and date

    @property
    def name(self) -> str:
        """The file as its submitter knows it: what refusals call it (never a server path)."""
        return self.job.original_name or "Datei"
