"""Tesseract runs with one OpenMP thread per process: the worker already runs two documents
and their pages in parallel, and oversubscribed OpenMP threads spin instead of working (two
one-page runs side by side took 20 times as long). Observed on the real tesseract children."""
import os
import threading
from pathlib import Path

from ingest.steps.ocr import ocr_arguments, run_ocrmypdf
from tests.conftest import sqlite_only, wait_for
from tests.fixtures.letters import Letter, render_letter

pytestmark = sqlite_only


def _processes() -> dict[int, tuple[str, int, str]]:
    """pid -> (command name, session id, command line) of every process."""
    found = {}
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        name = stat[stat.index("(") + 1:stat.rindex(")")]
        session = int(stat.rsplit(")", 1)[1].split()[3])
        found[int(pid)] = (name, session, cmdline)
    return found


def _tesseract_environments(marker: str) -> list[dict[str, str]]:
    processes = _processes()
    # The OCRmyPDF child leads its own session; tesseract inherits the session id.
    sessions = {pid for pid, (_, _, cmdline) in processes.items()
                if "ocrmypdf" in cmdline and marker in cmdline}
    environments = []
    for pid, (name, session, _) in processes.items():
        if name == "tesseract" and session in sessions:
            try:
                raw = Path(f"/proc/{pid}/environ").read_bytes()
            except OSError:
                continue
            environments.append(dict(item.split("=", 1) for item in raw.decode().split("\0")
                                     if "=" in item))
    return environments


def test_tesseract_gets_one_openmp_thread(tmp_path, monkeypatch):
    monkeypatch.delenv("OMP_THREAD_LIMIT", raising=False)
    scan = render_letter(tmp_path / "omp-marker-brief.pdf", Letter(subject="Antrag"),
                         noise=0.05)
    result = {}
    ocr = threading.Thread(target=lambda: result.update(code=run_ocrmypdf(
        ocr_arguments(output_type="pdf"), scan, tmp_path / "out.pdf")[0]))
    ocr.start()
    seen = wait_for(lambda: _tesseract_environments("omp-marker-brief"), timeout=120,
                    interval=0.05, what="a tesseract child")
    ocr.join()
    assert result["code"] == 0
    assert all(env.get("OMP_THREAD_LIMIT") == "1" for env in seen), seen
