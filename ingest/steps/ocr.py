"""OCR: OCRmyPDF through its command line in a child process (it is not thread-safe and holds a
process-wide lock), with a time and memory limit. The original is only read, never changed."""
import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pikepdf
from django.conf import settings
from ocrmypdf import ExitCode

from archive.pdfa_check import NOT_CHECKED, PASS, pdfa_check

from ..context import PipelineContext
from ..errors import IngestRefused, failed, refused
from .limits import heap_release, limit_child, out_of_memory, run_limited, signal_name
from .sanitize import pdf_strip_active_content

# An absolute path in a program's message: the server's layout, never shown to a user.
ABSOLUTE_PATH = re.compile(r"(?<![\w.])/[^\s'\"“”„:,;()]+")


def scrub_paths(text: str) -> str:
    return ABSOLUTE_PATH.sub("…", text)

# Exit codes after which another route (sanitised input, then plain PDF output) may succeed.
RETRY_WITH_FALLBACK = {ExitCode.pdfa_conversion_failed, ExitCode.invalid_output_pdf,
                       ExitCode.other_error}


def ocr_arguments(*, output_type: str, signed: bool = False) -> list[str]:
    """OCRmyPDF's arguments for `output_type` ("pdfa-2" or "pdf"); `signed` when the input
    carries a digital signature (the rendition is a new file and cannot keep it valid)."""
    jobs = settings.OCR_JOBS or os.cpu_count() or 1
    args = [
        "--language", "+".join(settings.OCR_LANGUAGES),
        "--deskew", "--clean",
        "--rotate-pages", "--rotate-pages-threshold", str(settings.OCR_ROTATE_PAGES_THRESHOLD),
        "--skip-text",  # pages that already carry text are not OCRed again
        "--output-type", output_type,
        "--jobs", str(jobs),
        # OCRmyPDF gives a page up after 180 s of tesseract and archives it without text (or
        # unrotated), silently; on a busy machine a dense page takes longer. The job's own
        # time limit (run_ocrmypdf) is the one that counts, and it refuses visibly.
        "--tesseract-timeout", str(settings.INGEST_TIMEOUT_SECONDS),
        "--tesseract-non-ocr-timeout", str(settings.INGEST_TIMEOUT_SECONDS),
        "--quiet",
    ]
    if signed:
        # The rendition is a new file; the signed original is kept byte-identical beside it.
        args += ["--invalidate-digital-signatures"]
    if output_type.startswith("pdfa"):
        # Debian 12's Ghostscript refuses skip-text with PDF/A; the internal backend works.
        args += ["--pdfa-backend", "internal"]
    return args


def _child_environment(tmpdir: Path) -> dict[str, str]:
    """One OpenMP thread per tesseract, unless the operator set OMP_THREAD_LIMIT. OCRmyPDF
    otherwise gives a short document's tesseract two or three threads, and the worker runs
    two documents at once: more spinning OpenMP threads than cores. Two one-page OCR runs side
    by side took 185 s that way on two cores, and 9 s with one thread each."""
    env = dict(os.environ)
    if not env.get("OMP_THREAD_LIMIT", "").isdigit():
        env["OMP_THREAD_LIMIT"] = "1"
    # The memory limit is one of address space, and glibc reserves 64 MB of it for each
    # malloc arena, one more whenever threads happen to contend: the same one-page letter
    # went through under 240 MB in one run and ran out under 360 MB in another. Two arenas
    # make the limit measure what is allocated, not the threads' timing.
    env.setdefault("MALLOC_ARENA_MAX", "2")
    # OCRmyPDF's own work folder (page images, recognised text, a copy of the input) goes
    # where the caller cleans up, not into the system's temporary directory, where a killed
    # run would leave it behind.
    env.update(child_temp_env(tmpdir))
    return env


def child_temp_env(tmpdir: Path) -> dict[str, str]:
    """The environment that makes a child keep its temporary files in `tmpdir`."""
    tmpdir.mkdir(parents=True, exist_ok=True)
    return {"TMPDIR": str(tmpdir), "TEMP": str(tmpdir), "TMP": str(tmpdir)}


def run_ocrmypdf(args: list[str], source: Path, output: Path,
                 renew: Callable[[], None] | None = None,
                 deadline: float | None = None, *, tmpdir: Path | None = None) -> tuple[int, str]:
    """Run OCRmyPDF until it ends or `deadline` (time.monotonic(); by default the job's time
    limit from now) passes; then it is killed with its children and the job refused. Its
    temporary files go to `tmpdir` (by default a folder beside `output`), which the caller
    removes however the run ends."""
    if deadline is None:
        deadline = time.monotonic() + settings.INGEST_TIMEOUT_SECONDS
    if deadline <= time.monotonic():
        raise _timeout()
    heap_release()
    command = [sys.executable, "-m", "ocrmypdf", *args, str(source), str(output)]
    process = subprocess.Popen(
        command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
        start_new_session=True, preexec_fn=limit_child,
        env=_child_environment(tmpdir or output.parent / "tmp"),
    )
    # Renew the job's lease while OCR runs, a few times per lease period.
    slice_seconds = max(1.0, settings.JOB_LEASE_SECONDS / 3)
    stderr_parts: list[str] = []
    reader = threading.Thread(target=lambda: stderr_parts.append(process.stderr.read()),
                              daemon=True)
    reader.start()
    while True:
        remaining = deadline - time.monotonic()
        try:
            process.wait(timeout=max(0.1, min(slice_seconds, remaining)))
            break
        except subprocess.TimeoutExpired:
            if time.monotonic() >= deadline:
                os.killpg(process.pid, signal.SIGKILL)  # tesseract children too
                process.wait()
                raise _timeout() from None
            if renew is not None:
                renew()
    reader.join(timeout=10)
    return process.returncode, "".join(stderr_parts)[-4000:]


def _timeout():
    return refused("TIMEOUT", "Die Texterkennung hat das Zeitlimit von "
                   f"{settings.INGEST_TIMEOUT_SECONDS} s überschritten.")


def _last_line(stderr: str, code: int) -> str:
    """OCRmyPDF's last word, without the paths it names (the server's copies of the file)."""
    last = stderr.strip().splitlines()[-1] if stderr.strip() else f"exit code {code}"
    return scrub_paths(last)[-300:]


def raise_for_exit_code(code: int, stderr: str) -> None:
    if code == ExitCode.encrypted_pdf:
        raise refused("ENCRYPTED_PDF", "Die PDF-Datei ist verschlüsselt.")
    if code == ExitCode.input_file:
        raise refused("CORRUPT_INPUT", "Die Datei konnte nicht als Dokument gelesen werden.")
    last = _last_line(stderr, code)
    if code == ExitCode.missing_dependency:
        raise failed("OCR_MISSING_DEPENDENCY", f"Für die Texterkennung fehlt ein Programm: {last}")
    if out_of_memory(code, stderr):
        raise refused("MEMORY_LIMIT", "Die Verarbeitung hat das Speicherlimit von "
                      f"{settings.INGEST_MEMORY_MB} MB überschritten.")
    if code < 0:
        # Killed by a signal that is not the memory limit: a crash of OCRmyPDF or a library
        # it loaded. Not the input's fault as far as anyone knows; the original is kept.
        raise failed("OCR_CRASHED", "Die Texterkennung ist abgestürzt "
                     f"({signal_name(code)}); die Datei ist unverändert aufbewahrt.")
    raise refused("OCR_FAILED", f"Die Texterkennung ist fehlgeschlagen: {last}")


def _check_rendition(ctx: PipelineContext) -> None:
    verdict = pdfa_check(ctx.rendition_path)
    ctx.pdfa_check, ctx.pdfa_findings = verdict.status, verdict.findings


def rendition_check(ctx: PipelineContext) -> None:
    """Validate the rendition as it will be stored (archive/pdfa_check.py): its claim to be
    PDF/A counts only if the validator approves it. The validator walks every content stream
    and font, which a born-digital input put there: it runs in a child under the job's
    limits. A child that runs out of memory or crashes leaves the rendition "not_checked"
    rather than refusing a document whose rendition exists; the job's time limit still
    refuses."""
    try:
        run_limited(_check_rendition, ctx)
    except (IngestRefused, RuntimeError) as error:
        if getattr(error, "code", "") == "TIMEOUT":
            raise
        ctx.pdfa_check = NOT_CHECKED
        ctx.pdfa_findings = (f"registratur:validator: the check did not finish "
                             f"({getattr(error, 'code', '') or type(error).__name__})",)
    ctx.rendition_is_pdfa = ctx.pdfa_check == PASS


def _strip_active_content(ctx: PipelineContext) -> bool:
    return pdf_strip_active_content(ctx.pdf_path or ctx.source_path, ctx.workdir / "sanitised.pdf")


def ocr(ctx: PipelineContext) -> None:
    output = ctx.workdir / "rendition.pdf"
    source = ctx.pdf_path or ctx.source_path
    tmpdir = ctx.workdir / "tmp"

    def run(output_type: str, path: Path) -> tuple[int, str]:
        return run_ocrmypdf(ocr_arguments(output_type=output_type, signed=ctx.signed), path,
                            output, ctx.renew, ctx.deadline, tmpdir=tmpdir)
    code, stderr = run("pdfa-2", source)
    # Out of memory is no reason to try another route: each would run out the same way.
    if code in RETRY_WITH_FALLBACK and not out_of_memory(code, stderr):
        # Born-digital PDFs with active content (an /OpenAction, JavaScript) are refused by
        # the internal PDF/A backend: convert a sanitised working copy instead.
        sanitised = ctx.workdir / "sanitised.pdf"
        if run_limited(_strip_active_content, ctx):  # pikepdf rewrites the streams: a child
            ctx.ocr_notes.append("active content removed for the rendition")
            code, stderr = run("pdfa-2", sanitised)
        if code in RETRY_WITH_FALLBACK and not out_of_memory(code, stderr):
            ctx.ocr_notes.append(f"PDF/A conversion failed ({scrub_paths(stderr.strip())[-200:]})"
                                 "; rendition is a plain PDF")
            code, stderr = run("pdf", sanitised if sanitised.exists() else source)
    if code != ExitCode.ok:
        raise_for_exit_code(code, stderr)
    ctx.rendition_path = output
    rendition_check(ctx)
    with pikepdf.open(output) as pdf:
        ctx.page_count = len(pdf.pages)
