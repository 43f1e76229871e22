"""Extraction: the text of the rendition, the file references it names, a title and the date of
the letter."""
import re
import subprocess
from datetime import date

from django.conf import settings

from ..context import PipelineContext
from ..errors import failed

DATE_PATTERN = re.compile(r"\b(\d{1,2})\.\s?(\d{1,2})\.\s?(\d{4})\b")
SUBJECT_PATTERN = re.compile(r"^\s*(?:Betreff|Betr\.|Subject)\s*:?\s*(.+)$",
                             re.IGNORECASE | re.MULTILINE)


def pdf_text(path) -> str:
    result = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"],
                            capture_output=True, timeout=300)
    if result.returncode != 0:
        raise failed("TEXT_EXTRACTION_FAILED",
                     f"Der Text konnte nicht gelesen werden: {result.stderr.decode()[-300:]}")
    return result.stdout.decode("utf-8", errors="replace")


def find_file_references(text: str) -> list[str]:
    """References in the order they appear, normalised (OCR likes to add spaces at hyphens)."""
    seen: list[str] = []
    for match in re.finditer(settings.FILE_REFERENCE_PATTERN, text):
        reference = "-".join(match.groups()) if match.groups() else match.group(0)
        reference = re.sub(r"\s+", "", reference)
        if reference not in seen:
            seen.append(reference)
    return seen


def find_letter_date(text: str) -> date | None:
    for match in DATE_PATTERN.finditer(text):
        day, month, year = (int(g) for g in match.groups())
        try:
            found = date(year, month, day)
        except ValueError:
            continue
        if 1900 <= found.year <= date.today().year + 1:
            return found
    return None


def find_title(text: str, fallback: str) -> str:
    match = SUBJECT_PATTERN.search(text)
    if match and match.group(1).strip():
        return match.group(1).strip()[:300]
    return fallback


def extract(ctx: PipelineContext) -> None:
    ctx.text = pdf_text(ctx.rendition_path).strip()
    ctx.file_references = find_file_references(ctx.text)
    ctx.letter_date = find_letter_date(ctx.text)
    ctx.title = find_title(ctx.text, fallback=ctx.job.original_name)
