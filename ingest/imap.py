"""The IMAP source: unseen mail in the configured mailbox is received as .eml jobs (the mail
archived as a PDF of its body, each attachment a document of its own). A message is marked
seen only after its job is committed, so a crash in between receives it again rather than
losing it (the duplicate check then reports the existing document)."""
import imaplib
import logging
import tempfile
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.conf import settings

from .jobs import job_receive

log = logging.getLogger(__name__)


def _connect(url: str) -> tuple[imaplib.IMAP4, str]:
    parts = urlsplit(url)
    secure = parts.scheme == "imaps"
    port = parts.port or (993 if secure else 143)
    client = (imaplib.IMAP4_SSL if secure else imaplib.IMAP4)(parts.hostname, port, timeout=60)
    client.login(unquote(parts.username or ""), unquote(parts.password or ""))
    mailbox = parts.path.lstrip("/") or "INBOX"
    return client, mailbox


def imap_poll(url: str | None = None) -> list:
    url = url or settings.IMAP_URL
    if not url:
        return []
    client, mailbox = _connect(url)
    jobs = []
    try:
        status, _ = client.select(mailbox)
        if status != "OK":
            raise RuntimeError(f"IMAP mailbox {mailbox} cannot be opened")
        _, found = client.uid("SEARCH", None, "UNSEEN")
        Path(settings.WORK_DIR).mkdir(parents=True, exist_ok=True)
        for uid in found[0].split():
            _, data = client.uid("FETCH", uid, "(BODY.PEEK[])")
            raw = next((part[1] for part in data if isinstance(part, tuple)), None)
            if raw is None:
                continue
            with tempfile.NamedTemporaryFile(dir=settings.WORK_DIR, suffix=".eml",
                                             delete=False) as handle:
                handle.write(raw)
            try:
                job = job_receive(path=Path(handle.name),
                                  original_name=f"mail-{uid.decode()}.eml", source="imap",
                                  provenance={"imap_mailbox": mailbox,
                                              "imap_uid": uid.decode()})
            finally:
                Path(handle.name).unlink(missing_ok=True)
            client.uid("STORE", uid, "+FLAGS", "(\\Seen)")
            jobs.append(job)
            log.info("received mail %s as job %s", uid.decode(), job.pk)
    finally:
        try:
            client.logout()
        except (imaplib.IMAP4.error, OSError):
            pass
    return jobs
