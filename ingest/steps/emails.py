"""E-mail (.eml, and what the IMAP source fetches): the mail itself is archived as a PDF of its
header and body; each attachment becomes a document of its own through a child job. A mail is
measured before anything is handed on: forwarded messages nest only so deep, and a mail brings
only so many parts, however they are nested."""
import email
import email.policy
import html
import logging
import re
from datetime import datetime
from email.message import EmailMessage
from email.utils import parsedate_to_datetime
from pathlib import Path

from django.utils import timezone
from fpdf import FPDF

from ..context import Part, Parts, PipelineContext
from ..errors import refused

# Parts (attachments and forwarded messages, at any depth) one mail may bring.
MAX_ATTACHMENTS = 50
# Forwarded messages inside forwarded messages: three levels is what real post has.
MAX_MAIL_DEPTH = 3
logging.getLogger("fontTools").setLevel(logging.WARNING)  # chatty at INFO when subsetting
FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
TAG = re.compile(r"<[^>]+>")
BLOCK_END = re.compile(r"</(p|div|tr|h\d|li)>|<br\s*/?>", re.IGNORECASE)
HIDDEN = re.compile(r"<(style|script|head)\b.*?</\1>", re.IGNORECASE | re.DOTALL)


def html_to_text(markup: str) -> str:
    markup = HIDDEN.sub("", markup)
    markup = BLOCK_END.sub("\n", markup)
    return html.unescape(TAG.sub("", markup))


def _body_text(message: EmailMessage) -> str:
    body = message.get_body(preferencelist=("plain", "html"))
    if body is None:
        return ""
    try:
        content = body.get_content()
    except (LookupError, ValueError):
        content = body.get_payload(decode=True).decode("latin-1", errors="replace")
    if body.get_content_subtype() == "html":
        content = html_to_text(content)
    return re.sub(r"\n{3,}", "\n\n", content).strip()


def _attachments(message: EmailMessage) -> list[tuple[str, bytes]]:
    found = []
    for part in message.iter_attachments():
        inline_image = (part.get_content_disposition() != "attachment"
                        and part.get("Content-ID") and part.get_content_maintype() == "image")
        if inline_image:
            continue  # part of the HTML body, not a document of its own
        if part.get_content_type() == "message/rfc822":
            inner = part.get_payload()
            inner = inner[0] if isinstance(inner, list) else inner
            data = inner.as_bytes() if hasattr(inner, "as_bytes") else bytes(inner)
            name = part.get_filename() or "weitergeleitete-nachricht.eml"
        else:
            data = part.get_payload(decode=True) or b""
            name = part.get_filename() or f"anhang-{len(found) + 1}"
        found.append((name, data))
    return found


def _forwarded(message: EmailMessage) -> list[EmailMessage]:
    inner_messages = []
    for part in message.iter_attachments():
        if part.get_content_type() == "message/rfc822":
            inner = part.get_payload()
            inner_messages += [m for m in (inner if isinstance(inner, list) else [inner])
                               if isinstance(m, EmailMessage)]
    return inner_messages


def _measure(message: EmailMessage, depth: int = 0) -> tuple[int, int]:
    """(deepest level of forwarded messages, parts at all levels), stopping early beyond the
    limits: the parser has read the whole mail, but nothing more is done with it."""
    deepest, parts = depth, len(list(message.iter_attachments()))
    if depth > MAX_MAIL_DEPTH or parts > MAX_ATTACHMENTS:
        return deepest, parts
    for inner in _forwarded(message):
        inner_depth, inner_parts = _measure(inner, depth + 1)
        deepest, parts = max(deepest, inner_depth), parts + inner_parts
        if deepest > MAX_MAIL_DEPTH or parts > MAX_ATTACHMENTS:
            break
    return deepest, parts


def _check_limits(ctx: PipelineContext, message: EmailMessage) -> None:
    # A mail handed on as another mail's attachment counts its ancestors' levels too: an
    # attached .eml that is not marked as a message is opaque to the measurement above.
    inherited = int(ctx.job.provenance.get("mail_depth", 0))
    deepest, parts = _measure(message)
    if inherited + deepest > MAX_MAIL_DEPTH:
        raise refused("MAIL_TOO_DEEP", f"Die E-Mail „{ctx.name}“ enthält weitergeleitete "
                      f"Nachrichten in mehr als {MAX_MAIL_DEPTH} Ebenen; sie wird nicht "
                      "automatisch verarbeitet.")
    if parts > MAX_ATTACHMENTS:
        raise refused("TOO_MANY_ATTACHMENTS", f"Die E-Mail „{ctx.name}“ hat mehr als "
                      f"{MAX_ATTACHMENTS} Anhänge; sie wird nicht automatisch verarbeitet.")


def _metadata(message: EmailMessage) -> dict:
    def header(name):
        try:
            return str(message.get(name, "") or "")
        except (ValueError, TypeError):
            return ""
    date = None
    try:
        date = parsedate_to_datetime(header("Date")) if header("Date") else None
    except (TypeError, ValueError):
        pass
    return {"from": header("From"), "to": header("To"), "subject": header("Subject"),
            "date": date.isoformat() if date else None}


class _MailPDF(FPDF):
    def __init__(self):
        super().__init__(format="A4")
        self.add_font("DejaVu", "", str(FONT_DIR / "DejaVuSans.ttf"))
        self.add_font("DejaVu", "B", str(FONT_DIR / "DejaVuSans-Bold.ttf"))
        self.set_auto_page_break(True, margin=20)


def _local_date(iso: str | None) -> str:
    """The mail's date in local time and German form; what cannot be read stays as it is."""
    if not iso:
        return ""
    try:
        moment = datetime.fromisoformat(iso)
    except ValueError:
        return iso
    if timezone.is_aware(moment):
        moment = timezone.localtime(moment)
    return f"{moment:%d.%m.%Y, %H:%M} Uhr"


def render_mail_pdf(meta: dict, body: str, attachment_names: list[str], target: Path) -> None:
    pdf = _MailPDF()
    pdf.add_page()
    rows = [("Von", meta["from"]), ("An", meta["to"]), ("Datum", _local_date(meta["date"])),
            ("Betreff", meta["subject"])]
    if attachment_names:
        rows.append(("Anhänge", ", ".join(attachment_names)))
    for label, value in rows:
        pdf.set_font("DejaVu", "B", 10)
        pdf.cell(25, 6, f"{label}:")
        pdf.set_font("DejaVu", "", 10)
        pdf.multi_cell(0, 6, value or "-", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    pdf.set_font("DejaVu", "", 10)
    pdf.multi_cell(0, 5, body or "(ohne Text)", new_x="LMARGIN", new_y="NEXT")
    pdf.output(str(target))


def email_prepare(ctx: PipelineContext) -> Parts:
    """The mail's PDF as the working file; its attachments as parts for the pipeline."""
    with open(ctx.source_path, "rb") as handle:
        message = email.message_from_binary_file(handle, policy=email.policy.default)
    _check_limits(ctx, message)
    meta = _metadata(message)
    attachments = _attachments(message)
    body = _body_text(message)
    target = ctx.workdir / "mail.pdf"
    render_mail_pdf(meta, body, [name for name, _ in attachments], target)
    ctx.pdf_path = target
    ctx.metadata.update({"email": meta})
    ctx.sender = meta["from"]
    ctx.title = meta["subject"] or ctx.job.original_name
    job = ctx.job
    depth = int(job.provenance.get("mail_depth", 0)) + 1
    parts = []
    for number, (name, data) in enumerate(attachments, start=1):
        path = ctx.workdir / f"attachment-{number}"
        path.write_bytes(data)
        parts.append(Part(path, name, {**job.provenance, "email": meta,
                                       "attachment_of": str(job.pk), "mail_depth": depth}))
    return Parts(tuple(parts), replaces_original=False)
