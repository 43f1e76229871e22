"""Ingest benchmark (not a test): the full pipeline against raw `ocrmypdf` with the same
options on the same generated scans, then born-digital documents per second and the worker's
peak memory on a 50-page scan.

The pipeline runs as in an instance: `registratur ingest FOLDER --wait` hands a batch to the
project's own worker (two documents at once, pages in parallel). The reference runs
`ocrmypdf` one file after another with --jobs set to the number of cores. Two batches, so that
each side goes first once.

    /tmp/venv/bin/python bench/ingest/run.py [--docs 8] [--skip-50]

Scaling (issue 17.9): `--workers N` ingests the same kind of batch with 1, 2, ..., N workers,
worker i pinned to core i-1 (`taskset -c`), each with one job at a time and one page at a time
(`--concurrency 1`, REGISTRATUR_OCR_JOBS=1, OMP_THREAD_LIMIT=1 per tesseract), and prints pages
per minute and the speed-up over one worker:

    python -m bench.ingest --workers 2 [--docs 12]

Everything runs in a throw-away data directory; nothing of an instance is touched."""
import argparse
import json
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

from config.env import ensure_data_dir  # noqa: E402

ensure_data_dir()
django.setup()

from django.core.management import call_command  # noqa: E402

from ingest.heartbeat import worker_alive, workers_seen  # noqa: E402
from ingest.steps.ocr import ocr_arguments  # noqa: E402
from tests.fixtures.born_digital import born_digital_pdf  # noqa: E402
from tests.fixtures.letters import PARAGRAPHS, Letter, render_letter  # noqa: E402
from web.demo import demo_setup  # noqa: E402


def scans(folder: Path, count: int, first: int = 0) -> list[Path]:
    """Letters of one to three pages, each a little different (no duplicates)."""
    folder.mkdir(parents=True, exist_ok=True)
    files = []
    for number in range(first, first + count):
        pages = 1 + number % 3
        letter = Letter(subject=f"Antrag Nummer {number}", paragraphs=PARAGRAPHS * (2 * pages))
        files.append(render_letter(folder / f"scan-{number}.pdf", letter, seed=number,
                                   noise=0.08, lines_per_page=40))
    return files


def pages_of(path: Path) -> int:
    import pikepdf

    with pikepdf.open(path) as pdf:
        return len(pdf.pages)


def raw_ocrmypdf(files: list[Path], out: Path) -> float:
    """The reference: plain `ocrmypdf` with the pipeline's options, one file after another."""
    out.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    for path in files:
        args = ocr_arguments(output_type="pdfa-2")
        subprocess.run([sys.executable, "-m", "ocrmypdf", *args, str(path),
                        str(out / path.name)], check=True)
    return time.perf_counter() - started


def start_worker() -> subprocess.Popen:
    """The instance's own worker, as `registratur run` starts it."""
    log = open(DATA / "worker.log", "ab")
    worker = subprocess.Popen([sys.executable, "-m", "config.cli", "worker"], cwd=ROOT,
                              stdout=log, stderr=log)
    deadline = time.monotonic() + 120
    while not worker_alive():
        if worker.poll() is not None or time.monotonic() > deadline:
            raise SystemExit(f"the worker did not start; see {DATA / 'worker.log'}")
        time.sleep(0.5)
    return worker


def start_pinned_workers(count: int) -> list[subprocess.Popen]:
    """`count` workers, worker i on core i only, one job and one page at a time each."""
    cores = os.sched_getaffinity(0)
    if count > len(cores):
        raise SystemExit(f"{count} workers need {count} cores; this machine lets us use "
                         f"{len(cores)}")
    env = {**os.environ, "REGISTRATUR_OCR_JOBS": "1", "OMP_THREAD_LIMIT": "1"}
    workers = []
    for number, core in enumerate(sorted(cores)[:count]):
        log = open(DATA / f"worker-{count}-{number}.log", "ab")
        workers.append(subprocess.Popen(
            ["taskset", "-c", str(core), sys.executable, "-m", "config.cli", "worker",
             "--concurrency", "1", "--hostname", f"bench-{number}@%h"],
            cwd=ROOT, env=env, stdout=log, stderr=log))
    deadline = time.monotonic() + 180
    while sum(beat.fresh for beat in workers_seen()) < count:
        if any(w.poll() is not None for w in workers) or time.monotonic() > deadline:
            raise SystemExit(f"the workers did not start; see {DATA}/worker-{count}-*.log")
        time.sleep(0.5)
    return workers


def stop_workers(workers: list[subprocess.Popen]) -> None:
    for worker in workers:
        worker.terminate()
    for worker in workers:
        worker.wait(60)


def _load() -> str:
    one, five, _ = os.getloadavg()
    return f"{one:.1f}/{five:.1f}"


def scaling(folder: Path, most: int, count: int) -> None:
    """Pages per minute with 1..most pinned workers on batches of the same shape."""
    rows = []
    for workers_wanted in range(1, most + 1):
        # A multiple of three apart: the same page counts (1 + number % 3), other bytes.
        files = scans(folder / f"w{workers_wanted}", count, first=300 * workers_wanted)
        pages = sum(pages_of(f) for f in files)
        workers = start_pinned_workers(workers_wanted)
        try:
            load_before = _load()
            seconds = pipeline(folder / f"w{workers_wanted}")
            rows.append((workers_wanted, len(files), pages, seconds, load_before, _load()))
        finally:
            stop_workers(workers)
    base = rows[0][2] / rows[0][3]
    print(f"\nscaling: each worker pinned to its own core (taskset), --concurrency 1, "
          f"REGISTRATUR_OCR_JOBS=1, OMP_THREAD_LIMIT=1; {os.cpu_count()} cores on the machine")
    print(f"{'workers':>7} {'cores':>5} {'docs':>4} {'pages':>5} {'seconds':>8} "
          f"{'pages/min':>9} {'speed-up':>8} {'load before/after (1/5 min)':>28}")
    for workers_wanted, docs, pages, seconds, before, after in rows:
        print(f"{workers_wanted:>7} {workers_wanted:>5} {docs:>4} {pages:>5} {seconds:>8.1f} "
              f"{60 * pages / seconds:>9.1f} {pages / seconds / base:>8.2f} "
              f"{before + ' / ' + after:>28}")


def pipeline(folder: Path) -> float:
    """The whole pipeline on a folder through `registratur ingest --wait` and the worker."""
    started = time.perf_counter()
    result = subprocess.run([sys.executable, "-m", "config.cli", "ingest", str(folder),
                             "--wait", "--json"], cwd=ROOT, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    outcomes = [json.loads(line) for line in result.stdout.splitlines() if line.strip()]
    bad = [o for o in outcomes if o["status"] not in ("filed", "inbox")]
    if result.returncode or bad or not outcomes:
        raise SystemExit(f"pipeline failed: {bad or result.stderr[-2000:]}")
    return seconds


def compare(folder: Path, count: int) -> None:
    """Two batches, so that each side goes first once: raw A, pipeline A, pipeline B, raw B."""
    rows = []
    for name, first in (("A", 0), ("B", count)):
        files = scans(folder / name, count, first)
        pages = sum(pages_of(f) for f in files)
        if name == "A":
            raw = raw_ocrmypdf(files, folder / f"raw-{name}")
            pipe = pipeline(folder / name)
        else:
            pipe = pipeline(folder / name)
            raw = raw_ocrmypdf(files, folder / f"raw-{name}")
        rows.append((name, len(files), pages, raw, pipe))
    rows.append(("total", sum(r[1] for r in rows), sum(r[2] for r in rows),
                 sum(r[3] for r in rows), sum(r[4] for r in rows)))
    print(f"\nscans on {os.cpu_count()} cores; raw ocrmypdf one file after another, "
          "the pipeline with its worker")
    print(f"{'batch':<6} {'files':>5} {'pages':>5} {'raw s':>8} {'pipeline s':>10} "
          f"{'raw p/min':>9} {'pipe p/min':>10} {'ratio':>6}")
    for name, files, pages, raw, pipe in rows:
        print(f"{name:<6} {files:>5} {pages:>5} {raw:>8.1f} {pipe:>10.1f} "
              f"{60 * pages / raw:>9.1f} {60 * pages / pipe:>10.1f} {pipe / raw:>6.2f}")


def born_digital(folder: Path, count: int = 20) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for n in range(count):
        born_digital_pdf(folder / f"digital-{n}.pdf",
                         [f"Bescheid Nummer {n}", "Sehr geehrte Frau Schäfer,",
                          "Ihrem Antrag wird entsprochen."])
    seconds = pipeline(folder)
    print(f"\nborn-digital: {count} documents in {seconds:.1f} s = {count / seconds:.2f} docs/s")


def _role(pid: int, name: str, parent_role: str, root_pid: int) -> str:
    """What a process of the worker's tree is there for, for the breakdown."""
    if pid == root_pid:
        return "worker (main)"
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as handle:
            command = handle.read().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        command = ""
    if parent_role.startswith("ocrmypdf") and "ocrmypdf" in command:
        return "ocrmypdf page worker"
    if "ocrmypdf" in command:
        return "ocrmypdf (main)"
    if parent_role == "worker (main)" and name.startswith("python"):
        return "worker pool process"
    return name


def _tree(root_pid: int) -> list[tuple[str, int, int]]:
    """(role, RSS kB, PSS kB) of the process and all its descendants. PSS shares each page
    among the processes that map it, so the sum is what the tree really occupies; the RSS sum
    counts the pages a forked pool shares with its parent once per process."""
    children: dict[int, list[int]] = {}
    names: dict[int, str] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as handle:
                stat = handle.read()
        except OSError:
            continue
        pid, ppid = int(entry), int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(ppid, []).append(pid)
        names[pid] = stat[stat.index("(") + 1:stat.rindex(")")]
    found, stack = [], [(root_pid, "")]
    while stack:
        pid, parent_role = stack.pop()
        role = _role(pid, names.get(pid, "?"), parent_role, root_pid)
        stack += [(child, role) for child in children.get(pid, [])]
        try:
            with open(f"/proc/{pid}/smaps_rollup") as handle:
                values = {line.split(":")[0]: int(line.split()[1])
                          for line in handle if line.split(":")[0] in ("Rss", "Pss")}
        except (OSError, ValueError, IndexError):
            continue
        found.append((role, values.get("Rss", 0), values.get("Pss", 0)))
    return found


def peak_memory_50_pages(folder: Path, worker: subprocess.Popen) -> None:
    """The worker's peak memory (itself, its pool and their OCR children) on a 50-page scan."""
    folder.mkdir(parents=True, exist_ok=True)
    letter = Letter(subject="Fünfzig Seiten", paragraphs=PARAGRAPHS * 123)  # 50 pages
    scan = render_letter(folder / "fifty.pdf", letter, lines_per_page=40, noise=0.08)
    pages = pages_of(scan)
    peak: list[tuple[str, int, int]] = []
    peak_rss = 0
    stop = threading.Event()

    def sample():
        nonlocal peak, peak_rss
        while not stop.is_set():
            tree = _tree(worker.pid)
            peak_rss = max(peak_rss, sum(rss for _, rss, _ in tree))
            if sum(pss for _, _, pss in tree) > sum(pss for _, _, pss in peak):
                peak = tree
            time.sleep(0.2)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    seconds = pipeline(folder)
    stop.set()
    sampler.join()
    print(f"\n{pages}-page scan: {seconds:.0f} s; worker peak (the worker, its pool and their "
          f"OCR children): PSS {sum(p for _, _, p in peak) / 1024:.0f} MB, RSS summed over "
          f"the processes {peak_rss / 1024:.0f} MB")
    print(f"{'process at the peak':<24} {'RSS MB':>7} {'PSS MB':>7}")
    for name, rss, pss in sorted(peak, key=lambda item: -item[2]):
        print(f"{name:<24} {rss / 1024:>7.0f} {pss / 1024:>7.0f}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--docs", type=int, default=8, help="scans per batch (two batches)")
    parser.add_argument("--skip-50", action="store_true")
    parser.add_argument("--only-50", action="store_true", help="only the 50-page memory run")
    parser.add_argument("--workers", type=int, default=0,
                        help="only the scaling run: 1..N workers, each pinned to one core")
    options = parser.parse_args()
    call_command("migrate", verbosity=0)
    demo_setup(password="bench-kennwort-123")
    folder = DATA / "bench"
    folder.mkdir()
    if options.workers:
        scaling(folder, options.workers, options.docs)
        return
    worker = start_worker()
    try:
        if not options.only_50:
            compare(folder, options.docs)
            born_digital(folder / "digital")
        if not options.skip_50:
            peak_memory_50_pages(folder / "fifty", worker)
    finally:
        worker.terminate()
        worker.wait(60)


if __name__ == "__main__":
    main()
