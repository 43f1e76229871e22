"""Ingest benchmark (not a test): the full pipeline against raw `ocrmypdf` with the same
options on the same generated scans, one file after another, alternating the two; then
born-digital documents per second and the peak memory of the ingesting process on a 50-page
scan.

    /tmp/venv/bin/python bench/ingest/run.py [--docs 8] [--pages50]

Everything runs in a throw-away data directory; nothing of an instance is touched."""
import argparse
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
DATA = Path(tempfile.mkdtemp(prefix="registratur-bench-"))
os.environ.update({"DJANGO_SETTINGS_MODULE": "config.settings",
                   "REGISTRATUR_DATA_DIR": str(DATA)})

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402

from archive.services.demo import demo_setup  # noqa: E402
from ingest.context import PipelineContext  # noqa: E402
from ingest.jobs import job_receive  # noqa: E402
from ingest.pipeline import job_run  # noqa: E402
from ingest.steps.ocr import ocr_arguments  # noqa: E402
from tests.fixtures.born_digital import born_digital_pdf  # noqa: E402
from tests.fixtures.letters import PARAGRAPHS, Letter, render_letter  # noqa: E402


def scans(folder: Path, count: int) -> list[Path]:
    """Letters of one to three pages, each a little different (no duplicates)."""
    files = []
    for number in range(count):
        pages = 1 + number % 3
        letter = Letter(subject=f"Antrag Nummer {number}", paragraphs=PARAGRAPHS * (2 * pages))
        files.append(render_letter(folder / f"scan-{number}.pdf", letter, seed=number,
                                   noise=0.08, lines_per_page=40))
    return files


def pages_of(path: Path) -> int:
    import pikepdf

    with pikepdf.open(path) as pdf:
        return len(pdf.pages)


def raw_ocrmypdf(path: Path, out: Path) -> float:
    ctx = PipelineContext(job=None, source_path=path, workdir=out.parent, kind="pdf")
    args = ocr_arguments(ctx, output_type="pdfa-2")
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "ocrmypdf", *args, str(path), str(out)], check=True)
    return time.perf_counter() - started


def pipeline(path: Path) -> float:
    started = time.perf_counter()
    job = job_receive(path=path, original_name=path.name, source="bench")
    job = job_run(job.pk, worker="bench")
    assert job.state in ("filed", "inbox"), (job.state, job.code, job.message)
    return time.perf_counter() - started


def compare(folder: Path, count: int) -> None:
    files = scans(folder, count)
    total_pages = sum(pages_of(f) for f in files)
    raw_seconds = pipe_seconds = 0.0
    for index, path in enumerate(files):
        # Alternate which goes first, so warm caches favour neither.
        if index % 2:
            pipe_seconds += pipeline(path)
            raw_seconds += raw_ocrmypdf(path, folder / f"raw-{index}.pdf")
        else:
            raw_seconds += raw_ocrmypdf(path, folder / f"raw-{index}.pdf")
            pipe_seconds += pipeline(path)
    print(f"scans: {len(files)} files, {total_pages} pages, {os.cpu_count()} cores")
    print(f"raw ocrmypdf : {raw_seconds:7.1f} s  {60 * total_pages / raw_seconds:6.1f} pages/min")
    print(f"full pipeline: {pipe_seconds:7.1f} s  {60 * total_pages / pipe_seconds:6.1f} pages/min")
    print(f"ratio pipeline/raw wall time: {pipe_seconds / raw_seconds:.2f}")


def born_digital(folder: Path, count: int = 20) -> None:
    files = [born_digital_pdf(folder / f"digital-{n}.pdf",
                              [f"Bescheid Nummer {n}", "Sehr geehrte Frau Schäfer,",
                               "Ihrem Antrag wird entsprochen."]) for n in range(count)]
    started = time.perf_counter()
    for path in files:
        pipeline(path)
    seconds = time.perf_counter() - started
    print(f"born-digital: {count} documents in {seconds:.1f} s = {count / seconds:.2f} docs/s")


def _tree_rss_kb(root_pid: int) -> tuple[int, int]:
    """(RSS of the process itself, RSS of it and all its descendants) in kB."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
            with open(f"/proc/{entry}/status") as handle:
                vm = [line for line in handle if line.startswith("VmRSS:")]
        except OSError:
            continue
        pid, ppid = int(entry), int(fields[1])
        children.setdefault(ppid, []).append(pid)
        rss[pid] = int(vm[0].split()[1]) if vm else 0
    total, stack = 0, [root_pid]
    while stack:
        pid = stack.pop()
        total += rss.get(pid, 0)
        stack += children.get(pid, [])
    return rss.get(root_pid, 0), total


def peak_memory_50_pages(folder: Path) -> None:
    letter = Letter(subject="Fünfzig Seiten", paragraphs=PARAGRAPHS * 123)  # 50 pages
    scan = render_letter(folder / "fifty.pdf", letter, lines_per_page=40, noise=0.08)
    pages = pages_of(scan)
    env = {**os.environ}
    process = subprocess.Popen([sys.executable, "-m", "config.cli", "ingest", str(scan),
                                "--wait", "--json"], env=env, cwd=ROOT,
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    peak_self = peak_tree = 0
    stop = threading.Event()

    def sample():
        nonlocal peak_self, peak_tree
        while not stop.is_set():
            own, tree = _tree_rss_kb(process.pid)
            peak_self, peak_tree = max(peak_self, own), max(peak_tree, tree)
            time.sleep(0.2)

    sampler = threading.Thread(target=sample, daemon=True)
    started = time.perf_counter()
    sampler.start()
    output, _ = process.communicate()
    stop.set()
    sampler.join()
    seconds = time.perf_counter() - started
    print(f"{pages}-page scan: {seconds:.0f} s; peak RSS of the ingesting process "
          f"{peak_self / 1024:.0f} MB, of it with its OCR children {peak_tree / 1024:.0f} MB")
    print(output.decode().strip()[:300])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--docs", type=int, default=8)
    parser.add_argument("--skip-50", action="store_true")
    options = parser.parse_args()
    call_command("migrate", verbosity=0)
    demo_setup(password="bench-kennwort-123")
    folder = DATA / "bench"
    folder.mkdir()
    compare(folder, options.docs)
    born_digital(folder)
    if not options.skip_50:
        peak_memory_50_pages(folder)


if __name__ == "__main__":
    main()
