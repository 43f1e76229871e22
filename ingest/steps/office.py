"""Office documents (docx, odt) to PDF through LibreOffice headless, when it is installed."""
import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pikepdf
from django.conf import settings

from ..context import PipelineContext
from ..errors import refused
from .limits import limit_child, out_of_memory
from .ocr import child_temp_env, scrub_paths

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
    # A profile of its own per job: LibreOffice locks its profile, and a second conversion
    # on a shared one hands its work to the first instance or fails.
    profile = (ctx.workdir / "lo-profile").as_uri()
    command = [binary, "--headless", "--norestore", f"-env:UserInstallation={profile}",
               "--convert-to", "pdf", "--outdir", str(ctx.workdir), str(source)]
    # A child process of its own session (the timeout kills soffice.bin with its wrapper),
    # under the job's memory limit, dying with the worker.
    # Its temporary files stay in the job's folder, which is removed however the job ends.
    env = {**os.environ, **child_temp_env(ctx.workdir / "tmp")}
    process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, start_new_session=True,
                               preexec_fn=limit_child, env=env)
    try:
        stdout, stderr = process.communicate(timeout=max(0.0, ctx.deadline - time.monotonic()))
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
        raise refused("TIMEOUT", "Die Umwandlung des Office-Dokuments hat das Zeitlimit von "
                      f"{settings.INGEST_TIMEOUT_SECONDS} s überschritten.") from None
    said = _said(stdout, stderr)
    output = source.with_suffix(".pdf")
    if process.returncode != 0 and out_of_memory(process.returncode, said):
        raise refused("MEMORY_LIMIT", "Die Umwandlung des Office-Dokuments hat das "
                      f"Speicherlimit von {settings.INGEST_MEMORY_MB} MB überschritten.")
    if process.returncode != 0 or not output.exists():
        if "could not be loaded" in said:  # LibreOffice's answer for what it cannot read
            raise refused("OFFICE_CONVERSION_FAILED", "Das Office-Dokument ist beschädigt "
                          "oder kein Word- bzw. ODT-Dokument; LibreOffice kann es nicht öffnen.")
        last = said.splitlines()[-1] if said else f"exit code {process.returncode}"
        raise refused("OFFICE_CONVERSION_FAILED", f"Das Office-Dokument „{ctx.name}“ konnte "
                      f"nicht umgewandelt werden ({scrub_paths(last)[-200:]}).")
    ctx.pdf_path = _clean_for_pdfa(output, ctx.workdir / "converted.pdf")
    ctx.ocr_notes.append("converted from an office document with LibreOffice")


def _said(stdout: bytes, stderr: bytes) -> str:
    """What soffice printed, without its warning that Java is missing (it is not needed)."""
    lines = (stdout + b"\n" + stderr).decode(errors="replace").splitlines()
    return "\n".join(line for line in lines if line.strip() and "javaldx" not in line)


def _clean_for_pdfa(converted: Path, target: Path) -> Path:
    """LibreOffice's PDF carries a /DocChecksum in its trailer and an /OpenAction (open at
    page 1), both of which keep OCRmyPDF's PDF/A backend from confirming PDF/A: the rendition
    would silently become a plain PDF. Neither carries content."""
    with pikepdf.open(converted) as pdf:
        if "/DocChecksum" in pdf.trailer:
            del pdf.trailer["/DocChecksum"]
        action = pdf.Root.get("/OpenAction")
        if isinstance(action, pikepdf.Array):  # a destination (a view), never a script
            del pdf.Root["/OpenAction"]
        pdf.save(target)
    return target
