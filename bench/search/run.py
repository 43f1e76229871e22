"""Search benchmark: `python -m bench.search --docs 100000 --backends tantivy,whoosh`.

Generates the corpus once per database (SQLite in --data-dir, or PostgreSQL with
--database-url), rebuilds each backend's index with the project's own `registratur search
rebuild` in a child process (wall time and that process's peak memory), then measures the
project's search service end to end as a caseworker who may see one unit of ten: permission
filter, exact count, top 20 with snippets, and the log entry every search writes.
Not a test: it never runs in the test suite.
"""
import argparse
import hashlib
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

UNITS = 10


def _setup(data_dir: Path, database_url: str | None, backend: str) -> None:
    os.environ["REGISTRATUR_DATA_DIR"] = str(data_dir)
    if database_url:
        os.environ["REGISTRATUR_DATABASE_URL"] = database_url
    os.environ["REGISTRATUR_SEARCH_BACKEND"] = backend
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    import django

    from config.env import ensure_data_dir

    ensure_data_dir()
    django.setup()


def generate(total: int, seed: int) -> None:
    from django.contrib.auth import get_user_model
    from django.db import transaction

    from archive.models import CaseFile, Document, FilePlanUnit, Role, StaffProfile, Unit, Version

    from .corpus import Vocabulary, letter, person

    rng = random.Random(seed)
    vocabulary = Vocabulary(rng)
    today = date(2026, 11, 1)
    with transaction.atomic():
        units = [Unit.objects.get_or_create(code=f"U{n}", defaults={"name": f"Sachgebiet {n}"})[0]
                 for n in range(UNITS)]
        plan = FilePlanUnit.objects.get_or_create(code="50.20.1", defaults={"title": "SGB XII"})[0]
        user = get_user_model().objects.filter(username="bench").first()
        if user is None:
            user = get_user_model().objects.create_user(username="bench", password=None)
            profile = StaffProfile.objects.create(user=user, role=Role.CASEWORKER)
            profile.units.add(units[0])
    existing = Document.objects.count()
    per_case = 8
    started = time.monotonic()
    batch = 2000
    for start in range(existing, total, batch):
        count = min(batch, total - start)
        with transaction.atomic():
            numbers = range(start // per_case, (start + count - 1) // per_case + 1)
            references = [f"50.20.1-{2020 + n % 7}-{n:06d}" for n in numbers]
            known = set(CaseFile.objects.filter(file_reference__in=references)
                        .values_list("file_reference", flat=True))
            CaseFile.objects.bulk_create([
                CaseFile(file_reference=reference, plan_unit=plan, unit=units[n % UNITS],
                         title="Hilfe zum Lebensunterhalt", subject_name=person(rng),
                         client_number=f"K-{rng.randrange(10**6):06d}")
                for n, reference in zip(numbers, references, strict=True)
                if reference not in known])
            by_reference = {c.file_reference: c for c in
                            CaseFile.objects.filter(file_reference__in=references)}
            documents, letters = [], []
            for n in range(start, start + count):
                number = n // per_case
                case_file = by_reference[f"50.20.1-{2020 + number % 7}-{number:06d}"]
                item = letter(rng, vocabulary, file_reference=case_file.file_reference,
                              subject=case_file.subject_name, today=today)
                letters.append(item)
                documents.append(Document(
                    case_file=case_file, title=item["title"][:300],
                    document_type=item["document_type"], sender=item["sender"][:300],
                    letter_date=item["letter_date"],
                    received_at=datetime.combine(item["letter_date"] + timedelta(days=2),
                                                 datetime.min.time(), tzinfo=UTC)))
            Document.objects.bulk_create(documents)
            Version.objects.bulk_create([
                Version(document=document, number=1,
                        original_sha256=hashlib.sha256(item["text"].encode()).hexdigest(),
                        original_size=len(item["text"]), original_name="scan.pdf",
                        original_mime="application/pdf", text=item["text"],
                        text_sha256=hashlib.sha256(item["text"].encode()).hexdigest(),
                        page_count=item["pages"])
                for document, item in zip(documents, letters, strict=True)])
        done = start + count
        rate = (done - existing) / max(time.monotonic() - started, 1e-9)
        print(f"\r  generated {done}/{total} documents ({rate:.0f}/s)", end="", file=sys.stderr)
    print(file=sys.stderr)
    from django.db import connection

    # Fresh statistics, as autovacuum would gather them in time: with the empty tables' ones
    # PostgreSQL read every version to fetch 200 texts.
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def _queries(seed: int, n: int) -> list[str]:
    """One to three words, from very common to rare, plus names and file references."""
    from archive.models import CaseFile

    from .corpus import NOUNS, Vocabulary

    rng = random.Random(seed + 1)
    vocabulary = Vocabulary(random.Random(seed))
    common, middle, rare = NOUNS[:15], vocabulary.words[200:2000], vocabulary.words[20000:]
    references = list(CaseFile.objects.order_by("?").values_list("file_reference", flat=True)[:50])
    names = list(CaseFile.objects.order_by("?").values_list("subject_name", flat=True)[:50])
    queries = []
    for i in range(n):
        kind = i % 6
        if kind == 0:
            queries.append(rng.choice(common))
        elif kind == 1:
            queries.append(rng.choice(middle))
        elif kind == 2:
            queries.append(rng.choice(rare))
        elif kind == 3:
            queries.append(" ".join(rng.sample(common, 2) + [rng.choice(middle)]))
        elif kind == 4:
            queries.append(rng.choice(names) if i % 12 == 4 else f'"{rng.choice(references)}"')
        else:
            queries.append(f"{rng.choice(common)} {rng.choice(rare)}")
    return queries


def rebuild(env: dict) -> tuple[float, float]:
    """Seconds and peak memory (MiB) of `registratur search rebuild` in its own process."""
    started = time.monotonic()
    process = subprocess.Popen([sys.executable, "-m", "config.cli", "search", "rebuild"],
                               env=env, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode:
        raise SystemExit(f"rebuild failed with exit code {process.returncode}")
    return time.monotonic() - started, usage.ru_maxrss / 1024


def _purge(count: int, seed: int) -> float:
    """Seconds to purge `count` documents from the index so that none of their tokens remains
    (what destruction does); afterwards they are indexed again, so the corpus stays whole."""
    from archive.models import Document
    from search.indexing import documents_index, documents_purge

    ids = list(Document.objects.order_by("pk").values_list("pk", flat=True))
    chosen = random.Random(seed + 2).sample(ids, count)
    started = time.monotonic()
    documents_purge(chosen)
    seconds = time.monotonic() - started
    documents_index(chosen)
    return seconds


def _index_size(backend: str) -> int:
    from django.conf import settings
    from django.db import connection

    if backend == "postgres":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_total_relation_size('search_searchentry')")
            return cursor.fetchone()[0]
    directory = settings.SEARCH_INDEX_DIR / backend
    return sum(p.stat().st_size for p in directory.rglob("*") if p.is_file())


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def _measure(backend: str, queries: list[str]) -> dict:
    from django.conf import settings
    from django.contrib.auth import get_user_model

    from archive.permissions import user_principals
    from search.backend import BackendQuery
    from search.backends import get_backend
    from search.query import parse
    from search.services import documents_search

    settings.SEARCH_BACKEND = backend
    get_backend.cache_clear()
    user = get_user_model().objects.get(username="bench")
    for query in queries[:20]:  # warm caches and the OS page cache
        documents_search(user=user, query=query, limit=20)
    timings, counts = [], []
    for query in queries:
        started = time.perf_counter()
        page = documents_search(user=user, query=query, limit=20)
        timings.append((time.perf_counter() - started) * 1000)
        counts.append(page.count)
    # The engine alone (permission filter, count, top 20), to tell it from the service.
    principals = user_principals(user)
    nodes = [parse(query) for query in queries]
    engine = []
    for node in nodes:
        started = time.perf_counter()
        get_backend().search(BackendQuery(node=node, principals=principals, limit=20))
        engine.append((time.perf_counter() - started) * 1000)
    return {"p50_ms": _percentile(timings, 0.50), "p95_ms": _percentile(timings, 0.95),
            "p99_ms": _percentile(timings, 0.99), "mean_ms": statistics.fmean(timings),
            "engine_p50_ms": _percentile(engine, 0.50), "engine_p95_ms": _percentile(engine, 0.95),
            "queries": len(queries), "median_count": statistics.median(counts)}


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=10_000)
    parser.add_argument("--backends", default="tantivy,whoosh")
    parser.add_argument("--data-dir", default="./bench-data")
    parser.add_argument("--database-url", help="e.g. postgres://postgres@127.0.0.1/bench")
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--seed", type=int, default=20261121)
    parser.add_argument("--skip-rebuild", action="store_true",
                        help="measure the existing indexes")
    parser.add_argument("--purge", type=int, default=0, metavar="N",
                        help="also time purging N documents (as destruction does), then "
                             "index them again")
    parser.add_argument("--generate-only", action="store_true",
                        help="generate the corpus and stop, so that a later run measures a "
                             "quiet machine")
    args = parser.parse_args(argv)
    data_dir = Path(args.data_dir).resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    backends = [b.strip() for b in args.backends.split(",") if b.strip()]
    _setup(data_dir, args.database_url, backends[0])
    from django.apps import apps
    from django.core.management import call_command
    from django.db.models.signals import post_migrate

    # The rebuild after migrate is what an upgrade wants; here each backend's rebuild is
    # measured on its own below.
    post_migrate.disconnect(sender=apps.get_app_config("search"),
                            dispatch_uid="search.ensure_current")
    call_command("migrate", verbosity=0)
    generate(args.docs, args.seed)
    if args.generate_only:
        return
    queries = _queries(args.seed, args.queries)
    results = []
    for backend in backends:
        env = {**os.environ, "REGISTRATUR_SEARCH_BACKEND": backend}
        build_s, peak_mib = (None, None) if args.skip_rebuild else rebuild(env)
        row = {"backend": backend, "docs": args.docs, "build_s": build_s,
               "rebuild_peak_mib": peak_mib, "index_bytes": _index_size(backend),
               **_measure(backend, queries)}
        if args.purge:
            row["purge_s"] = _purge(args.purge, args.seed)
        results.append(row)
        print(json.dumps(row), flush=True)
    print(f"\n{'backend':<9} {'docs':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} "
          f"{'build s':>8} {'peak MiB':>9} {'index MiB':>10} {'engine p95':>10}")
    for row in results:
        build = f"{row['build_s']:.0f}" if row["build_s"] is not None else "-"
        peak = f"{row['rebuild_peak_mib']:.0f}" if row["rebuild_peak_mib"] is not None else "-"
        print(f"{row['backend']:<9} {row['docs']:>8} {row['p50_ms']:>8.1f} {row['p95_ms']:>8.1f} "
              f"{row['p99_ms']:>8.1f} {build:>8} {peak:>9} {row['index_bytes'] / 2**20:>10.1f} "
              f"{row['engine_p95_ms']:>10.1f}")
    for row in results:
        if "purge_s" in row:
            print(f"{row['backend']}: purging {args.purge} documents took {row['purge_s']:.1f} s")
    print(f"(this process: peak {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f}"
          " MiB)")


if __name__ == "__main__":
    main()
