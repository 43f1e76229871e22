"""Filing: rendition into the blob store, then Document + Version 1 in the case file named in
the text, or in the mailroom inbox when none is named."""
import hashlib

from archive.blobstore import blob_put_file
from archive.services.casefiles import case_file_by_reference
from archive.services.documents import VersionContent, document_file_new

from ..context import PipelineContext


def file_document(ctx: PipelineContext):
    job = ctx.job
    rendition = blob_put_file(ctx.rendition_path)
    case_file = None
    for reference in ctx.file_references:
        case_file = case_file_by_reference(reference)
        if case_file is not None:
            break
    content = VersionContent(
        original_sha256=job.original_sha256, original_size=job.original_size,
        original_name=job.original_name, original_mime=ctx.mime,
        rendition_sha256=rendition.sha256, rendition_is_pdfa=ctx.rendition_is_pdfa,
        text=ctx.text, text_sha256=hashlib.sha256(ctx.text.encode()).hexdigest(),
        page_count=ctx.page_count,
        provenance={**job.provenance, "source": job.source, "ingest_job": str(job.pk),
                    "notes": ctx.ocr_notes},
    )
    reason = (f"Aktenzeichen {case_file.file_reference} im Text erkannt" if case_file
              else "kein bekanntes Aktenzeichen im Text")
    return document_file_new(
        content=content, case_file=case_file, title=ctx.title, received_at=job.created_at,
        letter_date=ctx.letter_date, actor=job.submitted_by or job.source, reason=reason,
    )
