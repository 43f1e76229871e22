"""What the pipeline steps pass along. Each step reads what earlier steps set."""
import time
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings

from .models import IngestJob


@dataclass
class PipelineContext:
    job: IngestJob
    source_path: Path  # the original in the blob store: read-only
    workdir: Path
    # The job's time limit covers all of it: a conversion and every OCR attempt share it.
    deadline: float = field(
        default_factory=lambda: time.monotonic() + settings.INGEST_TIMEOUT_SECONDS)
    kind: str = ""  # "pdf", "image", "email" or "office"
    mime: str = ""
    image_dpi: int | None = None
    pdf_path: Path | None = None  # the working PDF that OCR reads (never the original if changed)
    rendition_path: Path | None = None
    rendition_is_pdfa: bool = False
    thumbnail_sha256: str = ""  # stored picture of the rendition's first page, if one was made
    ocr_notes: list[str] = field(default_factory=list)
    text: str = ""
    page_count: int = 0
    file_references: list[str] = field(default_factory=list)
    title: str = ""
    letter_date: object = None
    sender: str = ""
    signed: bool = False
    # Routing decided before recognition (cover sheet, hot-folder subfolder): a file reference.
    routed_reference: str = ""
    routed_unit: str = ""
    suggestions: dict = field(default_factory=dict)
    scan: dict = field(default_factory=dict)  # measured scan properties (resolution, colour)
    metadata: dict = field(default_factory=dict)  # e.g. a mail's sender, subject and date
