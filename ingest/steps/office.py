"""Office documents (docx, odt) to PDF through LibreOffice headless, when it is installed."""
import os
import shutil
import signal
import subprocess

from django.conf import settings

from ..context import PipelineContext
from ..errors import refused

SUFFIX = {
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx",
    "application/vnd.oasis.opendocument.text": ".odt",
}


def office_to_pdf(ctx: PipelineContext) -> None:
    binary = shutil.which(settings.LIBREOFFICE_BINARY)
    if binary is None:
        raise refused("OFFICE_CONVERTER_MISSING", "Office-Dokumente (Word, ODT) werden mit "
                      "LibreOffice umgewandelt, das auf diesem Server nicht installiert ist. "
                      "Die Administration kann es nachinstallieren (Debian: "
                      "apt-get install libreoffice-writer-nogui).")
    source = ctx.workdir / f"document{SUFFIX.get(ctx.mime, '.docx')}"
    shutil.copyfile(ctx.source_path, source)
    # A profile of its own per job: concurrent conversions must not share one.
    profile = (ctx.workdir / "lo-profile").as_uri()
    command = [binary, "--headless", "--norestore", f"-env:UserInstallation={profile}",
               "--convert-to", "pdf", "--outdir", str(ctx.workdir), str(source)]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               start_new_session=True)
    try:
        _, stderr = process.communicate(timeout=settings.INGEST_TIMEOUT_SECONDS)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
        raise refused("TIMEOUT", "Die Umwandlung des Office-Dokuments hat das Zeitlimit "
                      "überschritten.") from None
    output = source.with_suffix(".pdf")
    if process.returncode != 0 or not output.exists():
        raise refused("OFFICE_CONVERSION_FAILED", "Das Office-Dokument konnte nicht umgewandelt "
                      f"werden ({stderr.decode(errors='replace')[-200:]}).")
    ctx.pdf_path = output
    ctx.ocr_notes.append("converted from an office document with LibreOffice")
