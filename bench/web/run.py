"""Web benchmark: `python -m bench.web --documents 100000`.

Builds an embedded instance (SQLite, tantivy) of N documents in case files of ten units plus
unfiled post (bench/search's corpus; cached per size under --data-dir), starts the real web
server as `registratur run` does (`registratur serve`: waitress with 8 threads in one process,
or gunicorn's pre-forked processes with --processes N; static files collected), logs
10 clients in (four caseworkers of each of two units, two of the mailroom), each in its own
thread with a keep-alive connection, and has them request pages as fast as the server answers
(or, with --think, after a pause as a person reads): the search page (a common and a rare
word), the document page, the case file page, the start page, the mailroom's inbox, and the
accessibility statement as the reference (a page without data, measured with the same
clients in the same run). Prints p50/p95/max per page, requests per second and the server's
CPU time per request. Every page view is a real one: it is permission-trimmed and writes its
entry to the hash-chained event log.
Not a test: it never runs in the test suite.
"""
import argparse
import json
import os
import random
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

from .client import Browser, PageError
from .dataset import CASEWORKERS, MAILROOM, PASSWORD, dataset_build

REFERENCE = "Barrierefreiheit (Referenz)"
PAGES = ["Suche, häufiges Wort", "Suche, seltenes Wort", "Dokument", "Akte", "Startseite",
         "Posteingang", REFERENCE]
GOAL_MS = {"Suche, häufiges Wort": 150, "Suche, seltenes Wort": 150, "Dokument": 150,
           "Posteingang": 150}
# What each kind of user asks for; every kind equally often, the reference included, so
# that it is measured under the same load.
CASEWORKER_MIX = ["Suche, häufiges Wort", "Suche, seltenes Wort", "Dokument", "Akte",
                  "Startseite", REFERENCE]
MAILROOM_MIX = ["Posteingang", "Posteingang", "Suche, häufiges Wort", "Dokument",
                "Startseite", REFERENCE]


def _setup(data_dir: Path) -> dict:
    os.environ["REGISTRATUR_DATA_DIR"] = str(data_dir)
    os.environ["REGISTRATUR_SEARCH_BACKEND"] = "tantivy"
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    os.environ.setdefault("REGISTRATUR_LOG_LEVEL", "WARNING")
    os.umask(0o077)
    import django

    from config.env import ensure_data_dir

    ensure_data_dir()
    django.setup()
    return os.environ.copy()


def static_collect(env: dict) -> None:
    """As `registratur run` does before starting the server (content-hashed names)."""
    subprocess.run([sys.executable, "-m", "config.cli", "collectstatic", "--noinput", "-v", "0"],
                   env=env, check=True)


def _targets(seed: int) -> dict:
    """What the clients ask for: documents and case files of each caseworker's unit, unfiled
    documents for the mailroom, common and rare words of the corpus's vocabulary."""
    from archive.models import CaseFile, Document
    from bench.search.corpus import NOUNS, Vocabulary

    rng = random.Random(seed + 3)
    vocabulary = Vocabulary(random.Random(seed))
    targets = {"common": list(NOUNS[:15]), "rare": vocabulary.words[20000:21000]}
    for code in CASEWORKERS:
        documents = list(Document.objects.filter(case_file__unit__code=code)
                         .values_list("pk", flat=True))
        case_files = list(CaseFile.objects.filter(unit__code=code).values_list("pk", flat=True))
        targets[code] = {"documents": rng.sample(documents, min(500, len(documents))),
                         "case_files": rng.sample(case_files, min(500, len(case_files)))}
    inbox = list(Document.objects.filter(case_file__isnull=True).values_list("pk", flat=True))
    targets["inbox"] = rng.sample(inbox, min(500, len(inbox)))
    return targets


def _path(page: str, unit: str | None, targets: dict, rng: random.Random) -> str:
    from urllib.parse import quote

    if page == "Suche, häufiges Wort":
        return "/suche/?q=" + quote(rng.choice(targets["common"]))
    if page == "Suche, seltenes Wort":
        return "/suche/?q=" + quote(rng.choice(targets["rare"]))
    if page == "Dokument":
        pool = targets[unit]["documents"] if unit else targets["inbox"]
        return f"/dokumente/{rng.choice(pool)}/"
    if page == "Akte":
        return f"/akten/{rng.choice(targets[unit]['case_files'])}/"
    if page == "Startseite":
        return "/"
    if page == "Posteingang":
        # Mostly the first page, sometimes a later one or another order.
        return rng.choice(["/posteingang/", "/posteingang/", "/posteingang/?seite=2",
                           "/posteingang/?sortierung=titel"])
    return "/barrierefreiheit/"


def _cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process and its children so far (Linux /proc): a
    pre-forked server's worker processes are children of its master."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    total = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    for child in _children(pid):
        total += _cpu_seconds(child)
    return total


def _children(pid: int) -> list[int]:
    children = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            children += [int(c) for c in (task / "children").read_text().split()]
        except OSError:
            pass
    return children


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _server_start(env: dict, port: int, log: Path, processes: int) -> subprocess.Popen:
    """The web process of `registratur run` (config/processes.py), on a port of its own."""
    server = subprocess.Popen(
        [sys.executable, "-m", "config.cli", "serve", "--host", "127.0.0.1", "--port",
         str(port), "--processes", str(processes)], env=env, stdout=log.open("w"),
        stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"the server exited with {server.returncode}; see {log}")
        try:
            status, _data, _seconds = Browser("127.0.0.1", port, timeout=5).get("/anmelden/")
            if status == 200:
                return server
        except OSError:
            pass
        time.sleep(0.3)
    server.terminate()
    raise SystemExit(f"the server did not answer within 120 s; see {log}")


def _client(port: int, username: str, unit: str | None, requests: int, think: float,
            targets: dict, seed: int, start: threading.Barrier, results: list,
            failures: list) -> None:
    rng = random.Random(f"{seed}:{username}")
    mix = CASEWORKER_MIX if unit else MAILROOM_MIX
    browser = Browser("127.0.0.1", port)
    try:
        browser.login(username, PASSWORD)
        for page in mix:  # warm up: every page once, not counted
            browser.get(_path(page, unit, targets, rng))
    except (OSError, PageError) as error:
        failures.append(f"{username}: {error}")
        start.abort()
        return
    try:
        start.wait()
    except threading.BrokenBarrierError:
        return
    for _ in range(requests):
        if think:
            time.sleep(rng.uniform(0.5 * think, 1.5 * think))
        page = rng.choice(mix)
        path = _path(page, unit, targets, rng)
        try:
            status, _data, seconds = browser.get(path)
        except OSError as error:
            failures.append(f"{username} {path}: {error}")
            continue
        results.append((page, seconds * 1000, status, username, path))
    browser.close()


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def _load(ports: list[int], clients: int, requests: int, think: float, targets: dict,
          seed: int, server_pids: list[int]) -> dict:
    people = ([(name, unit) for unit, names in CASEWORKERS.items() for name in names]
              + [(name, None) for name in MAILROOM])
    # Ten clients: the caseworkers and the mailroom in the proportion of the dataset's users.
    people = [people[i % len(people)] for i in range(clients)]
    results, failures = [], []
    start = threading.Barrier(clients + 1)
    # With several web processes each client keeps to one, as behind a sticky balancer.
    threads = [threading.Thread(target=_client, args=(
        ports[i % len(ports)], name, unit, requests, think, targets, seed, start, results,
        failures)) for i, (name, unit) in enumerate(people)]
    for thread in threads:
        thread.start()
    try:
        start.wait()
    except threading.BrokenBarrierError:
        for thread in threads:
            thread.join()
        raise SystemExit("clients could not log in: " + "; ".join(failures)) from None
    started = time.monotonic()
    cpu_before = sum(_cpu_seconds(pid) for pid in server_pids)
    for thread in threads:
        thread.join()
    return {"wall_s": time.monotonic() - started, "results": results, "failures": failures,
            "server_cpu_s": sum(_cpu_seconds(pid) for pid in server_pids) - cpu_before,
            "clients": [name for name, _unit in people]}


def _table(run: dict) -> list[dict]:
    rows = []
    wall = run["wall_s"]
    for page in PAGES:
        timings = [ms for name, ms, _status, _user, _path in run["results"] if name == page]
        if not timings:
            continue
        errors = sum(1 for name, _ms, status, _u, _p in run["results"]
                     if name == page and status != 200)
        p95 = _percentile(timings, 0.95)
        goal = GOAL_MS.get(page)
        rows.append({"page": page, "requests": len(timings), "errors": errors,
                     "p50_ms": _percentile(timings, 0.50), "p95_ms": p95,
                     "max_ms": max(timings), "per_s": len(timings) / wall,
                     "goal_p95_ms": goal, "met": None if goal is None else p95 <= goal})
    return rows


def _print(rows: list[dict], run: dict, info: dict) -> None:
    print(f"\n{'page':<28} {'requests':>8} {'errors':>6} {'p50 ms':>8} {'p95 ms':>8} "
          f"{'max ms':>8} {'req/s':>7}  goal p95")
    reference = next((row for row in rows if row["page"] == REFERENCE), None)
    for row in rows:
        goal = "" if row["goal_p95_ms"] is None else (
            f"≤ {row['goal_p95_ms']} ms: {'met' if row['met'] else 'MISSED'}")
        ratio = (f"  ({row['p95_ms'] / reference['p95_ms']:.1f}× reference p95)"
                 if reference and row is not reference else "")
        print(f"{row['page']:<28} {row['requests']:>8} {row['errors']:>6} "
              f"{row['p50_ms']:>8.1f} {row['p95_ms']:>8.1f} {row['max_ms']:>8.1f} "
              f"{row['per_s']:>7.1f}  {goal}{ratio}")
    total = len(run["results"])
    print(f"\n{total} requests by {len(run['clients'])} clients in {run['wall_s']:.1f} s: "
          f"{total / run['wall_s']:.1f} requests/s")
    for key, value in info.items():
        print(f"{key}: {value}")
    if run["failures"]:
        print(f"{len(run['failures'])} failed requests, e.g. {run['failures'][:3]}")


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=100_000,
                        help="documents in case files (plus 2 %% unfiled post, at most 2,000)")
    parser.add_argument("--data-dir", help="default: ./bench-data/web-<documents>; the built "
                                           "instance is kept there and reused")
    parser.add_argument("--clients", type=int, default=10)
    parser.add_argument("--requests", type=int, default=150, help="per client")
    parser.add_argument("--servers", type=int, default=1,
                        help="web servers (each `registratur serve` on its own port; the "
                             "clients are spread over them). `registratur run` starts one; "
                             "several are what a multi-host installation may run")
    parser.add_argument("--processes", type=int, default=None,
                        help="processes of each server (`registratur serve --processes`; "
                             "default as `registratur run`: REGISTRATUR_WEB_PROCESSES, 1); "
                             "1: waitress in one process, more: gunicorn")
    parser.add_argument("--think", type=float, default=0.0, metavar="SECONDS",
                        help="each client pauses this long on average (uniformly 0.5 to 1.5 "
                             "times) before each request, as a person reads; 0: none")
    parser.add_argument("--seed", type=int, default=20261121)
    parser.add_argument("--json", help="also write the rows and settings to this file")
    parser.add_argument("--build-only", action="store_true",
                        help="build the instance and stop, so that a later run measures a "
                             "quiet machine")
    args = parser.parse_args(argv)
    data_dir = Path(args.data_dir or f"bench-data/web-{args.documents}").resolve()
    data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    env = _setup(data_dir)
    stamp = dataset_build(data_dir, args.documents, args.seed, env)
    static_collect(env)
    print(f"instance: {data_dir} ({json.dumps(stamp)})", file=sys.stderr)
    if args.build_only:
        return
    targets = _targets(args.seed)
    from django.db import connection

    from archive.models import Event

    events_before = Event.objects.count()
    connection.close()
    from django.conf import settings

    processes = args.processes or settings.WEB_PROCESSES
    ports = [_free_port() for _ in range(args.servers)]
    servers = [_server_start(env, port, data_dir / f"bench-web-server-{n}.log", processes)
               for n, port in enumerate(ports)]
    load_before = os.getloadavg()
    try:
        run = _load(ports, args.clients, args.requests, args.think, targets, args.seed,
                    [server.pid for server in servers])
        cpu = run["server_cpu_s"]
    finally:
        load_after = os.getloadavg()
        for server in servers:
            server.send_signal(signal.SIGTERM)
        for server in servers:
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                server.kill()
    events = Event.objects.count() - events_before
    connection.close()
    rows = _table(run)
    info = {"documents": f"{args.documents} in case files + {stamp['inbox']} unfiled",
            "server": f"{args.servers} × registratur serve --processes {processes} ("
                      + ("waitress, 8 threads" if processes == 1 else
                         f"gunicorn, {processes} processes × 4 threads")
                      + f"), SQLite, tantivy; {os.cpu_count()} cores",
            "clients": f"{args.clients}, pause before each request: "
                       + (f"{args.think:g} s on average (think time)" if args.think else
                          "none (each client asks again the moment an answer arrives: "
                          "the server's capacity, not a person's pace)"),
            "load average (1 min) before / after": f"{load_before[0]:.2f} / {load_after[0]:.2f}",
            "event log entries written": events,
            # Independent of what else runs on the machine: what a page costs the server.
            "server CPU per request": f"{cpu * 1000 / max(1, len(run['results'])):.1f} ms "
                                      f"({cpu:.1f} s for {len(run['results'])} requests; "
                                      f"logins and warm-up not counted)"}
    _print(rows, run, info)
    if args.json:
        Path(args.json).write_text(json.dumps(
            {"rows": rows, "info": info, "wall_s": run["wall_s"], "stamp": stamp,
             "failures": run["failures"]}, indent=1, ensure_ascii=False))


if __name__ == "__main__":
    main()
