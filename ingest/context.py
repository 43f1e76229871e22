"""What the pipeline steps pass along. Each step reads what earlier steps set."""
from dataclasses import dataclass, field
from pathlib import Path

from .models import IngestJob


@dataclass
class PipelineContext:
    job: IngestJob
    source_path: Path  # the original in the blob store: read-only
    workdir: Path
    kind: str = ""  # "pdf" or "image"
    mime: str = ""
    image_dpi: int | None = None
    rendition_path: Path | None = None
    rendition_is_pdfa: bool = False
    ocr_notes: list[str] = field(default_factory=list)
    text: str = ""
    page_count: int = 0
    file_references: list[str] = field(default_factory=list)
    title: str = ""
    letter_date: object = None
