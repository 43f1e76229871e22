"""Recognition: the text of the rendition, and suggestions with a confidence for the file
reference, the date of the letter, the sender, the subject, the document type and unit (the
learned classifier, else the types' rules) and the person the letter concerns with the case
file that fits. Filing decides by the confidences whether a document is filed or waits in the
mailroom inbox."""
import logging
import re
import subprocess
from datetime import date, datetime

from django.conf import settings
from django.utils import timezone

from archive.services.casefiles import case_file_by_reference

from ..context import PipelineContext
from ..errors import failed
from ..recognition.correspondents import canonical_sender
from ..recognition.doctype import suggest_document_type
from ..recognition.letters import letter_sender, letter_subject
from ..recognition.persons import suggest_person
from .limits import limit_child

log = logging.getLogger(__name__)

DATE_PATTERN = re.compile(r"\b(\d{1,2})\.\s?(\d{1,2})\.\s?(\d{4})\b")
MONTHS = ["januar", "februar", "märz", "april", "mai", "juni", "juli", "august", "september",
          "oktober", "november", "dezember"]
WORD_DATE_PATTERN = re.compile(r"\b(\d{1,2})\.\s?(" + "|".join(MONTHS) + r")\s+(\d{4})\b",
                               re.IGNORECASE)
DATE_CONTEXT = re.compile(r"(Datum|den|,)\s*$", re.IGNORECASE)
SUBJECT_PATTERN = re.compile(r"^\s*(?:Betreff|Betr\.|Subject)\s*:?\s*(.+)$",
                             re.IGNORECASE | re.MULTILINE)
SENDER_LABEL = re.compile(r"^\s*(?:Absender|Von|From)\s*:\s*(.+)$", re.IGNORECASE | re.MULTILINE)
# A return-address line: "Name · Straße 1 · 12345 Ort" or with commas/dashes.
RETURN_ADDRESS = re.compile(r"^(.{3,80}?)\s*[·|,–-]\s*.{0,60}\b\d{5}\s+\w+", re.MULTILINE)


def pdf_text(path) -> str:
    # Under the job's memory limit: the rendition keeps the original's page content.
    result = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"],
                            capture_output=True, timeout=300, preexec_fn=limit_child)
    if result.returncode != 0:
        # pdftotext names the server's copy of the file: logged, not shown.
        log.error("pdftotext failed (%s): %s", result.returncode,
                  result.stderr.decode(errors="replace")[-300:])
        raise failed("TEXT_EXTRACTION_FAILED", "Der Text der Datei konnte nicht gelesen "
                     "werden.")
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


def _plausible(day: int, month: int, year: int) -> date | None:
    try:
        found = date(year, month, day)
    except ValueError:
        return None
    return found if 1900 <= found.year <= timezone.localdate().year + 1 else None


def suggest_date(text: str) -> tuple[date | None, float]:
    candidates = []
    for match in DATE_PATTERN.finditer(text):
        found = _plausible(*(int(g) for g in match.groups()))
        if found:
            candidates.append((match.start(), found))
    for match in WORD_DATE_PATTERN.finditer(text):
        day, month, year = match.groups()
        found = _plausible(int(day), MONTHS.index(month.lower()) + 1, int(year))
        if found:
            candidates.append((match.start(), found))
    if not candidates:
        return None, 0.0
    candidates.sort()
    for start, found in candidates:
        if DATE_CONTEXT.search(text[max(0, start - 30):start]):
            return found, 0.9  # "Berlin, den 3. März 2026" or "Datum: ..."
    return candidates[0][1], 0.6


def suggest_subject(text: str, fallback: str) -> tuple[str, float]:
    match = SUBJECT_PATTERN.search(text)
    if match and match.group(1).strip():
        return match.group(1).strip()[:300], 0.9
    return fallback, 0.2


def suggest_sender(text: str) -> tuple[str, float]:
    match = SENDER_LABEL.search(text)
    if match:
        return match.group(1).strip()[:300], 0.8
    head = "\n".join(text.splitlines()[:15])
    match = RETURN_ADDRESS.search(head)
    if match:
        return match.group(1).strip()[:300], 0.7
    return "", 0.0


def suggest_case_file(ctx: PipelineContext) -> tuple[str, float, str]:
    """(file reference, confidence, why). A routed reference (cover sheet, hot-folder
    subfolder) is certain; one known reference in the text nearly so; several are a doubt."""
    if ctx.routed_reference and case_file_by_reference(ctx.routed_reference):
        return ctx.routed_reference, 1.0, ctx.job.provenance.get("route_source", "route")
    known = [ref for ref in ctx.file_references if case_file_by_reference(ref)]
    if len(known) == 1:
        return known[0], 0.95, "Aktenzeichen im Text erkannt"
    if known:
        return known[0], 0.5, "mehrere Aktenzeichen im Text"
    return "", 0.0, "kein bekanntes Aktenzeichen im Text"


def extract(ctx: PipelineContext) -> None:
    ctx.text = pdf_text(ctx.rendition_path).strip()
    ctx.file_references = find_file_references(ctx.text)
    mail = ctx.metadata.get("email")
    if mail:
        ctx.title = ctx.title or mail.get("subject") or ctx.job.original_name
        subject_conf = 1.0 if mail.get("subject") else 0.2
        sender, sender_conf = mail.get("from", ""), 1.0
        mail_date = mail.get("date")
        letter_date = datetime.fromisoformat(mail_date).date() if mail_date else None
        date_conf = 1.0 if letter_date else 0.0
    else:
        subject, subject_conf, _ = letter_subject(ctx.text)
        ctx.title, subject_conf = (subject, subject_conf) if subject else \
            (ctx.job.original_name, 0.2)
        sender, sender_conf, _ = letter_sender(ctx.text)
        sender = canonical_sender(sender, sender_conf, ctx.text)
        letter_date, date_conf = suggest_date(ctx.text)
    ctx.sender, ctx.letter_date = sender, letter_date
    reference, reference_conf, why = suggest_case_file(ctx)
    document_type, unit = suggest_document_type(ctx.text)
    person, _ = suggest_person(ctx.text, sender=sender)
    ctx.suggestions = {
        "file_reference": {"value": reference or None, "confidence": reference_conf,
                           "reason": why, "found": ctx.file_references},
        "letter_date": {"value": letter_date.isoformat() if letter_date else None,
                        "confidence": date_conf},
        "sender": {"value": sender or None, "confidence": sender_conf},
        "subject": {"value": ctx.title, "confidence": subject_conf},
        "document_type": document_type,
        "unit": unit,
        "person": person,
    }
