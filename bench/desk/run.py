"""Desk benchmark: `python -m bench.desk --docs 100000 --case-files 5000 --users 200`.

Generates a desk-shaped data set once per data directory (see data.py), then measures, for
caseworkers drawn in turn from all users:
- the desk page GET /arbeitsplatz/ through Django's test client in this process (middleware,
  session, view, template, the logged `listed` event), against the start page GET / measured
  the same way in the same loop (the reference);
- `registratur desk --user NAME --json` through call_command in this process, against
  `registratur fileplan list` (one query) the same way (the reference);
- the same command as a child process (`python -m config.cli desk ...`), against
  `python -m config.cli fileplan list` as a child process (start-up of Python and Django);
- the queries each desk takes, for every user, against the length of their desk.
Not a test: it never runs in the test suite.
"""
import argparse
import io
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path


def _setup(data_dir: Path, database_url: str | None) -> None:
    os.environ["REGISTRATUR_DATA_DIR"] = str(data_dir)
    if database_url:
        os.environ["REGISTRATUR_DATABASE_URL"] = database_url
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    import django

    from config.env import ensure_data_dir

    ensure_data_dir()
    django.setup()


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def _row(name: str, timings: list[float], extra: str = "") -> dict:
    return {"what": name, "n": len(timings), "p50": _percentile(timings, 0.5),
            "p95": _percentile(timings, 0.95), "p99": _percentile(timings, 0.99),
            "mean": statistics.fmean(timings), "extra": extra}


def _timed(call, *args) -> float:
    started = time.perf_counter()
    call(*args)
    return (time.perf_counter() - started) * 1000


def _pages(users, requests: int) -> list[dict]:
    from django.test import Client

    clients = {}

    def client(user):
        if user.pk not in clients:
            clients[user.pk] = Client()
            clients[user.pk].force_login(user)
        return clients[user.pk]

    def get(user, url):
        response = client(user).get(url)
        assert response.status_code == 200, (url, response.status_code)

    # Each caseworker logs in before the clock starts: a login writes a session and its trail
    # entry, which is the login's time, not the desk's (it was counted here until 2026-12-03).
    for user in users[:requests]:
        client(user)
    for user in users[:10]:  # warm-up
        get(user, "/arbeitsplatz/")
        get(user, "/")
    desk, home = [], []
    for i in range(requests):
        user = users[i % len(users)]
        desk.append(_timed(get, user, "/arbeitsplatz/"))
        home.append(_timed(get, user, "/"))
    return [_row("page /arbeitsplatz/ (test client)", desk),
            _row("reference: start page / (test client)", home)]


def _commands(users, requests: int) -> list[dict]:
    from django.core.management import call_command

    def desk(user):
        out = io.StringIO()
        call_command("desk", user=user.username, json=True, stdout=out)
        assert out.getvalue().startswith("{")

    def reference_command():
        call_command("fileplan", "list", stdout=io.StringIO())

    for user in users[:10]:
        desk(user)
    timings, reference = [], []
    for i in range(requests):
        user = users[i % len(users)]
        timings.append(_timed(desk, user))
        reference.append(_timed(reference_command))
    return [_row("registratur desk --json (call_command)", timings),
            _row("reference: registratur fileplan list (call_command)", reference)]


def _subprocesses(users, runs: int) -> list[dict]:
    def run(argv):
        done = subprocess.run([sys.executable, "-m", "config.cli", *argv],
                              capture_output=True, env=os.environ.copy(), check=False)
        assert done.returncode == 0, done.stderr[-2000:]

    run(["fileplan", "list"])
    timings, reference = [], []
    for i in range(runs):
        user = users[i % len(users)]
        timings.append(_timed(run, ["desk", "--user", user.username, "--json"]))
        reference.append(_timed(run, ["fileplan", "list"]))
    return [_row("registratur desk --json (subprocess)", timings),
            _row("reference: registratur fileplan list (subprocess)", reference)]


def _query_counts(users) -> tuple[list[dict], set, set]:
    """Queries of the desk page and of desk_collect, per user, with the length of their desk."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from desk.selectors import desk_collect

    rows = []
    for user in users:
        # The log keeps 9,000 queries; once full, a context would count none.
        connection.queries_log.clear()
        with CaptureQueriesContext(connection) as collected:
            desk = desk_collect(user)
        client = Client()
        client.force_login(user)
        connection.queries_log.clear()
        with CaptureQueriesContext(connection) as page:
            client.get("/arbeitsplatz/")
        rows.append({"user": user.username, "items": desk.total,
                     "collect": len(collected), "page": len(page)})
    return rows, {r["collect"] for r in rows}, {r["page"] for r in rows}


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=100_000)
    parser.add_argument("--case-files", type=int, default=5_000)
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--data-dir", default="./bench-desk")
    parser.add_argument("--database-url", help="e.g. postgres://postgres@127.0.0.1/bench")
    parser.add_argument("--requests", type=int, default=400,
                        help="in-process requests per kind (users taken in turn)")
    parser.add_argument("--subprocess-runs", type=int, default=30)
    parser.add_argument("--seed", type=int, default=20261202)
    parser.add_argument("--generate-only", action="store_true")
    args = parser.parse_args(argv)
    data_dir = Path(args.data_dir).resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    _setup(data_dir, args.database_url)
    from django.apps import apps
    from django.core.management import call_command
    from django.db.models.signals import post_migrate
    from django.test.utils import setup_test_environment
    from django.utils import timezone

    from .data import extend, generate

    post_migrate.disconnect(sender=apps.get_app_config("search"),
                            dispatch_uid="search.ensure_current")
    call_command("migrate", verbosity=0)
    generate(documents=args.docs, case_files=args.case_files, users=args.users,
             seed=args.seed, now=timezone.now())
    extend(now=timezone.now(), seed=args.seed)
    if args.generate_only:
        return
    setup_test_environment()  # the test client's host name; mail stays in memory
    # Static file names as the test settings have them: the manifest needs `collectstatic`,
    # and its lookup is a dictionary access either way.
    from django.conf import settings
    from django.test.utils import override_settings

    override_settings(STORAGES={**settings.STORAGES, "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}).enable()
    from django.contrib.auth import get_user_model
    from django.db import connection

    from archive.models import CaseFile, Document

    users = list(get_user_model().objects.filter(username__startswith="sb").order_by("?"))
    print(f"{Document.objects.count()} documents, {CaseFile.objects.count()} case files, "
          f"{len(users)} caseworkers; database {connection.vendor}; "
          f"{platform.node()} {platform.machine()} {os.cpu_count()} cores, load "
          f"{os.getloadavg()[0]:.2f}; {datetime.now().astimezone():%Y-%m-%d %H:%M %Z}",
          flush=True)
    counts, collect, page = _query_counts(users)
    lengths = sorted(r["items"] for r in counts)
    print(f"desk length per user: min {lengths[0]}, median {statistics.median(lengths)}, "
          f"max {lengths[-1]}; queries: desk_collect {sorted(collect)}, page {sorted(page)}",
          flush=True)
    rows = _pages(users, args.requests) + _commands(users, args.requests)
    if args.subprocess_runs:
        rows += _subprocesses(users, args.subprocess_runs)
    print(f"\n{'what':<48} {'n':>5} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'mean ms':>8}")
    for row in rows:
        print(f"{row['what']:<48} {row['n']:>5} {row['p50']:>8.1f} {row['p95']:>8.1f} "
              f"{row['p99']:>8.1f} {row['mean']:>8.1f}")
    print(f"(this process: peak {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f}"
          " MiB)")


if __name__ == "__main__":
    main()
