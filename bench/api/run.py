"""API benchmark: `python -m bench.api --documents 100000`.

The instance of bench/web (bench/search's corpus in case files of ten units, unfiled post,
the caseworkers of units U0 and U1; built once per size under --data-dir and reused), the
real server (`registratur serve`, as `registratur run` starts it) and 10 clients, each a
thread with a keep-alive connection and a scoped API token of its own (`identity.tokens`,
unit and actions "read" and "search", as an administrator issues them with `registratur
token create`). The clients ask as fast as the server answers for the case-file list, a case
file, the documents of a case file, a document, the search (API v1's if it exists, else
`/api/search/`) with a common and a rare word, and the API index `/api/v1/` as the reference
(an answer without data, measured with the same clients in the same run). Prints
p50/p95/max per endpoint. Every read is a real one: trimmed to the token and logged.
Not a test: it never runs in the test suite.
"""

import argparse
import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import quote

from bench.web.client import Browser
from bench.web.dataset import CASEWORKERS, dataset_build
from bench.web.run import (
    _cpu_seconds,
    _free_port,
    _percentile,
    _server_start,
    _setup,
    static_collect,
)

REFERENCE = "API-Index (Referenz)"
GOAL_MS = 100
PURPOSE = "Sachbearbeitung im Fachverfahren (Lasttest)"


def _search_path() -> str:
    """API v1's search once it exists, else the unversioned one."""
    from django.urls import NoReverseMatch, reverse

    try:
        return reverse("api:v1-search")
    except NoReverseMatch:
        return reverse("api:search")


def _endpoints(search: str) -> dict:
    """Name -> function (targets, rng) -> path. Lists ask for the default page (20)."""
    return {
        "Aktenliste": lambda t, r: "/api/v1/case-files/",
        "Aktenliste, Person": lambda t, r: (
            "/api/v1/case-files/?person=" + quote(r.choice(t["people"]))
        ),
        "Akte": lambda t, r: f"/api/v1/case-files/{r.choice(t['case_files'])}/",
        "Dokumente einer Akte": lambda t, r: (
            f"/api/v1/case-files/{r.choice(t['case_files'])}/documents/"
        ),
        "Dokument": lambda t, r: f"/api/v1/documents/{r.choice(t['documents'])}/",
        "Suche, häufiges Wort": lambda t, r: f"{search}?q=" + quote(r.choice(t["common"])),
        "Suche, seltenes Wort": lambda t, r: f"{search}?q=" + quote(r.choice(t["rare"])),
        REFERENCE: lambda t, r: "/api/v1/",
    }


def _tokens(clients: int) -> list[tuple[str, str]]:
    """One token per client, for the caseworkers of U0 and U1 in turn, scoped to their unit.
    Made afresh on each run (the secret is shown only once)."""
    from archive.actors import Actor
    from identity.tokens import token_create

    operator = Actor(channel="cli", os_user="bench", name="bench")
    people = [(name, unit) for unit, names in CASEWORKERS.items() for name in names]
    stamp = time.strftime("%Y%m%d%H%M%S")
    tokens = []
    for n in range(clients):
        name, unit = people[n % len(people)]
        _token, raw = token_create(
            actor=operator,
            name=f"bench-api {stamp} {n}",
            username=name,
            units=[unit],
            actions=["read", "search"],
        )
        tokens.append((raw, unit))
    return tokens


def _targets(seed: int) -> dict:
    from archive.models import CaseFile, Document
    from bench.search.corpus import NOUNS, Vocabulary

    rng = random.Random(seed + 5)
    vocabulary = Vocabulary(random.Random(seed))
    targets = {"common": list(NOUNS[:15]), "rare": vocabulary.words[20000:21000]}
    for code in CASEWORKERS:
        documents = list(
            Document.objects.filter(case_file__unit__code=code).values_list("pk", flat=True)
        )
        case_files = list(
            CaseFile.objects.filter(unit__code=code).values_list("pk", "subject_name")
        )
        targets[code] = {
            "documents": rng.sample(documents, min(500, len(documents))),
            "case_files": [pk for pk, _name in rng.sample(case_files, min(500, len(case_files)))],
            # A surname, as a procedure looks a person up.
            "people": sorted({name.split()[-1] for _pk, name in case_files if name})[:200],
        }
    return targets


class ApiClient(Browser):
    def __init__(self, host: str, port: int, token: str):
        super().__init__(host, port)
        self.headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}

    def get(self, path: str) -> tuple[int, bytes, float]:
        started = time.perf_counter()
        status, data, _headers = self._request("GET", path, headers=self.headers)
        return status, data, time.perf_counter() - started


def _client(
    port, token, unit, requests, think, endpoints, targets, seed, n, start, results, failures
):
    rng = random.Random(f"{seed}:{n}")
    mine = {**targets, **targets[unit]}
    client = ApiClient("127.0.0.1", port, token)
    try:
        for name, path_of in endpoints.items():  # warm up: each once, not counted
            status, data, _s = client.get(path_of(mine, rng))
            if status != 200:
                raise OSError(f"{name}: {status} {data[:200]!r}")
    except OSError as error:
        failures.append(f"client {n}: {error}")
        start.abort()
        return
    try:
        start.wait()
    except threading.BrokenBarrierError:
        return
    names = list(endpoints)
    for _ in range(requests):
        if think:
            time.sleep(rng.uniform(0.5 * think, 1.5 * think))
        name = rng.choice(names)
        path = endpoints[name](mine, rng)
        try:
            status, _data, seconds = client.get(path)
        except OSError as error:
            failures.append(f"{path}: {error}")
            continue
        results.append((name, seconds * 1000, status))
    client.close()


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--documents",
        type=int,
        default=2000,
        help="documents in case files (default small, for development; the "
        "goal is measured at 100000)",
    )
    parser.add_argument(
        "--data-dir",
        help="default: ./bench-data/web-<documents> (the instance of bench/web, shared with it)",
    )
    parser.add_argument("--clients", type=int, default=10)
    parser.add_argument("--requests", type=int, default=100, help="per client")
    parser.add_argument(
        "--servers",
        type=int,
        default=1,
        help="web processes (each `registratur serve`; the clients are spread over them)",
    )
    parser.add_argument(
        "--processes",
        type=int,
        default=None,
        help="processes of each server (`registratur serve --processes`; default as "
        "`registratur run`: REGISTRATUR_WEB_PROCESSES, 1); 1: waitress, more: gunicorn",
    )
    parser.add_argument(
        "--think",
        type=float,
        default=0.0,
        metavar="SECONDS",
        help="each client pauses this long on average (uniformly 0.5 to 1.5 times) before "
        "each request; 0: none, the clients ask again the moment an answer arrives",
    )
    parser.add_argument("--seed", type=int, default=20261121)
    parser.add_argument("--json", help="also write the rows to this file")
    args = parser.parse_args(argv)
    data_dir = Path(args.data_dir or f"bench-data/web-{args.documents}").resolve()
    data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    env = _setup(data_dir)
    stamp = dataset_build(data_dir, args.documents, args.seed, env)
    static_collect(env)
    print(f"instance: {data_dir} ({json.dumps(stamp)})", file=sys.stderr)
    targets = _targets(args.seed)
    tokens = _tokens(args.clients)
    search = _search_path()
    endpoints = _endpoints(search)
    from django.db import connection

    from archive.models import Event

    events_before = Event.objects.count()
    connection.close()
    from django.conf import settings

    processes = args.processes or settings.WEB_PROCESSES
    ports = [_free_port() for _ in range(args.servers)]
    servers = [
        _server_start(env, port, data_dir / f"bench-api-server-{n}.log", processes)
        for n, port in enumerate(ports)
    ]
    load_before = os.getloadavg()
    results, failures = [], []
    start = threading.Barrier(args.clients + 1)
    threads = [
        threading.Thread(
            target=_client,
            args=(
                ports[n % len(ports)],
                raw,
                unit,
                args.requests,
                args.think,
                endpoints,
                targets,
                args.seed,
                n,
                start,
                results,
                failures,
            ),
        )
        for n, (raw, unit) in enumerate(tokens)
    ]
    try:
        for thread in threads:
            thread.start()
        try:
            start.wait()
        except threading.BrokenBarrierError:
            for thread in threads:
                thread.join()
            raise SystemExit("clients failed: " + "; ".join(failures)) from None
        started = time.monotonic()
        cpu_before = sum(_cpu_seconds(server.pid) for server in servers)
        for thread in threads:
            thread.join()
        wall = time.monotonic() - started
        cpu = sum(_cpu_seconds(server.pid) for server in servers) - cpu_before
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
    rows = []
    for name in endpoints:
        timings = [ms for page, ms, _status in results if page == name]
        if not timings:
            continue
        p95 = _percentile(timings, 0.95)
        rows.append(
            {
                "endpoint": name,
                "requests": len(timings),
                "errors": sum(1 for page, _ms, status in results if page == name and status != 200),
                "p50_ms": _percentile(timings, 0.5),
                "p95_ms": p95,
                "max_ms": max(timings),
                "per_s": len(timings) / wall,
                "met": p95 <= GOAL_MS,
            }
        )
    reference = next(row for row in rows if row["endpoint"] == REFERENCE)
    print(
        f"\n{'endpoint':<24} {'requests':>8} {'errors':>6} {'p50 ms':>8} {'p95 ms':>8} "
        f"{'max ms':>8} {'req/s':>7}  goal p95 ≤ {GOAL_MS} ms"
    )
    for row in rows:
        ratio = (
            ""
            if row is reference
            else f"  ({row['p95_ms'] / reference['p95_ms']:.1f}× reference p95)"
        )
        print(
            f"{row['endpoint']:<24} {row['requests']:>8} {row['errors']:>6} "
            f"{row['p50_ms']:>8.1f} {row['p95_ms']:>8.1f} {row['max_ms']:>8.1f} "
            f"{row['per_s']:>7.1f}  {'met' if row['met'] else 'MISSED'}{ratio}"
        )
    info = {
        "documents": f"{args.documents} in case files + {stamp['inbox']} unfiled",
        "server": f"{args.servers} × registratur serve --processes {processes} ("
        + ("waitress, 8 threads" if processes == 1 else f"gunicorn, {processes} processes")
        + "), SQLite, tantivy",
        "clients": f"{args.clients}, each with its own token (unit U0 or U1; read, search), "
        + (f"pause {args.think:g} s on average" if args.think else "no pause"),
        "search endpoint": search,
        "load average (1 min) before / after": f"{load_before[0]:.2f} / {load_after[0]:.2f}",
        "event log entries written": events,
        "server CPU per request": f"{cpu * 1000 / max(1, len(results)):.1f} ms",
    }
    print(f"\n{len(results)} requests in {wall:.1f} s: {len(results) / wall:.1f} requests/s")
    for key, value in info.items():
        print(f"{key}: {value}")
    if failures:
        print(f"{len(failures)} failed requests, e.g. {failures[:3]}")
    if args.json:
        Path(args.json).write_text(
            json.dumps({"rows": rows, "info": info, "stamp": stamp}, indent=1, ensure_ascii=False)
        )


if __name__ == "__main__":
    main()
